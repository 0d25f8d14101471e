"""A benchmark first screen's words on its comparison: the member scheme of its ensembles,
each test's note, and the p its verdict rests on (Holm's, as summary.md and the terminal).

Split from :mod:`.first_screen`; the wording is :mod:`genemoe.evaluate`'s where it has one.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from genemoe.evaluate.benchmark_pairs import folds_words, left_out_note
from genemoe.evaluate.benchmark_protocol import fold_members_text
from genemoe.evaluate.benchmark_tables import PROPOSED_MODELS, few_pairs_note
from genemoe.report.text import fmt_p

__all__ = ["members_words", "left_out_words", "split_test_notes", "holm_words", "unread_words", "runner_up_words"]


def members_words(protocol: dict) -> str:
    """``, each an ensemble of 2 (--ensemble-members auto: logreg: members fit on 1/2 of the
    training part, a handicap)``: a benchmark's ensembles and their member scheme, '' for
    single models (the panel said "each an ensemble of 2" alone: a handicap unsaid)."""
    k = int(protocol.get("ensemble") or 1)
    if k <= 1:
        return ""
    members = str(protocol.get("ensemble_members") or "auto")  # older protocols: auto
    said = (fold_members_text(list(protocol.get("models") or []), k, members)
            or "every model's members differ by seed")
    option = f"<code>--ensemble-members {html.escape(members)}</code>"
    return f", each an ensemble of {k} ({option}: {html.escape(said)})"


def left_out_words(r: pd.Series) -> str:
    """A comparison row's folds left out of its pair (a degenerate C), as
    :func:`~genemoe.evaluate.benchmark_pairs.left_out_note` says them; "" for none."""
    n = float(pd.to_numeric(pd.Series([r.get("n_left_out")]), errors="coerce").iloc[0])
    if not n > 0 or "n_pairs" not in r:  # NaN, 0, or a classification row
        return ""
    return left_out_note(int(r["n_pairs"]), int(n))


def split_test_notes(r: pd.Series) -> tuple[str, str]:
    """A comparison row's note split by test: the corrected t-test's (few paired folds) and
    the Wilcoxon test's (too few non-zero pairs to reach p < 0.05), HTML-escaped, or ''.

    One note after "a significant difference (p < 0.05)" read as contradicting it: the
    difference was the t-test's, the unreachable p the Wilcoxon test's.
    """
    note = r.get("note") if isinstance(r.get("note"), str) else ""
    if left := left_out_words(r):  # both tests' (was filed under the Wilcoxon test's)
        note = note.replace(left, "")
    t_note = few_pairs_note(int(r["n_pairs"])) if "n_pairs" in r else ""
    if t_note and t_note in note:
        note = note.replace(t_note, "")
    else:
        t_note = ""
    w_note = note.strip("; ")
    return html.escape(t_note), html.escape(w_note)


def holm_words(r: pd.Series, comp: pd.DataFrame, best: str,
                results: pd.DataFrame) -> tuple[float, str]:
    """The p a verdict rests on and the sentence that says what it is.

    Parameters
    ----------
    r
        The proposed model's row of the paired comparisons.
    comp
        Every model's row against ``best`` (their ``corrected_p``: Holm's family).
    best
        The best peer.
    results
        The finished cells (how many peers ``best`` was picked from).

    Returns
    -------
    tuple
        ``holm_p`` (``corrected_p`` where a table has none), as summary.md's and the
        terminal's Holm p (the verdict said "p = 0.030, a significant difference" beside a
        Holm p of 0.12); and summary.md's words: the adjustment, and that none covers the
        best peer having been picked after the fact (a sentence and a space, or '').
    """
    p = r.get("holm_p")
    if not isinstance(p, float) or math.isnan(p):
        p = r["corrected_p"]
    m = int(comp["corrected_p"].notna().sum())
    b = f"<code>{html.escape(best)}</code>"
    parts = ([f"that p is Holm-adjusted for the {m} models tested against {b} (Holm 1979; "
              f"unadjusted: {fmt_p(r['corrected_p'])})"] if m > 1 else [])
    if results.loc[~results["model"].isin(PROPOSED_MODELS), "model"].nunique() > 1:
        parts.append(f"no adjustment covers {b} having been picked as the best peer after "
                     "the fact")
    said = "; ".join(parts)
    return p, (said[:1].upper() + said[1:] + ". ") if said else ""


def unread_words(names: list[str], limit: int = 3) -> str:
    """``2 cell files not read (cut short, damaged or written under other options): a.json,
    b.json; the rerun recomputes them``, or '' for none: the files the page leaves out."""
    if not names:
        return ""
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit
                                        else "")
    n = len(names)
    return (f"{n} cell file{'s' * (n != 1)} in cells/ not read (cut short, damaged or written "
            f"under other options, left out of every table): {html.escape(shown)}; the rerun "
            f"recomputes {'them' if n != 1 else 'it'}")


def runner_up_words(comp: pd.DataFrame, metric: str) -> str:
    """``; the runner-up <code>mlp</code>: -0.001 macro-F1 on average against it, better on
    2 of 4 paired folds; corrected resampled t-test: Holm p = 0.95, no difference
    established ...``: whether the best peer's lead is more than noise, or ''.

    A benchmark without Gene-MOE said "Best peer on mean macro-F1: logreg" alone, a winner
    named on a mean 0.001 above the next model's (Holm p 0.95); summary.md and the terminal
    show that p beside the runner-up.
    """
    peers = comp[~comp["model"].isin(PROPOSED_MODELS)].dropna(subset=["mean_difference"])
    if peers.empty:
        return ""
    r = peers.loc[peers["mean_difference"].idxmax()]
    p = r.get("holm_p")
    if not isinstance(p, float) or math.isnan(p):
        p = r["corrected_p"]
    label = "Holm p" if int(comp["corrected_p"].notna().sum()) > 1 else "p"
    n = int(r["n_pairs"])
    sig = ("a significant difference (p &lt; 0.05)" if isinstance(p, float) and p < 0.05
           else f"no difference established over {folds_words(n)}, which is not evidence "
                "that the two are equal") + (f" ({note})" if (note := few_pairs_note(n)) else "")
    return (f"; the runner-up <code>{html.escape(str(r['model']))}</code>: "
            f"{r['mean_difference']:+.3f} {metric} on average against it, better on "
            f"{int(r['wins'])} of {n} paired folds; corrected resampled t-test: {label} = "
            f"{fmt_p(p)}, {sig}")
