"""The lines of an explanation's terminal summary that read its ``convergence.json``
record or its ranking: how the samples were drawn, which classes no explained sample stood
for, the samples IG's refinement left above its tolerance, what the attributions start
from, and the notes under the top genes (``↓``, ids without symbols, classes of one or two
samples)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from genemoe.data.ids import detect_id_kind
from genemoe.explain.pixel_mates import PIXEL_LEGEND, has_pixel_group
from genemoe.explain.rankings import LOWER_LEGEND, has_lower_mark
from genemoe.explain.routing_jump import JUMP_WARN
from genemoe.text_time import fmt_seconds, short_seconds
from genemoe.text_wrap import wrapped

__all__ = ["barely_moved_lines", "drawn_lines", "still_off_text", "reintegrated_lines",
           "reference_lines", "ranking_notes", "compared_with", "routing_jump_lines",
           "pooling_text", "pooled_counts_text", "pooled_lines", "took_lines", "took_text",
           "ensemble_of", "members_text"]

_FEW_POOLED = 20  # a survival ranking of fewer samples than this is said to be of few

_BASELINES = {"train_mean": "the training mean (--baseline train_mean)",
              "zeros": "zero expression (--baseline zeros)"}


def ensemble_of(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """A run's ensemble as its ``config.yaml`` records it: ``{"k": 2, "member": "genemoe",
    "members_scheme": "folds", "members_differ_by": "inner training folds and seed"}``
    (the scheme None where the run recorded none); None for one model.

    Parameters
    ----------
    config
        The run's resolved config (a model file's ``config``): ``ensemble`` is fit_ensemble's
        record of the members (or, in older runs, their number), ``ensemble_members`` the
        scheme ``train --ensemble-members`` chose.
    """
    cfg = config or {}
    ens = cfg.get("ensemble") or 1
    k = int(ens.get("k", 1) if isinstance(ens, dict) else ens)
    if k < 2:
        return None
    rec = ens if isinstance(ens, dict) else {}
    return {"k": k, "member": rec.get("member") or cfg.get("model"),
            "members_scheme": rec.get("members_scheme") or cfg.get("ensemble_members"),
            "members_differ_by": rec.get("members_differ_by")}


def members_text(ensemble: dict[str, Any] | None) -> str:
    """How an ensemble's members were fitted, briefly: ``members on inner folds`` (``folds``),
    ``members by seed`` or ``members by inner training folds`` (``auto``: what they differ by,
    where recorded; else ``auto members``); "" where no scheme was recorded (or no ensemble)."""
    scheme = (ensemble or {}).get("members_scheme")
    if not scheme:
        return ""
    if scheme == "folds":
        return "members on inner folds"
    differ = (ensemble or {}).get("members_differ_by")
    return f"members by {differ}" if differ else f"{scheme} members"


def still_off_text(refine: dict[str, Any]) -> str:
    """``; 3 above the 1% tolerance after 256 steps`` (the most any sample took), or ''."""
    n = refine.get("n_samples_above_tolerance")
    if not n:
        return ""
    used = [int(k) for k in refine.get("samples_by_steps") or {}]  # the doubling stops at
    #   the last count within max_steps (n_steps 8: 128 of 400), which was said as 400
    why = f": {refine['not_integrated_again']}" if refine.get("not_integrated_again") else ""
    return (f"; {n} above the {refine['tolerance']:.0%} tolerance after "
            f"{max(used) if used else refine['max_steps']} steps{why} (convergence.json: "
            "samples_by_steps)")


def reintegrated_lines(c: dict[str, Any]) -> list[str]:
    """``re-integrated 74 of 74 samples (73 at 200 steps, 1 at 400)``: the samples IG
    integrated again past ``n_steps`` (a run estimated at 30 s took 4 min, unsaid); plain IG
    on top-k routing, that it integrated once (``refine.skipped``); or []."""
    if (c.get("refine") or {}).get("skipped"):  # plain IG on top-k routing: 8x the cost, no gain
        return ["  not re-integrated: top-k routing jumps, which more steps cannot close",
                f"    (integrated once at {c.get('n_steps')} steps; convergence.json: refine)"]
    by_steps = {int(k): int(v) for k, v in ((c.get("refine") or {}).get("samples_by_steps")
                                            or {}).items()}
    first = c.get("n_steps") or 0
    again = {s: n for s, n in sorted(by_steps.items()) if s > first}
    if not again:
        return []
    total = sum(by_steps.values())
    counts = ", ".join(f"{n:,} at {s}" + " steps" * (i == 0) for i, (s, n) in enumerate(again.items()))
    return [f"  re-integrated {sum(again.values()):,} of {total:,} samples off by more than "
            f"{c['refine']['tolerance']:.0%} after {first} steps ({counts})"]


def drawn_lines(c: dict[str, Any]) -> list[str]:
    """A line when the cap left samples out: how many, of what, and how they were drawn;
    and one naming the classes no explained sample stood for (not ranked)."""
    d, gone = c.get("drawn_from") or {}, c.get("classes_without_samples") or []
    by = "predicted as" if c.get("group_by", "predicted") == "predicted" else "labelled"
    none = [wrapped(f"  not ranked: {len(gone)} class{'es' if len(gone) != 1 else ''} with no "
                    f"explained sample {by} {'them' if len(gone) != 1 else 'it'}: "
                    f"{', '.join(gone[:12])}" + (", ..." if len(gone) > 12 else ""),
                    first_whole=False)] if gone else []  # was 142 wide (31 classes)
    if not d.get("cap_per_predicted_class") or d.get("n", 0) <= c.get("n_samples", 0):
        return none
    per = " per predicted class" if c.get("task") == "classify" else ""
    return [wrapped(f"  drawn: {c['n_samples']:,} of the {d['split']} split's {d['n']:,} samples "
                    f"(at most {d['cap_per_predicted_class']:,}{per}, seeded by --seed; "
                    "--max-samples-per-class)", first_whole=False), *none]  # was 116 wide


def reference_lines(c: dict[str, Any]) -> list[str]:
    """What the attributions start from, for people: ``reference: 8 training tumours per
    sample; routing frozen at each sample's own experts``; before it, for survival, what is
    attributed (the raw risk, a log relative hazard), and for a linear model, that its
    attributions are exact; after it, where the training tumours came from and
    the model's genes filled as zero (dropped from the bundle as zero everywhere)."""
    method, n = c.get("method"), c.get("n_draws")
    if method in ("train_ig", "gradient_shap") or c.get("baseline") == "training tumours":
        ref = (f"{n} training tumour{'s' * (n != 1)} per sample" if n  # "1 training tumours"
               else "training tumours")
    else:
        ref = _BASELINES.get(str(c.get("baseline")), f"{c.get('baseline')}")
    text = f"  reference: {ref}"
    if c.get("routing") == "frozen":
        text += "; routing frozen at each sample's own experts"
    exact = ["  exact: a linear model's attributions, coefficient x (x - reference), add up "
             "to f(x) - f(reference)"] if method == "linear" else []
    if (w := c.get("weight")) and w["n_with_weight"] < w["n_model_genes"]:  # in config.yaml only
        exact.append(f"  {w['text']}: only they are ranked")
    capped = [f"    (--n-draws {c['n_draws_asked']} asked: the training pool holds {n})"
              ] if c.get("n_draws_asked") else []  # 300 said where 156 were used
    source = [wrapped(f"    drawn from {c['reference_source']['source_text']}", first_whole=False)
              ] if c.get("reference_source") else []  # the model's own; ran to 114 wide
    filled = [f"  {c['zero_filled_genes']['text']}"] if c.get("zero_filled_genes") else []
    single = ["    one reference: no split-half stability of the rankings can be checked "
              "(--n-draws 2 or more)"] if method == "train_ig" and n == 1 else []
    due = c.get("task") == "survival" and c.get("group_by") != "label"  # describe says those
    said = [wrapped(f"  attributed: {c['attributed']}", first_whole=False)
            ] if due and c.get("attributed") else []  # what "risk" is, unsaid before
    return [*said, *exact, text, *single, *source, *capped, *filled]


