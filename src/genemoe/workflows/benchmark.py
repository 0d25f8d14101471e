"""``genemoe benchmark``: every model on identical, repeated, stratified folds.

Protocol (the same for every model, so the comparison is paired):

1. the samples of the task — every labelled sample for ``classify``, those with survival
   data for ``survival`` — are dealt into ``n_folds`` stratified folds (by cancer type; by
   cancer type *and* event for survival), once per repeat, with seed ``seed + repeat``;
2. inside each fold a validation part (``val_fraction`` of every stratum, seeded) is carved
   from the training part; early stopping and model selection use it, never the test fold;
3. the gene filter (:func:`~genemoe.data.prepare.fit_gene_filter`, the bundle's thresholds)
   and the scaler (:func:`~genemoe.data.scaling.fit_scaler`, the model's input scaling,
   which ``--tune`` may choose) are fitted on the fold's training part only;
4. each model is trained (:func:`genemoe.train.fit.fit_model`), its test fold scored once.

A benchmark directory holds::

    OUT/protocol.json   options, seeds, fingerprint, the bundle's summary and record, versions
    OUT/splits.tsv      sample_id, repeat, fold, part (train/val/test): every fold's rows
    OUT/cells/MODEL__rR_fF.json   one finished (model, repeat, fold) cell: test metrics,
                        test predictions, training history, the values the fold's scaler
                        clipped per part (``clipped``); an image model's ``image``
                        record (init, finetune, input scaling, pixel use and mapping) and
                        its weights file's path and sha256; written atomically
    OUT/results.csv     one row per model × repeat × fold
    OUT/summary.md      mean ± std per model; paired tests against the best peer (Wilcoxon,
                        corrected resampled t);
                        the values each model chose on each fold's validation part

Every check a fold can fail (too many inner folds for ``--tune-cv``, a survival part
without an event, a ``--pretrained`` run that trained on a fold's test samples or cannot
start one of the models) runs before ``OUT`` is touched. Re-running the same command skips the
cells already written (resume after an
interruption, or add models and repeats later); a cell written under other options (its
fingerprint differs) is recomputed. Several workers may run on one directory: a cell is
claimed before it is computed (:mod:`~genemoe.workflows.cell_claims`), so each is computed
once, and each worker waits for the others' cells before its summary. The folds come from
:mod:`~genemoe.workflows.folds`.

A pre-trained encoder can start the neural models: one ``genemoe pretrain`` run for every
fold (``pretrained=RUN``, fingerprinted by its file's hash), or one per fold
(``pretrained=FoldPretrained(...)``, e.g. ``genemoe ablation --pretrain-per-fold``; each
cell records its run's hash and is recomputed when that run changed). The fine-tuning
refuses a run that used any of the fold's test samples. An image model's weights file
(``model: {resnet50: {weights: w.pt}}``) counts by its sha256, as a pre-trained run does:
the file overwritten, its cells are recomputed.
"""

from __future__ import annotations

