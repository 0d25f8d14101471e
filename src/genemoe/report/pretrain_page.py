"""``genemoe report`` on a ``genemoe pretrain`` folder: did the pre-training work?

Read from the run's ``summary.json`` (the last epoch's validation reconstruction, the
collapse checks, the bundles and samples it read) and ``history.jsonl`` (one record per
epoch); nothing is recomputed and no model is run. The page answers what a user asks
before fine-tuning from the run: does the reconstruction beat the per-gene training
constant, did the latent collapse, did the experts stay in use, did the losses settle.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.ticker import MaxNLocator

from genemoe.data.bundle import file_sha256
from genemoe.data.scaling import share_text
from genemoe.explain.figures import new_subplots
from genemoe.report.first_screen import pretrain_panel
from genemoe.report.html_parts import html_table, kv_table, page_context
from genemoe.report.plots import (
    Figure,
    plot_expert_utilisation,
    plot_training_curves,
    read_history,
    save_figure,
)
from genemoe.report.sources import bundle_info
from genemoe.train.pretrain_metrics import (
    CRITIC_GAP_EPOCHS,
    CRITIC_GAP_FLOOR,
    critic_gap_noise,
    critic_note,
)
from genemoe.train.pretrain_record import LOSS_WEIGHTS, clipped_words, resumed_words

__all__ = ["is_pretrain_dir", "pretrain_context", "reconstruction_rows", "loss_rows",
           "reconstruction_checks", "critic_checks", "plot_reconstruction", "prepared_again",
           "bundles_table", "rows_words", "clipped_cell", "run_weights", "weights_words"]

# validation measure, its baseline (None: none), its name on the page
_RECON = (("r_sample", "r_sample_baseline", "r across genes, per sample (mean)"),
          ("r_gene", None, "r across samples, per gene (mean; a constant has none)"),
          ("r2", None, "R² against the per-gene training mean"),
          ("mse", "mse_baseline", "mean squared error"),
          ("mae", "mae_baseline", "mean absolute error"),
          ("mae", "mae_median_baseline", "mean absolute error (vs the training median)"))


def is_pretrain_dir(d: Path) -> bool:
    """A finished ``genemoe pretrain`` run: ``pretrained.pt``, ``summary.json`` and
    ``history.jsonl`` (an interrupted one has a checkpoint and no ``pretrained.pt``)."""
    return all((d / f).is_file() for f in ("pretrained.pt", "summary.json", "history.jsonl"))


def reconstruction_rows(final: dict[str, Any]) -> pd.DataFrame:
    """The last epoch's validation reconstruction against its baselines, one row a measure.

    Parameters
    ----------
    final
        ``summary.json``'s ``final`` (keys ``val/r_gene``, ``val/mse``, ``val/mse_baseline``...).

    Returns
    -------
    pandas.DataFrame
        Columns ``measure``, ``model``, ``baseline``, ``better`` ("yes"/"no"/"–", or
        "level" where both read the same to the 3 decimals shown); one row per measure the
        run recorded.
    """
    rows = []
    for key, base, name in _RECON:
        value = final.get(f"val/{key}")
        if value is None or (base is not None and final.get(f"val/{base}") is None):
            continue
        ref = final.get(f"val/{base}") if base else (0.0 if key == "r2" else None)
        lower = key.startswith(("mse", "mae"))  # R² against 0: the mean's own R²
        better = ("–" if ref is None else
                  "level" if f"{value:.3f}" == f"{ref:.3f}" else  # 0.9011 vs 0.9007: "yes"
                  "yes" if (value < ref if lower else value > ref) else "no")
        rows.append({"measure": name, "model": value, "baseline": ref, "better": better})
    return pd.DataFrame(rows, columns=["measure", "model", "baseline", "better"])


# loss term (summary.json's final ``loss/<key>``; a tuple: summed), its name, the weight of
# it in the generator's loss (the config's ``pretrain.<lambda>``; None: not a weighted term)
_LOSSES = (("critic_loss", "critic loss, E D(fake) − E D(real) + λ_gp · GP", None),
           ("gp", "gradient penalty (GP)", "lambda_gp"),
           ("critic_gap", "critic gap, E D(real) − E D(fake)", None),
           ("adv", "adversarial, −E D(reconstruction)", "lambda_adv"),
           ("kl", "KL", "lambda_kl"),
           ("l1", "L1 reconstruction", "lambda_l1"),
           (("importance", "load"), "balance, importance + load over the gates", "lambda_balance"),
           ("g_loss", "encoder-decoder loss (eq. 11), the weighted sum", None))


def _num(value: Any) -> str:
    """A loss as a reader reads it: 3 decimals, thousands separated; 3 significant digits
    below 0.01 (a gradient penalty of 0.0004 read 0.000)."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return f"{value:.3g}" if 0 < abs(value) < 0.01 else f"{value:,.3f}"


