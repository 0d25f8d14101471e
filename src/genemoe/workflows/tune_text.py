"""The lines :class:`~genemoe.workflows.tune.TuneRun` says of a study beyond its title: trials
not counted, trials beyond the budget, what the study held as the call started, and what
this call's trials cost beside every call's (moved out of :mod:`genemoe.workflows.tune`),
and the settings a classical model's own grid scored to choose trial 0's values. Each line
at most 100 characters (:func:`~genemoe.text_wrap.wrapped`; "another process is
working on this study" ran to 290)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from genemoe.config_presets import TRAIN_ALIASES
from genemoe.text_wrap import wrapped
from genemoe.train.study_budget import GRACE_S, TOO_BIG
from genemoe.train.tuning import TuneResult

__all__ = ["not_counted", "beyond_budget", "budget_lines", "shared_lines", "not_run_words",
           "call_cost", "cost_lines", "stored_name", "stored_names", "resuming_line",
           "grid_record", "grid_line", "saved_options", "genes_used", "used_params", "pll_note",
           "used_result", "CAPPED_FROM", "OTHER_TASKS_KEYS", "task_options"]

CAPPED_FROM = "n_top_genes_capped_from"  # trials.csv: the drawn n_top_genes a trial's genes cut

# training options one task's trainer never reads: a survival fcn's best.yaml carried the
# classifier's focal loss (focal_gamma, class_alpha), a classifier's the Cox options
OTHER_TASKS_KEYS = {"survival": ("focal_gamma", "class_alpha"),
                     "classify": ("cox_ties", "survival_selection")}


def _lines(text: str) -> list[str]:
    """``text`` (one summary line, indented) as lines of at most 100 characters, each
    continued under its indent + 4."""
    return wrapped(text, first_whole=False).split("\n")


def not_counted(t: pd.DataFrame) -> tuple[int, str]:
    """How many of the budget's rows ``t`` ran without an outcome (not counted, run again),
    and ``"; 2 interrupted, not counted (retried as trial 3, 4)"``: a Ctrl-C or SIGTERM the
    trial recorded (``INTERRUPTED``), or a ``FAIL`` outside the budget: a killed process, a
    crash, or an older genemoe's Ctrl-C, so "interrupted or failed" (a diverged trial
    counts: a FAIL in the budget)."""
    if not len(t):
        return 0, ""
    stopped = t[t["state"] == "INTERRUPTED"]
    failed = t[(t["state"] == "FAIL") & ~t["in_budget"].astype(bool)]
    lost = set(stopped["number"]) | set(failed["number"])
    if not lost:
        return 0, ""
    retries = [str(n) for n, of in zip(t["number"], t["retry_of"], strict=True)
               if of == of and of in lost]
    said = [f"{k} {word}" for k, word in ((len(stopped), "interrupted"),
                                          (len(failed), "interrupted or failed")) if k]
    return len(lost), (f"; {' and '.join(said)}, not counted"
                       + (f" (retried as trial {', '.join(retries)})" if retries else ""))


def beyond_budget(t: pd.DataFrame, n_asked: int | None) -> str:
    """``"; 1 of them beyond the budget of 6 (...)"``: trials that workers sharing the study
    finished after the budget was met (each finishes the trial it started); the best is
    chosen among the budget's (``in_budget``), so none of them can be it."""
    if not len(t) or n_asked is None:
        return ""
    outcome = (t["state"] == "COMPLETE") | ((t["state"] == "PRUNED") & t[TOO_BIG].isna())
    k = int((outcome & ~t["in_budget"].astype(bool)).sum())
    return ("" if not k else f"; {k} of them beyond the budget of {n_asked} (finished by a "
            "worker sharing the study after the budget was met: "
            f"{'not a candidate' if k == 1 else 'no candidates'} for best)")


def budget_lines(n_budget: int, later: int, n_asked: int | None) -> list[str]:
    """``["  budget: --trials 2 reads the first 2 of the study's 3 trials; ..."]`` where the
    study holds trials run after the budget was met: by a larger search on the study, or by
    a worker sharing it that started one as another met the budget ("1 more run later by a
    larger search" was said of a second worker's trial, where no larger search had run).
    They were said in the title (260 characters), which counted "2 trials" beside "already
    in the study as this call started: 3 trials" and "the study's 2 trials" of the cost."""
    if not later:
        return []
    asked = f"--trials {n_asked}" if n_asked is not None else "the budget"
    one = later == 1
    return [f"  budget: {asked} reads the first {n_budget} of the study's {n_budget + later} "
            f"trials; the {later} after {'it' if n_budget == 1 else 'them'} "
            f"{'is' if one else 'are'} not counted",
            "    (run after the budget was met: by a larger search on the study, or by a worker",
            f"    sharing it that started {'one' if one else 'some'} as another met the budget)"]


