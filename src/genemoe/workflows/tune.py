"""``genemoe tune``: hyper-parameter search for one model on a bundle's validation split.

Protocol: as ``genemoe train`` (the bundle's default gene mask, the training split's
scaler), each trial trains on the training split and is scored on the validation split
(:func:`genemoe.train.tuning.tune_model`). With ``--cv K`` each trial is scored instead by
its mean validation metric over K inner folds of the training and validation splits
together, each fold with its own gene filter and scaler (steadier where the validation
split holds a few dozen patients; K fits per trial). The test split is never loaded. The
output folder holds::

    DIR/best.yaml     the best trial's options: `genemoe train --config DIR/best.yaml`
                      (model: {M: ...}, train: ..., tuned_for: {model, task}, and
                      tuned_on: what it was tuned on: the bundle, its sample set's and
                      its training and validation splits' sha256, the part, the metric)
    DIR/trials.csv    one row per trial: number, state (Optuna's, but INTERRUPTED for a
                      trial a Ctrl-C or SIGTERM stopped, named in stopped_by: Optuna says
                      FAIL, as of a crash; NOT_RUN for one that started as trials running
                      in other workers met the budget, stopped before training: not_run),
                      value (a pruned trial's: the last it reported), seconds, (a
                      classical model's trial 0: grid_seconds and grid_points, what its
                      own grid search choosing its values cost and the settings it scored
                      on validation), best_epoch, then each searched option (config path)
                      and its value (n_top_genes as used: at most the genes tuned on, the
                      drawn value in n_top_genes_capped_from where cut)
    DIR/search.png    validation value per trial and the best so far (a pruned trial at
                      its last reported value; one without a value on the bottom edge)
    DIR/summary.json  budget and cost: trials by state, seconds per trial, this call's
                      trials and seconds beside every call's (a resumed or shared study),
                      trial 0's grid_points and grid_seconds (a classical model), best value
    DIR/study.db      the Optuna study (SQLite), unless --storage names another database

Interrupted? Run the same command again: the study resumes and runs only the trials
still missing from ``--trials`` (a trial killed mid-run is left ``RUNNING`` and rerun).

Several machines on one study
-----------------------------
Every worker runs the same command against one shared database and study name::

    # once, anywhere: an empty PostgreSQL database reachable by every machine, and on
    # every machine its driver (pip install 'psycopg[binary]')
    createdb genemoe_tune
    # on each machine (same bundle, same options; its own --out for the outputs)
    genemoe tune --data BUNDLE --task classify --model genemoe --trials 40 \\
        --storage postgresql+psycopg://USER:PASSWORD@HOST/genemoe_tune --study pancan33-genemoe \\
        --out runs/tune_$(hostname)

``--trials`` is the study's total, so the workers share 40 trials between them (each trial
samples with a seed of its own number, never twice the same; no worker starts one once
the finished trials and those the others are running make 40). Each worker writes its
outputs from the whole study when it stops; the last to stop has them all. Several
processes on one machine can share ``sqlite:///PATH/study.db`` the same way (SQLite
serialises the writes; use PostgreSQL or MySQL across machines: SQLite over a network
file system locks badly). A study refuses a worker whose bundle, model, options or seed
differ from its own.
"""

from __future__ import annotations

import json
import logging
import numbers
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

