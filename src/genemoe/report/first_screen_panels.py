"""The first screen's building blocks, and the panels of a tuning and a pre-training.

Split from :mod:`.first_screen` (which re-exports every public name here): the facts table
and its headline, the data line, the thumbnail that links to a full figure, and the summary
panels of a ``genemoe tune`` and a ``genemoe pretrain`` folder.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from genemoe.report.plots import Figure
from genemoe.report.text import fmt_count, fmt_value

__all__ = ["figure_id", "thumbnail", "tune_panel", "pretrain_panel", "trial_states_text",
           "one_answer_text", "TRIAL_STATE_WORDS", "esc", "data_line", "panel", "big", "seconds",
           "METRIC_NAMES", "endpoint_words", "counted"]


METRIC_NAMES = {"accuracy": "accuracy", "macro_f1": "macro-F1", "macro_precision": "macro precision",
                "macro_recall": "macro recall", "weighted_f1": "weighted F1", "c_index": "C-index",
                "uno_c_index": "Uno's C", "logrank_p": "log-rank p", "ece": "ECE",
                "integrated_brier_score": "integrated Brier score",
                "within_type_c_index": "C-index within types",
                "type_only_c_index": "C-index of type alone"}


def counted(n: Any, word: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``, ``"? epochs"`` for a missing count: a count and its noun
    in the right number (the pre-training panel said "1 epochs")."""
    if n is None:
        return f"? {word}s"
    return f"{fmt_count(n)} {word}{'' if n == 1 else 's'}"


def figure_id(fig: Figure) -> str:
    """The anchor of a figure in the report: ``fig-<file stem>`` (``fig-<folder>-<stem>`` for
    a figure outside the ``plots`` folder, e.g. an explanation's ``top_genes.png``)."""
    path = Path(fig.path)
    name = path.stem if path.parent.name.endswith("plots") else f"{path.parent.name}-{path.stem}"
    return "fig-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def esc(v: Any) -> str:
    return html.escape(str(v))


def data_line(summary: dict, record: dict, bundle_path: str | None) -> str:
    if summary.get("prepared_again"):
        return (f"<code>{esc(Path(summary['prepared_again']).name)}</code> was prepared again "
                "since: its summary now is not this one's (the record stored then is below)"
                if record else f"<code>{esc(Path(summary['prepared_again']).name)}</code> was "
                "prepared again since: its summary and record now are not this one's")
    if not summary:
        return "the bundle's summary is not available"
    name = Path(bundle_path).name if bundle_path else "?"
    surv = (f" · {fmt_count(summary.get('n_with_survival'))} with survival "
            f"({fmt_count(summary.get('n_events'))} events)" if summary.get("n_with_survival") else "")
    kind = ("<strong>synthetic</strong> (genemoe.data.synthetic)" if summary.get("synthetic")
            or record.get("synthetic") else "real data")
    n_types = summary.get("n_cancer_types", "?")  # was "1 cancer types"
    return (f"<code>{esc(name)}</code>: {fmt_count(summary.get('n_samples'))} samples × "
            f"{fmt_count(summary.get('n_genes'))} genes · {n_types} "
            f"cancer type{'' if n_types == 1 else 's'}{surv} · "
            f"{summary.get('normalisation', '?')} · {kind}")


def thumbnail(fig: Figure | None) -> str:
    """A figure's thumbnail linking to it in full (first screens), '' for None."""
    if fig is None:
        return ""
    import base64

    data = base64.b64encode(Path(fig.path).read_bytes()).decode("ascii")
    return (f'<a class="thumb" href="#{figure_id(fig)}" title="the full figure">'
            f'<img alt="{esc(fig.caption)}" src="data:image/png;base64,{data}">'
            f"<span>{esc(fig.caption)}</span></a>")


def panel(rows: list[tuple[str, str]], headline: str, thumb: Figure | None) -> str:
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (f'<section class="summary" id="summary"><div class="facts">'
            f'<h2 id="summary-heading">Summary</h2><table class="facts-table">{facts}</table>'
            f'<div class="headline">{headline}</div></div>{thumbnail(thumb)}</section>')


def big(label: str, value: str, extra: str = "") -> str:
    return (f'<div class="metric"><span class="label">{esc(label)}</span>'
            f'<span class="value">{esc(value)}</span>'
            f'<span class="extra">{esc(extra)}</span></div>')

