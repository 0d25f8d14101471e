"""``genemoe ablation``'s ``tables.md``: the paper's Table III (classification) and Table II
(survival, transposed) from the ablation's results, with what the pre-trained rows rest on
(their pre-training, a collapse of it, frozen epochs, genes the run had that the bundle lacks).

The model names and labels of the ablation (:mod:`genemoe.workflows.ablation`) live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from genemoe.data.scaling import clip_summary, clip_text
from genemoe.evaluate.benchmark_files import load_cells
from genemoe.evaluate.benchmark_pairs import (
    corrected_resampled_t_p,
    few_pairs_note,
    fold_size_ratio,
    left_out_note,
    paired_metric,
)
from genemoe.evaluate.benchmark_tables import (
    PRIMARY_METRIC,
    comparison_markdown,
    degenerate_folds,
    markdown_table,
    paired_comparisons,
    per_type_cell,
    summary_table,
)
from genemoe.evaluate.benchmark_tuned_on import tuned_on_in_run, tuned_on_overlap
from genemoe.evaluate.metrics import macro_count_text
from genemoe.evaluate.p_values import with_p_text
from genemoe.evaluate.survival_flags import is_degenerate
from genemoe.report.terminal import epoch_cap_line
from genemoe.workflows.ablation_recipe import option_names, recipe_line
from genemoe.workflows.benchmark_protocol import clipped_lines

__all__ = ["ABLATION_MODELS", "SURVIVAL_PEERS", "PRETRAINED", "VAECOX_PRETRAINED", "MODEL_LABELS",
           "PER_FOLD_LABELS", "NOT_RUN", "ablation_records", "ablation_tables", "collapse_counts",
           "collapse_text", "frozen_text", "macro_types", "step_differences", "summary_folds",
           "table_models"]

Task = Literal["classify", "survival"]

ABLATION_MODELS = ("fcn", "moe", "genemoe")  # trained from scratch, in the paper's order
SURVIVAL_PEERS = ("vaecox", "coxnnet")  # survival only: the peers beside the ablation
PRETRAINED = "genemoe_pretrained"  # results.csv name of the pre-trained Gene-MOE
VAECOX_PRETRAINED = "vaecox_pretrained"  # ... and of VAE-Cox pre-trained per fold (survival)
MODEL_LABELS = {
    "fcn": "Baseline: two FC layers (fcn)",
    "moe": "MOE (moe)",
    "genemoe": "Gene-MOE: MOE + MOAE (genemoe)",
    PRETRAINED: "pre-trained Gene-MOE (genemoe + --pretrained)",
    "vaecox": "VAE-Cox (vaecox)",
    VAECOX_PRETRAINED: "VAE-Cox (pre-trained)",
    "coxnnet": "Cox-nnet (coxnnet)",
}
PER_FOLD_LABELS = {**MODEL_LABELS,  # the labels with --pretrain-per-fold
                   PRETRAINED: "pre-trained Gene-MOE (genemoe, pre-trained per fold)",
                   VAECOX_PRETRAINED: "VAE-Cox (pre-trained per fold)"}
NOT_RUN = "not run"
_CLASSIFY_COLUMNS = {"accuracy": "accuracy", "macro_precision": "precision (macro)",
                     "macro_recall": "recall (macro)", "macro_f1": "F1 (macro)"}
_PRE_TRAINED_FAMILY = {"genemoe": PRETRAINED, "vaecox": VAECOX_PRETRAINED}  # per fold: row name
PRESET_PRETRAIN = "the preset's `pretrain:` section"  # where the per-fold runs' options came from
_MARK = " †"  # on a pre-trained row whose pre-training collapsed (the note under the table)


def collapse_counts(per_fold: dict[str, Any] | None,
                    pretrained: dict[str, Any] | None) -> dict[str, tuple[int, int]]:
    """``{row name: (collapsed runs, runs)}`` of the pre-trained rows: per fold from
    ``pretrain/summary.csv`` (:func:`~genemoe.workflows.ablation.run_ablation`'s note), for
    ``--pretrained`` its one run's own collapse check; {} where neither ran."""
    if per_fold is not None:
        return {_PRE_TRAINED_FAMILY.get(m, m): (int(d["n_collapsed"]), int(d["n_runs"]))
                for m, d in per_fold["models"].items()}
    if pretrained is not None and "collapsed" in pretrained:
        return {PRETRAINED: (int(bool(pretrained["collapsed"])), 1)}
    return {}


def collapse_text(n_collapsed: int, n_runs: int) -> str:
    """``pre-training collapsed in 2 of 2 runs`` (``... in its 1 run`` for one)."""
    return (f"pre-training collapsed in {n_collapsed} of {n_runs} runs" if n_runs != 1
            else "its pre-training run collapsed")


_PRETRAINED_PARTS = ("pretrained", "pretrained_vaecox")  # the fine-tuned parts' folders


def _part_cells(part: Path) -> list[dict]:
    """The finished cells of a benchmark part of the ablation ([] where it has none)."""
    return load_cells(part) if (part / "protocol.json").is_file() else []


def _freeze_record(cells: list[dict]) -> dict[str, Any] | None:
    """What the fine-tuned cells record of their frozen encoder: ``n`` cells that froze it,
    ``never`` of them never unfrozen (``encoder_unfrozen`` False: the freeze covered every
    epoch trained) and ``trained`` (fewest, most epochs those ran); None where none froze."""
    pre = [p for c in cells if (p := (c.get("info") or {}).get("pretrained") or {})
           and p.get("freeze_encoder_epochs")]
    if not pre:
        return None
    trained = [int(p["freeze_encoder_epochs"]) for p in pre if p.get("encoder_unfrozen") is False]
    return {"n": len(pre), "never": len(trained),
            "trained": (min(trained), max(trained)) if trained else None}


def _pretrain_clip_line(path: Path) -> str:
    """What the folds' scalers clipped of the per-fold pre-training's inputs
    (``pretrain/summary.csv``'s clip columns, each fold once: its Gene-MOE and VAE-Cox runs
    read the same rows), as the benchmark says it; "" where nothing was or none is recorded."""
    if not path.is_file():
        return ""
    runs = pd.read_csv(path).drop_duplicates(["repeat", "fold"])
    reports = [{"part": part, "method": "standard", "clip": float(r["clip"]),
                "n_values": int(r[f"clipped_{part}"]), "n_total": int(r[f"n_{part}"] * r["n_genes"]),
                "n_samples": int(r[f"clipped_{part}_samples"]),
                "n_genes": int(r[f"clipped_{part}_genes"]), "max_abs": float(r[f"max_abs_{part}"])}
               for _, r in runs.iterrows() for part in ("train", "val")
               if pd.notna(r.get(f"clipped_{part}"))]
    return clip_text(clip_summary(reports))


def ablation_records(out_dir: Path | str) -> dict[str, Any]:
    """What ``tables.md`` says from the records of an ablation folder's parts.

    Parameters
    ----------
    out_dir
        The ablation's folder (its ``models/``, ``pretrained/``, ``pretrained_vaecox/``
        benchmark parts, ``pretrain/summary.csv``).

    Returns
    -------
    dict
        ``clipped``: the from-scratch part's cells' clip lines
        (:func:`~genemoe.workflows.benchmark_protocol.clipped_lines`: every part reads the
        same folds' scaled values); ``frozen``: the fine-tuned cells' frozen encoder
        (:func:`_freeze_record`, None where none froze); ``pretrain_clipped``: the per-fold
        pre-training's clip line ("" where nothing was clipped); ``recipe_cells``: every
        part's cells, the pre-trained ones' model named so, for
        :func:`~genemoe.workflows.ablation_recipe.recipe_line`.
    """
    out_dir = Path(out_dir)
    tuned = [c for part in _PRETRAINED_PARTS for c in _part_cells(out_dir / part)]
    scratch = _part_cells(out_dir / "models")
    return {"clipped": clipped_lines(scratch),
            "recipe_cells": scratch + [{**c, "model": f"{c.get('model')} (pre-trained)"}
                                       for c in tuned],
            "frozen": _freeze_record(tuned),
            "pretrain_clipped": _pretrain_clip_line(out_dir / "pretrain" / "summary.csv")}


def frozen_text(asked: int, record: Mapping[str, Any] | None = None, flag: str = "") -> str:
    """``frozen for the first 5 epochs``; of an encoder the cells record as never unfrozen
    (``--freeze-encoder-epochs`` at or above the epochs trained, or early stopping within
    them) ``frozen throughout (asked 5, trained 2 epochs): never fine-tuned, only the head
    trained`` ("frozen for the first 5 epochs" was said of a 2-epoch run); in some runs
    only, those counted. ``flag`` (``--freeze-encoder-epochs``) names the option: ``(flag)``
    after the first form, ``flag 5`` for ``asked 5``. "" where ``asked`` is 0."""
    if not asked:
        return ""
    first = (f"frozen for the first {asked} epoch{'' if asked == 1 else 's'}"
             + (f" ({flag})" if flag else ""))
    if not record or not record.get("never"):
        return first
    lo, hi = record["trained"]
    trained = f"trained {lo}{'' if lo == hi else f'–{hi}'} epoch{'' if hi == 1 else 's'}"
    if record["never"] == record["n"]:
        return (f"frozen throughout ({flag or 'asked'} {asked}, {trained}): never fine-tuned, "
                "only the head trained")
    return (f"{first}; in {record['never']} of {record['n']} runs training stopped within them "
            f"({trained}): never fine-tuned there")


def table_models(task: Task, results: pd.DataFrame | None = None) -> list[str]:
    """Table order: the ablation's four models, then (survival) the peers, with the
    pre-trained VAE-Cox beside VAE-Cox when ``results`` have it."""
    peers = list(SURVIVAL_PEERS) if task == "survival" else []
    if results is not None and "vaecox" in peers and (results["model"] == VAECOX_PRETRAINED).any():
        peers.insert(peers.index("vaecox") + 1, VAECOX_PRETRAINED)
    return [*ABLATION_MODELS, PRETRAINED, *peers]


def _labels_of(results: pd.DataFrame) -> dict[str, str]:
    """The model labels ``results`` were written with (its ``label`` column), else the defaults."""
    labels = dict(MODEL_LABELS)
    if "label" in results.columns:
        labels.update(results.drop_duplicates("model").set_index("model")["label"].dropna())
    return labels


def _classify_table(results: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Table III: one row per model, accuracy and macro precision / recall / F1."""
    summary = summary_table(results, "classify").set_index("model")
    rows = []
    for model in table_models("classify", results):
        row = {"model": labels[model]}
        for col, name in _CLASSIFY_COLUMNS.items():
            row[name] = summary.at[model, col] if model in summary.index else NOT_RUN
        rows.append(row)
    return pd.DataFrame(rows)


def _survival_table(results: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Table II (transposed): one row per cancer type, one column per model (C-index).

    A fold's degenerate per-type C (exactly 0 or 1, or flagged ``degenerate_<type>``: risks
    all the same; :func:`~genemoe.evaluate.survival_flags.is_degenerate`) is left out of the
    mean and counted, as the benchmark's per-type table does: ``"0.700 ± 0.000 (2/3 folds;
    1 degenerate)"`` (a C of 1.000 from 6 pairs was averaged in as if real)."""
    per_type = sorted(c for c in results.columns
                      if c.startswith("c_index_") and c not in ("c_index_lo", "c_index_hi"))
    models = table_models("survival", results)
    rows = [{"cancer type": name, **{labels[m]: _type_cell(results, m, name) for m in models}}
            for name in (c.removeprefix("c_index_") for c in per_type)]
    flag = [POOLED_FLAG] if POOLED_FLAG in results else []  # its tied risks counted, as the
    pooled = summary_table(results[["model", "c_index", *flag]],  # benchmark's pooled C
                           "survival").set_index("model")["c_index"]
    rows.append({"cancer type": "all types (pooled test fold)",
                 **{labels[m]: pooled.get(m, NOT_RUN) for m in models}})
    return pd.DataFrame(rows)


POOLED_FLAG = "pooled_c_index_degenerate"  # results.csv: a pooled C of 0/1 or tied risks


def summary_folds(rows: pd.DataFrame, metric: str) -> tuple[pd.Series, list[str]]:
    """One model's values of ``metric`` its mean is taken over, and what of its folds was
    left out or flagged, as tables.md's pooled row and the benchmark count them.

    A pooled C-index of exactly 0 or 1 (every pair in one order: too few to rank) is left
    out and counted (``"1 degenerate"``); one of risks all the same (flagged in
    ``pooled_c_index_degenerate``) keeps its 0.5 and is counted (``"1 of tied risks"``).
    The terminal's summary averaged every fold in and said "(2 folds)" beside tables.md's
    "(1/2 folds; 1 degenerate)". Other metrics: every value, nothing said.

    Returns
    -------
    values, notes
        The values averaged (missing ones dropped) and the notes for ``(k/n folds; ...)``.
    """
    values = pd.to_numeric(rows[metric], errors="coerce").dropna()
    if metric != "c_index":
        return values, []
    zero_one = values.map(is_degenerate).astype(bool)
    flag = rows.get(POOLED_FLAG)
    tied = (flag.reindex(values.index).astype(str).str.lower().eq("true") & ~zero_one
            if flag is not None else pd.Series(False, index=values.index))
    notes = [f"{int(zero_one.sum())} degenerate"] * bool(zero_one.any()) + [
        f"{int(tied.sum())} of tied risks"] * bool(tied.any())
    return values[~zero_one], notes


def macro_types(results: pd.DataFrame) -> str:
    """How many cancer types a classification fold's macro averages ran over, from
    ``results.csv``'s ``f1_<type>`` columns (a type neither in a fold's test part nor
    predicted there has none): ``"33 of 33 types in every fold"``, ``"31–33 of 33 types"``;
    "" where the rows have no such column. A macro-F1 over 31 types was said as if over 33.

    Examples
    --------
    >>> macro_types(pd.DataFrame({"f1_A": [0.5, 0.4], "f1_B": [0.7, None]}))
    '1–2 of 2 types'
    """
    f1 = results[[c for c in results.columns if c.startswith("f1_")]]
    if f1.empty:
        return ""
    return macro_count_text(f1.notna().sum(axis=1).tolist(), len(f1.columns))


# the ablation's steps: (model, the model it adds to, what the step adds)
_STEPS = (("moe", "fcn", "the experts: MOE − two FC layers"),
          ("genemoe", "moe", "the MOAE: Gene-MOE − MOE"),
          (PRETRAINED, "genemoe", "pre-training: pre-trained Gene-MOE − Gene-MOE"),
          (VAECOX_PRETRAINED, "vaecox", "pre-training: pre-trained VAE-Cox − VAE-Cox"))


def step_differences(results: pd.DataFrame, task: Task) -> pd.DataFrame:
    """What each step of the ablation adds, over the same folds: the difference in the
    task's primary metric (model − the model it adds to), mean ± sd of the paired folds'
    differences, wins / ties / losses and the corrected resampled t-test's p.

    The paired comparisons test every model against the best one other than Gene-MOE
    only: the ablation's own steps (pre-trained Gene-MOE against Gene-MOE from scratch
    above all) were nowhere, nor the spread of any difference. A fold's degenerate pooled
    C-index (exactly 0 or 1) is left out of its pairs, as from the table's means, and counted
    in ``note`` (``"2 paired folds; 1 left out: a degenerate C ..."``; it went unsaid).

    Returns
    -------
    pandas.DataFrame
        One row per step both of whose models ran: ``step``, ``mean_difference``, ``sd``
        (of the paired differences), ``wins``, ``ties``, ``losses``, ``n_pairs``,
        ``corrected_p`` (NaN where undefined), ``note``.
    """
    metric = PRIMARY_METRIC[task]
    index = ["repeat", "fold"]
    ran = results.assign(v=pd.to_numeric(results[metric], errors="coerce")).pivot_table(
        index=index, columns="model", values="v")
    wide = results.assign(v=paired_metric(results, metric)).pivot_table(
        index=index, columns="model", values="v").reindex(columns=ran.columns)
    ratio, rows = fold_size_ratio(results), []
    for new, old, what in _STEPS:
        if new not in ran or old not in ran:
            continue
        d = (wide[new] - wide[old]).dropna().to_numpy()
        left_out = int((ran[new] - ran[old]).notna().sum()) - d.size
        if not d.size and not left_out:
            continue
        notes = [left_out_note(d.size, left_out), few_pairs_note(d.size)]
        rows.append({"step": what, "mean_difference": f"{d.mean():+.3f}" if d.size else "–",
                     "sd": f"{d.std(ddof=1):.3f}" if d.size > 1 else "–",
                     "wins": int((d > 0).sum()), "ties": int((d == 0).sum()),
                     "losses": int((d < 0).sum()), "n_pairs": int(d.size),
                     "corrected_p": corrected_resampled_t_p(d, ratio),
                     "note": "; ".join(n for n in notes if n)})
    return pd.DataFrame(rows, columns=["step", "mean_difference", "sd", "wins", "ties",
                                       "losses", "n_pairs", "corrected_p", "note"])


def _left_out_caption(comp: pd.DataFrame) -> str:
    """`` A fold whose pooled C is ... left out of a pair (3 in all; `note`).`` where a
    survival comparison left folds out ("" where none, and for classification)."""
    n = int(comp["n_left_out"].sum()) if "n_left_out" in comp else 0
    return (" A fold where either model's pooled C is exactly 0 or 1 (degenerate, left out "
            f"of the means) is left out of that pair ({n} in all; `note`)." if n else "")


def _step_lines(results: pd.DataFrame, task: Task, labels: dict[str, str]) -> list[str]:
    """tables.md's section on what each step adds ([] where no step's two models ran)."""
    steps = step_differences(results, task)
    if steps.empty:
        return []
    marked = [labels[m] for m, _, _ in _STEPS if labels.get(m, "").endswith(_MARK)]
    return ["## What each step adds", "",
            f"Difference in {PRIMARY_METRIC[task]} (the model − the model it adds to) over the "
            "same folds: the mean and sd of the paired folds' differences; `corrected_p`: the "
            "corrected resampled t-test, as below (the folds share training samples: their sd "
            "understates the uncertainty)."
            + (f" {', '.join(marked)}: see † above." if marked else ""), "",
            markdown_table(with_p_text(steps)), ""]


def _type_cell(results: pd.DataFrame, model: str, name: str) -> str:
    """One cell of Table II, counted as the benchmark's per-type table counts it
    (:func:`~genemoe.evaluate.benchmark_tables.per_type_c_table`): ``"0.700 (1/2 folds; 1
    degenerate)"``, ``n`` the folds with a C (it was every fold: "(1/3 folds; ...)" here beside
    the benchmark's "(1/2 folds; ...)" of the same folds); folds without a C are counted
    apart, ``"0.700 ± 0.141 (1 fold without a C)"``; a C no fold scored says why."""
    rows = results[results["model"] == model]
    if rows.empty:
        return NOT_RUN
    text = per_type_cell(rows, name)  # the benchmark's cell: one counting for both
    return (_unscored(results, model, name, int(degenerate_folds(rows, name).sum()))
            if text.startswith("–") else text)


def _unscored(results: pd.DataFrame, model: str, name: str, n_bad: int = 0) -> str:
    """``– (0/2 folds: fewer than 2 events)``: a C-index no fold of ``model`` could score,
    with why (from ``events_<type>``); a bare "–" broke the note's "(k/n folds)" promise.
    ``n_bad`` of its folds had a degenerate C: ``– (0/2 folds; 2 degenerate)``, ``– (0/1
    folds; 1 degenerate; 2 without a C: fewer than 2 events)`` (n: the folds with a C)."""
    rows = results[results["model"] == model]
    if n_bad:
        rows = rows[~degenerate_folds(rows, name)]
    events = rows.get(f"events_{name}")
    why = ""
    if events is not None and events.notna().any():
        few = events.fillna(0) < 2  # a type absent from a test fold has no events there
        why = (": fewer than 2 events" if few.all() else ": no comparable pairs" if not few.any()
               else ": fewer than 2 events or no comparable pairs")
    if not n_bad:
        return f"– (0/{len(rows)} folds{why})"
    return (f"– (0/{n_bad} folds; {n_bad} degenerate"
            + (f"; {len(rows)} without a C{why})" if len(rows) else ")"))


def _per_fold_lines(per_fold: dict[str, Any], records: Mapping[str, Any]) -> list[str]:
    """``tables.md``'s paragraph on per-fold pre-training; ``records``
    (:func:`ablation_records`): the frozen encoders the cells record and what the folds'
    scalers clipped of the runs' inputs."""
    names = {"genemoe": "Gene-MOE", "vaecox": "VAE-Cox"}
    what = " and ".join(f"{names.get(m, m)} ({d['epochs']} epoch{'' if d['epochs'] == 1 else 's'})"
                        for m, d in per_fold["models"].items())
    freeze = per_fold["freeze_encoder_epochs"]
    lines = [f"pre-trained: per fold — for each of the {per_fold['n_folds']} test folds, {what} "
             f"pre-trained ({per_fold.get('pretrain_from') or PRESET_PRETRAIN}) "
             "on that fold's training part only, "
             "its validation part monitoring the reconstruction, its test part never read; each "
             "fold's model is fine-tuned from that fold's own run, like the others"
             + _frozen_clause(freeze, records.get("frozen")) + ". Runs "
             "in `pretrain/`; final validation reconstruction and collapse checks per run in "
             "`pretrain/summary.csv`:"]
    if "vaecox" in per_fold["models"]:
        lines[0] += (" VAE-Cox's VAE is pre-trained with Gene-MOE's objective (adversarial critic "
                     "+ KL + L1, eq. 11), not the plain VAE loss of the VAE-Cox paper.")
    for m, d in per_fold["models"].items():
        lines.append(f"- {names.get(m, m)}: mean validation R² vs the per-gene training mean "
                     f"{d['val_r2']:.3f}; r across genes per sample {d['val_r_sample']:.3f} vs "
                     f"{d['val_r_sample_baseline']:.3f} for the mean; collapse flagged in "
                     f"{d['n_collapsed']} of {d['n_runs']} run{'' if d['n_runs'] == 1 else 's'}.")
    if clip := records.get("pretrain_clipped"):  # were clipped unsaid
        lines.append(f"- Pre-training {clip}; each run's counts per part in "
                     "`pretrain/summary.csv` (`clipped_train`, `clipped_val`).")
    return lines + [""]


def _frozen_clause(freeze: int, record: Mapping[str, Any] | None) -> str:
    """The per-fold paragraph's words on the frozen encoder: `` (encoder frozen for the first
    2 epochs)``, or ``; its encoder frozen throughout (...)`` (:func:`frozen_text`)."""
    text = frozen_text(freeze, record)
    if not text:
        return ""
    return f"; its encoder {text}" if record and record.get("never") else f" (encoder {text})"


def _pretrained_line(pretrained: dict[str, Any], frozen: Mapping[str, Any] | None = None) -> str:
    """``tables.md``'s paragraph on ``--pretrained RUN``: the run, the frozen epochs (as the
    cells record them: ``frozen``, :func:`_freeze_record`), the run's genes absent here and
    its collapse (these were in ``pretrained/summary.md`` only)."""
    freeze = int(pretrained.get("freeze_encoder_epochs") or 0)
    text = (f"pre-trained: encoder from `{pretrained['run']}` ({pretrained['n_samples']} "
            "pre-training samples, none of them — nor their patients — in any test fold), "
            "fine-tuned on each fold like the others"
            + (f", its encoder {frozen_text(freeze, frozen, '--freeze-encoder-epochs')}"
               if freeze else "") + ".")
    absent, n_genes = pretrained.get("genes_absent"), pretrained.get("n_genes")
    if absent and absent[1]:
        lo, hi = absent
        text += (f" {lo:,}{'' if lo == hi else f'–{hi:,}'} of the run's {n_genes:,} genes are "
                 f"absent here ({'every fold' if lo == hi else 'by fold'}: not in the bundle, or "
                 "left out by the fold's gene filter); the encoder's weights for them go unused.")
    if pretrained.get("collapsed"):
        why = pretrained.get("collapse_warning") or "its own collapse check"
        text += (f" Its pre-training collapsed ({why}): the encoder may start no better than a "
                 "fresh one.")
    return text


def _survival_samples(protocol: dict[str, Any]) -> str:
    """``Endpoint OS; 986 of the bundle's 990 samples (left out: 4 without survival data).``
    from a benchmark part's protocol.json, or '' where it records neither."""
    samples, endpoint = protocol.get("samples") or {}, protocol.get("endpoint")
    parts = [f"Endpoint {endpoint}"] if endpoint else []
    if samples.get("n_used") is not None:
        out = "; ".join(f"{n:,} {why}" for why, n in (samples.get("left_out") or {}).items())
        of = f" of the bundle's {samples['n_bundle']:,}" if samples.get("n_bundle") else ""
        parts.append(f"{samples['n_used']:,}{of} samples" + (f" (left out: {out})" if out else ""))
    return "; ".join(parts) + "." if parts else ""


def _caveat_lines(protocol: Mapping[str, Any], task: Task) -> list[str]:
    """The from-scratch part's caveats its summary.md makes and tables.md lacked (an outside
    probe): the types rarer than the folds (``samples.types_under_folds``) and the preset's
    values chosen on samples that may sit in these test folds (``preset_tuned_on``, as
    summary.md's "Preset values chosen on data" tells each entry's overlap)."""
    lines = []
    if small := (protocol.get("samples") or {}).get("types_under_folds"):
        lines += ["Types with fewer samples than folds: "
                  + ", ".join(f"{t} {n}" for t, n in small.items())
                  + " (some test folds hold none of them" + ("; each fold's macro metrics "
                  "average over the types it holds and those a model predicts there: a type "
                  "predicted but absent scores F1 0)." if task == "classify" else ")."), ""]
    used, _ = tuned_on_in_run(protocol.get("preset_tuned_on"))
    overlap = {k: tuned_on_overlap(v, protocol) for k, v in used.items()}
    maybe = [k for k, o in overlap.items() if o is True]  # a preset's own note: may be this data
    counted = {k: o for k, o in overlap.items() if isinstance(o, str) and o[:1].isdigit()}
    users = list(dict.fromkeys(u for k in [*maybe, *counted] if isinstance(used[k], Mapping)
                               for u in used[k].get("used_by") or ()))
    by = f" (used by {', '.join(users)})" if users else ""
    preset = f"`{protocol.get('preset')}`"
    if maybe:
        lines += [f"Preset values chosen on data: {preset}'s "
                  + ", ".join(option_names(maybe)) + f"{by} were chosen on samples that may "
                  "sit in these test folds: if this bundle is that data, the values were chosen "
                  "seeing them (their data: `models/summary.md`, \"Preset values chosen on "
                  "data\").", ""]
    if counted:
        lines += [f"Tuned on these test samples: {preset}'s " + "; ".join(
            f"{', '.join(option_names([k]))} on {o.replace(' of its ', ' of the ')}" for k, o in counted.items())
                  + f" samples in these test folds{by}: those folds' scores are optimistic "
                  "(`models/summary.md`).", ""]
    return lines


def _collapse_notes(collapsed: dict[str, tuple[int, int]], labels: dict[str, str],
                    per_fold: bool, task: Task) -> list[str]:
    """The note under the table on each pre-trained model marked † (its pre-training
    collapsed): a row of Table III, a column of Table II."""
    where = "`pretrain/summary.csv`" if per_fold else "the paragraph above"
    row = "row" if task == "classify" else "column"
    return [f"† {labels[m].removesuffix(_MARK)}: {collapse_text(*c)} ({where}): its encoder may "
            f"start no better than a fresh one, so this {row} may show no effect of pre-training."
            for m, c in collapsed.items()] + ([""] if collapsed else [])


def ablation_tables(results: pd.DataFrame, task: Task, *, n_folds: int, n_repeats: int, seed: int,
                    preset: str, pretrained: dict | None, synthetic: bool,
                    per_fold: dict[str, Any] | None = None, epochs: int | None = None,
                    protocol: dict[str, Any] | None = None,
                    out_dir: Path | str | None = None) -> str:
    """``tables.md`` from the ablation's results (``results.csv``'s rows).

    ``pretrained``: :func:`check_pretrained_run`'s answer for ``--pretrained``;
    ``per_fold``: the per-fold pre-training's epochs and summary (``--pretrain-per-fold``);
    neither: the pre-trained model was not run. Model names are ``results``' ``label``
    column where it has one. ``epochs``: ``--epochs``, said (it was in models/summary.md only);
    ``protocol``: the from-scratch part's protocol.json: the survival endpoint, the samples
    used and left out (a survival table of 986 of 990 said neither), and options tuned on
    another endpoint (``tuned_endpoint_mismatch``), the types rarer than the folds and the
    preset's values chosen on samples in these test folds (as its summary.md says them);
    ``out_dir``: the ablation's folder, whose parts' records (:func:`ablation_records`) give
    what the folds' scalers clipped (the pre-training's too) and the frozen encoders as the
    cells record them ("frozen for the first 5 epochs" was said of a 2-epoch run).
    """
    records = ablation_records(out_dir) if out_dir is not None else {}
    n_cells = n_folds * n_repeats
    collapsed = {m: c for m, c in collapse_counts(per_fold, pretrained).items() if c[0]}
    labels = {m: v + _MARK if m in collapsed else v for m, v in _labels_of(results).items()}
    title = ("Table III: classification" if task == "classify" else "Table II: survival")
    lines = [f"# Gene-MOE ablation — {title}" + (" — SYNTHETIC DATA" if synthetic else ""), "",
             f"{n_folds}-fold cross-validation × {n_repeats} repeat(s), stratified "
             f"({'by cancer type' if task == 'classify' else 'by cancer type and event'}); fold "
             f"seeds {seed}..{seed + n_repeats - 1}; the same folds for every model. Each cell: "
             f"mean ± std over the {n_cells} test folds. Gene filter and scaler fitted on each "
             "fold's training part; early stopping and model selection on a validation part "
             f"carved from it; every test fold scored once. Preset `{preset}`"
             + (f", training capped at {epochs} epoch{'s' * (epochs != 1)} (--epochs)." if epochs else "."), ""]
    protocol = protocol or {}
    if task == "survival" and (said := _survival_samples(protocol)):
        lines += [said, ""]
    if note := protocol.get("tuned_endpoint_mismatch"):
        lines += [f"Tuned on another endpoint: {note[0].upper()}{note[1:]}.", ""]
    if said := recipe_line(records.get("recipe_cells") or [], task,  # the claim: unsaid
                           arms=ABLATION_MODELS):  # a regulariser per arm: unsaid
        lines += [said, ""]
    lines += _caveat_lines(protocol, task)
    for line in records.get("clipped") or ():  # said by the benchmark part only
        lines += [f"Note: {line}; every model of a fold read the same scaled values (each "
                  "cell's counts per part: its `clipped`, `models/cells/*.json`).", ""]
    if per_fold is not None:
        lines += _per_fold_lines(per_fold, records)
    elif pretrained is None:
        lines += ["pre-trained: not run (pass --pretrained or --pretrain-per-fold)", ""]
    else:
        lines += [_pretrained_line(pretrained, records.get("frozen")), ""]
    if task == "classify":
        types = macro_types(results)
        lines += ["Precision, recall and F1 are macro-averaged over the cancer types each test "
                  "fold holds or predicts" + (f" ({types})" if types else "") + " (the official "
                  "code micro-averaged them, which makes them equal to accuracy).", "",
                  markdown_table(_classify_table(results, labels)), "",
                  *_collapse_notes(collapsed, labels, per_fold is not None, task)]
    else:
        lines += ["Harrell's C-index of one pan-cancer Cox model per fold, computed within each "
                  "cancer type's test samples (\"(k/n folds)\": of the n folds where the "
                  "type had a C, the k whose C is not degenerate, counted as the benchmark's "
                  "per-type table; \"d degenerate\": folds whose C was exactly 0 or 1, or of "
                  "risks all the same, too few pairs to rank, left out of the mean; \"m "
                  "without a C\": folds where the type had fewer than 2 events or no "
                  "comparable pairs); the last row pools each whole test fold.", "",
                  markdown_table(_survival_table(results, labels)), "",
                  *_collapse_notes(collapsed, labels, per_fold is not None, task)]
    lines += _step_lines(results, task, labels)  # the steps: each model against its own base
    if results["model"].nunique() > 1:  # the benchmark's paired tests (tables.md had none)
        best, comp = paired_comparisons(results, task)
        best = labels.get(best, best)  # the rows' labels, † included (were results.csv's keys)
        comp = comp.assign(model=comp["model"].map(lambda m: labels.get(m, m)))
        lines += [f"## Paired comparisons against the best model other than Gene-MOE: {best}",
                  "", f"Difference in {PRIMARY_METRIC[task]} (model − {best}) over the same "
                  "folds; two-sided Wilcoxon signed-rank p (`p_value`, takes the folds as "
                  "independent) and the corrected resampled t-test (`corrected_p`, allows for "
                  "folds sharing training samples; `holm_p` adjusts it for the models "
                  "compared), as in `genemoe benchmark`'s summary.md."
                  + _left_out_caption(comp), "",
                  comparison_markdown(comp), ""]
    labelled = results.assign(model=results["model"].map(lambda m: labels.get(m, m)))
    if capped := epoch_cap_line(labelled):  # undertrained, a pre-trained encoder's extra steps
        lines += [f"Models that {capped}."  # alone could win: unsaid before
                  + (" The pre-trained encoders also had their pre-training's steps: while "
                     "the models are still improving at the cap, a gain from pre-training may "
                     "be those extra steps alone." if PRETRAINED in set(results["model"]) else ""),
                  ""]
    return "\n".join(lines)