from genemoe import __version__
from genemoe.config_presets import dump_yaml, forget_preset_gaps
from genemoe.data.args import AtFolder, check_flags, folder_of, path_of, shown_path
from genemoe.data.bundle import Bundle, atomic_write_text, dump_json, load_bundle
from genemoe.data.bundle import sample_set_sha256 as sample_ids_sha256
from genemoe.data.out_dirs import check_writable_folder
from genemoe.errors import input_error, stop_signal
from genemoe.models.image import input_scaling
from genemoe.models.registry import check_model_options, check_task, get_spec
from genemoe.models.search_spaces import search_space, value_text
from genemoe.report.tuning_plots import plot_search
from genemoe.text_wrap import warning_text, wrapped
from genemoe.train.fit import resolve_config, train_options_read
from genemoe.train.rng import keeps_global_rng
from genemoe.train.study_budget import (
    STOPPED,
    best_in_budget,
    counted_trials,
    counts,
    optuna_quiet,
)
from genemoe.train.study_storage import check_storage_writable
from genemoe.train.task_data import Task, TaskData, bundle_scaler, task_data
from genemoe.train.tuning import (
    TuneResult,
    TuningInterrupted,
    metric_name,
    redacted_url,
    tune_model,
    tuning_cost,
)
from genemoe.train.tuning_records import budget_rows, n_in_budget, trials_csv
from genemoe.train.tuning_workers import NOT_RUN, live_running
from genemoe.workflows.common import (
    check_bundle_has_task,
    check_out_dir,
    check_survival_parts,
    check_trainable,
    check_whole_numbers,
    plain,
    resplit_fix,
    with_fitted_layout,
)
from genemoe.workflows.folds import FoldPlan, inner_splits
from genemoe.workflows.tune_image import check_image_start, options_file
from genemoe.workflows.tune_text import (
    beyond_budget,
    budget_lines,
    call_cost,
    cost_lines,
    grid_line,
    grid_record,
    not_counted,
    not_run_words,
    pll_note,
    resuming_line,
    saved_options,
    shared_lines,
    stored_name,
    stored_names,
    used_params,
    used_result,
)

__all__ = ["TuneRun", "TrialLine", "tune_run", "sample_set_sha256", "timed_out",
           "train_val_sha256", "done_by"]

_SYNTHETIC_LINE = "  SYNTHETIC DATA: tuned on a synthetic bundle (genemoe.data.synthetic)"
_NOT_SAVED = {"seed", "device", "progress"}  # training options the command line sets

log = logging.getLogger(__name__)
trial_log = logging.getLogger(f"{__name__}.trials")  # TrialLine's: the demo keeps only these


class TrialLine:
    """Optuna callback: one short line per finished trial, ``trial 2 (3/20): validation
    macro_f1 0.8123 (higher is better; best 0.8301), 12 s``: its number in trials.csv (trial
    0 is the starting configuration), how many of the budget are done, the metric the study
    optimises and which way, and the best among the budget's trials, this one included
    (``genemoe tune``'s progress, also in a log file; the trial's options are in trials.csv,
    and on the terminal with ``-v``).

    No worker starts a trial once the budget is met, counting the trials others are running
    (:mod:`genemoe.train.tuning_workers`; one started in that instant says "not run"), but a
    trial may still finish beyond the budget (a running trial whose progress marks stopped,
    taken for killed, that finished after all); its line says so, and beside it the budget's best, which it cannot be (the
    best is chosen among the budget's first trials, :func:`~genemoe.train.study_budget.
    best_in_budget`): "trial 6 (7/6): validation -2.8226 (best -2.8298)" read as a 7th trial
    of 6, better than a best that stayed.

    The count is the counted trials that had finished when this one did (:func:`done_by`):
    two workers finishing together both read the study's count after both had finished,
    and both said "(2/6)"."""

    def __init__(self, n_trials: int, cv: int = 1, metric: str = "value") -> None:
        self.n_trials, self.cv, self.metric = int(n_trials), int(cv), str(metric)

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        counted, n = counted_trials(study), self.n_trials
        beyond = (counts(trial) and len(counted) > n
                  and trial.number not in {t.number for t in counted[:n]})
        best = best_in_budget(study, n)
        what = (f"validation {self.metric}" if self.cv == 1
                else f"mean validation {self.metric} of {self.cv} inner folds")
        value = (f"{what} {trial.value:.4f}" if trial.value is not None
                 else "not run: trials running in other workers met the budget"
                 if trial.user_attrs.get(NOT_RUN) else trial.state.name.lower())
        if trial.state == optuna.trial.TrialState.PRUNED:  # its value is a part's, not a score:
            done = len(trial.user_attrs.get("split_values") or [])  # "-2.69 (best -2.77)" read
            value = ("pruned before training (too big for the free memory)"  # as the better
                     if trial.value is None else  # one, though it was one inner fold of three
                     f"pruned after inner fold {done} of {self.cv} (mean so far {trial.value:.4f})"
                     if done and self.cv > 1 else
                     f"pruned at epoch {trial.last_step} (validation {self.metric} {trial.value:.4f})")
        where = (f"beyond the budget of {n}: a worker sharing the study met it meanwhile; "
                 "not a candidate for best" if beyond
                 else f"{min(done_by(counted, trial), n)}/{n}")
        said = ["higher is better" if study.direction == optuna.study.StudyDirection.MAXIMIZE
                else "lower is better"]
        if best is not None:
            said.append(f"{'best of the budget' if beyond else 'best'} {best.value:.4f}")
        seconds = float(trial.user_attrs.get("seconds") or 0.0)  # a pruned one ran to 111:
        trial_log.info("%s", wrapped(f"trial {trial.number} ({where}): {value} "  # wrapped at
                                     f"({'; '.join(said)}), {seconds:.0f} s",  # 100, as the
                                     first_whole=False))  # summary's lines