def loss_rows(final: dict[str, Any], pretrain: dict[str, Any]) -> pd.DataFrame:
    """The last epoch's loss terms (means over the training batches), rounded, each with
    its weight in the loss and its weighted value: the WGAN-GP critic, KL, L1 and the
    experts' balance were drawn in a figure only, their numbers in summary.json.

    Parameters
    ----------
    final
        ``summary.json``'s ``final`` (``loss/kl``, ``loss/l1``...; a model without gates has
        no ``loss/importance``: no balance row).
    pretrain
        The run's ``config.yaml`` ``pretrain:`` section (the ``lambda_*`` weights).

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``last epoch``, ``weight``, ``weighted`` ("–" where none).
    """
    rows = []
    for key, name, weight in _LOSSES:
        keys = key if isinstance(key, tuple) else (key,)
        parts = [final.get(f"loss/{k}") for k in keys]
        if not all(isinstance(v, int | float) for v in parts):
            continue
        value = float(sum(parts))
        w = pretrain.get(weight) if weight else None
        rows.append({"term": name, "last epoch": _num(value),
                     "weight": "–" if not isinstance(w, int | float) else f"{w:g}",
                     "weighted": "–" if not isinstance(w, int | float) or key == "gp"
                     else _num(w * value)})  # the GP is weighted inside the critic's loss
    return pd.DataFrame(rows, columns=["term", "last epoch", "weight", "weighted"])


def run_weights(summary: dict[str, Any], pretrain: dict[str, Any]) -> dict[str, Any]:
    """The loss weights the run trained with: ``summary.json``'s ``loss_weights``, which
    the terminal said, over the ``config.yaml`` ``pretrain:`` values (the only source of a
    run of an older version, which recorded no ``loss_weights``)."""
    recorded = summary.get("loss_weights") or {}
    return {**{k: pretrain[k] for k in LOSS_WEIGHTS if k in pretrain}, **recorded}


def weights_words(weights: dict[str, Any], recorded: bool) -> str:
    """``"Weights from summary.json's loss_weights; the critic took 3 steps per generator
    step."``: where the table's weights come from, and the one weight it has no row for."""
    n = weights.get("n_critic")
    steps = (f"; the critic took {int(n)} step{'' if int(n) == 1 else 's'} per generator step"
             if isinstance(n, int | float) else "")
    where = ("summary.json's loss_weights" if recorded
             else "config.yaml's pretrain: (this run recorded no loss_weights)")
    return f"Weights from {where}{steps}."