def shared_lines(r: TuneResult) -> list[str]:
    """What the study held as this call started: finished trials (an earlier call's, or
    another worker's: "resumed: 2 trials done by earlier calls" was said of trials the
    other worker had just run), and trials running in another process."""
    lines = []
    if k := r.n_running_before:
        lines += _lines(f"  another process is working on this study: {k} "
                        f"trial{'s' if k != 1 else ''} {'were' if k != 1 else 'was'} running as "
                        f"this call started (a worker sharing it; or one on another machine "
                        f"killed under {GRACE_S // 60} min ago, whose trial runs again once its "
                        "heartbeat is stale; one killed on this machine runs again at once)")
    if k := r.n_done_before:
        lines += _lines(f"  already in the study as this call started: {k} "
                        f"trial{'s' if k != 1 else ''} finished by earlier calls or by other "
                        "workers sharing it, kept")
    return lines



def not_run_words(k: int) -> str:
    """``"; 1 not run (...)"``: trials that started as trials running in other workers met
    the budget, and stopped before they drew values (:mod:`genemoe.train.tuning_workers`)."""
    return ("" if not k else f"; {k} not run (started as trials running in other workers "
            "met the budget; stopped before training, not counted)")


def call_cost(t: pd.DataFrame, r: TuneResult) -> dict[str, float | int]:
    """What the trials of ``t`` (:func:`~genemoe.train.tuning_records.budget_rows`) cost:
    this call's (``r.this_call``) and every call's and worker's, seconds rounded so that
    this call's and the others' add up to the total as shown (a resumed study said "2 s
    this call; every call's trials 4 s": one wall time beside a sum of trial times, no
    count of either's trials). Trials that ended count, interrupted and too big ones too;
    a trial that gave way to a met budget (``NOT_RUN``) cost nothing and does not."""
    ran = t[t["state"] != "NOT_RUN"] if len(t) else t
    secs = (pd.to_numeric(ran["seconds"], errors="coerce") if "seconds" in ran
            else pd.Series(dtype=float))
    ended = secs.notna()
    mine = ended & ran["number"].isin(r.this_call) if len(ran) else ended
    return {"trials_this_call": int(mine.sum()),
            "trial_seconds_this_call": round(float(secs[mine].sum()), 1),
            "trials_in_all": int(ended.sum()),
            "trial_seconds_in_all": round(float(secs[ended].sum()), 1)}


def cost_lines(c: dict[str, float | int], wall: float, *, whose: str = "study's",
               n_counted: int | None = None) -> list[str]:
    """``["  cost: this call ran 2 trials, 1 s (3 s wall); the study's 4 trials 5 s in all
    (4 s in earlier calls or by other workers)"]`` where the study holds trials of other
    calls (the title's seconds are this call's wall time); none where all are this call's.
    ``whose``: "budget's" where the study holds trials beyond the budget (not counted);
    ``n_counted``: the title's count, said beside the trials' where fewer (``the study's 3
    trials (2 counted)``: an interrupted trial's seconds count here, not in the budget; "the
    study's 3 trials" stood under "stopped at --timeout with 2 of 3 trials")."""
    k, n = int(c["trials_this_call"]), int(c["trials_in_all"])
    if k == n:
        return []
    own, total = round(c["trial_seconds_this_call"]), round(c["trial_seconds_in_all"])
    ran = (f"this call ran {k} trial{'s' if k != 1 else ''}, {own} s ({wall:.0f} s wall)"
           if k else f"this call ran no trial ({wall:.0f} s)")
    counted = f" ({n_counted} counted)" if n_counted is not None and n_counted < n else ""
    return _lines(f"  cost: {ran}; the {whose} {n} trial{'s' if n != 1 else ''}{counted} "
                  f"{total} s in all ({max(total - own, 0)} s in earlier calls or by other "
                  "workers)")