def done_by(counted: list[optuna.trial.FrozenTrial], trial: optuna.trial.FrozenTrial) -> int:
    """How many of the ``counted`` trials had finished when ``trial`` did, itself included
    where it counts: its place in the order the study's trials finished (ties: by number),
    the same in every worker reading the study, so no two trials' lines share a count.

    Parameters
    ----------
    counted
        The study's counted trials (:func:`~genemoe.train.study_budget.counted_trials`).
    trial
        A finished trial (a callback's).
    """
    def when(t: optuna.trial.FrozenTrial) -> tuple[bool, Any, int]:  # None last
        return t.datetime_complete is None, t.datetime_complete or 0, t.number

    mine = when(trial)
    return sum(1 for t in counted if t.number == trial.number or when(t) < mine)


@dataclass
class TuneRun(AtFolder):
    """What :func:`tune_run` wrote: the folder, the search's result and its files."""

    out_dir: Path
    result: TuneResult
    storage: str
    model_name: str
    task: Task
    cv: int = 1  # inner folds each trial was scored on (1: the validation split)
    n_asked: int | None = None  # --trials
    timeout: float | None = None  # --timeout (seconds)
    endpoint: str | None = None  # a survival tune's endpoint (OS, PFI, ...), as train names it
    synthetic: bool = False  # tuned on a synthetic bundle: said under the title (train: in it)

    def describe(self) -> str:
        r, t = self.result, budget_rows(self.result.trials)
        done = int((t["state"] == "COMPLETE").sum()) if len(t) else 0
        lost, fails = not_counted(t)
        running = int((t["state"] == "RUNNING").sum()) if len(t) else 0  # another process's
        later = len(self.result.trials) - len(t)
        cost = tuning_cost(t)
        not_run = int((t["state"] == "NOT_RUN").sum()) if len(t) else 0
        saved = ("" if not cost["seconds_saved"] else
                 f"; pruning saved ~{cost['seconds_saved']:.0f} s")
        too_big = (f"; {cost['n_too_big']} more drawn too big for the free memory, not "
                   f"counted" if cost["n_too_big"] else "")
        ep = _endpoint_words(self.endpoint)  # an OS search read like a PFI one
        n = len(t) - cost["n_too_big"] - lost - running - not_run
        trials = (f"  {n} trial{'s' if n != 1 else ''}: {done} complete, {r.n_pruned} pruned"
                  f"{beyond_budget(t, self.n_asked)}{fails}{too_big}"
                  f"{f'; {running} still running in another process' if running else ''}"
                  f"{not_run_words(not_run)}; {r.seconds:.0f} s{saved}")
        lines = [f"tune: {shown_path(self.out_dir)}  ({self.model_name}, {self.task}{ep}; "
                 f"study {r.study_name!r})",  # the counts under it: one line ran to 137
                 wrapped(trials, first_whole=False),
                 f"  best validation {r.metric}: {r.best_value:.3f}"  # as the report page
                 + (f" (mean of {self.cv} inner folds)" if self.cv > 1 else "")
                 + (pll_note(self.cv) if r.metric == "partial_likelihood" else "")]
        lines[2:2] = (shared_lines(r)
                      + budget_lines(len(t), later, self.n_asked)
                      + cost_lines(call_cost(t, r), r.seconds, whose="budget's" if later
                                    else "study's", n_counted=n))
        n_counted = n_in_budget(t)
        if self.n_asked is not None and timed_out(t, self.n_asked, self.timeout):
            lines.insert(2,  # under the title and its counts
                         f"  stopped at --timeout {self.timeout:g} s with {n_counted} of "
                         f"{self.n_asked} trials: the same command goes on with the study")
        if said := grid_line(self.model_name, r):  # its search saw more settings than trials
            lines.append(said)
        if r.best_is_start and n_counted <= 1:  # "no drawn trial beat them": none was drawn
            lines.append(wrapped(  # a grid's ran to 102 characters
                ("  only trial 0 ran, its own grid's choice: no Optuna trial was drawn"
                 if (r.grid_points or 0) > 1  # svm's 16 settings: not "nothing"
                 else "  only trial 0 ran, the starting values: nothing was searched")
                + ("\n    (a longer --timeout, or the same command again, draws others)"
                   if (self.n_asked or 1) > 1 else " (--trials 2 or more draws others)"),
                first_whole=False))
        elif r.best_is_start:  # "options tuned" for the preset's own values read as a change
            lines.append("  the starting values (trial 0) were best: no drawn trial beat them")
        lines += [f"    {stored_name(k)}: {value_text(v)}" for k, v in r.best_params.items()
                  if not _fixed(r, k)]  # model.tune: false is set, not searched
        lines.append(f"  retrain: genemoe train --config {shown_path(self.out_dir / 'best.yaml')} "
                     f"--model {self.model_name} --task {self.task} ...")
        if self.synthetic:  # under the title
            lines.insert(1, _SYNTHETIC_LINE)
        return "\n".join(lines)


