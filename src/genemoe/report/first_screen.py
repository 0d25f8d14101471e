"""The report's first screen: a summary panel that holds the answer.

Data (bundle, samples × genes, types, synthetic or not), protocol (split or folds, selection
on validation), the headline metrics with their intervals, the comparison against the best
peer (benchmarks), and a thumbnail of the confusion matrix or the Kaplan–Meier curves that
links to the full figure. Everything is read from stored results, as in :mod:`.html`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from genemoe.evaluate.benchmark_files import epoch_cap_note
from genemoe.evaluate.benchmark_pairs import folds_words
from genemoe.evaluate.benchmark_protocol import pretrained_text
from genemoe.evaluate.benchmark_tables import (
    METRICS,
    PRIMARY_METRIC,
    PROPOSED_MODELS,
    chosen_where,
)
from genemoe.evaluate.brier import event_word, probability_word
from genemoe.evaluate.survival_flags import backwards_text
from genemoe.reliability import ECE_ROSE
from genemoe.report.benchmark_words import (
    holm_words,
    left_out_words,
    members_words,
    runner_up_words,
    split_test_notes,
    unread_words,
)
from genemoe.report.first_screen_panels import (
    METRIC_NAMES,
    TRIAL_STATE_WORDS,
    counted,
    figure_id,
    one_answer_text,
    pretrain_panel,
    thumbnail,
    trial_states_text,
    tune_panel,
)
from genemoe.report.first_screen_panels import big as _big
from genemoe.report.first_screen_panels import data_line as _data_line
from genemoe.report.first_screen_panels import endpoint_words as _endpoint_words
from genemoe.report.first_screen_panels import esc as _esc
from genemoe.report.first_screen_panels import panel as _panel
from genemoe.report.plots import Figure
from genemoe.report.terminal import epoch_cap_line, within_c_reason
from genemoe.report.text import (
    chosen_on_validation,
    fmt_ci,
    fmt_count,
    fmt_mean_sd,
    fmt_p,
    fmt_value,
    wilson_interval,
)
from genemoe.report.tuned_on_caveat import tuned_on_caveat

__all__ = ["run_panel", "benchmark_panel", "tune_panel", "pretrain_panel", "figure_id", "thumbnail",
           "METRIC_NAMES", "trial_states_text", "benchmark_progress", "Progress",
           "TRIAL_STATE_WORDS"]


# --------------------------------------------------------------------------- a run
def _ensemble_words(ens: object) -> str:
    """`` × 3 (an ensemble: members differ by seed)`` for an ensemble run's config, else ''
    (the panel read like one model's, the ensemble only implied by its epochs' list)."""
    k = ens.get("k") if isinstance(ens, dict) else ens
    if not isinstance(k, int) or k <= 1:
        return ""
    how = ens.get("members_differ_by") if isinstance(ens, dict) else None
    return f" × {k} (an ensemble" + (f": members differ by {_esc(how)}" if how else "") + ")"


def run_panel(*, task: str, model: str | None, metrics: dict, cfg: dict, summary: dict,
              record: dict, bundle_path: str | None, figures: list[Figure],
              notes: Sequence[str] = ()) -> str:
    """The summary panel of a ``genemoe train`` run (test split headline, validation below).

    ``notes``: the run folder's missing files and what the page does without them; a run
    whose best validation score came at its last allowed epoch says it may be undertrained
    (the terminal said it, the page only "kept epoch 8").
    """
    prot = metrics.get("protocol") or {}
    n = prot.get("n") or {}
    split = " / ".join(f"{k} {fmt_count(n[k])}" for k in ("train", "val", "test") if k in n)
    best = cfg.get("best_epoch")
    kept = (f"epochs {', '.join(map(str, best))} (one per member)" if isinstance(best, list)
            else f"epoch {best}")  # an ensemble's list was printed as "kept epoch [2, 2]"
    sel = (f"; kept {kept}" + (" (stopped early)" if cfg.get("stopped_early") else "")
           if best else "")
    said = metrics.get("epoch_cap")
    if cap := epoch_cap_note(cfg) or (said if isinstance(said, str) else None):
        sel += f"; <strong>{_esc(cap)}</strong>"
    shown = (f"<code>{_esc(model)}</code>" if model else
             "not recorded (no config.yaml or model.pt)")
    rows = [("data", _data_line(summary, record, bundle_path)),
            ("model", shown + _ensemble_words(cfg.get("ensemble"))
                      + f" · {_esc(task)}{_esc(_endpoint_words(prot))} · preset "
                      f"{_esc(cfg.get('preset', '?'))} · seed {_esc(cfg.get('seed', '?'))}"),
            ("protocol", f"the bundle's split ({split}); chosen on the validation split{sel}; "
                         "the test split scored once")]
    if isinstance(pre := cfg.get("pretrained"), dict):  # was only in the raw config
        shared, new = pre.get("n_genes_shared") or 0, pre.get("n_genes_new") or 0
        rows.append(("started from", f"the encoder pre-trained by <code>{_esc(pre.get('run'))}"
                     f"</code>: {fmt_count(shared)} of the model's {fmt_count(shared + new)} "
                     f"genes pre-trained; encoder frozen for "
                     f"{counted(pre.get('freeze_encoder_epochs', 0), 'epoch')}"
                     + ("" if pre.get("encoder_unfrozen") is not False else
                        f" (never unfrozen: all the run's epochs; "
                        f"{_esc(pre.get('freeze_encoder_epochs_asked', '?'))} asked)")
                     + "".join(f"; <strong>the pre-training collapsed</strong> ({_esc(w)}): its "
                               "encoder may start no better than a fresh one"
                               for w in pre.get("collapse_warnings") or [])))
    trust = _trust_line(cfg, metrics)
    if trust:
        rows.append(("trust", trust))
    if notes:  # a missing file's warning reached the terminal only
        rows.append(("missing", "; ".join(_esc(n) for n in notes)))
    test, val = metrics.get("test") or {}, metrics.get("val") or {}
    if task == "classify" and (one := one_answer_text(test)):  # accuracy near that of one answer
        rows.append(("one answer", _esc(one)))
    headline = "".join(_run_headline(task, test, endpoint=prot.get("endpoint"),
                                     one_type=summary.get("n_cancer_types") == 1)) + (
        f'<p class="val">validation (where {chosen_on_validation(metrics)}, so optimistic): '
        f'{_esc(_short(task, val))}</p>' if val else "")
    section = "classification" if task == "classify" else "survival"
    thumb = next((f for f in figures if f.section == section), None)
    return _panel(rows, f'<p class="caption">test split, n = {fmt_count(test.get("n"))}'
                  + _events_caption(task, test, prot.get("endpoint")) + "</p>" + headline, thumb)


def _events_caption(task: str, m: dict, endpoint: str | None) -> str:
    """``", 32 deaths"`` after a survival run's test n: what its C-index, log-rank p and
    Brier score rest on (the terminal's table gave the events, the page the patients only);
    "" for classification or without the count."""
    events = m.get("n_events")
    if task != "survival" or not isinstance(events, int):
        return ""
    word = "death" if event_word(endpoint) == "death" else "event"
    return f", {fmt_count(events)} {word}{'s' * (events != 1)}"


def _trust_line(cfg: dict, metrics: dict) -> str:
    """Calibration and the unfamiliar-sample flag, as the run stored them (or '')."""
    parts = []
    calib = cfg.get("calibration") or {}
    events = (f"'s {fmt_count(calib['n_events'])} event{'s' * (calib['n_events'] != 1)}"
              if calib.get("n_events") is not None else "")  # how much the slope rests on
    if calib.get("risk_scale") is not None and calib.get("fitted", True):
        parts.append(f"risks scaled by {fmt_value(calib['risk_scale'])} (the Cox calibration "
                     f"slope on the validation split{events}; the order of patients unchanged)")
    elif calib.get("risk_scale") is not None:  # was said nowhere on the page
        parts.append(f"risks not scaled (the validation split{events}: too few to fit the "
                     "Cox calibration slope)")
    if calib.get("temperature") is not None:
        before, after = calib.get("ece_before"), calib.get("ece_after")
        digits = next((d for d in range(3, 7) if fmt_value(before, d) != fmt_value(after, d)),
                      3)  # "ECE 0.178 → 0.178: ECE rose" read as a contradiction: 0.1782 → 0.1785
        parts.append(f"probabilities temperature-scaled on validation (T = "
                     f"{fmt_value(calib['temperature'])}; validation ECE "
                     f"{fmt_value(before, digits)} → {fmt_value(after, digits)}"
                     + (f": {ECE_ROSE.format(n=calib.get('n', '?'))}"
                        if (calib.get("ece_after") or 0) > (calib.get("ece_before") or 0) else "")
                     + ")")
    ood = metrics.get("ood") or {}
    if ood.get("threshold") is not None and ood.get("expected_false_alarm") is not None:
        parts.append(f"unfamiliar samples flagged by {_esc(ood.get('method'))} distance above "
                     f"a threshold chosen on validation ({_esc(ood.get('threshold_rule'))}; "
                     f"expected flag rate of new samples like the validation ones "
                     f"{fmt_value(ood['expected_false_alarm'])}; how well it separates other "
                     "tumour types and normals: docs/results.md)")
    elif ood.get("threshold") is not None:  # runs written before the conformal threshold
        parts.append(f"unfamiliar samples flagged by {_esc(ood.get('method'))} distance above "
                     f"the validation split's {fmt_value(1 - (ood.get('false_alarm') or 0.05))} "
                     f"quantile (validation flag rate {fmt_value(ood.get('val_false_alarm'))}; "
                     "how well it separates other tumour types and normals: docs/results.md)")
    return "; ".join(parts)


def _run_headline(task: str, m: dict, *, endpoint: str | None = None,
                  one_type: bool = False) -> list[str]:
    """The headline metrics of a run's part ``m``; a survival run's worded by its
    ``endpoint`` (a PFI run's progressions were called deaths; OS and unknown: deaths), and
    without the pooled-types words where the bundle holds ``one_type``."""
    if task == "classify":
        acc, n = m.get("accuracy"), m.get("n")
        ci = wilson_interval(round(acc * n), n) if acc is not None and n else None
        out = [_big("accuracy", fmt_value(acc), fmt_ci(ci) + " (Wilson 95%)" if ci else ""),
               _big("macro-F1", fmt_value(m.get("macro_f1")))]
        if m.get("ece") is not None:
            out.append(_big("calibration error (ECE)", fmt_value(m["ece"])))
        return out
    event = event_word(endpoint)
    died = "died" if event == "death" else "had events"
    out = [_big("C-index", fmt_value(m.get("c_index")),
                fmt_ci(m.get("c_index_ci")) + " (bootstrap 95%)" if fmt_ci(m.get("c_index_ci"))
                else m.get("c_index_reason") or m.get("c_index_ci_reason", "")),
           _big("log-rank p", fmt_p(m.get("logrank_p")) if _events_enough(m) else "–",
                f"not shown: {_events_words(m)}" if not _events_enough(m) else  # from 1 death
                (f"backwards: the lower-risk half {died} sooner; "
                 if m.get("logrank_high_died_sooner")
                 is False else "") +
                "high vs low risk, one median split of all patients" + (
                    "" if one_type else " (differences between types count; the "
                    "Kaplan–Meier figure splits within each type)") + (
                    f"; each type split at its own median, stratified by type: "
                    f"{fmt_p(m['logrank_p_within_type'])}"
                    if m.get("logrank_p_within_type") is not None else ""))]
    if m.get("within_type_c_index") is not None:  # the pooled C rewards telling types apart
        alone = m.get("type_only_c_index")
        why = within_c_reason(m)  # a degenerate 1.000 stood bare beside the flagged pooled C
        out.append(_big("C-index within types", fmt_value(m["within_type_c_index"]),
                        (f"{why}; " if why else "") + "pairs of one cancer type only" + (
                            f"; cancer type alone (each type's training {event} rate as the "
                            f"risk) gives {fmt_value(alone)} pooled" if alone is not None else "")))
    if m.get("uno_c_index") is not None:
        out.append(_big("Uno's C", fmt_value(m["uno_c_index"])))
    if backwards := m.get("types_ranked_backwards"):  # in the per-type table only, below
        out.append(_big("ranked backwards", ", ".join(e["type"] for e in backwards),
                        "; ".join(backwards_text(e) for e in backwards)
                        + " (whole 95% interval below 0.5)"))
    if m.get("integrated_brier_score") is not None:  # beside the no-information score (was
        ref = m.get("ibs_null_reference")  # in metrics.json only: 0.218 read as good beside 0.216)
        worse = ref is not None and m["integrated_brier_score"] > ref  # was left to the reader
        out.append(_big("integrated Brier", fmt_value(m["integrated_brier_score"]),
                        _days_words(m.get("ibs_times")) + (
                            f"lower is better; one {probability_word(endpoint)} curve for all "
                            f"(no information): {fmt_value(ref)}"
                            + _ibs_verdict(worse, m.get("ibs_minus_null_ci"))
                            if ref is not None else "lower is better")))
    return out


def _ibs_verdict(worse: bool, ci: list[float] | None) -> str:
    """After the no-information score: whether the model is above it, told by the bootstrap
    interval of the difference where there is one, as the terminal tells it (a test score
    above it with an interval of -0.014 to +0.100 was "worse than no model" on the page and
    "not told apart from none" on the terminal)."""
    if not ci or len(ci) != 2:  # an older run: the point values alone
        return ": this model is above it, worse than no model" if worse else ""
    if ci[0] > 0:
        return ": this model is above it, worse than no model" + _gap_words(ci)
    if ci[1] < 0:
        return "; this model is below it, better than no model" + _gap_words(ci)
    return ((": this model is above it" if worse else "; this model is below it")
            + _gap_words(ci) + ", which holds 0: not told apart from no model")


def _gap_words(ci: list[float] | None) -> str:
    """``"; the difference's 95% CI (bootstrap of the test patients) -0.020 to -0.004"``, or ""
    (older runs)."""
    return "" if not ci else (f"; the difference's 95% CI (bootstrap of the patients) "
                              f"{ci[0]:+.3f} to {ci[1]:+.3f}")


def _events_enough(m: dict) -> bool:
    """Whether a part's log-rank p is shown: not with fewer than 2 events (a p of 0.22 was
    shown from one death)."""
    events = m.get("n_events")
    return not isinstance(events, int) or events >= 2


def _events_words(m: dict) -> str:
    events = m.get("n_events")
    return f"{events} event{'s' * (events != 1)}, fewer than 2"


def _days_words(times: Any) -> str:
    """``"over days 180–2,437; "``: an integrated Brier score's window (the validation and
    test parts are integrated over their own follow-up), or ''."""
    if not (isinstance(times, list) and len(times) >= 2
            and all(isinstance(x, int | float) for x in times)):
        return ""
    return f"over days {round(times[0]):,}–{round(times[-1]):,}; "


def _short(task: str, m: dict) -> str:
    if task == "classify":
        return f"accuracy {fmt_value(m.get('accuracy'))}, macro-F1 {fmt_value(m.get('macro_f1'))}"
    why = m.get("c_index_reason") if m.get("c_index") is None else None  # was "C-index –"
    return (f"C-index {fmt_value(m.get('c_index'))}: {why}" if why else
            f"C-index {fmt_value(m.get('c_index'))} {fmt_ci(m.get('c_index_ci'))}".rstrip())


# --------------------------------------------------------------------------- a benchmark
class Progress(NamedTuple):
    """How far a benchmark got: cells ``done`` of ``planned``, finished folds per model,
    and whether the fold sets of the models with any finished fold differ (an interrupted
    run: not a paired comparison; a model with none is not in the tables, not compared)."""

    done: int
    planned: int
    folds: dict[str, int]
    unequal: bool

    @property
    def finished(self) -> bool:
        return self.done >= self.planned


def benchmark_progress(protocol: dict, results: pd.DataFrame) -> Progress:
    """The :class:`Progress` of a benchmark from its protocol and its finished cells."""
    models = list(protocol["models"])
    planned = len(models) * int(protocol["n_folds"]) * int(protocol["n_repeats"])
    sets = {m: frozenset() for m in models}
    if not results.empty:
        for m, g in results.groupby("model", sort=False):
            sets[str(m)] = frozenset(zip(g["repeat"], g["fold"], strict=True))
    return Progress(done=sum(len(v) for v in sets.values()), planned=planned,
                    folds={m: len(v) for m, v in sets.items()},
                    unequal=len({v for v in sets.values() if v}) > 1)


def _progress_words(prog: Progress) -> str:
    """``<strong>unfinished</strong>: 16 of 18 cells finished; folds per model: ...``; the
    models without a finished fold named apart ("fcn 0" read as an unequal comparison)."""
    folds = ", ".join(f"<code>{_esc(m)}</code> {n}" for m, n in prog.folds.items() if n)
    none = ", ".join(f"<code>{_esc(m)}</code>" for m, n in prog.folds.items() if not n)
    return (f"<strong>unfinished</strong>: cells finished {fmt_count(prog.done)} of "
            f"{fmt_count(prog.planned)}"
            + (f"; folds finished per model: {folds}" if folds else "")
            + (f"; {none}: no fold finished yet (not in the table)" if none and folds else "")
            + ("; <strong>the models are compared on unequal folds</strong> (their means are "
               "over different folds)" if prog.unequal else "")
            + "; run the same <code>genemoe benchmark</code> command again (same --out and "
              "options) to finish it")


def benchmark_panel(*, protocol: dict, results: pd.DataFrame, summary: dict, record: dict,
                    figures: list[Figure], comparison: tuple[str, pd.DataFrame] | None,
                    unread: Sequence[str] = ()) -> str:
    """The summary panel of a benchmark: mean ± sd per model, each against the best peer; an
    unfinished one (an interrupted run) says so, and its verdict is qualified or withheld;
    ``unread``: cell files there but not read (:func:`.damaged.unread_cells`), named."""
    task = protocol["task"]
    strat = "cancer type and event" if task == "survival" else "cancer type"
    prog = benchmark_progress(protocol, results)
    same = ("the same folds planned for every model" if prog.unequal
            else "identical folds for every model")
    rows = [("data", _data_line(summary, record, protocol.get("bundle_path"))),
            ("models", ", ".join(f"<code>{_esc(m)}</code>" for m in protocol["models"])
             + members_words(protocol)
             + _esc(pretrained_text(protocol))),  # a pre-trained part read as from scratch
            ("protocol", f"{protocol['n_folds']}-fold cross-validation × {protocol['n_repeats']} "
                         f"repeat(s), stratified by {strat}, {same}; "
                         f"chosen {chosen_where(protocol)}; each test fold scored once")]
    if caveat := tuned_on_caveat(protocol):  # named only deep in the Protocol table
        rows.append(("caveat", caveat))
    if not prog.finished:  # an interrupted rerun read as complete ("cells finished" only
        rows.append(("status", _progress_words(prog)  # deep in the Protocol table)
                     + (f"; {words}" if (words := unread_words(list(unread))) else "")))
    if results.empty:
        return _panel(rows, "<p>No finished cell yet.</p>", None)
    headline = (_benchmark_table(results, task, comparison, prog)
                + _type_alone_html(results, protocol.get("endpoint"))
                + _verdict(results, task, comparison, prog))
    return _panel(rows, headline, _benchmark_thumb(results, task, figures))


def _benchmark_table(results: pd.DataFrame, task: str,
                     comparison: tuple[str, pd.DataFrame] | None,
                     prog: Progress | None = None) -> str:
    metric = PRIMARY_METRIC[task]
    cols = [c for c in METRICS[task] if c in results.columns and c != "logrank_p"][:2]
    if metric not in cols:
        cols = [metric, *cols][:2]
    best, comp = comparison if comparison else (None, pd.DataFrame(columns=["model"]))
    comp = comp.set_index("model")
    order = results.groupby("model", sort=False)[metric].mean().sort_values(ascending=False)
    folds = prog is not None and not prog.finished  # how many folds each mean is over
    head = ["model", *(["folds"] if folds else []),
            *(METRIC_NAMES.get(c, c) + " (mean ± sd)" for c in cols)]
    if best:
        head += [f"Δ {METRIC_NAMES.get(metric, metric)} vs {best}", "folds won / lost",
                 "corrected t p", "Holm p", "Wilcoxon p"]
    body = []
    for model in order.index:
        g = results[results["model"] == model]
        cells = ([f"<code>{_esc(model)}</code>"] + ([fmt_count(len(g))] if folds else [])
                 + [_mean_cell(g[c]) for c in cols])
        if best:
            c = comp.loc[model] if model in comp.index else None
            cells += (["best peer", "", "", "", ""] if c is None else
                      [f"{c['mean_difference']:+.3f}", f"{c['wins']} / {c['losses']}",
                       fmt_p(c["corrected_p"]), fmt_p(c.get("holm_p")), fmt_p(c["p_value"])])
        cls = ' class="proposed"' if model in PROPOSED_MODELS else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{v}</td>" for v in cells) + "</tr>")
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    skipped = any(0 < _n_scored(g[c]) < len(g) for _, g in results.groupby("model", sort=False)
                  for c in cols)
    return (f'<table class="compare"><tr>{th}</tr>{"".join(body)}</table>'
            + (f"<p>{SKIPPED_WORDS}</p>" if skipped else ""))


def _type_alone_html(results: pd.DataFrame, endpoint: str | None) -> str:
    """Under a survival benchmark's table: the cancer type alone's pooled C-index (each type's
    training event rate as the risk; ``type_only_c_index``, one per fold) and whether it
    tops the best model's. The terminal and summary.md said it; the first screen showed the
    pooled C alone (coxnet 0.616 as the best, beside the type alone's 0.631, unsaid).

    Returns
    -------
    str
        One paragraph; "" without the column (classification, one type, older cells).
    """
    if "type_only_c_index" not in results or not {"repeat", "fold", "c_index"} <= set(results):
        return ""
    alone = pd.to_numeric(results["type_only_c_index"], errors="coerce")
    per_fold = alone.groupby([results["repeat"], results["fold"]]).first().dropna()
    if per_fold.empty:
        return ""
    scored = results.assign(c=pd.to_numeric(results["c_index"], errors="coerce"), alone=alone
                            ).dropna(subset=["c", "alone"])
    by_model = scored.groupby("model")[["c", "alone"]].mean()  # each over the model's own folds
    above = bool(len(by_model) and (by_model["alone"] >= by_model["c"]).all())
    n = len(results.groupby(["repeat", "fold"]))
    folds = f"{len(per_fold)} fold{'s' * (len(per_fold) != 1)}" + (
        f" of {n}" if len(per_fold) < n else "")
    return (f"<p>The cancer type alone (each type's training {event_word(endpoint)} rate as the "
            f"risk) gives a pooled C-index of <b>{fmt_mean_sd(per_fold.tolist())}</b> over "
            f"the {folds}" + (": <strong>at or above every model's pooled C-index</strong> (each "
                              "on the model's folds); compare the models within types"
                              if above else "")
            + ". The pooled C also scores telling the types apart.</p>")


SKIPPED_WORDS = ("(k/n): the mean ± sd of the k folds with a value, of n run (a fold whose "
                 "metric could not be computed is left out; results.csv has each fold)")


def _n_scored(values: pd.Series) -> int:
    """How many of a model's fold values are finite numbers (those its mean is over)."""
    return int(pd.to_numeric(values, errors="coerce").map(math.isfinite).sum())


def _mean_cell(values: pd.Series) -> str:
    """``0.597 ± 0.009 (4/5)``: mean ± sd over a model's folds with a value, and how many of
    its folds those are where some have none (the first screen showed the mean of 4 folds
    beside the terminal's and summary.md's "(4/5 folds)", unsaid)."""
    scored = _n_scored(values)
    return fmt_mean_sd(values.tolist()) + (f" ({scored}/{len(values)})"
                                           if 0 < scored < len(values) else "")


def _verdict(results: pd.DataFrame, task: str, comparison: tuple[str, pd.DataFrame] | None,
             prog: Progress | None = None) -> str:
    """One sentence: the proposed model against the best peer, saying no more than the folds
    (each test's conclusion under its own name, the t-test's on its Holm p as summary.md's
    and the terminal's); provisional for an unfinished benchmark,
    withheld where its models finished unequal folds."""
    if comparison is None:
        return ""
    best, comp = comparison
    metric = METRIC_NAMES.get(PRIMARY_METRIC[task], PRIMARY_METRIC[task])
    ours = comp[comp["model"].isin(PROPOSED_MODELS)]
    capped = (f"<p>Models that {_esc(line)}.</p>" if (line := epoch_cap_line(results)) else "")
    unfinished = prog is not None and not prog.finished
    withheld = ("<strong>No verdict yet</strong>: the benchmark is unfinished and its models "
                "finished unequal folds, so their means are not over the same folds (and the best "
                "peer was picked on those means). ")
    lead = ("" if not unfinished else withheld + "Paired over the folds both finished: "
            if prog.unequal else f"<strong>Provisional</strong> (the benchmark is unfinished: "
            f"{fmt_count(prog.done)} of {fmt_count(prog.planned)} cells): ")
    if ours.empty:  # without Gene-MOE the capped models went unsaid here
        notes = sorted({n for _, r in comp.iterrows() if (n := split_test_notes(r)[1])})
        lead = withheld if unfinished and prog.unequal else lead
        lead_words = "" if unfinished and prog.unequal else runner_up_words(comp, metric)
        return (f"<p>{lead}Best peer on mean {metric}: <code>{_esc(best)}</code>{lead_words}"
                + (f" (Wilcoxon: {notes[0]})" if notes else "") + ".</p>" + capped)
    r = ours.iloc[0]
    p, holm = holm_words(r, comp, best, results)
    sig = (f"no difference established over {folds_words(int(r['n_pairs']))}, which is not evidence "
           "that the two are equal" if not (isinstance(p, float) and math.isfinite(p) and p < 0.05)
           else "a significant difference (p &lt; 0.05)")  # "no significant difference" read as a tie
    if unfinished and prog.unequal:
        sig = "no conclusion drawn until every model has the same folds"
    t_note, w_note = (f" ({n})" if n else "" for n in split_test_notes(r))
    left = f" ({_esc(said)})" if (said := left_out_words(r)) else ""  # both tests'
    return (f"<p>{lead}<code>{_esc(r['model'])}</code> against the best peer "
            f"<code>{_esc(best)}</code>: {r['mean_difference']:+.3f} {metric} on average, better "
            f"on {r['wins']} of {r['n_pairs']} folds{left}. Corrected resampled t-test: p = {fmt_p(p)}, "
            f"{sig}{t_note}. {holm}Wilcoxon signed-rank test (takes the folds as independent): p = "
            f"{fmt_p(r['p_value'])}{w_note}.</p>" + capped)


def _benchmark_thumb(results: pd.DataFrame, task: str, figures: list[Figure]) -> Figure | None:
    """The confusion matrix (classify) or KM curves (survival) of the proposed model, else of
    the model with the best mean primary metric."""
    means = results.groupby("model", sort=False)[PRIMARY_METRIC[task]].mean()
    order = [m for m in PROPOSED_MODELS if m in means.index] + list(
        means.sort_values(ascending=False).index)
    prefix = "confusion_" if task == "classify" else "km_"
    by_stem = {Path(f.path).stem: f for f in figures}
    return next((by_stem[prefix + m] for m in order if prefix + m in by_stem), None)