def ranking_notes(ranking: pd.DataFrame, class_lines: list[str]) -> list[str]:
    """Notes under the per-class top genes: the ``↓`` legend where a shown gene has it, the
    ``[pixel N: ...]`` one where genes of one pixel are grouped, that the genes are ids where
    no ranked gene has a symbol, and the classes ranked from one or two samples."""
    notes = [f"  {LOWER_LEGEND}"] if has_lower_mark(class_lines) else []
    notes += [f"  {PIXEL_LEGEND}"] if has_pixel_group(class_lines) else []
    if len(ranking) and (ranking["symbol"].astype(str) == ranking["gene_id"].astype(str)).all():
        entrez = detect_id_kind(ranking["gene_id"].astype(str).unique()) == "entrez"
        notes.append("  no gene symbols in the bundle: ids shown"
                     + ("; no annotation here maps Entrez ids to symbols" if entrez
                        else "; prepare with --annotation for symbols"))
    n = ranking.groupby("class", sort=True)["n_samples"].first()
    if len(few := n[n < 3]):
        names = ", ".join(map(str, few.index[:6])) + (f" +{len(few) - 6} more" if len(few) > 6 else "")
        notes.append(wrapped(f"  n < 3 ({names}): rankings of one or two samples, not of the "
                             "class", first_whole=False))  # was 102 wide (31 classes)
    return notes