def sample_set_sha256(bundle: Bundle) -> str:
    """SHA-256 of the bundle's sample ids, one per line (as the benchmark fingerprints it)."""
    return sample_ids_sha256(bundle.sample_ids)


def train_val_sha256(bundle: Bundle) -> str:
    """SHA-256 of the sample ids of the bundle's training and validation splits, sorted, one
    per line: the rows a search may read (those a task cannot use included), best.yaml's
    ``tuned_on: train_val_sha256``. The same ids of a bundle read later (``split`` other than
    ``test`` in its obs.parquet) give the same digest; another split of them does not."""
    rows = np.concatenate([bundle.indices("train"), bundle.indices("val")])
    return sample_ids_sha256(sorted(str(i) for i in np.asarray(bundle.sample_ids)[rows]))


@keeps_global_rng  # the caller's random states back, a first import's draws too
@optuna_quiet()  # Optuna's "A new study created in RDB" line, from Python
def tune_run(data_path: Path | str, *, out_dir: Path | str, task: Task = "classify",
             model_name: str = "genemoe", n_trials: int = 20, preset: str = "small",
             config_path: Path | str | None = None, seed: int = 0, storage: str | None = None,
             study_name: str | None = None, device: str = "auto", epochs: int | None = None,
             timeout: float | None = None, progress: bool = True, cv: int = 1) -> TuneRun:
    """Tune ``model_name`` on a bundle's validation split; write ``out_dir`` (module docstring).

    Parameters
    ----------
    data_path
        Bundle directory (``genemoe prepare``).
    out_dir
        Folder for best.yaml, trials.csv, search.png, summary.json (and study.db).
    task, model_name
        ``classify`` or ``survival``; a registered model with a search space.
    n_trials
        Trials the study should hold in all (earlier runs and other workers count).
    preset, config_path
        The options every trial starts from (as ``genemoe train``).
    seed
        Seeds the sampler and every trial's training.
    storage, study_name
        Database URL (default ``sqlite:///OUT/study.db``) and study name (default
        ``<model>-<task>``).
    device, epochs, timeout, progress
        ``auto|cpu|cuda``, the preset's epochs overridden, seconds after which no trial
        starts, a progress bar over trials.
    cv
        K > 1: score each trial by its mean validation metric over K inner folds of the
        training and validation splits together (each fold with its own gene filter and
        scaler, :func:`~genemoe.workflows.folds.inner_plans`) instead of the validation
        split alone; 1: the validation split.
    """
    if task not in ("classify", "survival"):
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    check_whole_numbers((n_trials, "n_trials"), (cv, "cv"), (seed, "seed"))  # "2": a TypeError
    if config_path is not None:  # a dict failed inside pathlib, naming nothing
        path_of(config_path, "config_path")
    check_flags((progress, "progress"))
    if n_trials < 1:
        raise input_error(f"must be 1 or more, got {n_trials}", where="--trials",
                          fix="pass e.g. --trials 20")
    if cv < 1:
        raise input_error(f"must be 1 or more, got {cv}", where="--cv",
                          fix="pass --cv 3 for three inner folds, or 1 for the validation split")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)
                                or not timeout > 0):
        raise input_error(f"must be a number of seconds above 0, got {timeout!r}"
                          + (" (a string)" if isinstance(timeout, str) else ""),
                          where="--timeout", fix="pass e.g. --timeout 3600, or leave it out")
    check_trainable(model_name)
    check_task(model_name, task)  # before a study (and its database) exists
    search_space(model_name, task)  # fail early for a model without a space
    bundle = load_bundle(data_path := folder_of(data_path, "data_path"))  # a Bundle object too
    if epochs is not None and get_spec(model_name).kind != "torch":  # was kept in best.yaml, unsaid
        log.warning("--epochs applies to neural models; %s is fitted to convergence: ignored",
                    model_name)
        epochs = None
    if device not in ("auto", "cpu") and get_spec(model_name).kind != "torch":
        log.warning("--device %s applies to neural models; %s is fitted by scikit-learn on the "
                    "CPU: ignored", device, model_name)  # was accepted without a word
    forget_preset_gaps()  # each tuning says its own (a second in one process was silent)
    _, model_cfg, train_cfg = resolve_config(preset, config_path, model_name, seed=seed,
                                             device=device, epochs=epochs, task=task)
    check_model_options(model_name, model_cfg)  # not inside trial 0, with a study.db left
    check_image_start(model_name, model_cfg, options_file(preset, config_path))  # its weights
    #   and image size: they failed in trial 0 (a traceback, the fix naming train's flags)
    if study_name is not None and not str(study_name).strip():  # "" was the default, unsaid
        raise input_error("an empty study name", where="study_name",
                          fix=f"pass a name, or None for {model_name}-{task}")
    out_dir = path_of(out_dir, "out_dir")
    check_out_dir(out_dir, "tune")
    check_writable_folder(out_dir, where="--out", fix="give an --out folder you can write")
    check_storage_writable(storage := storage or f"sqlite:///{out_dir.resolve() / 'study.db'}")
    study_name = study_name or f"{model_name}-{task}"
    _say_replaced(out_dir, study_name)
    data, gene_mask = _tuning_data(bundle, task, model_name, model_cfg)
    fit_cfg = with_fitted_layout(model_name, model_cfg, bundle, gene_mask, data["train"].rows)
    var = bundle.var.loc[gene_mask]
    endpoint = bundle.endpoint if task == "survival" else None
    written = dict(model_name=model_name, task=task, n_trials=n_trials, seed=seed,
                   preset=preset, storage=storage, cv=cv, epochs=epochs, endpoint=endpoint)
    try:
        result = tune_model(model_name, task, data, base_model_cfg=fit_cfg, base_train_cfg=train_cfg,
                            n_outputs=len(bundle.class_names) if task == "classify" else 1,
                            n_trials=n_trials, seed=seed, storage=storage, study_name=study_name,
                            gene_variance=var["train_std"].to_numpy(np.float64) ** 2,
                            timeout=timeout, progress=progress, callbacks=[TrialLine(
                                n_trials, cv, metric_name(task, train_cfg))],
                            rescaled=lambda scaling: _tuning_data(
                                bundle, task, model_name, {**model_cfg, "input_scaling": scaling})[0],
                            inner=inner_splits(bundle, FoldPlan(0, 0, data["train"].rows, data["val"].rows,
                                                                np.zeros(0, dtype=np.int64)),
                                               task, bundle.class_names, n_folds=cv, seed=seed
                                               ).for_model(model_name, fit_cfg)
                            if cv > 1 else None,
                            on_open=lambda study: _say_resuming(study, n_trials))
    except TuningInterrupted as stop:  # was: nothing written until the study was rerun
        stop.result = used_result(_shown_states(stop.result), int(data["train"].X.shape[1]))
        _write_outputs(out_dir, bundle, data, stop.result, stopped_by=stop_signal(stop) or "Ctrl-C",
                       **written)
        done = int((budget_rows(stop.result.trials)["state"] == "COMPLETE").sum())
        log.warning("%s", warning_text(  # one line of 135 characters in a pipe
            f"best.yaml, trials.csv and search.png written from the {done} trial"
            f"{'' if done == 1 else 's'} finished before it was stopped (best "
            f"{stop.result.metric} {stop.result.best_value:.3f})"))
        raise
    result = used_result(_shown_states(result), int(data["train"].X.shape[1]))  # genes cut
    cut = timed_out(budget_rows(result.trials), n_trials, timeout)
    _write_outputs(out_dir, bundle, data, result, stopped_by="timeout" if cut else None, **written)
    return TuneRun(out_dir, result, storage, model_name, task, cv, n_asked=n_trials, timeout=timeout,
                   endpoint=endpoint, synthetic=bool(bundle.synthetic))