def grid_record(r: TuneResult) -> dict[str, Any]:
    """summary.json's ``grid_points`` and ``grid_seconds``: the settings a classical model's
    own grid search scored on the validation part to choose trial 0's values, and their
    seconds (in trial 0's); empty where no grid chose them (a neural model). Under
    ``--trials 3`` an SVM's search saw 18 settings on validation and a neural model's 3."""
    unused = ({"grid_seconds_unused_this_call": round(float(r.grid_seconds_unused), 1)}
              if r.grid_seconds_unused else {})  # a worker sharing the study kept its first
    if not r.grid_points:
        return unused
    return {"grid_points": int(r.grid_points), "grid_seconds": round(float(r.grid_seconds), 1),
            **unused}


def grid_line(model: str, r: TuneResult) -> str | None:
    """``"  trial 0 of svm: its own grid search (16 settings on validation, 2 s)"``: trial 0's
    values were chosen from that many settings, where a drawn trial is one (said nowhere);
    and this call's own fit of that grid where a worker sharing the study kept its choice
    first (its seconds were in no trial's, said nowhere); None where neither is."""
    n = int(r.grid_points)
    said = ([f"  trial 0 of {model}: its own grid search ({n} setting{'s' if n != 1 else ''} "
             f"on validation, {r.grid_seconds:.0f} s); each other trial scores 1 setting"]
            if n else [])
    if r.grid_seconds_unused:  # two workers starting together both fit it; one is charged
        said.append(f"  this call fitted that grid too ({r.grid_seconds_unused:.0f} s, in no "
                    "trial's seconds): a worker sharing the study had chosen trial 0's values "
                    "first")
    return "\n".join(line for text in said for line in _lines(text)) or None


def stored_name(key: str) -> str:
    """A searched option as best.yaml stores it: ``train.aux_weight (balance_weight)`` for
    the search's ``train.balance_weight`` (best.yaml writes the trainer's name,
    :data:`~genemoe.config_presets.TRAIN_ALIASES`; tune printed the alias, which a search
    of best.yaml did not find); any other key as it is."""
    section, _, name = key.partition(".")
    if section == "train" and name in TRAIN_ALIASES:
        return f"train.{TRAIN_ALIASES[name]} ({name})"
    return key


def stored_names(keys: list[str]) -> dict[str, str]:
    """``{"train.balance_weight": "train.aux_weight"}``: the searched ``keys`` best.yaml
    stores under another name (summary.json's ``names_in_best_yaml``); empty if none."""
    return {k: f"train.{TRAIN_ALIASES[k.partition('.')[2]]}" for k in keys
            if k.partition(".")[0] == "train" and k.partition(".")[2] in TRAIN_ALIASES}


def resuming_line(n_done: int, n_trials: int, study_name: str, n_retried: int = 0,
                  n_running: int = 0) -> str | None:
    """``"resuming study 'fcn-classify': 2 trials already finished in it\n  --trials 5 runs up
    to 3 more"``, said as a tune starts on a study holding finished trials (it was said only
    at the end, under the results); ``n_retried``: trials a Ctrl-C or a kill interrupted,
    queued to run again with their own values (``"resuming study 'fcn-classify': 1
    interrupted trial runs again with its own values"``: a rerun after a Ctrl-C in the first
    trial said nothing as it started), said on the second line with the budget;
    ``n_running``: trials other workers are running, which count as they will finish (the
    line said "runs up to 2 more" when they filled the budget and none ran). Two lines:
    one ran to 126 characters in a pipe. None for a new or empty study."""
    more = n_trials - n_done - n_running
    k = min(n_retried, max(more, 0))  # those the budget left runs (the first queued first)
    again = (f"{k} interrupted trial{'s' if k != 1 else ''} run{'' if k != 1 else 's'} again"
             if k else "")
    running = (f"{n_running} trial{'s' if n_running != 1 else ''} running in other workers"
               if n_running else "")
    if n_done < 1 and not running:
        return (f"resuming study {study_name!r}: {again} with "
                f"{'their' if k != 1 else 'its'} own values" if again else None)
    held = f"resuming study {study_name!r}: " + ", ".join(
        ([f"{n_done} trial{'s' if n_done != 1 else ''} already finished in it"] if n_done
         else []) + ([running] if running else []))
    return held + "\n  " + (f"{again}; " if again else "") + (
        f"--trials {n_trials} runs up to {more} more" if more > 0 else
        f"--trials {n_trials} is met with the running ones: no trial starts here" if running
        else f"--trials {n_trials} is met: no trial runs, the outputs are written again")