import json
import logging
import shutil
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from genemoe.config_presets import forget_preset_gaps
from genemoe.data.args import AtFolder, as_list, folder_of, path_of, shown_path
from genemoe.data.bundle import Bundle, atomic_write_text, load_bundle, remove_outputs
from genemoe.evaluate.benchmark_auc import RULE_OLDER, auc_row, older_auc_cells, rescored_auc
from genemoe.evaluate.benchmark_files import (
    chosen_settings,
    load_cells,
    read_cell,
    set_aside_cells,
)
from genemoe.evaluate.benchmark_protocol import fold_members_text
from genemoe.evaluate.benchmark_tables import (
    PRIMARY_METRIC,
    results_table,
    summary_markdown,
)
from genemoe.explain.routing import routing_report
from genemoe.models.dispatch import release_freed_memory
from genemoe.models.image import input_scaling
from genemoe.train.ensemble import fit_ensemble
from genemoe.train.finetune import pretrained_sha256
from genemoe.train.fit import fit_model, resolve_config
from genemoe.train.rng import keeps_global_rng
from genemoe.workflows.benchmark_checks import check_benchmark_folds, check_benchmark_options
from genemoe.workflows.benchmark_preset import models_in_force
from genemoe.workflows.benchmark_pretrained import (
    FoldPretrained,
    pretrained_options,
    pretrained_run,
)
from genemoe.workflows.benchmark_protocol import (
    cells_fingerprint,
    clipped_lines,
    remove_stale_pages,
    removed_text,
    rerun_changes,
    said_rows,
    say_bundle_folds,
    weights_files,
    write_protocol,
)
from genemoe.workflows.benchmark_tune import tune_cell
from genemoe.workflows.cell_claims import Holder, claim_path, claimed
from genemoe.workflows.common import (
    check_out_dir,
    patient_ids,
    plain,
    score_part,
    with_fitted_layout,
)
from genemoe.workflows.folds import (
    VAL_FRACTION,
    FoldData,
    FoldPlan,
    InnerSplits,
    fit_fold_preprocessing,
    fold_data,
    fold_preprocessing,
    inner_splits,
    plan_folds,
    task_rows,
)
from genemoe.workflows.train_image import image_facts, weights_file_record
from genemoe.workflows.tuned_on import benchmark_warnings

__all__ = ["BenchmarkResult", "FoldPlan", "FoldData", "FoldPretrained", "task_rows", "plan_folds",
           "fit_fold_preprocessing", "fold_preprocessing", "fold_data", "chosen_settings",
           "run_benchmark", "VAL_FRACTION", "DEFAULT_MODELS", "fold_members_text"]

log = logging.getLogger(__name__)

Task = Literal["classify", "survival"]

# Without --models: Gene-MOE and the peers a careful user would otherwise pick. Classical
# models tune on each fold's validation part; ``mlp`` is the regularised MLP (batch norm,
# dropout; the preset's shared recipe adds input noise and label smoothing for every
# neural model alike).
DEFAULT_MODELS = {
    "classify": ("svm", "svm_linear", "logreg", "rf", "mlp", "fcn", "moe", "genemoe"),
    "survival": ("coxnet", "coxph", "coxnnet", "vaecox", "fcn", "genemoe"),
}
_CELL_FORMAT = 1
CLAIM_POLL_S = 10.0  # seconds between looks at cells another worker computes


@dataclass
class BenchmarkResult(AtFolder):
    """What :func:`run_benchmark` produced.

    ``results``: one row per model × repeat × fold (as ``results.csv``); ``n_computed`` /
    ``n_reused``: cells trained now / read back from an earlier run; ``clipped``: what the
    folds' scalers clipped (:func:`~genemoe.workflows.benchmark_protocol.clipped_lines`);
    ``n_trials_this_call``: the Optuna trials this call ran (None without ``--tune``).
    """

    out_dir: Path
    task: Task
    models: list[str]
    results: pd.DataFrame
    n_computed: int
    n_reused: int
    seconds: float
    clipped: list[str] = field(default_factory=list)
    n_trials_this_call: int | None = None

    def describe(self) -> str:
        """A compact table: mean ± sd over folds per model, each against the best peer; the
        title gives the benchmark's time where it trained cells (none: only the counts)."""
        from genemoe.report.terminal import benchmark_table
        from genemoe.report.text import fmt_seconds

        path = self.out_dir / "protocol.json"
        protocol = json.loads(path.read_text()) if path.exists() else {}
        synthetic = bool(protocol.get("bundle_summary", {}).get("synthetic"))
        k = int(protocol.get("ensemble") or 1)  # was unsaid (train prints "genemoe × 2")
        ep = f" ({protocol['endpoint']})" if protocol.get("endpoint") else ""  # as train says
        # no time where none was trained: a reused rerun's "0 s" read as the command's time
        # (its figures, drawn after, took 7 s)
        title = (f"benchmark · {self.task}{ep}" + (f" · every model × {k}" if k > 1 else "")
                 + (f" · {text}" if k > 1 and (text := fold_members_text(
                     self.models, k, protocol.get("ensemble_members") or "auto")) else "")
                 + f" · mean ± sd over folds · {self.n_computed} cells "
                 f"trained, {self.n_reused} reused"
                 + (f" · {fmt_seconds(self.seconds)}" if self.n_computed else "")
                 + (" · SYNTHETIC DATA" if synthetic else "") + f"  → {shown_path(self.out_dir)}")
        table = benchmark_table(self.results, task=self.task, title=title,
                                out_dir=Path(shown_path(self.out_dir)),
                                protocol={**protocol, "tune_trials_this_call":
                                          self.n_trials_this_call})  # 0: earlier calls' seconds
        notes = [textwrap.fill(line, width=100, initial_indent="  note: ", subsequent_indent=" " * 8)
                 for line in self.clipped]
        return "\n".join([table, *notes])