# A trial's state in words: Optuna records a Ctrl-C'd trial as failed, as it does a crash;
# genemoe's INTERRUPTED says a Ctrl-C or SIGTERM it recorded, so FAIL may be either ("3
# complete · 2 fail" was said of two Ctrl-C's: the terminal said "interrupted or failed").
TRIAL_STATE_WORDS = {"FAIL": "interrupted or failed", "INTERRUPTED": "interrupted",
                     "NOT_RUN": "not run"}


def trial_states_text(states: dict[str, int], sep: str = " · ") -> str:
    """``"3 complete · 2 interrupted"``: a tuning summary's ``trials_by_state`` in words."""
    return sep.join(f"{fmt_count(n)} {TRIAL_STATE_WORDS.get(str(state), str(state).lower())}"
                    for state, n in states.items())


def endpoint_words(prot: dict) -> str:
    """`` (OS)``: a survival run's endpoint, else ''."""
    return f" ({prot['endpoint']})" if prot.get("endpoint") else ""


def tune_panel(*, summary: dict, tuned_on: dict, bundle_summary: dict, record: dict,
               bundle_path: str | None, figures: list[Figure]) -> str:
    """The summary panel of a ``genemoe tune`` directory: the best validation value, the
    budget and its cost, what it searched on."""
    trials = trial_states_text({("not run" if k == "NOT_RUN" else k): v  # gave way: budget met
                                for k, v in (summary.get("trials_by_state") or {}).items()})
    cost = f"{seconds(summary.get('seconds_per_trial'))} a trial; {_tune_cost_words(summary)}"
    if summary.get("seconds_saved_by_pruning"):
        cost += f"; pruning saved ~{seconds(summary['seconds_saved_by_pruning'])}"
    rows = [("data", data_line(bundle_summary, record, bundle_path)),
            ("model", f"<code>{esc(summary.get('model'))}</code> · {esc(summary.get('task'))}"
                      f"{esc(endpoint_words(summary))} · preset {esc(tuned_on.get('preset', '?'))} · seed "
                      f"{esc(tuned_on.get('seed', '?'))}"),
            ("searched on", esc(tuned_on.get("part") or "the validation split")),
            ("budget", f"{fmt_count(summary.get('n_trials_asked'))} trial"
                       f"{'' if summary.get('n_trials_asked') == 1 else 's'} asked ({trials}); "
                       f"{esc(cost)}")]
    metric = METRIC_NAMES.get(str(summary.get("metric")), str(summary.get("metric")))
    inner = summary.get("inner_folds") or 1
    headline = big(f"best validation {metric}" + (f" (mean of {inner} inner folds)"
                                                   if inner > 1 else ""),
                    fmt_value(summary.get("best_value")),
                    _pll_words(inner) if summary.get("metric") == "partial_likelihood"
                    else "")  # as the terminal
    thumb = next((f for f in figures if f.section == "tuning"), None)
    return panel(rows, headline, thumb)


def _pll_words(inner: int) -> str:
    """What a survival tune's best partial likelihood per event is (the terminal's words,
    ``workflows.tune_text.pll_note``): a mean over inner folds is not the number a run
    retrained from best.yaml keeps (each fold's validation part is larger, and the value per
    event falls with the patients at risk; the page said it was, for a ``--cv 2`` tune)."""
    if inner > 1:
        return ("per event, on each inner fold's validation part: not comparable with a run's "
                "config.yaml calibration.val_pll_per_event_after (on the smaller validation "
                "split; the value per event falls as more patients are at risk)")
    return ("per event, after the validation risk scale (a run's config.yaml "
            "calibration.val_pll_per_event_after)")


def _tune_cost_words(summary: dict) -> str:
    """``last call: 2 trials, 1.0 s (3.0 s wall); in all (every call and worker): 4 trials,
    5.0 s``: a tuning's cost, the last call's beside every call's (a resumed study read
    "0.5 s a trial; 1.0 s in the last call" of 4 trials, which adds up to nothing);
    ``1.0 s in the last call`` for an older summary without the counts."""
    wall = seconds(summary.get("seconds_this_call"))
    k, n = summary.get("trials_this_call"), summary.get("trials_in_all")
    if k is None or n is None:
        return f"{wall} in the last call"
    last = (f"last call: {fmt_count(k)} trial{'' if k == 1 else 's'}, "
            f"{seconds(summary.get('trial_seconds_this_call'))} ({wall} wall)")
    return last if k == n else (f"{last}; in all (every call and worker): {fmt_count(n)} "
                                f"trial{'' if n == 1 else 's'}, "
                                f"{seconds(summary.get('trial_seconds_in_all'))}")


