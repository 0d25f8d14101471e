"""The summary lines of ``genemoe predict --labels`` (notes as
:mod:`~genemoe.workflows.predict_text` makes them: code, level, text and data): how the
labels matched, which samples the headline scores cover, and what was left out of them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from genemoe.data.prepare_labels import marks_text
from genemoe.errors import nearest_names
from genemoe.workflows.predict_text import Note, note

__all__ = ["label_notes", "GROUP_WORDS"]

GROUP_WORDS = {"new": "new", "test": "its test split",
               "model_own": "the model's own training or validation samples",
               "other_sample_type": "other sample types"}


def _most(predicted_as: dict[str, int]) -> str:
    top = max(predicted_as, key=lambda k: predicted_as[k])
    return f"{top} {predicted_as[top]:,}"


def _acc(split: dict[str, Any]) -> str:
    """``0.848 (n = 197)`` for a ``by_split`` entry."""
    return f"{split['accuracy']:.3f} (n = {split['n']:,})"


def _separators(labels: dict[str, Any]) -> str:
    """``'.'``, ``'_'`` or ``'.' or '_'``: the characters the barcodes had for their dashes
    (``'.'`` for counts recorded before they were)."""
    seen = labels.get("barcode_separators") or ["."]
    return " or ".join(f"'{c}'" for c in seen)


def _match_note(scores: dict[str, Any], labels: dict[str, Any]) -> Note:
    """How many samples the tables labelled, by which rule, how many table rows named no
    sample (9,954 of pancan33's table, recorded only), and what was respelt."""
    names = ", ".join(Path(f).name for f in labels.get("files") or [labels["file"]])
    by = ", ".join(f"{r} {v:,}" for r, v in labels["matched_by"].items() if v)
    respelt = sorted(labels["respelt"].items(), key=lambda kv: -kv[1])
    n_respelt = sum(v for _, v in respelt)
    dotted = {"label": labels.get("barcodes_respelt", 0),
              "sample": labels.get("expression_barcodes_respelt", 0)}
    said = " and ".join(f"{n:,} {w}" for w, n in dotted.items() if n)
    missing = scores["n_unlabelled"]
    idle = labels.get("rows_naming_no_sample") or 0  # recorded, was unsaid (as prepare says it)
    return note("label_match", "caveat" if missing else "info",
                 f"--labels {names}: {scores['n_labelled']:,} of {scores['n_samples']:,} "
                 f"samples labelled (by {by or 'none'})"
                 + (f"; {missing:,} without a label, unscored" if missing else "")
                 + (f"; {idle:,} table row{'s' * (idle != 1)} name{'s' * (idle == 1)} no "
                    "sample here" if idle else "")
                 + (f"; {said} barcode{'s' * (sum(dotted.values()) != 1)} with "
                    f"{_separators(labels)} for '-' read as dashed" if said else "")
                 + (f"; respelt as TCGA codes: {n_respelt:,} labels, table rows included (e.g. "
                    f"{respelt[0][0].replace(' -> ', ' → ')})" if respelt else ""),
                 n_unlabelled=missing, matched_by=labels["matched_by"],
                 rows_naming_no_sample=idle,
                 barcodes_respelt=dotted["label"],
                 sample_barcodes_respelt=dotted["sample"])


def _empty_note(labels: dict[str, Any]) -> list[Note]:
    """A warning for samples matched to rows whose type is empty (all of them: the wrong
    column, or an export that lost it)."""
    n = labels.get("samples_with_empty_type", 0)
    if not n:
        return []
    cols = ", ".join(f"{c!r} of {f}" for f, c in (labels.get("label_columns") or {}).items())
    marks: dict[str, int] = {}  # '#N/A' and other missing-value marks, read as empty cells
    for per_file in (labels.get("na_marks") or {}).values():
        for mark, rows in per_file.items():
            marks[mark] = marks.get(mark, 0) + rows
    return [note("label_empty_types", "warning",
                  f"{n:,} sample{'s' * (n != 1)} matched label rows whose cancer type is empty"
                  + (f" (column {cols})" if cols else "")
                  + (f" ({marks_text(marks)})" if marks else "") + ": unlabelled, unscored; "
                  "fill the types or name their column with --label-column",
                  samples_with_empty_type=n, na_marks=marks)]


def _headline_note(scores: dict[str, Any], class_names: Sequence[str]) -> Note:
    """The headline: accuracy and macro-F1 with their intervals, and the set they cover."""
    g = scores["groups"]
    n_head = g["new"] + g["test"]
    if scores["accuracy"] is None:
        if not scores["n_labelled"]:
            return note("label_scores", "warning", "no sample has a label: nothing scored",
                         groups=g)
        if not n_head:
            own = (f" (with them: accuracy {scores['accuracy_incl_model_own']:.3f}, not a "
                   "validation)" if scores["accuracy_incl_model_own"] is not None else "")
            return note("label_scores", "warning",
                         f"none of the labelled samples is external: {g['model_own']:,} are "
                         f"the model's own training or validation samples{own} and "
                         f"{g['other_sample_type']:,} of other sample types; nothing scored",
                         groups=g)
        return note("label_scores", "warning",
                     f"none of the {n_head:,} labelled samples not the model's own is of one "
                     f"of the model's {len(class_names)} types: nothing to score against them",
                     groups=g)
    k, n = len(scores["macro_f1_types"]), scores["n_scored"]
    lo, hi = scores["accuracy_ci95"]
    f_ci = scores.get("macro_f1_ci95")
    scored = {s: (scores["by_split"].get(s) or {}).get("n", 0) for s in ("test", "new")}
    patients = (f"accuracy over the samples, its interval over their {scores['n_patients']:,} "
                "patients" + (f" (effective n {eff:g})" if (eff := scores.get("n_effective"))
                              else "") if scores.get("patients_repeat") else "")  # "intervals
    #   over their 72 patients" read as n 72 where Kish's 69.4 made it
    over = (f"the {n:,} samples not the model's own (its test split {scored['test']:,}, new "
            f"{scored['new']:,}" + (f"; {patients}" if patients else "") + ")"
            if scores.get("split_ids_known", True) else
            f"all {n:,} labelled samples (the model file has no split ids: its own samples "
            "cannot be told apart" + (f"; {patients}" if patients else "") + ")")
    one = (f" (one labelled type: the F1 of {scores['macro_f1_types'][0]}, its precision 1 by "
           "construction)" if k == 1 else "")  # 0.800 beside accuracy 0.667
    #   read as a second, better score
    return note("label_scores", "info",
                 f"accuracy {scores['accuracy']:.3f} (95% CI {lo:.3f}–{hi:.3f}) and macro-F1 "
                 f"{scores['macro_f1']:.3f}" + (f" ({f_ci[0]:.3f}–{f_ci[1]:.3f})" if f_ci else
                                                 f" (interval not informative, n = {n:,})"
                                                 if scores.get("macro_f1_ci_note") else "")
                 + f" over {k} type{'s' * (k != 1)}{one}, of {over}" + _calibration_said(scores),
                 groups=g, n_patients=scores.get("n_patients"), ece=scores.get("ece"))


def _calibration_said(scores: dict[str, Any]) -> str:
    """``; expected calibration error on them 0.052 (mean confidence 0.911)``, or ``""``."""
    if scores.get("ece") is None:
        return ""
    return (f"; expected calibration error on them {scores['ece']:.3f} (mean confidence "
            f"{scores['mean_confidence']:.3f})")


def _split_note(scores: dict[str, Any]) -> list[Note]:
    """The headline's parts and the model's own samples, scored apart."""
    s = scores["by_split"]
    if not s.get("model_own") and not (s.get("new") and s.get("test")):
        return []
    both = bool(s.get("new") and s.get("test"))  # one of them alone is the headline again
    parts = [f"{GROUP_WORDS[g]} {_acc(s[g])}" for g in ("new", "test") if s.get(g) and both]
    text = ("by split: " + ", ".join(parts) if parts else "" if s.get("new") or s.get("test")
            else "by split: no sample new or of its test split")
    if s.get("model_own"):
        text += (f"{'; ' if text else ''}the model's own training or validation samples {_acc(s['model_own'])}, "
                 f"not in the headline (all pooled: accuracy "
                 f"{scores['accuracy_incl_model_own']:.3f}, macro-F1 "
                 f"{scores['macro_f1_incl_model_own']:.3f})")
    return [note("label_splits", "caveat" if s.get("model_own") else "info", text,
                  by_split={k: v["accuracy"] for k, v in s.items()})]


def _left_out_notes(scores: dict[str, Any]) -> list[Note]:
    """Samples of other sample types, and the types called but never given."""
    out = []
    if n := scores.get("n_not_predicted"):  # empty profiles: left unscored, so unscored here
        out.append(note("label_not_predicted", "caveat",
                         f"{n:,} labelled sample{'s' * (n != 1)} with no prediction (every value "
                         "0 or missing) left out of the scores", n_samples=n))
    if n := scores["n_other_sample_type"]:
        acc = scores["by_split"].get("other_sample_type")
        out.append(note("label_other_sample_types", "caveat",
                         f"{n:,} labelled sample{'s' * (n != 1)} of sample types the model was "
                         "not trained on "
                         "(normals, metastases: a tumour type is not their tissue's truth) left "
                         "out of the scores" + (f" (accuracy among them {acc['accuracy']:.3f})"
                                                if acc else ""), n_samples=n))
    if calls := scores.get("false_calls"):
        ranked = sorted(calls.items(), key=lambda tv: (-tv[1], tv[0]))  # largest first: the
        #   first 5 alphabetically hid LUAD's 67 of a probe's 157
        shown = ", ".join(f"{t} {v:,}" for t, v in ranked[:5]) + (
            f", ... ({len(calls)} types, {sum(calls.values()):,} calls)" if len(calls) > 5 else "")
        out.append(note("label_false_calls", "caveat",
                         f"called types no scored sample is labelled with: {shown} (false "
                         "calls: they lower their samples' types' recall, not types of the "
                         "macro-F1)", false_calls=calls))
    return out


def _unknown_note(scores: dict[str, Any], class_names: Sequence[str]) -> list[Note]:
    """Samples of types the model never saw: never right, counted apart."""
    if not scores["n_unknown_type"]:
        return []
    u = scores["unknown_types"]
    types = ", ".join(f"{t} {v['n']:,}" for t, v in list(u.items())[:5])
    types += ", ..." if len(u) > 5 else ""
    near = nearest_names(list(u)[:5], class_names)
    most = ", ".join(f"{t} as {_most(v['predicted_as'])}"
                     for t, v in list(u.items())[:3]) + (", ..." if len(u) > 3 else "")
    acc = scores["accuracy_all_labelled"]
    return [note("label_unknown_types", "caveat",
                  f"{(k := scores['n_unknown_type']):,} sample{'s' * (k != 1)} of types the "
                  "model was not "
                  f"trained on ({types}){near}: never right, left out of accuracy and "
                  f"macro-F1 (mostly predicted: {most}"
                  + (f"; with them, accuracy {acc:.3f})" if acc is not None else ")"),
                  types={t: v["n"] for t, v in u.items()})]


def _unknown_elsewhere_note(scores: dict[str, Any]) -> list[Note]:
    """Samples of types the model never saw outside the headline (its own samples, other
    sample types): counted there too, so each group's samples add up."""
    found = {g: u for g, u in (scores.get("unknown_types_by_group") or {}).items()
             if g not in ("new", "test")}  # the headline's: _unknown_note
    if not found:
        return []
    parts = []
    for g, u in found.items():
        k = sum(v["n"] for v in u.values())
        types = ", ".join(f"{t} {v['n']:,}" for t, v in list(u.items())[:5])
        parts.append(f"{k:,} of {GROUP_WORDS[g]} ({types}{', ...' if len(u) > 5 else ''})")
    n = sum(v["n"] for u in found.values() for v in u.values())
    return [note("label_unknown_types_elsewhere", "caveat",
                  f"{n:,} sample{'s' * (n != 1)} outside the headline of types the model was "
                  f"not trained on: {'; '.join(parts)}: never right, left out of their "
                  "group's accuracy", n_samples=n,
                  groups={g: sum(v["n"] for v in u.values()) for g, u in found.items()})]


def label_notes(scores: dict[str, Any], labels: dict[str, Any], class_names: Sequence[str]
                ) -> list[Note]:
    """The summary's lines of a ``--labels`` scoring.

    Parameters
    ----------
    scores
        :func:`~genemoe.workflows.predict_score.score_predictions`'s dict.
    labels
        :func:`~genemoe.workflows.predict_score.match_labels`'s counts.
    class_names
        The model's ``n_classes`` types.

    Returns
    -------
    list of dict
        Notes (``code``, ``level``, ``text`` and data), in the order said.
    """
    return [_match_note(scores, labels), *_empty_note(labels),
            _headline_note(scores, class_names), *_split_note(scores),
            *_left_out_notes(scores), *_unknown_note(scores, class_names),
            *_unknown_elsewhere_note(scores)]