def barely_moved_lines(c: dict[str, Any]) -> list[str]:
    """``(1 whose output moved less than 0.105 from the reference, 5% of the median move
    (at least 0.001), left out: ...)``: the samples the relative numbers leave out, with the
    cutoff (``barely_moved_cutoff``) where recorded; [] where none was."""
    n = c.get("n_samples_barely_moved")
    if not n or n == c.get("n_samples"):  # all of them: completeness says none was measured
        return []
    cut = c.get("barely_moved_cutoff")
    if cut is None:  # a record from before the cutoff was kept
        return [f"    ({n} whose output barely moved from the reference left out: a % of "
                "almost nothing means little)"]
    return [f"    ({n} whose output moved less than {cut:.3g} from the reference, 5% of the "
            "median move", "     (at least 0.001), left out: a % of almost nothing means little)"]


def compared_with(c: dict[str, Any]) -> str:
    """What completeness checks the attributions' sum against: ``f(x) - f_frozen(baseline)``
    where the routing was frozen (it said ``f(x) - f(baseline)`` for every method)."""
    return "f(x) - f_frozen(baseline)" if c.get("routing") == "frozen" else "f(x) - f(baseline)"


def routing_jump_lines(c: dict[str, Any]) -> list[str]:
    """With the routing frozen, how far the live model's output at the baseline lies from
    the frozen one's (``routing_jump``), relative to the live change (train_ig: that of the
    mean over its references, and the mean per-reference |jump|, which does not cancel);
    else nothing."""
    j = c.get("routing_jump")
    if not j:
        return []
    return [f"  routing jump, f(baseline) - f_frozen(baseline), which the attributions leave "
            f"out: {j['median_relative']:.2%}",
            f"    of |f(x) - f(baseline)| in the median sample, at most {j['max_relative']:.2%} "
            "(convergence.json: routing_jump)",
            *([f"    per reference, the mean |jump| (no cancelling): "
               f"{j['median_relative_per_reference']:.2%} in the median sample, at most "
               f"{j['max_relative_per_reference']:.2%}"]
              if "median_relative_per_reference" in j else []), *_live_miss_lines(c)]


