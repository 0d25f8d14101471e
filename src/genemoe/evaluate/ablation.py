"""``genemoe ablation``: the Gene-MOE paper's ablation (Tables II and III), honestly.

The paper's four models on identical, repeated, stratified folds:

1. ``fcn`` — the baseline: two fully connected layers;
2. ``moe`` — the MoE layer instead of them (MOE only);
3. ``genemoe`` — MoE + MOAE (Gene-MOE, trained from scratch);
4. pre-trained Gene-MOE — ``genemoe`` whose encoder starts from a ``genemoe pretrain``
   run (``pretrained=RUN``), fine-tuned on each fold.

For survival the peers ``vaecox`` (VAE-Cox) and ``coxnnet`` (Cox-nnet) run beside them.

Every number comes from :func:`~genemoe.evaluate.benchmark.run_benchmark` (its folds,
per-fold gene filter and scaler, validation-only model selection, resumable cells): the
models from scratch in ``OUT/models/``, the pre-trained one in ``OUT/pretrained/``, both
on the folds of :func:`~genemoe.evaluate.benchmark.plan_folds` with the same options,
which are checked to be identical.

No leakage: a pre-trained run that used (for training or validation) any sample — or,
for TCGA-style barcodes, any patient — of any fold's test part is refused before anything
is trained. Cross-validation tests every sample of the bundle once, so the pre-training
must come from other cohorts (or another bundle without these samples).

``OUT/results.csv``: one row per model × repeat × fold (the benchmark's columns plus
``label``); ``OUT/tables.md``: classification as the paper's Table III (rows = models;
accuracy, macro precision, recall, F1), survival as Table II transposed (rows = cancer
types, columns = models; C-index); each cell the mean ± std over every test fold of every
repeat.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from genemoe.config_presets import load_preset, model_config
from genemoe.data.bundle import Bundle, atomic_write_text, load_bundle
from genemoe.errors import input_error
from genemoe.evaluate.benchmark import (
    VAL_FRACTION,
    FoldPlan,
    _markdown,
    plan_folds,
    run_benchmark,
    summary_table,
)

__all__ = ["AblationResult", "ABLATION_MODELS", "SURVIVAL_PEERS", "PRETRAINED", "MODEL_LABELS",
           "ablation_models", "check_pretrained_run", "run_ablation", "ablation_tables"]

log = logging.getLogger(__name__)

Task = Literal["classify", "survival"]

ABLATION_MODELS = ("fcn", "moe", "genemoe")  # trained from scratch, in the paper's order
SURVIVAL_PEERS = ("vaecox", "coxnnet")  # survival only: the peers beside the ablation
PRETRAINED = "genemoe_pretrained"  # results.csv name of the pre-trained Gene-MOE
MODEL_LABELS = {
    "fcn": "Baseline: two FC layers (fcn)",
    "moe": "MOE (moe)",
    "genemoe": "Gene-MOE: MOE + MOAE (genemoe)",
    PRETRAINED: "pre-trained Gene-MOE (genemoe + --pretrained)",
    "vaecox": "VAE-Cox (vaecox)",
    "coxnnet": "Cox-nnet (coxnnet)",
}
NOT_RUN = "not run"
_CLASSIFY_COLUMNS = {"accuracy": "accuracy", "macro_precision": "precision (macro)",
                     "macro_recall": "recall (macro)", "macro_f1": "F1 (macro)"}


@dataclass
class AblationResult:
    """What :func:`run_ablation` produced: ``results`` as ``results.csv``, ``tables`` as
    ``tables.md``."""

    out_dir: Path
    task: Task
    results: pd.DataFrame
    tables: str
    pretrained: Path | None
    seconds: float

    def describe(self) -> str:
        return "\n".join([f"ablation: {self.out_dir}  ({self.task}; {self.seconds:.0f} s)", "",
                          self.tables, f"{self.out_dir / 'results.csv'}",
                          f"{self.out_dir / 'tables.md'}"])


def ablation_models(task: Task) -> list[str]:
    """The models trained from scratch for ``task`` (the pre-trained one comes on top)."""
    return list(ABLATION_MODELS) + (list(SURVIVAL_PEERS) if task == "survival" else [])


def _patient(sample_id: str) -> str | None:
    """The patient of a TCGA-style barcode, None for any other identifier."""
    from genemoe.data.tcga import parse_barcode

    try:
        return parse_barcode(sample_id).patient_id
    except ValueError:
        return None


def check_pretrained_run(bundle: Bundle, plans: list[FoldPlan], run: Path | str, *,
                         preset: str) -> dict:
    """Refuse a pre-trained run that saw a test sample of any fold, or does not fit ``preset``.

    Parameters
    ----------
    bundle, plans
        The bundle and the folds of the ablation (:func:`plan_folds`).
    run
        A ``genemoe pretrain`` run directory (``samples.tsv``, ``pretrained.pt``).
    preset
        The ablation's preset: its ``model.genemoe`` must be the run's architecture.

    Returns
    -------
    dict
        ``run``, ``n_samples`` (samples the run used), ``model_config``.

    Raises
    ------
    InputError
        No ``samples.tsv``; a test sample or patient seen in pre-training (named with its
        repeat and fold); another model or other widths than the preset's ``genemoe``.
    """
    from genemoe.train.finetune import read_pretrained

    run = Path(run)
    samples_path = run / "samples.tsv"
    if not samples_path.is_file():
        raise input_error("the pre-trained run has no samples.tsv: its samples cannot be checked "
                          "against the test folds", path=run,
                          fix="pass the --out directory of a finished `genemoe pretrain` run")
    used = pd.read_csv(samples_path, sep="\t", dtype=str)["sample_id"].dropna().tolist()
    used_ids, used_patients = set(used), {p for p in map(_patient, used) if p is not None}
    patients = bundle.obs["patient_id"].astype(str).to_numpy(object)
    for plan in plans:
        test_ids = bundle.sample_ids[plan.test].astype(str)
        seen = sorted(used_ids.intersection(test_ids))
        seen_patients = sorted(used_patients.intersection(patients[plan.test]))
        if seen or seen_patients:
            what = (f"{len(seen)} test sample(s) (e.g. {', '.join(seen[:3])})" if seen else
                    f"{len(seen_patients)} test patient(s) (e.g. {', '.join(seen_patients[:3])})")
            raise input_error(
                f"pre-training used {what} of repeat {plan.repeat}, fold {plan.fold}: the "
                "pre-trained model would be scored on data it has seen", path=samples_path,
                fix="cross-validation tests every sample of the bundle, so pre-train on other "
                    "cohorts (bundles without these samples), then pass --pretrained")
    payload = read_pretrained(run)
    want = {k: v for k, v in model_config(load_preset(preset), "genemoe").items()
            if k != "with_decoder"}
    if payload["model_name"] != "genemoe" or payload["model_config"] != want:
        raise input_error(
            f"the run pre-trained {payload['model_name']!r} with {payload['model_config']}, but "
            f"the ablation's genemoe is {want} (preset {preset!r})", path=run,
            fix=f"run the ablation with the run's preset ({payload.get('preset')!r}), or "
                "pre-train genemoe with this one")
    return {"run": str(run), "n_samples": len(used_ids), "model_config": want}


def run_ablation(bundle_path: Path | str, *, task: Task, out_dir: Path | str, n_repeats: int = 5,
                 n_folds: int = 3, preset: str = "small", seed: int = 0,
                 pretrained: Path | str | None = None, freeze_encoder_epochs: int = 0,
                 epochs: int | None = None, device: str = "auto", n_boot: int = 200,
                 progress: bool = False) -> AblationResult:
    """The paper's ablation on identical folds: ``results.csv`` and ``tables.md``.

    Parameters
    ----------
    bundle_path
        Bundle directory (``genemoe prepare``).
    task
        ``"classify"`` (Table III) or ``"survival"`` (Table II, plus VAE-Cox and Cox-nnet).
    out_dir
        Output directory; re-running resumes (finished cells are reused).
    n_repeats, n_folds, seed
        K-fold cross-validation redrawn ``n_repeats`` times (seed ``seed + repeat``).
    preset, epochs, device
        Model and training options (as ``genemoe benchmark``).
    pretrained, freeze_encoder_epochs
        A ``genemoe pretrain`` run (checked by :func:`check_pretrained_run`) for the
        pre-trained Gene-MOE, and epochs its encoder stays frozen; without it the table
        says the pre-trained model was not run.
    n_boot
        Bootstrap resamples of each survival cell's C-index intervals (``results.csv``'s
        ``c_index_lo``/``hi``; the tables show mean ± std over folds instead). Fewer than
        the benchmark's 1,000: on small cohorts the bootstrap, not the training, dominates.
    progress
        Progress bars over the cells.

    Returns
    -------
    AblationResult
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if task not in ("classify", "survival"):
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    bundle = load_bundle(bundle_path)
    plans = plan_folds(bundle, task, n_folds=n_folds, n_repeats=n_repeats, seed=seed,
                       val_fraction=VAL_FRACTION)
    check = None
    if pretrained is not None:  # before anything is trained
        check = check_pretrained_run(bundle, plans, pretrained, preset=preset)
    common = dict(task=task, n_folds=n_folds, n_repeats=n_repeats, preset=preset, seed=seed,
                  epochs=epochs, device=device, val_fraction=VAL_FRACTION, n_boot=n_boot,
                  progress=progress)
    parts = [run_benchmark(bundle.path, models=ablation_models(task), out_dir=out_dir / "models",
                           **common).results]
    if pretrained is not None:
        res = run_benchmark(bundle.path, models=["genemoe"], out_dir=out_dir / "pretrained",
                            pretrained=pretrained, freeze_encoder_epochs=freeze_encoder_epochs,
                            **common)
        _check_same_folds(out_dir / "models", out_dir / "pretrained")
        parts.append(res.results.assign(model=PRETRAINED))
    results = pd.concat(parts, ignore_index=True)
    results.insert(1, "label", results["model"].map(MODEL_LABELS))
    atomic_write_text(out_dir / "results.csv", results.to_csv(index=False))
    tables = ablation_tables(results, task, n_folds=n_folds, n_repeats=n_repeats, seed=seed,
                             preset=preset, pretrained=check, synthetic=bool(bundle.synthetic))
    atomic_write_text(out_dir / "tables.md", tables)
    return AblationResult(out_dir, task, results, tables,
                          None if pretrained is None else Path(pretrained),
                          time.perf_counter() - t0)