# --------------------------------------------------------------------------- cells
def _cell_path(out_dir: Path, model: str, repeat: int, fold: int) -> Path:
    return out_dir / "cells" / f"{model}__r{repeat}_f{fold}.json"


def _test_record(bundle: Bundle, test, out: np.ndarray, task: Task, class_names: list[str]) -> dict:
    """Test-fold predictions of a cell (enough to redraw every plot without the model)."""
    rec = {"sample_id": bundle.sample_ids[test.rows].tolist(),
           "cancer_type": bundle.obs["cancer_type"].to_numpy(object)[test.rows].tolist()}
    if task == "classify":
        rec["predicted"] = [class_names[i] for i in out.argmax(1)]
        rec["confidence"] = out.max(1).tolist()
    else:
        rec.update(time=test.time.tolist(), event=test.event.tolist(), risk=out.reshape(-1).tolist())
    return rec


def _run_cell(bundle: Bundle, plan: FoldPlan, fold_for: Callable[[str], FoldData], model: str, *,
              opts: dict, out_dir: Path, class_names: list[str],
              inner: InnerSplits | None = None) -> dict:
    """Train and score one (model, repeat, fold) cell and store it atomically; ``fold_for``:
    the fold's data under an input scaling (tuning may choose another than the preset's)."""
    task, seed = opts["task"], opts["seed"] + plan.repeat
    _, model_cfg, train_cfg = resolve_config(opts["preset"], None, model, seed=seed,
                                             device=opts["device"], epochs=opts["epochs"], task=task)
    fold = fold_for(input_scaling(model, model_cfg))
    data, keep = fold.parts, fold.keep
    t0 = time.perf_counter()
    work_dir = out_dir / "work" / opts["fingerprint"][:12] / f"{model}__r{plan.repeat}_f{plan.fold}"
    n_out = len(class_names) if task == "classify" else 1
    transfer, extra = None, {}
    if opts.get("pretrained"):  # the encoder starts from a `genemoe pretrain` run
        run = pretrained_run(opts, plan)
        if isinstance(opts["pretrained"], dict):  # per fold: the cell names its run's hash
            extra = {"pretrained_run": str(run), "pretrained_sha256": pretrained_sha256(run)}
        transfer = {"pretrained": run,
                    "freeze_encoder_epochs": int(opts.get("freeze_encoder_epochs") or 0),
                    "gene_ids": bundle.var.loc[keep, "gene_id"].astype(str).tolist(),
                    "bundle_gene_ids": bundle.var["gene_id"].astype(str).tolist(),  # absent
                    #   vs filtered counted apart, as train's (they were counted together)
                    "test_sample_ids": bundle.sample_ids[plan.test].astype(str).tolist(),
                    "test_patient_ids": patient_ids(bundle, plan.test)}
    model_cfg = with_fitted_layout(model, model_cfg, bundle, keep, plan.train)
    tuned = {}
    if opts.get("tune"):  # N trials on this fold's validation part; the test part is not given
        model_cfg, train_cfg, tuned = tune_cell(model, plan, fold_for, model_cfg, train_cfg,
                                                n_out=n_out, seed=seed, opts=opts, out_dir=out_dir,
                                                inner=inner)
        fold = fold_for(input_scaling(model, model_cfg))  # the best trial's input scaling
        data = fold.parts
    fit_args = dict(model_cfg=model_cfg, train_cfg=train_cfg, n_outputs=n_out, work_dir=work_dir,
                    transfer=transfer, gene_variance=fold.gene_variance)
    if opts.get("ensemble", 1) > 1:  # every model as an ensemble of the same size
        fit = fit_ensemble(model, task, data, opts["ensemble"],
                           members=opts.get("ensemble_members") or "auto", **fit_args)
    else:
        fit = fit_model(model, task, data, **fit_args)
    metrics = score_part(task, fit.outputs["test"], data["test"], class_names, train=data["train"],
                         train_outputs=fit.outputs["train"], seed=seed, n_boot=opts["n_boot"])
    info = {k: v for k, v in fit.info.items() if k != "model_config"}
    image = _image_cell(fit.model, model, model_cfg)
    if image:  # what the network started from (a weights file by its sha256) and saw
        extra.update(image)
    routing = routing_report(fit.model, data["test"].X, data["test"].groups) if isinstance(
        fit.model, torch.nn.Module) else {}
    if routing:  # per-type expert usage of the test part (does the gate separate types?)
        extra["routing"] = routing
    cell = plain({
        "format": _CELL_FORMAT, "fingerprint": opts["fingerprint"], "model": model, "task": task,
        "repeat": plan.repeat, "fold": plan.fold, "seed": seed, "n_genes": int(keep.sum()),
        "n": {part: len(d.rows) for part, d in data.items()},
        "seconds": time.perf_counter() - t0, "metrics": metrics, "info": info,
        "chosen": chosen_settings(fit.info, tuned.get("params"), tuned.get("held") or ()),
        "options": {**{k: v for k, v in model_cfg.items() if k != "layout_state"},  # every
                    **_init_option(image.get("image"), image.get("weights_file"))},  # model
        #   option (was nowhere)
        "history": fit.history, **({"tuning": tuned} if tuned else {}),
        "clipped": fold.clipped,  # values beyond the scaler's clip, per part (were unsaid)
        "test": _test_record(bundle, data["test"], fit.outputs["test"], task, class_names), **extra,
    })
    atomic_write_text(_cell_path(out_dir, model, plan.repeat, plan.fold), json.dumps(cell))
    shutil.rmtree(work_dir, ignore_errors=True)  # the cell holds the history; drop the checkpoint
    for parent in (work_dir.parent, work_dir.parent.parent):
        try:
            parent.rmdir()  # only when empty: other cells may still be resuming
        except OSError:
            break
    return cell