def clipped_cell(clipped: dict[str, Any] | None) -> str:
    """What the scaler's clip changed of one bundle's rows, per split, from its
    ``summary.json`` entry's ``clipped``: ``"±10 z: train 188 of 69,300 (0.3%), val 0 of
    10,000 (0.0%); 158 genes, largest |z| 15.9"`` (``"not recorded"`` without it).

    Examples
    --------
    >>> clipped_cell({"val": {"method": "standard", "clip": 10.0, "n_values": 2,
    ...                       "n_total": 1000, "n_genes": 1, "max_abs": 12.04}})
    '±10 z: val 2 of 1,000 (0.2%); 1 gene, largest |z| 12.0'
    """
    if not clipped:
        return "not recorded"
    first = next(iter(clipped.values()))
    z = first.get("method") == "standard"
    clip = first.get("clip")
    head = "not clipped" if clip is None else f"±{clip:g} {'z' if z else '(scaled)'}"
    parts = ", ".join(f"{part} {int(r.get('n_values') or 0):,} of {int(r.get('n_total') or 0):,} "
                      f"({share_text(int(r.get('n_values') or 0), int(r.get('n_total') or 0))})"
                      for part, r in clipped.items())
    genes = max(int(r.get("n_genes") or 0) for r in clipped.values())
    top = max(float(r.get("max_abs") or 0.0) for r in clipped.values())
    return (f"{head}: {parts}; {genes:,} gene{'' if genes == 1 else 's'}, largest "
            f"{'|z|' if z else '|value|'} {top:.1f}")