def _check_same_folds(a: Path, b: Path) -> None:
    """The two benchmark directories used the same rows in every part of every fold."""
    sa, sb = (pd.read_csv(d / "splits.tsv", sep="\t", dtype={"sample_id": str}) for d in (a, b))
    if not sa.equals(sb):  # plan_folds is deterministic: this would be a bug
        raise RuntimeError(f"the folds of {a} and {b} differ")


def _table_models(task: Task) -> list[str]:
    """Table order: the ablation's four models, then (survival) the peers."""
    return [*ABLATION_MODELS, PRETRAINED, *(SURVIVAL_PEERS if task == "survival" else ())]


def _classify_table(results: pd.DataFrame) -> pd.DataFrame:
    """Table III: one row per model, accuracy and macro precision / recall / F1."""
    summary = summary_table(results, "classify").set_index("model")
    rows = []
    for model in _table_models("classify"):
        row = {"model": MODEL_LABELS[model]}
        for col, name in _CLASSIFY_COLUMNS.items():
            row[name] = summary.at[model, col] if model in summary.index else NOT_RUN
        rows.append(row)
    return pd.DataFrame(rows)


def _survival_table(results: pd.DataFrame) -> pd.DataFrame:
    """Table II (transposed): one row per cancer type, one column per model (C-index)."""
    per_type = sorted(c for c in results.columns
                      if c.startswith("c_index_") and c not in ("c_index_lo", "c_index_hi"))
    models = _table_models("survival")
    rows = []
    for col, name in [(c, c.removeprefix("c_index_")) for c in per_type] + [
            ("c_index", "all types (pooled test fold)")]:
        sub = results[["model", col]].rename(columns={col: "c_index"})
        summary = summary_table(sub, "survival").set_index("model")["c_index"]
        rows.append({"cancer type": name, **{MODEL_LABELS[m]: summary.get(m, NOT_RUN)
                                             for m in models}})
    return pd.DataFrame(rows)