def _image_cell(fitted: Any, model: str, model_cfg: dict) -> dict:
    """An image model's record for its cell (:func:`~genemoe.workflows.train_image.
    image_facts`: grid, init, finetune, input scaling, pixel use and mapping), with its
    weights file's path and sha256 (``weights_file``); ``{}`` for another model. A
    benchmark's cells said neither what the network started from nor which file."""
    weights = model_cfg.get("weights")
    found = weights_file_record(weights)
    facts = image_facts(fitted, input_scaling(model, model_cfg),
                        found["path"] if found else weights, found)
    return {**facts, **({"weights_file": found} if found and facts else {})}


def _init_option(image: dict | None, found: dict | None) -> dict[str, str]:
    """``{"init": "random"}`` (or ``ImageNet``, or ``file sha256 1a2b3c4d5e6f``) for the
    options line of an ImageNet backbone's cell (summary.md showed ``image_size=32,
    layout=similarity`` whatever the start); ``{}`` for other models."""
    if not image or "weights" not in image:
        return {}
    weights = image["weights"]
    if weights == "none":
        return {"init": "random"}
    if weights == "imagenet":
        return {"init": "ImageNet"}
    return {"init": f"file sha256 {found['sha256'][:12]}" if found else "file"}


# --------------------------------------------------------------------------- entry point
@keeps_global_rng  # the caller's random states back, a first import's draws too
def run_benchmark(bundle_path: Path | str, *, task: Task, models: list[str] | None = None,
                  n_folds: int = 3,
                  n_repeats: int = 1, preset: str = "small", seed: int = 0, out_dir: Path | str,
                  epochs: int | None = None, device: str = "auto", val_fraction: float = VAL_FRACTION,
                  n_boot: int = 1000, progress: bool = False,
                  pretrained: Path | str | FoldPretrained | None = None,
                  freeze_encoder_epochs: int = 0, tune: int = 0,
                  ensemble: int = 1, tune_cv: int = 1, stage: str = "",
                  plots: bool | None = None, ensemble_members: str = "auto") -> BenchmarkResult:
    """Train and score every model on identical, repeated, stratified folds.

    Parameters
    ----------
    bundle_path
        Bundle directory (``genemoe prepare``).
    task
        ``"classify"`` (tumour type) or ``"survival"`` (Cox risk).
    models
        Registered model names (``genemoe models``), neural or classical; None = the
        task's :data:`DEFAULT_MODELS`.
    n_folds, n_repeats
        K folds, redrawn ``n_repeats`` times (fold seed ``seed + repeat``). A K that leaves
        a test part smaller than the number of cancer types of the task's usable samples is
        refused (:func:`~genemoe.workflows.folds.check_fold_sizes`: at most 30 on pancan33's
        990), as the ablation refuses it.
    preset, epochs, device
        Model and training options (as ``genemoe train``); ``epochs`` overrides the preset.
    seed
        Seed of the folds and of every model (``seed + repeat``).
    out_dir
        Benchmark directory (see the module docstring); re-running resumes.
    val_fraction
        Validation share of each fold's training part.
    n_boot
        Bootstrap resamples of each survival cell's C-index intervals.
    progress
        Progress bar over the cells.
    tune
        Optuna trials per model inside each fold, on that fold's validation part (every
        model the same budget; see :mod:`genemoe.train.tuning`); 0 = each model's preset
        (neural) or its own small grid (classical).
    tune_cv
        K > 1: each trial is scored by the mean validation metric over K inner folds of
        the fold's training part (train and validation rows; each inner fold with its own
        gene filter and scaler) instead of the one validation part; the chosen options
        are then trained as without it (training part, early stopping on validation).
    ensemble
        K > 1: every model of every cell is an ensemble of K members (neural models and
        random forests: K seeds; other classical: K inner folds of the fold's training
        part), so ensembles meet
        ensembles of the same size (:mod:`genemoe.train.ensemble`).
    ensemble_members
        ``"auto"`` (as ``ensemble`` says) or ``"folds"``: every model's members fit on the K
        inner folds, each on (K − 1)/K of the fold's training part (seeded models also take
        K seeds): equal footing. Needs ``ensemble`` > 1; in protocol.json and the cells'
        fingerprint.
    pretrained, freeze_encoder_epochs
        A ``genemoe pretrain`` run whose encoder starts every model (``genemoe``/``moe``/
        ``vaecox``; each fold's test samples must be unseen by it), or a
        :class:`FoldPretrained` with one such run per fold; and epochs to keep the encoder
        frozen.
    stage
        Named before each cell's counter (``from scratch, cell 1/10``): a caller running
        several benchmarks (``genemoe ablation``) says which one counts; "" for none.
    plots
        Whether the caller draws this run's figures into ``out_dir/plots`` after it (the
        CLI's ``--plots``); None: not known. Only the warning on removed figures reads it.

    Returns
    -------
    BenchmarkResult
        The results table and what was computed or reused.
    """
    t0 = time.perf_counter()
    forget_preset_gaps()  # each benchmark says its preset's gaps (a second one was silent)
    models, configs = check_benchmark_options(  # every refusal before --out is touched
        task, DEFAULT_MODELS.get(str(task), ()) if models is None else as_list(models, split_commas=True),
        n_folds=n_folds, n_repeats=n_repeats, n_boot=n_boot, val_fraction=val_fraction, tune=tune,
        tune_cv=tune_cv, ensemble=ensemble, ensemble_members=ensemble_members,
        pretrained=pretrained, device=device, preset=preset, seed=seed, epochs=epochs)
    out_dir = path_of(out_dir, "out_dir")
    bundle = load_bundle(bundle_path := folder_of(bundle_path, "bundle_path"))  # a Bundle object too
    plans = plan_folds(bundle, task, n_folds=n_folds, n_repeats=n_repeats, seed=seed,
                       val_fraction=val_fraction)  # refuses survival folds without events
    pretrained = check_benchmark_folds(bundle, plans, task, models, pretrained=pretrained,
                                       tune_cv=tune_cv, seed=seed)  # (a result object: a folder)
    check_out_dir(out_dir, "benchmark")
    say_bundle_folds(bundle, n_folds, seed, n_repeats)
    out_dir.mkdir(parents=True, exist_ok=True)  # after the inputs' checks
    opts = {"task": task, "models": models, "n_folds": n_folds, "n_repeats": n_repeats, "preset": preset,
            "seed": seed, "epochs": epochs, "device": device, "val_fraction": val_fraction,
            "n_boot": n_boot, "pretrained": pretrained_options(pretrained, plans),
            "freeze_encoder_epochs": int(freeze_encoder_epochs), "tune": int(tune),
            "ensemble": int(ensemble), "ensemble_members": ensemble_members,
            "tune_cv": int(tune_cv)}
    if files := weights_files(preset):  # by sha256 (protocol.json; a rerun says a change)
        opts["weights_files"] = files
    opts["fingerprint"] = cells_fingerprint(bundle, opts)
    # the studies tune single models: neither the budget nor the ensemble size changes a trial
    opts["study_key"] = cells_fingerprint(bundle, {**opts, "tune": 0, "ensemble": 1})
    said = {k: v for k, v in opts.items() if k != "n_boot" or task == "survival"}
    if changes := rerun_changes(out_dir, said):  # its tables would outlive an interruption
        removed = [f for f in ("summary.md", "results.csv", "report.html") if (out_dir / f).exists()]
        remove_outputs(out_dir, removed)  # named as removed (report.html went unsaid)
        figures = " and figures (plots/)" if any((out_dir / "plots").glob("*")) else ""
        kept, back = set_aside_cells(out_dir, opts["fingerprint"])
        log.warning("%s holds a benchmark of other options (%s): %s, its cells%s kept in %s; %s",
                    out_dir, "; ".join(changes), removed_text(removed), figures, kept or "(none)",
                    "the cells of an earlier run with these options are reused" if back
                    else "this benchmark's cells are computed anew" + (
                        "; their searches continue the stored studies in tuning.db (the trials "
                        "run before are reused, up to --tune per cell; the cost says how many)"
                        if tune and (out_dir / "tuning.db").exists() else ""),
                    extra={"rerun": {"changes": changes, "reused": bool(back)}})  # (ablation)
    protocol = write_protocol(out_dir, bundle, opts, plans, said_rows(bundle, task, n_folds),
                               models_in_force(configs, opts),
                               {m: train_cfg.get("epochs") for m, (*_, train_cfg) in configs.items()})
    if said := protocol.get("tuned_endpoint_mismatch"):  # as train says it (once in an ablation)
        log.warning("%s", said)
    for said in benchmark_warnings(protocol.get("preset_tuned_on"), tune=tune):  # as train says them:
        log.warning("%s", said)  # a best.yaml's samples in the test folds, its epochs cap
    n_computed, n_reused, n_trials = _run_cells(bundle, plans, models, opts, out_dir, progress,
                                                stage)
    ran = {"tune_trials_this_call": n_trials} if tune else {}  # 0: the studies' seconds were
    #   spent by earlier calls (was said as this call's)
    cells = load_cells(out_dir, models=models, n_repeats=n_repeats)
    results, clipped = results_table(cells), clipped_lines(cells)
    old = (out_dir / "results.csv").read_text() if (out_dir / "results.csv").exists() else None
    atomic_write_text(out_dir / "results.csv", results.to_csv(index=False))
    atomic_write_text(out_dir / "summary.md",  # (benchmark_tables may say inputs_clipped)
                      summary_markdown(results, {**protocol, "inputs_clipped": clipped, **ran}))
    if 0 < (older := older_auc_cells(results))[0] < older[1]:  # resumed: same fingerprint
        log.warning("%d of %d cells' AUCs predate the censoring floor (auc_rule): rerun into a "
                    "fresh --out", *older)
    changed = n_computed or old != results.to_csv(index=False)  # fewer --models: none computed
    if changed and old is not None:  # the page and figures of the earlier results (without
        remove_stale_pages(out_dir, plots)  # them: not ours; fewer --models left the others')
    return BenchmarkResult(out_dir, task, models, results, n_computed, n_reused,
                           time.perf_counter() - t0, clipped, n_trials if tune else None)