def _live_miss_lines(c: dict[str, Any]) -> list[str]:
    """Where the routing jump passes :data:`~genemoe.explain.routing_jump.JUMP_WARN`, that
    the completeness headline is against the frozen routing and how far the attributions
    miss the live model (a survival Gene-MOE's "off by 0.00%" headline read as exact beside
    a 79% per-reference jump, said only further down); else []."""
    j, off = c.get("routing_jump") or {}, c.get("median_relative_delta")
    miss = max(j.get("median_relative", 0.0), j.get("median_relative_per_reference", 0.0))
    if miss <= JUMP_WARN or off is None:
        return []
    each = " per reference" if "median_relative_per_reference" in j else ""
    return [wrapped(f"  so against the live model, f(x) - f(baseline), the attributions miss "
                    f"{miss:.0%}{each} in the median sample: the completeness above "
                    f"({off:.2%}) holds for the frozen routing only", first_whole=False)]


def pooling_text(c: dict[str, Any], *, counts: bool = True) -> str | None:
    """A survival ranking pooled over few samples or over several cancer types, said:
    ``one ranking of 8 samples over 4 cancer types (ACC 3, ...), drawn 8 of 74: few
    patients; type differences may rank as risk genes``; None otherwise (or for classify).
    ``counts=False`` leaves the types' counts out (:func:`pooled_counts_text` says them:
    the terminal's line ran to 150 characters)."""
    types = c.get("samples_by_cancer_type") or {}
    n = int(c.get("n_samples") or 0)
    if c.get("task") != "survival" or not n or (n >= _FEW_POOLED and len(types) <= 1):
        return None
    shown = f" ({pooled_counts_text(c)})" if counts else ""
    text = (f"one ranking of {n} sample{'s' if n != 1 else ''}"
            + (f" over {len(types)} cancer types{shown}" if len(types) > 1 else ""))
    d = c.get("drawn_from") or {}
    if d.get("n", 0) > n:
        text += f", drawn {n} of {d['n']}"
    caveats = (["few patients"] if n < _FEW_POOLED else []) + (
        ["type differences may rank as risk genes"] if len(types) > 1 else [])
    return f"{text}: {'; '.join(caveats)}"


def pooled_counts_text(c: dict[str, Any]) -> str:
    """The explained samples' cancer types by count, most first, at most six named:
    ``ACC 6, KICH 3, UVM 3``; "" for one type."""
    types = c.get("samples_by_cancer_type") or {}
    if len(types) <= 1:
        return ""
    counts = sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{t} {k}" for t, k in counts[:6]) + (", ..." if len(counts) > 6 else "")


def pooled_lines(c: dict[str, Any]) -> list[str]:
    """The terminal's lines saying a pooled survival ranking (:func:`pooling_text`), the
    types' counts on a line of their own (one line ran to 150 characters)."""
    if not (pooled := pooling_text(c, counts=False)):
        return []
    return [wrapped(f"  pooled: {pooled}", first_whole=False)] + (
        [f"    by cancer type: {n}"] if (n := pooled_counts_text(c)) else [])


def took_text(seconds: float) -> str:
    """``1.86 ms``, ``8.4 s``, ``4 min 33 s``, ``1 h 03 min``: a duration for people
    (:func:`genemoe.text_time.fmt_seconds`, its short durations' figures kept)."""
    return fmt_seconds(seconds, fine=True)


def took_lines(c: dict[str, Any]) -> list[str]:
    """What the attributions cost: ``attributions took 4 min 33 s (18.2 s per sample, on
    cpu)`` from ``convergence.json``'s ``seconds_per_sample`` (recorded, never said: the
    terminal gave an estimate before a long run only, and no time after); [] without it."""
    per, n = c.get("seconds_per_sample"), int(c.get("n_samples") or 0)
    if per is None or not n:
        return []
    where = f", on {c['device']}" if c.get("device") else ""
    return [f"  attributions took {took_text(float(per) * n)} ({short_seconds(float(per))} per "
            f"sample{where})"]