def timed_out(rows: pd.DataFrame, n_trials: int, timeout: float | None) -> bool:
    """Whether a call with ``--timeout`` stopped short of the budget for it: ``rows`` (the
    budget's trials, :func:`~genemoe.train.tuning_records.budget_rows`) count fewer than
    ``n_trials`` with the trials still running in other workers. A worker that stopped as
    others' running trials filled the budget (:mod:`genemoe.train.tuning_workers`) was said
    "stopped at --timeout 600 s" after 18 s, and its best.yaml and summary.json said so."""
    running = int((rows["state"] == "RUNNING").sum()) if len(rows) else 0
    return timeout is not None and n_in_budget(rows) + running < n_trials


def _shown_states(result: TuneResult) -> TuneResult:
    """``result`` whose trials table says ``INTERRUPTED`` for a trial a Ctrl-C or SIGTERM
    stopped (``stopped_by``): Optuna records it as ``FAIL``, as it does a crash, and the
    report said "3 complete · 2 fail" of two Ctrl-C's. A ``FAIL`` left is a diverged training
    (counted), a crash, a killed process, or a Ctrl-C an older genemoe did not record.
    ``NOT_RUN``: a trial that gave way to a budget other workers' running trials met
    (:mod:`genemoe.train.tuning_workers`; Optuna's ``FAIL`` too)."""
    t = result.trials
    if STOPPED not in t or not len(t):
        return result
    stopped = t[STOPPED].notna() & (t["state"] == "FAIL")
    t = t.assign(state=t["state"].where(~stopped, "INTERRUPTED"))
    if NOT_RUN in t:  # gave way to a budget met by other workers' running trials
        t = t.assign(state=t["state"].where(~(t[NOT_RUN].notna() & (t["state"] == "FAIL")),
                                            "NOT_RUN"))
    return replace(result, trials=t)