def _run_cells(bundle: Bundle, plans: list[FoldPlan], models: list[str], opts: dict, out_dir: Path,
               progress: bool, stage: str = "") -> tuple[int, int, int]:
    """Compute every missing cell (fold preprocessing once per fold); return (computed,
    reused, the Optuna trials this call ran: 0 where every study was reused). Cells another worker holds (:mod:`~genemoe.workflows.cell_claims`) are waited
    for after this worker's own, and count as reused."""
    from tqdm.auto import tqdm

    n_cells, counts = len(plans) * len(models), {"computed": 0, "reused": 0, "stale": 0,
                                                 "trials": 0, "auc": 0}
    bar = tqdm(total=n_cells, desc="benchmark", unit="cell", disable=not progress)
    pending = []
    for plan in plans:
        folds: dict[str, Any] = {}  # fold data per input scaling (and "inner"), built once
        for model in models:
            holder = _cell_once(bundle, plan, folds, model, opts, out_dir, counts, n_cells, stage)
            if holder is None:
                bar.update()
            else:
                pending.append((plan, model, holder))
    said = 0
    while pending:  # cells other workers hold: wait for them, or take over from a gone one
        still = [(p, m, _cell_once(bundle, p, {}, m, opts, out_dir, counts, n_cells, stage))
                 for p, m, _ in pending]
        bar.update(len(pending) - sum(h is not None for *_, h in still))
        pending = [(p, m, h) for p, m, h in still if h is not None]
        if pending and len(pending) != said:  # a line when the count changes, not each look
            plan, model, holder = pending[0]
            log.info("waiting for %d cell(s) another worker computes (%s; if it is gone, "
                     "delete %s)", len(pending), holder.describe(),
                     claim_path(_cell_path(out_dir, model, plan.repeat, plan.fold)))
            said = len(pending)
        if pending:
            time.sleep(CLAIM_POLL_S)
    bar.close()
    if counts["stale"] > 1:
        log.warning("%d cells computed under other options were recomputed", counts["stale"])
    if counts["auc"]:  # their AUCs of the older rule were averaged with the new ones
        n = counts["auc"]
        log.info("%d %s AUCs predated the censoring floor: recomputed from the stored risks "
                 "(auc_rule)", n, "cell's" if n == 1 else "cells'")
    return counts["computed"], counts["reused"], counts["trials"]


