"""Per-fold pre-training of the ablation (``genemoe ablation --pretrain-per-fold``).

For every repeat × fold, :func:`pretrain_folds` pre-trains each family on that fold's
training part (validation part monitored, test part never read) into ``OUT/pretrain/rR_fF``
(VAE-Cox: ``rR_fF_vaecox``); :func:`pretrain_recipe` is how every run is made, checked before
anything is trained, and fingerprints the fine-tuned cells.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.config_presets import load_preset
from genemoe.data.bundle import Bundle, atomic_write_text, gene_symbols
from genemoe.data.scaling import clip_report
from genemoe.text_wrap import warning_text
from genemoe.train.pretrain import (
    PretrainConfig,
    PretrainData,
    PretrainResult,
    pretrain_data_from_arrays,
    pretrain_on_data,
    resolve_pretrain_config,
)
from genemoe.train.pretrain_metrics import short_collapse
from genemoe.train.pretrain_setup import record_sha256
from genemoe.workflows.common import patient_ids
from genemoe.workflows.folds import FoldPlan, fold_preprocessing

__all__ = ["clip_columns", "fold_pretrain_data", "fold_runs", "named_fine_tuning",
           "pretrain_defaults_note", "pretrain_folds", "pretrain_option_changes", "pretrain_recipe"]

log = logging.getLogger("genemoe.workflows.ablation")

# pre-training options that do not change a run's weights (left out of the recipe)
_NOT_RECIPE = {"seed", "device", "progress", "num_threads", "checkpoint_every", "eval_batch_size"}
# the loggers of a pre-training run, whose lines a per-fold run prefixes with its name
_PRETRAIN_LOGGERS = ("genemoe.train.pretrain", "genemoe.train.pretrain_data",
                     "genemoe.train.pretrain_stream")
_FINETUNE_LOGGER = "genemoe.train.finetune"  # its warnings name the run they load


def fold_pretrain_data(bundle: Bundle, plan: FoldPlan) -> PretrainData:
    """Pre-training data of one fold: its training part, its validation part as monitor.

    The fold's gene filter and scaler (fitted on its training part, exactly as for the
    models the fold trains) give the genes and the scaling, so the fine-tuning inputs are
    scaled as the pre-training ones were. The test part is not read.

    Parameters
    ----------
    bundle, plan
        The bundle and one fold of :func:`plan_folds`.

    Returns
    -------
    PretrainData
        Training rows ``plan.train``, validation rows ``plan.val`` (scaled, and unscaled
        to score reconstructions against the per-gene training mean), their sample ids;
        its ``bundles[0]["clipped"]``: per part (``train``, ``val``) what the scaler's
        clip changed (:func:`~genemoe.data.scaling.clip_report`; clipped unsaid before).
    """
    keep, scaler = fold_preprocessing(bundle, plan)
    var = bundle.var.loc[keep]
    X_train, X_val = (np.asarray(bundle.X[rows])[:, keep] for rows in (plan.train, plan.val))
    clipped = {"train": clip_report(X_train, scaler), "val": clip_report(X_val, scaler)}
    return pretrain_data_from_arrays(
        X_train, X_val,
        gene_ids=var["gene_id"].astype(str).tolist(), scaler=scaler,
        train_ids=bundle.sample_ids[plan.train].astype(str).tolist(),
        val_ids=bundle.sample_ids[plan.val].astype(str).tolist(),
        train_patient_ids=patient_ids(bundle, plan.train),
        val_patient_ids=patient_ids(bundle, plan.val),
        symbols=gene_symbols(var),
        source=str(bundle.path), n_test_excluded=len(plan.test), synthetic=bool(bundle.synthetic),
        info={"repeat": plan.repeat, "fold": plan.fold,
              "rows": "fold training part (validation part monitored; test part not read)",
              "clipped": clipped})


def clip_columns(data: PretrainData) -> dict[str, Any]:
    """``pretrain/summary.csv``'s clip columns of a run's data (:func:`fold_pretrain_data`):
    ``clip`` (the bound, in z), and per part ``clipped_train`` (values clipped),
    ``clipped_train_samples``, ``clipped_train_genes`` (those with any value clipped) and
    ``max_abs_train`` (the largest ``|z|`` before clipping); the same for ``val``. {}
    where the data carry no count."""
    clipped = (data.bundles[0] if data.bundles else {}).get("clipped") or {}
    out: dict[str, Any] = {}
    for part, rep in clipped.items():
        out.setdefault("clip", rep.get("clip"))
        out.update({f"clipped_{part}": int(rep["n_values"]),
                    f"clipped_{part}_samples": int(rep["n_samples"]),
                    f"clipped_{part}_genes": int(rep["n_genes"]),
                    f"max_abs_{part}": float(rep["max_abs"])})
    return out


def _run_name(model: str, plan: FoldPlan) -> str:
    return f"r{plan.repeat}_f{plan.fold}" + ("" if model == "genemoe" else f"_{model}")


def fold_runs(out_dir: Path, models: list[str],
              plans: list[FoldPlan]) -> dict[str, dict[tuple[int, int], Path]]:
    """Where :func:`pretrain_folds` puts each model's run of each fold: ``{model: {(repeat,
    fold): OUT/pretrain/rR_fF}}`` (VAE-Cox ``rR_fF_vaecox``)."""
    return {m: {(p.repeat, p.fold): out_dir / _run_name(m, p) for p in plans} for m in models}


def _check_fold_run(bundle: Bundle, plan: FoldPlan, run: Path) -> None:
    """The run's recorded samples are the fold's training and validation parts, no test one."""
    used = pd.read_csv(run / "samples.tsv", sep="\t", dtype=str)
    test = set(bundle.sample_ids[plan.test].astype(str))
    fit = set(bundle.sample_ids[np.concatenate([plan.train, plan.val])].astype(str))
    if test.intersection(used["sample_id"]) or set(used["sample_id"]) != fit:
        raise RuntimeError(f"pre-training run {run} did not use exactly the training part of "
                           f"repeat {plan.repeat}, fold {plan.fold}")  # a bug, not user input


def _summary_row(model: str, plan: FoldPlan, run: Path, res: PretrainResult) -> dict[str, Any]:
    """One row of ``pretrain/summary.csv``: final validation reconstruction and collapse."""
    final = res.summary.get("final") or {}
    collapse = res.summary.get("collapse") or {}
    dead = collapse.get("dead_experts") or {}
    return {"model": model, "repeat": plan.repeat, "fold": plan.fold, "run": run.name,
            "epochs": len(res.history), "n_train": res.summary.get("n_train"),
            "n_val": res.summary.get("n_val"), "n_test_excluded": len(plan.test),
            "n_genes": res.summary.get("n_genes"),
            **{f"val_{k}": final.get(f"val/{k}") for k in (
                "r_gene", "r_sample", "r_sample_baseline", "r2", "mae", "mae_baseline",
                "mae_median_baseline")},
            "kl_per_dim": collapse.get("kl_per_dim"), "collapsed": collapse.get("collapsed"),
            "kl_collapsed": collapse.get("kl_collapsed"),
            "recon_no_better_than_mean": collapse.get("recon_no_better_than_mean"),  # R² <= 0
            "recon_no_better_than_constant": collapse.get("recon_no_better_than_constant"),
            "dead_experts": (("; ".join(f"{k}: {v}" for k, v in dead.items()) or "none")
                             if "dead_experts" in collapse else ""),  # "": a model without
            #   experts (a Gene-MOE with none dead was left as empty as VAE-Cox's, read "–")
            "seconds": round(sum(float(h.get("seconds", 0.0)) for h in res.history), 3)}


def pretrain_recipe(model: str, *, preset: str, seed: int, device: str, epochs: int | None,
                    progress: bool) -> dict[str, Any]:
    """How every per-fold run of ``model`` is made (checked before anything is trained).

    The resolved ``pretrain:`` options (without those that do not change the weights:
    seed, device, ...) and the model's widths; it fingerprints the fine-tuned cells.
    """
    config, model_cfg = resolve_pretrain_config(preset, seed=seed, device=device, epochs=epochs,
                                                progress=progress, model=model)
    return {"rows": "each fold's training part (validation part monitored; test part not read)",
            "model": model, "model_config": model_cfg,
            "pretrain": {k: v for k, v in config.to_dict().items() if k not in _NOT_RECIPE}}


def pretrain_defaults_note(preset: str, *, epochs: int | None = None) -> str | None:
    """Where the per-fold runs' options come from when ``preset`` (with what it extends) has
    no ``pretrain:`` section: the code's defaults, warned with those that differ from the
    ``small`` preset's (``batch_size 256, not 32``; epochs not when ``epochs`` overrides
    them); None where it has one.

    A ``--preset`` YAML without ``pretrain:`` and ``extends:`` pre-trained at the code's
    batch size 256 (beyond a fold's 102 training rows) and ``lambda_adv`` 1.0, while the
    "preset lacks" warning named only the training sections and tables.md said "the
    preset's `pretrain:` section".
    """
    if load_preset(preset).get("pretrain"):
        return None
    code = PretrainConfig.from_dict({}).to_dict()
    small = load_preset("small").get("pretrain") or {}
    differ = [f"{k} {code[k]}, not {v}" for k, v in small.items()
              if k in code and code[k] != v and not (k == "epochs" and epochs is not None)]
    name = Path(preset).name
    log.warning("%s sets no pretrain: section: the per-fold pre-training runs with the code's "
                "defaults (%s), not the small preset's (add `extends: small` to %s, or a "
                "pretrain: section)", preset, "; ".join(differ), name)
    return (f"with the code's defaults: preset `{name}` has no `pretrain:` section; every option "
            "in `pretrain/options.json`")


@contextmanager
def _named_run(name: str) -> Iterator[None]:
    """Within the block, the pre-training's log lines start with the run's name
    (``r0_f1_vaecox: pre-training collapse: ...``): four collapse warnings named none. Its
    collapse warnings are cut to their claim (:func:`~genemoe.train.finetune.short_collapse`:
    lines of 330 characters, four in a row); the run's ``summary.json`` keeps them whole. A
    note it wraps for reading (``logger.warning("%s", text)``: ``pre-training: validation
    reconstruction explains little ...: it ...; more epochs may help``) is said whole,
    wrapped again beside the run's name: it was cut to "... beyond the per-gene …", its claim
    and its advice lost."""
    class Prefix(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            args = record.args if isinstance(record.args, tuple) else ()
            if (record.levelno >= logging.WARNING and record.msg == "%s" and len(args) == 1
                    and isinstance(args[0], str)):  # a note, wrapped for reading: whole
                record.args = (warning_text(f"{name}: {' '.join(args[0].split())}"),)
                return True
            record.msg = f"{name}: {record.msg}"  # run names hold no "%"
            if record.levelno >= logging.WARNING and args:
                record.args = tuple(short_collapse(a) if isinstance(a, str) else a
                                    for a in args)
            return True

    loggers = [logging.getLogger(n) for n in _PRETRAIN_LOGGERS]
    prefix = Prefix()
    for lg in loggers:
        lg.addFilter(prefix)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(prefix)


class _FineTuning(logging.Filter):
    """The fine-tuning's warnings in an ablation (:func:`named_fine_tuning`)."""

    def __init__(self, warned: set[str] | None) -> None:
        super().__init__()
        self.warned, self.seen = warned, set()

    def filter(self, record: logging.LogRecord) -> bool:
        run = getattr(record, "pretrained_run", None)
        if run is None or record.levelno < logging.WARNING:
            return True
        if self.warned is not None:  # per fold: the run's name leads
            name = (Path(run).parent if run.endswith(".pt") else Path(run)).name
            if getattr(record, "pretrain_collapse", False) and name in self.warned:
                record.msg, record.args = "%s: fine-tuning from a collapsed pre-training " \
                                          "(warned above)", (name,)
                record.levelno, record.levelname = logging.INFO, "INFO"
            else:
                record.msg, record.args = "%s: " + str(record.msg), (name, *(record.args or ()))
        text = record.getMessage()
        if text in self.seen:  # one --pretrained run's collapse was said once per fold
            return False
        self.seen.add(text)
        return True


@contextmanager
def named_fine_tuning(warned: set[str] | None = None) -> Iterator[None]:
    """Within the block, each fine-tuning warning about the pre-trained run is said once.

    With ``warned`` (per-fold pre-training: the runs whose collapse their pre-training said
    this call) a warning starts with its run's name (``r0_f1: only 40 of ...``), and a
    collapse already warned is only mentioned (``r0_f1: fine-tuning from a collapsed
    pre-training (warned above)``): four fine-tuning warnings named no run, each repeating
    its pre-training's collapse warning in a line of 412 characters. A run reused from an
    earlier call (its pre-training said nothing now) keeps the warning, named.
    """
    lg, named = logging.getLogger(_FINETUNE_LOGGER), _FineTuning(warned)
    lg.addFilter(named)
    try:
        yield
    finally:
        lg.removeFilter(named)


def _rows_sha256(bundle: Bundle, plan: FoldPlan) -> str:
    """The fold's pre-training samples (training and validation parts), hashed."""
    ids = sorted(map(str, bundle.sample_ids[np.concatenate([plan.train, plan.val])]))
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def pretrain_option_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """How the per-fold pre-training's options (``options.json``) changed, in the ablation's
    words: ``pretrain.epochs 1 → 2``, ``model.genemoe.hidden 32 → 64``, ``seed 0 → 1``,
    ``the folds``; each said once (Gene-MOE's and VAE-Cox's recipes change together).

    Examples
    --------
    >>> recipe = {"model": "genemoe", "model_config": {"hidden": 32}, "pretrain": {"epochs": 1}}
    >>> pretrain_option_changes({"recipes": {"genemoe": recipe}, "seed": 0},
    ...                         {"recipes": {"genemoe": {**recipe, "pretrain": {"epochs": 2}}},
    ...                          "seed": 0})
    ['pretrain.epochs 1 → 2']
    """
    said: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        if key in ("fingerprint", "runs") or _same(old.get(key), new.get(key)):
            continue
        if key == "bundle":
            if old.get(key) is not None:  # an older record has none: nothing to say of it
                said.append("the bundle (prepared again since)")
            continue
        if key == "recipes" and isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            a, b = old[key], new[key]
            if list(a) != list(b):
                said.append(f"pre-trained models {', '.join(a)} → {', '.join(b)}")
            for m in (m for m in b if m in a):
                said += _changes(f"model.{m}", a[m].get("model_config"), b[m].get("model_config"))
                said += _changes("pretrain", a[m].get("pretrain"), b[m].get("pretrain"))
        elif key == "folds":
            said.append("the folds (--folds, --repeats, --seed or the bundle's rows)")
        else:
            said += _changes(key, old.get(key), new.get(key))
    return list(dict.fromkeys(said))


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _changes(name: str, a: Any, b: Any) -> list[str]:
    """``["name a → b"]``, nested mappings compared key by key; [] where equal."""
    if _same(a, b):
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        return [c for k in dict.fromkeys([*a, *b]) for c in _changes(f"{name}.{k}", a.get(k),
                                                                     b.get(k))]
    return [f"{name} {_short(a)} → {_short(b)}"]


def _short(value: Any, width: int = 40) -> str:
    text = "none" if value is None else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _bundle_key(bundle: Bundle) -> dict[str, Any]:
    """The bundle as prepared: its ``record.json``'s sha256 and its genes, hashed (a bundle
    prepared again at the same path, with 85 of its 100 genes, kept the runs, which
    pre-training then refused: "holds a finished run of a different pre-training setup")."""
    genes = bundle.var["gene_id"].astype(str).tolist()
    return {"record_sha256": record_sha256(bundle.path),
            "genes_sha256": hashlib.sha256("\n".join(genes).encode()).hexdigest()}


def _run_fingerprints(bundle: Bundle, plans: list[FoldPlan], recipes: dict[str, dict[str, Any]],
                      seed: int) -> dict[str, str]:
    """``{run name: fingerprint}``: each run by its own recipe, seed (``seed + repeat``), fold
    rows and bundle, so the runs of a fold that did not change are kept when others did (one
    fingerprint over every fold: ``--repeats 2`` after ``--repeats 1`` set repeat 0's runs
    aside and pre-trained them again, which on a GPU invalidates their fine-tuned cells)."""
    key = _bundle_key(bundle)
    return {_run_name(model, plan): _sha256({
        "recipe": recipe, "seed": seed + plan.repeat, "rows": _rows_sha256(bundle, plan),
        "bundle": key}) for plan in plans for model, recipe in recipes.items()}


def _names(names: list[str], most: int = 4) -> str:
    """``r0_f0, r0_f1`` (``r0_f0, ..., r1_f1 and 3 more`` past ``most``)."""
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _recorded_runs(folder: Path) -> dict[str, str]:
    """``{run name: fingerprint}`` of a folder's ``options.json`` ({} where none)."""
    try:
        runs = json.loads((folder / "options.json").read_text()).get("runs")
    except (OSError, ValueError, AttributeError):
        return {}
    return runs if isinstance(runs, dict) else {}


def _set_aside(out_dir: Path, before: dict[str, Any], stale: list[str], every: bool) -> Path:
    """Move the ``stale`` runs (``every``: the whole folder) to ``pretrain.<fingerprint[:12]>``
    beside it, with their record; returns where."""
    old = str(before.get("fingerprint"))
    aside, n = out_dir.with_name(f"{out_dir.name}.{old[:12]}"), 1
    while aside.exists():  # an interrupted swap left one: neither is deleted
        aside, n = out_dir.with_name(f"{out_dir.name}.{old[:12]}.{n}"), n + 1
    if every:
        out_dir.replace(aside)
        return aside
    aside.mkdir(parents=True)
    for name in stale:
        (out_dir / name).replace(aside / name)
    runs = before.get("runs") if isinstance(before.get("runs"), dict) else {}
    atomic_write_text(aside / "options.json", json.dumps(
        {**before, "runs": {k: v for k, v in runs.items() if k in stale}}, indent=1, default=str))
    return aside


def _take_back(out_dir: Path, runs: dict[str, str]) -> list[str]:
    """Move back the runs of these fingerprints set aside by earlier calls (a folder left with
    no run is removed); returns their names."""
    back = []
    for folder in sorted(out_dir.parent.glob(f"{out_dir.name}.*")):
        recorded = _recorded_runs(folder) if folder.is_dir() else {}
        for name, fp in runs.items():
            if recorded.get(name) == fp and (folder / name).is_dir() and not (out_dir / name).exists():
                (folder / name).replace(out_dir / name)
                back.append(name)
        if recorded and not any(p.is_dir() for p in folder.iterdir()):
            for p in folder.iterdir():  # options.json, summary.csv: of runs all moved back
                p.unlink()
            folder.rmdir()
    return sorted(back)


def _runs_of_these_options(out_dir: Path, options: dict[str, Any], runs: dict[str, str]) -> None:
    """Make ``out_dir`` hold the runs of these options (``options.json`` records them, with
    each run's fingerprint ``runs``).

    The runs of other options (other folds, seed, pre-training epochs or preset, a bundle
    prepared again) are set aside in ``pretrain.<their fingerprint[:12]>/`` beside it, run by
    run: a run whose fold, seed, recipe and bundle are unchanged is kept (``--repeats 2``
    after ``--repeats 1`` keeps repeat 0's runs). Those of an earlier ablation set aside so
    come back. A re-run of the ablation with ``--folds 3`` after ``--folds 2`` stopped at the
    first fold's finished run ("holds a finished run of a different pre-training setup", with
    `genemoe pretrain`'s fix), after the benchmark beside it had set its own cells aside,
    leaving tables of both option sets. A folder of an older genemoe (no ``options.json``) is
    kept as it is; one whose record has no run fingerprints is set aside whole.
    """
    fingerprint = _sha256(options)
    try:
        before = json.loads((out_dir / "options.json").read_text())
    except (OSError, ValueError):
        before = {}
    before = before if isinstance(before, dict) else {}
    present = sorted(p.name for p in out_dir.iterdir() if p.is_dir()) if out_dir.is_dir() else []
    stale: list[str] = []
    if before.get("fingerprint") and before.get("fingerprint") != fingerprint:
        recorded = before.get("runs")
        stale = [n for n in present if not isinstance(recorded, dict) or recorded.get(n) != runs.get(n)]
        if stale or not isinstance(recorded, dict):
            every = stale == present
            aside = _set_aside(out_dir, before, stale, every)
            changed = ("; ".join(pretrain_option_changes(before, options))
                       or ("the bundle's rows" if isinstance(recorded, dict)
                           else "recorded by an older genemoe"))
            log.warning("%s holds the pre-training runs of other options (%s): %skept in %s",
                        out_dir, changed, "" if every else f"{_names(stale)} ", aside)
    out_dir.mkdir(parents=True, exist_ok=True)
    if back := _take_back(out_dir, runs):
        log.warning("%s: the pre-training runs of an earlier ablation with these options are "
                    "reused%s", out_dir, "" if len(back) == len(runs) else f" ({_names(back)})")
    atomic_write_text(out_dir / "options.json", json.dumps(
        {"fingerprint": fingerprint, **options, "runs": runs}, indent=1, default=str))


def pretrain_folds(bundle: Bundle, plans: list[FoldPlan], out_dir: Path | str, *,
                   recipes: dict[str, dict[str, Any]], preset: str, seed: int = 0, device: str = "auto",
                   epochs: int | None = None, progress: bool = False,
                   ) -> tuple[dict[str, dict[tuple[int, int], Path]], pd.DataFrame]:
    """Pre-train each model on each fold's training part; write ``summary.csv``.

    Parameters
    ----------
    bundle, plans
        The bundle and the folds of the ablation (:func:`plan_folds`).
    out_dir
        ``OUT/pretrain``: one run per model × fold (``rR_fF``, ``rR_fF_vaecox``), reused
        when finished, resumed when interrupted (a finished run's ``checkpoint.pt`` is
        removed: ``pretrained.pt`` holds its weights); ``summary.csv``; ``options.json``
        (the runs of other options are set aside beside it: :func:`_runs_of_these_options`).
    recipes
        Pre-trained family (``pretrain: model:``: ``genemoe``, ``vaecox``) → its
        :func:`pretrain_recipe` (recorded in ``options.json``: another recipe's runs are set
        aside).
    preset, epochs
        The preset's ``pretrain:`` section and ``model:`` widths; override of its epochs.
    seed, device, progress
        Run seed ``seed + repeat`` (as the fold's cells), device, progress bars.

    Returns
    -------
    tuple
        ``{model: {(repeat, fold): run directory}}`` and the summary table (one row per
        run: final validation r (genes, samples) vs the per-gene-mean baseline, R², MAE,
        KL per latent dimension, collapse flags, training seconds, the inputs the fold's
        scaler clipped per part (:func:`clip_columns`), ``reused``: finished by an earlier
        call, nothing trained now).
    """
    out_dir = Path(out_dir)
    models = list(recipes)
    _runs_of_these_options(out_dir, {  # the recipes run_ablation checked before any training
        "recipes": recipes, "seed": seed, "bundle": _bundle_key(bundle),
        "folds": [[plan.repeat, plan.fold, _rows_sha256(bundle, plan)] for plan in plans]},
        _run_fingerprints(bundle, plans, recipes, seed))
    runs: dict[str, dict[tuple[int, int], Path]] = {m: {} for m in models}
    rows = []
    for plan in plans:
        data = fold_pretrain_data(bundle, plan)
        for model in models:
            run = out_dir / _run_name(model, plan)
            with _named_run(run.name):
                res = pretrain_on_data(data, out_dir=run, preset=preset, seed=seed + plan.repeat,
                                       device=device, epochs=epochs, progress=progress, model=model)
            _check_fold_run(bundle, plan, run)
            (run / "checkpoint.pt").unlink(missing_ok=True)  # finished: pretrained.pt has it all
            runs[model][(plan.repeat, plan.fold)] = run
            rows.append({**_summary_row(model, plan, run, res), **clip_columns(data),
                         "reused": res.reused})  # clip: counted from this call's data
            r2 = rows[-1]["val_r2"]  # a counter of its own stage (the cells' restarted at 1/2)
            log.info("pre-training %d/%d: %s, validation R² %s%s", len(rows),
                     len(plans) * len(models), run.name, "–" if r2 is None else f"{r2:.3f}",
                     " (reused)" if res.reused else "")
    summary = pd.DataFrame(rows)
    atomic_write_text(out_dir / "summary.csv", summary.to_csv(index=False))
    return runs, summary