def _tuning_data(bundle: Bundle, task: Task, model_name: str,
                 model_cfg: dict) -> tuple[dict[str, TaskData], np.ndarray]:
    """The training and validation splits (never the test split), scaled as train does."""
    gene_mask = bundle.gene_mask()
    scaler = bundle_scaler(bundle, gene_mask, method=input_scaling(model_name, model_cfg))
    data = {s: task_data(bundle, bundle.indices(s), task, gene_mask=gene_mask, scaler=scaler,
                         class_names=bundle.class_names) for s in ("train", "val")}
    check_bundle_has_task(bundle, task)
    for split, d in data.items():
        if len(d.rows) == 0:
            raise input_error(f"the {split} split has no usable samples for {task}",
                              path=bundle.path, fix="re-prepare with another --val-fraction, or "
                                                    "add --clinical for survival")
    if task == "survival":
        check_survival_parts(data, "the bundle's split", path=bundle.path,
                             fix=resplit_fix(bundle))  # a bundle without events: refused above
    return data, gene_mask


def _say_resuming(study: optuna.Study, n_trials: int) -> None:
    """Say, as the tune starts, that the study already holds finished trials (an earlier
    call's, or other workers'): it was said only at the end. Called once the study's setup
    is checked (:func:`~genemoe.train.tuning.tune_model`'s ``on_open``): said before, the
    line preceded the refusal of a changed setup. A new study says nothing; interrupted
    trials queued to run again are said (after a Ctrl-C in the first trial, nothing was)."""
    waiting = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))
    retried = sum(1 for t in waiting if t.system_attrs.get("retry_history"))  # queued again
    if line := resuming_line(len(counted_trials(study)), n_trials, study.study_name, retried,
                             len(live_running(study))):  # others' running trials count too
        log.info("%s", line)