def ablation_tables(results: pd.DataFrame, task: Task, *, n_folds: int, n_repeats: int, seed: int,
                    preset: str, pretrained: dict | None, synthetic: bool) -> str:
    """``tables.md`` from the ablation's results (``results.csv``'s rows)."""
    n_cells = n_folds * n_repeats
    title = ("Table III: classification" if task == "classify" else "Table II: survival")
    lines = [f"# Gene-MOE ablation — {title}" + (" — SYNTHETIC DATA" if synthetic else ""), "",
             f"{n_folds}-fold cross-validation × {n_repeats} repeat(s), stratified "
             f"({'by cancer type' if task == 'classify' else 'by cancer type and event'}); fold "
             f"seeds {seed}..{seed + n_repeats - 1}; the same folds for every model. Each cell: "
             f"mean ± std over the {n_cells} test folds. Gene filter and scaler fitted on each "
             "fold's training part; early stopping and model selection on a validation part "
             f"carved from it; every test fold scored once. Preset `{preset}`.", ""]
    if pretrained is None:
        lines += ["pre-trained: not run (pass --pretrained)", ""]
    else:
        lines += [f"pre-trained: encoder from `{pretrained['run']}` ({pretrained['n_samples']} "
                  "pre-training samples, none of them — nor their patients — in any test fold), "
                  "fine-tuned on each fold like the others.", ""]
    if task == "classify":
        lines += ["Precision, recall and F1 are macro-averaged over cancer types (the official "
                  "code micro-averaged them, which makes them equal to accuracy).", "",
                  _markdown(_classify_table(results)), ""]
    else:
        lines += ["Harrell's C-index of one pan-cancer Cox model per fold, computed within each "
                  "cancer type's test samples (\"(k/n folds)\": the folds where the type had at "
                  "least 2 events); the last row pools each whole test fold.", "",
                  _markdown(_survival_table(results)), ""]
    return "\n".join(lines)