def saved_options(model_cfg: dict[str, Any], train_cfg: dict[str, Any], task: str,
                  n_genes: int) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The model and training options best.yaml writes, and a note per change: the
    training options of the other task left out (a survival tune's best.yaml held
    ``focal_gamma`` and ``class_alpha``, which only a classifier reads), and a
    ``n_top_genes`` above the ``n_genes`` genes tuned on written as ``n_genes``, what
    every trial used (Coxnet's 2000 stayed on an 80-gene bundle)."""
    train = task_options(train_cfg, task)
    model, notes = dict(model_cfg), []
    if (top := model.get("n_top_genes")) != (used := genes_used(top, n_genes)):
        model["n_top_genes"] = used
        notes.append(f"model n_top_genes {top} is more than the {n_genes} genes tuned on: "
                     f"written as {n_genes} (every gene, what the trials used)")
    return model, train, notes


def task_options(train_cfg: dict[str, Any], task: str) -> dict[str, Any]:
    """``train_cfg`` without the options only the other task's trainer reads
    (:data:`OTHER_TASKS_KEYS`: a survival run's ``focal_gamma`` and ``class_alpha``), as
    best.yaml writes them; a run's config.yaml should too (``info["loss"]`` drops them)."""
    return {k: v for k, v in train_cfg.items() if k not in OTHER_TASKS_KEYS.get(task, ())}


def genes_used(top: Any, n_genes: int) -> Any:
    """``n_top_genes`` as a model used it on ``n_genes`` genes: ``n_genes`` where ``top`` is
    a larger count (every gene), else ``top`` as it is (None, a smaller count)."""
    if isinstance(top, int) and not isinstance(top, bool) and top > n_genes:
        return int(n_genes)
    return top


def used_params(params: dict[str, Any], n_genes: int) -> dict[str, Any]:
    """A trial's values by config path with ``model.n_top_genes`` as used on ``n_genes``
    genes (:func:`genes_used`): summary.json's ``best_params`` said 2000 of 79 genes beside
    best.yaml's 79."""
    if "model.n_top_genes" not in params:
        return params
    return {**params, "model.n_top_genes": genes_used(params["model.n_top_genes"], n_genes)}


def used_result(result: TuneResult, n_genes: int) -> TuneResult:
    """``result`` with ``model.n_top_genes`` as each trial used it on ``n_genes`` genes, in
    its trials table and best values (:func:`genes_used`), and the drawn value beside it
    where larger, in :data:`CAPPED_FROM` (empty where not cut). The study keeps the drawn
    value (its key, which a resume checks). Old behaviour: trials.csv, the terminal's best
    values and best.yaml's ``tuned_on`` said coxnet's 2000 on a 1471-gene bundle, beside
    best.yaml's ``n_top_genes: 1471`` and summary.json's."""
    key, t = "model.n_top_genes", result.trials
    best = used_params(result.best_params, n_genes)
    if key not in t or not len(t):
        return replace(result, best_params=best)
    drawn = pd.to_numeric(t[key], errors="coerce")
    cut = drawn > n_genes
    if not cut.any():
        return replace(result, best_params=best)
    t = t.assign(**{key: t[key].where(~cut, int(n_genes))})
    t.insert(t.columns.get_loc(key) + 1, CAPPED_FROM, drawn.where(cut).astype("Int64"))
    return replace(result, trials=t, best_params=best)


def pll_note(cv: int) -> str:
    """What a survival tune's best partial likelihood per event is, under its line: with
    ``cv`` 1 the number a run retrained from best.yaml keeps in config.yaml; with inner
    folds not: each fold's validation part is larger than the validation split, and the
    value per event falls with the patients at risk (``--cv 2`` on 793 patients said -5.152
    and "a run keeps it in config.yaml"; the run kept -3.794 on its 98)."""
    if cv > 1:
        return ("\n    (per event, on each inner fold's validation part: not comparable with a"
                "\n    run's calibration.val_pll_per_event_after, on the smaller validation"
                "\n    split; the value per event falls as more patients are at risk)")
    return ("\n    (per event, after the validation risk scale; a run keeps it in"
            "\n    config.yaml: calibration.val_pll_per_event_after)")