def _say_replaced(out_dir: Path, study_name: str) -> None:
    """Warn when ``out_dir``'s best.yaml, trials table and plot are another study's (tuning
    svm into logreg's folder replaced them silently; the database keeps both studies)."""
    try:
        previous = json.loads((out_dir / "summary.json").read_text()).get("study")
    except (OSError, ValueError):
        return
    if previous and previous != study_name:
        log.warning("%s holds the results of study %s: this study's (%s) replace them (both "
                    "stay in the database; tuning %s again writes its results back)", out_dir,
                    previous, study_name, previous)


def _write_outputs(out_dir: Path, bundle: Bundle, data: dict[str, TaskData], result: TuneResult,
                   stopped_by: str | None = None, **opts: Any) -> None:
    """best.yaml, trials.csv, search.png and summary.json; ``stopped_by``: what ended the
    search before its budget (``"Ctrl-C"``, ``"SIGTERM"``, ``"timeout"``; a SIGTERM was
    written as Ctrl-C, and a timeout not at all)."""
    text = best_yaml(bundle, data, result, **opts)
    if stopped_by:
        text = (f"# {'Stopped at --timeout' if stopped_by == 'timeout' else f'Interrupted ({stopped_by})'}"
                " before the budget: the same command again finishes the study.\n" + text)
    atomic_write_text(out_dir / "best.yaml", text)
    atomic_write_text(out_dir / "trials.csv", trials_csv(result.trials))
    plot_search(result.trials, out_dir / "search.png", metric=(  # --cv 2: a mean of 2 folds
                f"validation {result.metric}" if opts["cv"] == 1
                else f"mean validation {result.metric} of {opts['cv']} inner folds"),
                title=f"{opts['model_name']} ({opts['task']}{_endpoint_words(opts.get('endpoint'))})"
                      f": best {result.best_value:.3f}")
    t = budget_rows(result.trials)
    cost = tuning_cost(t)
    summary = {"model": opts["model_name"], "task": opts["task"],
               **({"endpoint": opts["endpoint"]} if opts.get("endpoint") else {}),
               "study": result.study_name,
               "storage": redacted_url(opts["storage"]), "n_trials_asked": opts["n_trials"],
               "trials_by_state": t["state"].value_counts().to_dict(),
               "n_duplicates": int(t["duplicate_of"].notna().sum()),
               "n_trials_after_budget_met": len(result.trials) - len(t),
               "seconds_this_call": round(result.seconds, 1),  # wall time
               **call_cost(t, result),  # trials and their seconds: this call's, every call's
               "seconds_per_trial": (None if cost["seconds_per_trial"] is None
                                     else round(cost["seconds_per_trial"], 2)),
               "n_pruned": result.n_pruned,
               "n_pruned_too_big_for_memory": cost["n_too_big"],  # not counted
               "seconds_saved_by_pruning": cost["seconds_saved"],  # an estimate
               **grid_record(result),  # trial 0's own grid: settings seen on validation
               "best_value": result.best_value,
               "metric": result.metric, "inner_folds": opts["cv"],
               "best_params": used_params(result.best_params, int(data["train"].X.shape[1])),
               **({"names_in_best_yaml": named} if (named := stored_names(
                   list(result.best_params))) else {}),  # balance_weight: train.aux_weight
               "bundle": str(bundle.path), "synthetic": bool(bundle.synthetic),
               "genemoe_version": __version__} | (
                   {"stopped_by": stopped_by, "interrupted": f"{stopped_by}: the trials finished "
                    "before it; run again to resume"} if stopped_by else {})
    atomic_write_text(out_dir / "summary.json", dump_json(plain(summary)))