def pretrain_panel(*, summary: dict, bundle_summary: dict, record: dict, bundle_path: str | None,
                   figures: list[Figure], preset: str | None, seed: Any,
                   has_experts: bool = True) -> str:
    """The summary panel of a ``genemoe pretrain`` folder: the validation reconstruction
    against the per-gene training mean, and the collapse checks' verdict."""
    bundles = summary.get("bundles") or []
    data = (data_line(bundle_summary, record, bundle_path) if len(bundles) == 1 else
            f"{len(bundles)} bundles: " + ", ".join(f"<code>{esc(Path(str(b.get('path'))).name)}"
                                                      f"</code>" for b in bundles))
    left_out = sum(int(b.get("n_test_excluded") or 0) for b in bundles)
    rows = [("data", data),
            ("model", f"<code>{esc(summary.get('model'))}</code> · preset {esc(preset or '?')}"
                      f" · seed {esc(seed if seed is not None else '?')}"),
            ("protocol", f"{fmt_count(summary.get('n_train'))} training and "
                         f"{fmt_count(summary.get('n_val'))} validation samples, "
                         f"{fmt_count(summary.get('n_genes'))} genes, "
                         f"{counted(summary.get('epochs_run'), 'epoch')}"
                         + ("" if summary.get("finished") else " (not finished)")
                         + f"; {fmt_count(left_out)} test samples left out; no label read")]
    final, collapse = summary.get("final") or {}, summary.get("collapse") or {}
    r, base = final.get("val/r_sample"), final.get("val/r_sample_baseline")
    headline = big("validation r per sample", fmt_value(r),
                    f"per-gene mean {fmt_value(base)} · R² vs mean {fmt_value(final.get('val/r2'))}"
                    f" · r per gene {fmt_value(final.get('val/r_gene'))}")
    r2, mae, med = final.get("val/r2"), final.get("val/mae"), final.get("val/mae_median_baseline")
    against = [f"R² vs the per-gene mean {fmt_value(r2)} ({'better' if (r2 or 0) > 0 else 'worse'})"]
    if mae is not None and med is not None:  # the constant an L1 decoder aims at
        against.append(f"MAE {fmt_value(mae)} vs the per-gene median's {fmt_value(med)} "
                       f"({'better' if mae < med else 'worse'})")
    verdict = ("; ".join(esc(w) for w in collapse.get("warnings") or [])
               if collapse.get("collapsed") else  # it said "beats a per-gene constant" of a
               "no collapse flagged: the latent carries information"  # run worse than the median
               + (", every expert is used" if has_experts else "")
               + "; reconstruction against per-gene training constants: " + "; ".join(against))
    headline += f'<p class="val">{"COLLAPSE: " if collapse.get("collapsed") else ""}{verdict}</p>'
    thumb = next((f for f in figures if f.section == "reconstruction"), None)
    return panel(rows, headline, thumb)


def seconds(v: Any) -> str:
    return "? s" if v is None else f"{float(v):.1f} s"


ONE_ANSWER_SHARE = 0.8  # of a split's samples given one class: said beside the accuracy


def one_answer_text(part: dict[str, Any]) -> str | None:
    """A classifier giving most of a split one class, and what always answering it scores:
    ``BRCA for 170 of the 174 test samples; BRCA is 20 of them, so always answering BRCA
    scores accuracy 0.115`` (a 2-epoch hybrid_cnn's accuracy 0.121 over 33 types read as
    four times chance). None where no class takes ``ONE_ANSWER_SHARE`` of the predictions
    or the split's ``per_class`` (``predicted``, ``support``) is not recorded."""
    per, n = part.get("per_class") or {}, part.get("n")
    counts = {c: (v.get("predicted"), v.get("support")) for c, v in per.items()
              if isinstance(v, dict)}
    if not n or not counts or any(p is None or s is None for p, s in counts.values()):
        return None
    cls, (given, support) = max(counts.items(), key=lambda kv: kv[1][0])
    if len(counts) < 3 or given < ONE_ANSWER_SHARE * n:
        return None
    return (f"{cls} for {fmt_count(given)} of the {fmt_count(n)} test samples; {cls} is "
            f"{fmt_count(support)} of them, so always answering {cls} scores accuracy "
            f"{fmt_value(support / n)}")