def rows_words(bundles: Sequence[dict[str, Any]]) -> str | None:
    """``repeat 0, fold 1: fold training part (validation part monitored; test part not
    read)`` for a run of ``genemoe ablation --pretrain-per-fold`` (its bundles record the
    fold); None for a run on the bundles' training splits. The page said "the bundles' test
    splits left out" of a run that read the fold's training part, test-split samples
    included."""
    said = [f"repeat {b.get('repeat')}, fold {b.get('fold')}: {b['rows']}" for b in bundles
            if b.get("rows")]
    return "; ".join(said) or None


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The model and baseline columns to 3 decimals alike (``1.113 | 1.12`` was compared)."""
    def fmt(v: Any) -> Any:
        return f"{v:.3f}" if isinstance(v, int | float) and math.isfinite(v) else v

    return table.assign(model=table["model"].map(fmt), baseline=table["baseline"].map(fmt))


def reconstruction_checks(collapse: dict[str, Any], final: dict[str, Any]) -> dict[str, Any]:
    """The collapse checks on the reconstruction, each under the name of what it tests.

    ``recon_no_better_than_mean`` is R² ≤ 0 since ``recon_no_better_than_constant`` was
    recorded beside it; before, it meant "no better by R² nor by absolute error" (a run
    with R² -0.007 that beat the median's MAE recorded false), so an older summary's value
    is shown under that name and the mean's row is read from its R².
    """
    if "recon_no_better_than_constant" in collapse:
        weak = collapse.get("weak_r2", 0.05)
        beats = collapse.get("recon_beats") or {}  # e.g. median_absolute: False
        return {"reconstruction no better than the per-gene mean (R² ≤ 0)":
                    collapse.get("recon_no_better_than_mean"),
                f"reconstruction at a per-gene constant's level (R² < {weak:g}, MAE not "
                "below the best constant's)": collapse["recon_no_better_than_constant"],
                "per-gene constants beaten": "; ".join(
                    f"{k.split('_')[0]} by {k.split('_')[-1]} error: {'yes' if v else 'no'}"
                    for k, v in beats.items()) or None}
    r2 = final.get("val/r2")
    return {"reconstruction no better than the per-gene mean (R² ≤ 0)":
                None if not isinstance(r2, int | float) else not r2 > 0,
            "reconstruction no better than a per-gene constant by R² nor by absolute error":
                collapse.get("recon_no_better_than_mean")}


def critic_checks(collapse: dict[str, Any], final: dict[str, Any],
                  gaps: Sequence[Any] = ()) -> tuple[dict[str, Any], list[str]]:
    """The adversarial part's check row and its note (``[]`` without one).

    The last epoch's critic gap (real − fake) is ``collapse["critic_gap"]``, or for a
    summary written before it was recorded, ``final["loss/critic_gap"]``; its noise is
    ``collapse["critic_gap_noise"]``, or :func:`~genemoe.train.pretrain_metrics.
    critic_gap_noise` of the per-epoch ``gaps``. Its note (:func:`~genemoe.train.
    pretrain_metrics.critic_note`, a gap below 0 by more than its noise) is already among a
    newer summary's notes, so it is returned only for an older one.
    """
    gap = collapse.get("critic_gap", final.get("loss/critic_gap"))
    if not isinstance(gap, int | float) or not math.isfinite(gap):
        return {}, []
    noise = collapse.get("critic_gap_noise")
    noise = noise if isinstance(noise, int | float) else critic_gap_noise(gaps)
    note = critic_note(gap, noise)
    row = {"critic gap, real − fake (last epoch; noted below 0 by more than its noise, the "
           f"larger of {CRITIC_GAP_FLOOR:g} and its sd over the last {CRITIC_GAP_EPOCHS} epochs)":
               f"{gap:.3g} (noise {noise:.2g})"}
    return row, ([note] if note and "critic_gap" not in collapse else [])


def plot_reconstruction(history: Sequence[dict[str, Any]], *, out_path: Path,
                        title: str = "") -> Path | None:
    """Validation reconstruction per epoch, each measure beside its per-gene baseline
    (dashed: the training mean; dotted: the median, for MAE): r per sample, MSE, MAE, and
    r per gene and R² (baseline 0). None without one."""
    panels = [(k, b) for k, b in (("r_sample", "r_sample_baseline"), ("mse", "mse_baseline"),
                                   ("mae", "mae_baseline"), ("r_gene", None), ("r2", None))
              if any(isinstance(r.get(f"val/{k}"), int | float) for r in history)]
    if not panels:
        return None
    fig, axes = new_subplots(1, len(panels), figsize=(3.4 * len(panels), 2.8), squeeze=False)
    for ax, (key, base) in zip(axes.flat, panels, strict=True):
        pts = [(r["epoch"], r[f"val/{key}"]) for r in history
               if isinstance(r.get(f"val/{key}"), int | float)]
        ax.plot(*zip(*pts, strict=True), marker=".", label="model")
        ref = [(r["epoch"], r[f"val/{base}"]) for r in history
               if base and isinstance(r.get(f"val/{base}"), int | float)]
        if ref:
            ax.plot(*zip(*ref, strict=True), "--", color="grey", label="per-gene mean")
        med = [(r["epoch"], r["val/mae_median_baseline"]) for r in history
               if key == "mae" and isinstance(r.get("val/mae_median_baseline"), int | float)]
        if med:  # the constant an L1 decoder aims at, which the collapse check reads too
            ax.plot(*zip(*med, strict=True), ":", color="black", label="per-gene median")
            ax.legend(fontsize=7)
        if key == "r2":
            ax.axhline(0.0, ls="--", color="grey", label="per-gene mean")
        ax.set_title(f"validation {key}", fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out_path)


def _utilisation_as_stats(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``util/<layer>`` lists as the ``stats/<layer>/load`` keys the training figure reads."""
    out = []
    for r in history:
        rec: dict[str, Any] = {"epoch": r.get("epoch")}
        for k, v in r.items():
            if k.startswith("util/") and isinstance(v, list) and not k.endswith("_dead"):
                rec[f"stats/{k.removeprefix('util/')}/load"] = v
                rec[f"stats/{k.removeprefix('util/')}/load_dead_experts"] = (
                    r.get(f"{k}_dead") or "none")
        out.append(rec)
    return out


def _figures(history: list[dict[str, Any]], plots: Path, model: str) -> list[Figure]:
    figures = []
    losses = [{k: v for k, v in r.items() if k == "epoch" or k.startswith("loss/")}
              for r in history]
    if (p := plot_training_curves([losses], out_path=plots / "pretrain_losses.png",
                                  title=f"{model}: pre-training losses")) is not None:
        figures.append(Figure(p, "Every pre-training loss term per epoch (training batches)",
                              "training"))
    if (p := plot_reconstruction(history, out_path=plots / "pretrain_reconstruction.png",
                                 title=f"{model}: validation reconstruction")) is not None:
        figures.append(Figure(p, "Validation reconstruction per epoch against the per-gene "
                                 "training mean (dashed)", "reconstruction"))
    if (p := plot_expert_utilisation(_utilisation_as_stats(history),
                                     out_path=plots / "pretrain_experts.png",
                                     title=f"{model}: expert utilisation")) is not None:
        figures.append(Figure(p, "Share of routed samples per expert and epoch", "experts"))
    return figures


def prepared_again(bundle: dict[str, Any]) -> bool:
    """Whether the bundle's ``record.json`` no longer matches the sha256 the pre-training
    stored (``record_sha256``; runs of older versions stored none: not known, False)."""
    stored = bundle.get("record_sha256")
    record = Path(str(bundle.get("path"))) / "record.json"
    return bool(stored) and record.is_file() and file_sha256(record) != stored


def bundles_table(bundles: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per bundle pre-trained on: its name and folder, the samples used (train /
    validation), its test samples left out, its genes left out (not shared by every
    bundle), the values its scaler clipped per split (:func:`clipped_cell`), and whether it
    was prepared again since."""
    rows = [{"bundle": Path(str(b.get("path"))).name, "folder": b.get("path"),
             **({"rows pre-trained on": rows_words([b]) or "its training split"}
                if rows_words(bundles) else {}),
             "train samples": b.get("n_train"), "validation samples": b.get("n_val"),
             "test samples left out": b.get("n_test_excluded"),
             "genes left out (not in every bundle)": b.get("n_genes_left_out", "not recorded"),
             "values clipped by the scaler": clipped_cell(b.get("clipped")),
             "prepared again since": ("yes: its record.json changed" if prepared_again(b)
                                      else "no" if b.get("record_sha256") else "not recorded")}
            for b in bundles]
    return pd.DataFrame(rows)


def _bundle_info(bundles: Sequence[dict[str, Any]]) -> tuple[dict, dict, str]:
    """The one bundle's summary and record (:func:`bundle_info`), or a bundle prepared again
    since said as such; and the page's warning ('' without one)."""
    again = [str(b.get("path")) for b in bundles if prepared_again(b)]
    warn = "".join(f'<p class="warn">{html.escape(p)} was prepared again since this '
                   "pre-training (its record.json changed): the run was trained on the values "
                   "prepared then; pre-train again to use the new ones</p>" for p in again)
    if len(bundles) != 1:
        return {}, {}, warn
    if again:  # its summary and record now describe other values: not shown as the run's
        return {"prepared_again": again[0]}, {}, warn
    summary, record = bundle_info(bundles[0].get("path"), None)
    return summary, record, warn


def pretrain_context(d: Path, plots: Path) -> dict[str, Any]:
    """The report's context (as :mod:`genemoe.report.html` renders it) of a pre-training
    folder ``d``; figures are written to ``plots``."""
    summary = json.loads((d / "summary.json").read_text())
    history = read_history(d / "history.jsonl")
    config = (yaml.safe_load((d / "config.yaml").read_text()) or {}
              if (d / "config.yaml").is_file() else {})
    bundles = summary.get("bundles") or []
    bundle_path = bundles[0].get("path") if bundles else None
    bundle_summary, record, again = _bundle_info(bundles)
    model = summary.get("model", "?")
    pre = config.get("pretrain") or {}
    weights = run_weights(summary, pre)  # the table's weights were config.yaml's alone
    collapse = summary.get("collapse") or {}
    preset = config.get("preset") or summary.get("preset")
    if summary.get("extends") is not None:  # its values override the preset's (was unsaid)
        preset = f"{preset}, with a --config that extends {summary['extends']}"
    folds = rows_words(bundles)
    protocol = {
        "what": "self-supervised pre-training of an encoder and decoder: no label or survival "
                "read; " + (f"one fold of an ablation ({folds}); the bundle's own "
                            "train/validation/test split not used" if folds else
                            "the bundles' test splits left out"),
        "model": model, "preset": preset,
        # a resumed run said so nowhere but the terminal of the call that resumed it
        "epochs run": f"{summary.get('epochs_run')}{resumed_words(summary)}",
        "finished": summary.get("finished"),
        "genes": summary.get("n_genes"),
        "samples (train / validation)": f"{summary.get('n_train')} / {summary.get('n_val')}",
        "streamed from disk": summary.get("stream"),
        "normalisation (fine-tuning needs the same)": "; ".join(
            str(b.get("normalisation", "not recorded")) for b in bundles) or None,
        "bundles": "; ".join(f"{b.get('path')} ({b.get('n_train')} train, {b.get('n_val')} "
                             f"validation, {b.get('n_test_excluded')} test left out"
                             + (f", {b['n_genes_left_out']} genes left out: not in every bundle"
                                if b.get("n_genes_left_out") else "") + ")"
                             for b in bundles),
        # what the scaler's ±10 z clip changed: said by the terminal, was not on the page
        "inputs clipped": (clipped_words(bundles) or "none" if any(
            b.get("clipped") for b in bundles) else "not recorded")}
    table = reconstruction_rows(summary.get("final") or {})
    has_experts = any(k.startswith("util/") for r in history for k in r)
    critic_row, critic_said = critic_checks(collapse, summary.get("final") or {},
                                            [r.get("loss/critic_gap") for r in history])
    checks = {"collapsed": collapse.get("collapsed"),
              "KL per latent dimension": collapse.get("kl_per_dim"),
              "KL collapsed": collapse.get("kl_collapsed"),
              **reconstruction_checks(collapse, summary.get("final") or {}),
              **({"dead experts (last epoch)": collapse.get("dead_experts") or "none"}
                 if has_experts else {}),  # VAE-Cox has no gates: "none" said of it
              **critic_row}
    warn = "".join(f'<p class="warn">{html.escape(w)}</p>' for w in [
        *(collapse.get("warnings") or []), *(collapse.get("notes") or []), *critic_said])
    facts = ("<h3>Bundles pre-trained on</h3>" + html_table(bundles_table(bundles))
             if bundles else "")
    metrics = (again + "<h3>Validation reconstruction (last epoch)</h3>"
               "<p>The baseline predicts every gene's training mean (or median) for every "
               "sample; a useful encoder beats it.</p>" + html_table(_rounded(table))
               + "<h3>Losses (last epoch, mean over the training batches)</h3>"
               + html_table(loss_rows(summary.get("final") or {}, weights))
               + f"<p>{html.escape(weights_words(weights, bool(summary.get('loss_weights'))))}</p>"
               + "<h3>Collapse checks</h3>" + warn + kv_table(checks) + facts)
    figures = _figures(history, plots, model)
    panel = pretrain_panel(summary=summary, bundle_summary=bundle_summary, record=record,
                           bundle_path=bundle_path, figures=figures,
                           preset=preset, seed=pre.get("seed"),
                           has_experts=has_experts)
    return page_context(f"genemoe pre-training — {model}",
                        synthetic=summary.get("synthetic") or bundle_summary.get("synthetic"),
                        summary=bundle_summary, record=record, protocol=protocol, panel=panel,
                        metrics=metrics, figures=figures,
                        versions={"genemoe (pre-training)": summary.get("genemoe_version",
                                                                        "not recorded")},
                        seeds={"pre-training seed": pre.get("seed")}, config=config)