def _cell_once(bundle: Bundle, plan: FoldPlan, folds: dict[str, Any], model: str, opts: dict,
               out_dir: Path, counts: dict[str, int], n_cells: int, stage: str = "") -> Holder | None:
    """Read back, or claim and compute, one cell; the other holder when another worker has it
    (``stage``: said before the cell's counter)."""
    def fold_for(scaling: str) -> FoldData:
        if scaling not in folds:
            folds[scaling] = fold_data(bundle, plan, opts["task"], bundle.class_names, scaling)
        return folds[scaling]

    if opts.get("tune_cv", 1) > 1 and "inner" not in folds:  # one per fold, for all its models
        folds["inner"] = inner_splits(bundle, plan, opts["task"], bundle.class_names,
                                      n_folds=opts["tune_cv"], seed=opts["seed"] + plan.repeat)

    path = _cell_path(out_dir, model, plan.repeat, plan.fold)
    with claimed(path) as holder:  # read under the claim: another worker may just have written it
        if holder is not None:
            return holder
        first = not counts["stale"]  # one warning for the run's first cell of other options
        cell = read_cell(path, opts["fingerprint"],
                         if_not="recomputing it, and every such cell" if first else None)
        counts["stale"] += cell is None and path.exists()
        if cell is not None and _still_valid(cell, plan, opts):
            counts["reused"] += 1
            counts["auc"] += _rescore_older_auc(bundle, plan, cell, path)
            return None
        t0 = time.perf_counter()
        cell = _run_cell(bundle, plan, fold_for, model, opts=opts, out_dir=out_dir,
                         class_names=bundle.class_names,
                         inner=folds.get("inner"))
    release_freed_memory()  # the next cell's models have other shapes
    counts["computed"] += 1
    counts["trials"] += int((cell.get("tuning") or {}).get("n_trials_this_call") or 0)
    metric = PRIMARY_METRIC[opts["task"]]
    why = cell["metrics"].get(f"{metric}_reason")  # a NaN said with its reason
    log.info("%scell %d/%d: %s repeat %d fold %d, %s %.3f (%.0f s)%s",
             f"{stage}, " if stage else "",
             counts["computed"] + counts["reused"], n_cells,
             model, plan.repeat, plan.fold, metric, cell["metrics"][metric], time.perf_counter() - t0,
             f": {why}" if why else "")
    return None