def best_yaml(bundle: Bundle, data: dict[str, TaskData], result: TuneResult, *, model_name: str,
              task: Task, n_trials: int, seed: int, preset: str, storage: str, cv: int = 1,
              epochs: int | None = None, endpoint: str | None = None) -> str:
    """``best.yaml``: the best trial's full model and training options, and ``tuned_on:``
    (``endpoint``: a survival search's, OS, PFI, ...)."""
    model_cfg, train_cfg, notes = saved_options(  # only what this task reads; n_top_genes
        {k: v for k, v in result.best_model_cfg.items() if k != "layout_state"},  # capped
        {k: v for k, v in result.best_train_cfg.items() if k not in _NOT_SAVED}, task,
        int(data["train"].X.shape[1]))
    tuned = [k for k in result.best_params if not _fixed(result, k)]
    n_counted = n_in_budget(result.trials)
    entry = {
        "value": ", ".join(f"{k.split('.', 1)[1]} {value_text(result.best_params[k])}" for k in tuned),
        "data": f"{bundle.path} ({len(bundle.sample_ids)} samples; sample set sha256 "
                f"{sample_set_sha256(bundle)})",
        "part": (f"validation split ({len(data['val'].rows)} samples), {model_name} trained on the "
                 f"training split ({len(data['train'].rows)}); test split never read" if cv == 1
                 else f"{cv} inner folds of the training and validation splits "
                      f"({len(data['train'].rows) + len(data['val'].rows)} samples; each fold "
                      "its own gene filter and scaler); test split never read"),
        # which rows: the path and sample set stay when a bundle is prepared again with other
        # splits (--seed), and its test split then held rows the search trained on, unsaid
        "train_val_sha256": train_val_sha256(bundle),
        **({"endpoint": endpoint} if endpoint else {}),  # an OS search read like a PFI one
        "overlaps_benchmark_test_folds": True,  # a benchmark's folds cover the whole bundle
        "metric": (f"validation {result.metric} (higher is better)" if cv == 1 else
                   f"mean validation {result.metric} over {cv} inner folds (higher is better)"),
        "best_value": round(float(result.best_value), 6),
        "best_trial": ("0: the starting values; no other trial was drawn" if result.best_is_start
                       and n_counted <= 1 else "0: the starting values; no drawn trial beat them"
                       if result.best_is_start else "a drawn trial (trials.csv)"),
        # the trials the best was chosen from: an interrupted one (FAIL, run again) was counted
        "n_trials": n_counted, "n_trials_asked": int(n_trials), "seed": int(seed),
        "preset": str(preset), "study": f"{result.study_name} in {redacted_url(storage)}",
        "see": "trials.csv, search.png",
    } | ({"epochs": f"{epochs}: the tune --epochs cap on every trial, not tuned (train "
                    "--config best.yaml trains this many; --epochs there changes it)"}
         if epochs is not None else {})
    read = train_options_read(model_name, task, train_cfg)  # a classifier's none (Coxnet's
    doc = {"model": {model_name: model_cfg}} | ({"train": read} if read else {}) | {  # carried
           "tuned_for": {"model": model_name, "task": task},  # focal_gamma, lr); a Cox model's
           "tuned_on": {", ".join(tuned): entry}}  # selection criterion (its retrain chose by another)
    head = (f"# genemoe tune: {model_name} ({task}{_endpoint_words(endpoint)}), best of "
            f"{n_counted} trial{'s' if n_counted != 1 else ''} on the "
            + ("validation split" if cv == 1 else f"mean of {cv} inner folds")  # said "validation
            + f".\n# Retrain: genemoe train --config best.yaml --model {model_name} "  # split"
            f"--task {task} --data BUNDLE --out RUN\n"
            + "".join(f"# {line}\n" for n in notes for line in textwrap.wrap(n, 96)))
    for note in notes:  # said where best.yaml is written, as in it
        log.info("%s", wrapped(f"best.yaml: {note}", first_whole=False))
    return head + dump_yaml(plain(doc))


def _endpoint_words(endpoint: str | None) -> str:
    """`` (OS)``: a survival search's endpoint, as train and benchmark write it; else ''."""
    return f" ({endpoint})" if endpoint else ""


def _fixed(result: TuneResult, key: str) -> bool:
    from genemoe.models.search_spaces import Fixed

    return isinstance(result.space.get(key), Fixed)