def _rescore_older_auc(bundle: Bundle, plan: FoldPlan, cell: dict, path: Path) -> bool:
    """A reused survival cell whose AUCs predate the censoring floor, recomputed under it
    from its stored test record and its fold's training patients (as ``task_data`` takes
    them), and written back atomically; whether it was (False: not such a cell, or its
    record lacks the risks: :func:`~genemoe.evaluate.benchmark_auc.rescored_auc`)."""
    if cell.get("task") != "survival" or auc_row(cell["metrics"])["auc_rule"] != RULE_OLDER:
        return False
    rows = plan.train[bundle.obs["has_survival"].to_numpy(bool)[plan.train]]
    time_, event = bundle.survival()
    groups = bundle.obs["cancer_type"].to_numpy(object)[rows]
    metrics = rescored_auc(cell["metrics"], cell.get("test") or {}, time_[rows], event[rows],
                           groups)
    if metrics is None:
        return False
    atomic_write_text(path, json.dumps(plain({**cell, "metrics": metrics})))
    return True


def _still_valid(cell: dict, plan: FoldPlan, opts: dict) -> bool:
    """A cell read back was fine-tuned from its fold's current pre-trained run and tuned
    over its model's current search space."""
    from genemoe.train.tuning import space_key

    stale, pre, task = None, opts.get("pretrained"), opts["task"]
    if isinstance(pre, dict) and cell.get("pretrained_sha256") != pretrained_sha256(pretrained_run(opts, plan)):
        stale = "was fine-tuned from another pre-trained run"
    elif opts.get("tune") and cell.get("tuning", {}).get("space_key") != space_key(cell["model"], task):
        stale = "was tuned over another search space"
    if stale:
        log.warning("cell %s r%d f%d %s: recomputing it", cell["model"], plan.repeat, plan.fold, stale)
    return stale is None
