"""What ``genemoe predict`` says under its output: the summary's lines (calibration, risk,
genes, unfamiliar and other-tissue samples), wrapped for a terminal, and the output's
significant digits. Text from a model file's payload and a prediction's report dict.

Each line is a note, ``{"code", "level", "text", **data}``: ``level`` is ``warning`` (said
with ``warning:``), ``caveat`` or ``info``; the record beside the output keeps every warning
and caveat with its data (:func:`recorded`), the terminal shows them all (:func:`lines`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genemoe.data.crossscale import COUNT_BASED
from genemoe.data.scaling import share_text
from genemoe.data.values import COUNTS_QUESTION, estimated_counts_cue, estimated_counts_note
from genemoe.errors import InputError
from genemoe.evaluate.brier import (
    DAYS_PER_YEAR,
    HORIZONS_YEARS,
    endpoint_name,
    event_word,
    last_event_time,
    probability_word,
)
from genemoe.report.text import fmt_apart
from genemoe.text_wrap import WIDTH, wrapped  # predict's wrapping, shared with explain
from genemoe.workflows.predict_missing import gene_set_shift_words, missing_gene_names

if TYPE_CHECKING:
    from genemoe.data.read import ExpressionTable

__all__ = ["Note", "note", "wrapped", "headline", "significant", "lines", "recorded", "logged_notes",
           "estimated_counts_notes", "read_notes", "given_shift_notes",
           "summary_notes", "missing_notes", "weighted_missing_notes", "sample_type_notes", "probability_notes",
           "repeated_patients_notes", "risk_notes", "aligned_risk_notes", "unused_notes", "empty_notes",
           "other_scale_notes", "unfamiliar_counts", "unfamiliar_notes", "model_endpoint",
           "clipped_notes", "CLIPPED_WARN"]

Note = dict[str, Any]  # {"code", "level", "text", **data}
CLIPPED_WARN = 0.01  # share of values clipped from which it is a warning (training's: <0.1%)


def note(code: str, level: str, text: str, **data: Any) -> Note:
    """One note of predict's summary and record.

    Parameters
    ----------
    code : str
        What it is about (``given_scale_shift``).
    level : str
        ``warning``, ``caveat`` or ``info``.
    text : str
        Its sentence.
    **data
        Its numbers, recorded beside the text.

    Returns
    -------
    Note
        ``{"code", "level", "text", **data}``.
    """
    return {"code": code, "level": level, "text": text, **data}


def headline(head: str, output: object, width: int = WIDTH) -> str:
    """The summary's first line, ``head → output``; where that passes ``width`` (a classical
    model's ran to 101), ``head`` wrapped and ``→ output`` on a line of its own, whole.

    Parameters
    ----------
    head : str
        What was scored with what (``scored 120 samples with logreg (classify, fp64, ...)``).
    output : object
        The output's path, never broken.
    width : int
        The widest line.

    Returns
    -------
    str
        One line, or the head's lines and ``  → output``.
    """
    whole = f"{head} → {output}"
    if len(whole) <= width:
        return whole
    return "\n".join([*textwrap.wrap(head, width, subsequent_indent="    ", break_long_words=False,
                                     break_on_hyphens=False), f"  → {output}"])


def lines(notes: list[Note]) -> str:
    """The summary's lines of ``notes``, each on its own line, a warning's after ``warning:``."""
    return "".join(f"\n  {'warning: ' * (n['level'] == 'warning')}{n['text']}" for n in notes)


def recorded(notes: list[Note]) -> list[Note]:
    """The warnings and caveats of ``notes``: what the record keeps (info lines left out)."""
    return [n for n in notes if n["level"] != "info"]


def logged_notes(messages: list[str], typed: Sequence[Note] = ()) -> list[Note]:
    """Warnings the loggers said on the way (stderr), as notes of code ``logged``; a message
    that is the text of one of ``typed`` (notes with their own code and data) is that note
    (the scale-shift warning was kept as ``logged``, its numbers in its text only). Those of
    ``typed`` not logged (a read note, said at INFO) come first."""
    by_text = {n["text"]: n for n in typed}
    said = [by_text.pop(m, None) or note("logged", "warning", m) for m in messages]
    return [*by_text.values(), *said]


def estimated_counts_notes(table: ExpressionTable, method: str, rule: str,
                           requested: str = "auto") -> list[Note]:
    """The read's question whether linear ``table`` holds estimated counts (Salmon, RSEM,
    nf-core gene_counts), answered with what predict does and accepts: it has no
    ``--normalisation log2cpm`` (prepare's answer, which the read note gave), but ``model``
    normalises them as counts with a count-based model's own normalisation, and ``quantile``
    aligns each sample from its ranks, whatever its depth. A caveat where another option
    would do better (``model`` normalisation ``method``, scale rule ``rule``, ``requested``
    ``--normalisation``), info where predict already does that; none without the cue."""
    values = np.asarray(table.values)
    if table.value_kind != "linear" or not values.size or float(np.min(values)) < 0:
        return []
    cue = estimated_counts_cue(values, table.source_path.name)
    if cue is None:
        return []
    counted = method in COUNT_BASED
    if rule == "same" and counted:  # --normalisation model asked: done as prepare would
        level, hint = "info", f"normalised as counts with the model's {method}, as asked"
    elif rule == "same":  # a log2p1 model's own: log2(x + 1), no depth normalisation
        level, hint = "caveat", ("then pass --normalisation quantile (each sample aligned from "
                                 f"its ranks, whatever its depth); now the model's own "
                                 f"{'log2(x + 1)' if method == 'log2p1' else method}, with no "
                                 "library-size normalisation")
    elif counted and requested == "auto":
        level, hint = "caveat", (f"then pass --normalisation model (the model's {method}, as for "
                                 "counts); now log2(x + 1) and quantile-aligned as linear values")
    else:
        level, hint = "info", "each sample is aligned from its ranks, whatever its depth"
    return [note("estimated_counts", level, estimated_counts_note(cue, hint),
                  file=str(table.source_path), whole_share=round(cue[0], 4),
                  named_counts=cue[1], normalisation=method, scale_rule=rule)]


def read_notes(notes: list[str], counts: list[Note]) -> list[str]:
    """The read step's ``notes`` as predict says them: the estimated-counts question
    answered by ``counts`` (:func:`estimated_counts_notes`), not by prepare's option."""
    if not counts:
        return notes
    text = counts[0]["text"]
    out = [text if COUNTS_QUESTION in n else n for n in notes]
    return out if text in out else [*out, text]


def given_shift_notes(shift: np.ndarray | None, *, warn_above: float,
                      own_below: float) -> list[Note]:
    """A warning when values taken as the model's scale (``--normalisation none``) sit a
    median of more than ``warn_above`` log2 units from its training distribution (``shift``
    ``(n_samples,)``, each sample's distance; files of the model's own scale sit under
    ``own_below``): most likely another scale. Its numbers are its data."""
    if shift is None:
        return []
    finite = np.asarray(shift, np.float64)[np.isfinite(shift)]
    median = float(np.median(finite)) if finite.size else 0.0
    if median <= warn_above:
        return []
    return [note("given_scale_shift", "warning",
                  f"--normalisation none: the values sit a median {median:.1f} log2 units from "
                  f"the model's training distribution (files of its own scale: under "
                  f"{own_below:g}), so they are most likely on another scale (Xena's star_fpkm-uq "
                  "is ~15 units below genemoe's FPKM-UQ from counts): their scores mean little; "
                  "use --normalisation quantile (input_shift in the output)",
                  median_shift=round(median, 3), warn_above=warn_above, own_scale_below=own_below,
                  n_samples_above=int((finite > warn_above).sum()), n_samples=int(finite.size))]


def significant(df: pd.DataFrame, digits: int) -> pd.DataFrame:
    """``df`` with every float column rounded to ``digits`` significant digits."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [float(f"{v:.{digits}g}") for v in out[col].to_numpy(np.float64)]
    return out


def _barcodes(df: pd.DataFrame) -> list:
    """Each ``sample_id``'s parsed TCGA barcode, None for an id that is not one."""
    from genemoe.data.tcga import parse_barcode

    out = []
    for sid in df["sample_id"].astype(str):
        try:
            out.append(parse_barcode(sid))
        except InputError:
            out.append(None)
    return out


def sample_type_notes(df: pd.DataFrame, payload: dict) -> list[Note]:
    """A warning for samples whose TCGA barcode names a sample type the model was not
    trained on (a probe: 18 of 20 normals, -11A, passed the unfamiliar flag and were called
    tumour types, one ACC at 0.74, unsaid); ids that are not barcodes say nothing."""
    from genemoe.data.tcga import sample_type_label

    trained = set((payload.get("record") or {}).get("config", {}).get("sample_types") or ())
    codes = [b and b.sample_code for b in _barcodes(df)]
    odd = [i for i, c in enumerate(codes) if c and trained and c not in trained]
    if not odd:
        return []
    other = pd.Series([codes[i] for i in odd], dtype=object).value_counts()
    kinds = ", ".join(f"{sample_type_label(c)}: {n:,}" for c, n in other.items())
    return [note("other_sample_type", "warning",
                  f"{len(odd):,} sample{'s' if len(odd) != 1 else ''} of a sample type the model "
                  f"was not trained on, by their barcodes ({kinds}; its training bundle "
                  f"admitted sample types {', '.join(sorted(trained))}): their calls and risks "
                  "are a tumour model's reading of another tissue", n_samples=len(odd),
                  by_sample_type={str(c): int(n) for c, n in other.items()},
                  admitted_in_training=sorted(trained),  # prepare's filter (not those seen)
                  sample_ids=[str(s) for s in df["sample_id"].iloc[odd]])]


def repeated_patients_notes(df: pd.DataFrame) -> list[Note]:
    """A note for patients with several samples in the file (by TCGA barcode: two 01A
    aliquots scored as two rows, unsaid): each row is scored on its own, and a survival
    risk is one patient's twice. The record names every such patient and its samples."""
    patients = pd.Series([b and b.patient_id for b in _barcodes(df)], dtype=object)
    counts = patients.dropna().value_counts()
    many = counts[counts > 1]
    if many.empty:
        return []
    ids = df["sample_id"].astype(str).to_numpy()
    shown = ", ".join(f"{p} ({n})" for p, n in many.head(3).items())
    return [note("repeated_patients", "caveat",
                  f"{len(many):,} patient{'s' * (len(many) != 1)} with several samples in the "
                  f"file ({shown}{', ...' if len(many) > 3 else ''}): each sample scored on its "
                  "own; count a patient once when summarising", n_patients=len(many),
                  patients={str(p): ids[(patients == p).to_numpy()].tolist() for p in many.index})]


def probability_notes(payload: dict, *, aligned: bool = False, checked: bool = False
                      ) -> list[Note]:
    """How a classifier's probabilities were calibrated, and how well it held on the test
    split (the column said "temperature (T = 1.3, validation)" and the summary nothing);
    ``aligned``: the inputs were quantile-aligned, where that test-split figure was not
    checked (the terminal stated it bare; a probe's cohort was off by about 0.10);
    ``checked``: ``--labels`` measured it on these samples (the accuracy line says it)."""
    calib = payload.get("calibration") or {}
    if payload.get("task") != "classify" or "temperature" not in calib:
        return []
    metrics = payload.get("metrics") or {}
    n_val, ece = (metrics.get("val") or {}).get("n"), (metrics.get("test") or {}).get("ece")
    own = {"svm": "top-label calibrated on cross-validated training rows, then ",
           "svm_linear": "its cross-validated temperature, then "}.get(payload.get("model_name"), "")
    return [note("probabilities", "info", "probabilities: " + own  # svm: both said
                  + "temperature-scaled on the model's "
                  + (f"{n_val:,} validation samples" if n_val else "validation split")
                  + ("" if ece is None else
                     f"; expected calibration error on its test split {ece:.3f}"
                     + (" (on these samples: beside the accuracy below)" if checked else
                        " (not checked on aligned inputs such as these)" if aligned else "")))]


def risk_notes(payload: dict) -> list[Note]:
    """What a survival model's ``risk`` is, and horizons its baseline cannot reach (the
    column was a number without its meaning; empty 1/3/5-year columns were unsaid)."""
    if payload.get("task") != "survival":
        return []
    calib = payload.get("calibration") or {}
    scale, n_ev = float(calib.get("risk_scale", 1.0)), calib.get("n_events")
    ep = model_endpoint(payload)  # a PFI model's risk read as overall survival's
    sooner = "shorter survival" if event_word(ep) == "death" else f"a sooner {ep} event"
    notes = [note("risk", "info", f"risk: log relative hazard, higher = {sooner}"
                   + (f" (× {scale:.3g}, the scale fitted on validation"
                      + (f", {n_ev} event{'s' * (n_ev != 1)}" if n_ev is not None else "") + ")"
                      if scale != 1.0 else "")
                   + ("; risk_percentile: its rank among the training patients"
                      if payload.get("train_risk") is not None else "")
                   + (f"; endpoint {endpoint_name(ep)}" if ep else ""))]
    types = (payload.get("survival_baseline") or {}).get("cancer_types") or []
    if len(types) > 1:  # a clinician read the 1/3/5-year columns as the patient's own type's
        shown = ", ".join(types[:6]) + (f", ... ({len(types)})" if len(types) > 6 else "")
        notes.append(note("pooled_survival_baseline", "caveat",
                           f"survival_1y/3y/5y and risk_percentile: one baseline and one ranking "
                           f"pooled over the training's {len(types)} cancer types ({shown}), not "
                           "per type", cancer_types=list(types)))
    test = (payload.get("metrics") or {}).get("test") or {}
    ibs, null = test.get("integrated_brier_score"), test.get("ibs_null_reference")
    if ibs is not None and null is not None and ibs > null:  # said by train only: 3-year
        shown = fmt_apart(ibs, null)  # "0.196 against 0.196" (0.19597, 0.19583)
        notes.append(note("survival_worse_than_no_model", "warning",  # survival 6.6e-75
                           f"on its test split the model's survival curves were worse than no "
                           f"model (integrated Brier {shown[0]} against {shown[1]} for the "
                           "no-model curve): read risk and risk_percentile as a ranking, not "
                           "survival_1y/3y/5y as probabilities", split="test",
                           integrated_brier_score=float(ibs), ibs_null_reference=float(null)))
    last = last_event_time(payload.get("survival_baseline"))  # Coxnet's lists censored times
    beyond = [y for y in HORIZONS_YEARS if last is not None and y * DAYS_PER_YEAR > last]
    if beyond:
        notes.append(note("horizons_beyond_last_death", "caveat",
                           f"{probability_word(ep)} at {', '.join(map(str, beyond))} "
                           f"year{'s' * (beyond != [1])}: empty, beyond the last training "
                           f"{event_word(ep)} (day {last:,.0f})",
                           years=beyond, last_event_day=float(last)))
    return notes


def model_endpoint(payload: dict) -> str | None:
    """A survival model's endpoint (``OS``, ``PFI``): its training metrics' protocol, else
    its resolved config; None for a classifier or an older model that recorded none."""
    if payload.get("task") != "survival":
        return None
    prot = (payload.get("metrics") or {}).get("protocol") or {}
    ep = prot.get("endpoint") or (payload.get("config") or {}).get("endpoint")
    return str(ep) if ep else None


def aligned_risk_notes(report: dict, payload: dict) -> list[Note]:
    """A caveat for a survival model's risks from quantile-aligned input (another scale
    than the model's): a probe's TPM moved a patient's percentile 85.6 → 98.2 and 5-year
    survival 0.012 → 0.194 against counts of the same samples, said nowhere."""
    if payload.get("task") != "survival" or report.get("scale_rule") != "quantile":
        return []
    method = payload.get("normalisation")
    own = ("raw counts" if method in COUNT_BASED else "the model's own input scale")
    return [note("aligned_risk", "caveat",
                  "risk from quantile-aligned input (another scale than the model's): "
                  "approximate; the rank order mostly holds, but risk, risk_percentile and "
                  f"survival_1y/3y/5y can move a lot; for risk, score {own}",
                  normalisation=method, scale_rule="quantile")]


def _absent_words(report: dict) -> str:
    """``absent from the file (e.g. TP53, BRCA1, ENSG00000000460, ...; p.record.json:
    missing_gene_ids)``: the model's genes no sample of the file has, the first named."""
    n = int(report.get("n_genes_absent_from_file") or 0)
    shown = ", ".join(missing_gene_names(report)) + (", ..." if n > 3 else "")
    where = report.get("missing_genes_at") or "the record's missing_gene_ids"
    return f"absent from the file (e.g. {shown}; {where})"


def _partial_words(report: dict) -> str:
    """``missing in some samples (at most 5 in one)``."""
    most = int(report.get("max_missing_in_some_samples") or 0)
    return f"missing in some samples (at most {most:,} in one; n_missing_genes)"


def _missing_facts(report: dict) -> dict[str, Any]:
    """The missing-genes note's counts of absent and partly missing genes, as recorded."""
    return {k: int(report.get(k) or 0) for k in (
        "n_genes_absent_from_file", "n_genes_missing_in_some_samples",
        "max_missing_in_some_samples")}


def _missing_head(report: dict, n_model: int) -> str | None:
    """``1,897 of the model's 19,400 absent from the file (e.g. ...), 12 more missing in
    some samples (...)``; None for a report without the split (an older caller's)."""
    if "n_genes_absent_from_file" not in report:
        return None
    n_absent, n_some = (int(report.get(k) or 0) for k in (
        "n_genes_absent_from_file", "n_genes_missing_in_some_samples"))
    if not n_absent:
        return (f"none absent from the file; {n_some:,} of the model's {n_model:,} "
                f"{_partial_words(report)}" if n_some else None)
    head = f"{n_absent:,} of the model's {n_model:,} {_absent_words(report)}"
    return f"{head}, {n_some:,} more {_partial_words(report)}" if n_some else head


def missing_notes(report: dict, payload: dict) -> list[Note]:
    """The model's genes the file lacks (filled with the training mean), and their weight:
    those absent from the whole file named (the first few; all in the record or its side
    file), those missing in some samples only counted (was "at most 1,897 of the model's
    19,400 per sample", for genes no sample had, and none of them named)."""
    n_model, worst = len(payload["gene_ids"]), report["max_missing_genes"]
    if 0 < report.get("n_weighted_genes", n_model) < n_model:  # a sparse linear model
        return weighted_missing_notes(report, n_model)
    if not worst:  # was "at most 0 of the model's 1,471"
        return [note("missing_genes", "info", f"missing genes: none of the model's {n_model:,}")]
    share = report.get("max_missing_weight_share")
    head = (_missing_head(report, n_model)
            or f"at most {worst:,} of the model's {n_model:,} per sample")
    return [note("missing_genes", "caveat",
                  f"missing genes: {head}"
                  + ("" if share is None else f"; {share:.0%} of its weight" if not int(
                      report.get("n_genes_missing_in_some_samples") or 0)  # alike in each
                     else f"; at most {share:.0%} of its weight in one sample")
                  + "; filled with the training mean"
                  + ("; the fill makes a sample look more like training to the unfamiliar flag"
                     if report.get("n_unfamiliar") is not None else ""),
                  max_missing_genes=int(worst), n_model_genes=n_model, **_missing_facts(report),
                  **({} if share is None else {"max_missing_weight_share": share}))]


def weighted_missing_notes(report: dict, n_model: int) -> list[Note]:
    """The missing-genes line of a linear model whose output depends on fewer genes than it
    reads, counted among those (a 6-gene Coxnet was "none of the model's 19,076", and 23
    of its genes missing "at most 23 of the model's 19,409"); then, of all the model's
    genes, those absent from the file named and those missing in some samples counted."""
    n_w, worst, worst_w = (report["n_weighted_genes"], report["max_missing_genes"],
                           report["max_missing_weighted_genes"])
    facts = {"max_missing_genes": int(worst), "n_model_genes": n_model, "n_weighted_genes": n_w,
             "max_missing_weighted_genes": int(worst_w), **_missing_facts(report)}
    head = _missing_head(report, n_model) if worst else None
    named = f"; {head}" if head else ""
    if not worst_w:
        rest = (f"; at most {worst:,} without weight missing per sample, filled from the "
                "training data: no effect on the output" if worst else "")
        return [note("missing_genes", "info", f"missing genes: none of the {n_w:,} with weight "
                     f"({n_model:,} in the model{rest}){named}", **facts)]
    share = report.get("max_missing_weight_share")
    return [note("missing_genes", "caveat",
                 f"missing genes: at most {worst_w:,} of the {n_w:,} with weight per sample"
                 + ("" if share is None else f", {share:.0%} of its weight")
                 + f" (at most {worst:,} of the model's {n_model:,} in all; filled from the "
                 f"training data){named}", **facts,
                 **({} if share is None else {"max_missing_weight_share": share}))]


def unused_notes(report: dict) -> list[Note]:
    """The file's genes the model does not use (another id, a typo), and a normalisation
    computed over other genes than training's: by their number, and by the shift the genes
    it lacks moved its values (:func:`~genemoe.workflows.predict_missing.gene_set_shift`)."""
    unused = report.get("unused_genes") or []
    n = report.get("n_file_genes", 0)
    notes = [note("unused_genes", "caveat",
                   f"genes: the model reads {n - len(unused):,} of the file's {n:,}; the other "
                   f"{len(unused):,} (e.g. {', '.join(unused[:3])}) are not among its genes",
                   n_unused=len(unused))] if unused else []  # the ids: the record's unused_genes
    said = ("identifier not in annotation", "duplicate after id mapping")  # on the map line
    notes += [note("genes_dropped", "caveat", f"genes dropped: {k:,}, {why}", reason=why,
                    n_genes=int(k))  # were in the report only
              for why, k in (report.get("dropped_genes") or {}).items() if k and why not in said]
    if report.get("gene_set_note"):
        notes.append(note("gene_set", "warning", report["gene_set_note"]))
    if words := gene_set_shift_words(report.get("gene_set_shift")):  # was by gene count only
        notes.append(note("gene_set_shift", "warning", words, **report["gene_set_shift"]))
    return notes


def empty_notes(report: dict) -> list[Note]:
    """Samples whose every value is 0 (or missing): left unscored (a sample of zeros was
    called CHOL at 0.999, "scored, but the prediction says nothing about them")."""
    empty = report.get("empty_profiles") or []
    if not empty:
        return []
    shown = ", ".join(empty[:3]) + (f" and {len(empty) - 3:,} more" if len(empty) > 3 else "")
    return [note("empty_profiles", "warning",
                  f"{len(empty):,} sample{'s' if len(empty) != 1 else ''} with every value 0 or "
                  f"missing ({shown}): not scored (predicted_type, probabilities and risk left "
                  "empty, looks_like_training False)",
                  n_samples=len(empty), sample_ids=list(empty))]


def other_scale_notes(report: dict) -> list[Note]:
    """Samples on another scale than the rest of the file (quantile alignment scores each
    from its own ranks, so alike; the file is still worth a look)."""
    odd = report.get("other_scale_profiles") or []
    if not odd:
        return []
    shown = ", ".join(odd[:3]) + (f" and {len(odd) - 3:,} more" if len(odd) > 3 else "")
    return [note("other_scale_profiles", "warning",
                  f"{len(odd):,} sample{'s' if len(odd) != 1 else ''} on another scale than the "
                  f"rest of the file ({shown}: log2 values among linear ones, or the reverse): "
                  "each was aligned from its own ranks, so scored alike, but check the file",
                  n_samples=len(odd), sample_ids=list(odd))]


def unfamiliar_counts(df: pd.DataFrame) -> dict[str, int | None]:
    """``n_unfamiliar`` among the samples not the model's own (``n_scored_for_ood``), and
    ``n_train`` / ``n_val``: samples of the model's own training / validation split. The
    validation samples set the threshold (split conformal: on the model's scale each lies
    under it by construction), so they were not counted (a probe's 2 of 29 test samples
    read "2 of 44"); their flags stay in the predictions."""
    split = df["model_split"] if "model_split" in df else pd.Series("new", index=df.index)
    own = split == "train"  # in-sample: their distances are longer than a new sample's
    empty = (df["empty_profile"].astype(bool) if "empty_profile" in df  # not scored: not
             else pd.Series(False, index=df.index))  # unfamiliar either (counted twice before)
    judged = ~own & (split != "val").to_numpy() & ~empty
    flag = ~df["looks_like_training"][judged].astype(bool) if "looks_like_training" in df else None
    fitted = (own | (split == "val")).to_numpy()
    named = (sum(b is None for b, f in zip(_barcodes(df), fitted, strict=True) if f)
             if "sample_id" in df and fitted.any() else 0)
    return {"n_unfamiliar": int(flag.sum()) if flag is not None else None,
            "n_scored_for_ood": int(judged.sum()), "n_own_by_name_only": int(named),
            "n_train": int(own.sum()), "n_val": int((split == "val").sum()),
            "n_same_patient": int(split.astype(str).str.endswith(" patient").sum())}


def unfamiliar_notes(report: dict) -> list[Note]:
    """Samples of the model's own splits or patients, and those unlike its training data."""
    notes = []
    n_train, n_val = report.get("n_train", 0), report.get("n_val", 0)
    if n_train or n_val:
        parts = [f"{n:,} {what}" for n, what in ((n_train, "training"), (n_val, "validation")) if n]
        named = report.get("n_own_by_name_only", 0)
        text = (f"{' and '.join(parts)} sample{'s' if n_train + n_val != 1 else ''} of the "
                "model itself (model_split): not independent, predictions optimistic")
        if named:  # ids that are not TCGA barcodes match by name alone (another lab's S0001)
            text = (f"{' and '.join(parts)} sample{'s' if n_train + n_val != 1 else ''} named "
                    f"as the model's own (model_split; {named:,} by name only, not TCGA "
                    "barcodes): if the same samples, not independent, predictions optimistic")
        notes.append(note("model_own_samples", "caveat", text, n_train=n_train, n_val=n_val,
                          n_by_name_only=named))
    if n_patient := report.get("n_same_patient", 0):
        notes.append(note("model_own_patients", "caveat",
                           f"{n_patient:,} other sample{'s' * (n_patient != 1)} (another sample "
                           "type) of the model's own patients (model_split '... patient'): not "
                           "independent of the model" + (", and their outcome is the model's own"
                                                          if report.get("task") == "survival"
                                                          else ""), n_samples=n_patient))
    n = report.get("n_unfamiliar")
    if n is None:
        return notes
    m = report.get("n_scored_for_ood", report["n_samples"])
    if not m:
        return notes + [note("unfamiliar", "caveat", "unfamiliar-sample flag: not counted over "
                              "the model's own training and validation samples (the latter "
                              "set its threshold)", n_scored=0)]
    other = "" if m == report["n_samples"] else " not the model's own"
    if not n:
        return notes + [note("unfamiliar", "info",
                              f"{'the one' if m == 1 else 'every'} sample{other} looks like the "
                              "training data")]
    most = n >= max(2, m / 2)  # 40 of 40 (accuracy 0) read as an ordinary line
    return notes + [note("unfamiliar", "warning" if most else "caveat",
                          f"{_unlike_subject(n, m, other)} unlike "
                          "the training data (ood_score above the model's threshold "
                          f"{(report.get('ood') or {}).get('threshold', float('nan')):.2f}; "
                          f"looks_like_training = False: treat {'its' if n == 1 else 'their'} "
                          f"prediction{'s' * (n != 1)} with care"
                          + ("; so many suggests another tissue, pipeline or scale than the "
                             "model's" if most else "") + ")",
                          n_unfamiliar=n, n_scored=m)]


def _unlike_subject(n: int, m: int, other: str) -> str:
    """The unfamiliar line's subject and verb: ``the one sample looks``, ``1 of 5 samples
    looks``, ``3 of 40 samples not the model's own look`` (it said "1 of 1 samples
    looks ... treat their predictions")."""
    if m == 1:
        return f"the one sample{other} looks"
    return f"{n:,} of {m:,} samples{other} {'looks' if n == 1 else 'look'}"


def _count(n: int, noun: str) -> str:
    """``1 sample``, ``1,203 samples``."""
    return f"{n:,} {noun}{'s' * (n != 1)}"


def clipped_notes(report: dict, payload: dict | None = None) -> list[Note]:
    """A line when the model's scaler clipped values (beyond ±10 z of its training split):
    how many, of how many samples, the largest, beside the model's test split's share (from
    ``payload``'s metrics); per sample in ``n_scaled_clipped``. A warning from
    :data:`CLIPPED_WARN` of the values (a probe's 18.2%, against its test split's <0.1%,
    read "clipped there, as in training" as a caveat)."""
    r = report.get("scaled_clipped") or {}
    if not r.get("n_values"):
        return []
    share = share_text(r["n_values"], r["n_total"])  # "0.0%" of 50 values: "<0.1%" as train says
    test = ((((payload or {}).get("metrics") or {}).get("protocol") or {}).get("clipped")
            or {}).get("test") or {}
    ref = (f", its test split {share_text(test.get('n_values', 0), test['n_total'])}"
           if test.get("n_total") else "")
    many = r["n_values"] >= CLIPPED_WARN * r["n_total"]
    return [note("scaled_clipped", "warning" if many else "caveat",
                  f"{_count(r['n_values'], 'value')} ({share}{ref}) of "  # was "1 values"
                  f"{_count(r['n_samples'], 'sample')} over {_count(r['n_genes'], 'gene')} "
                  f"{'lie' if r['n_values'] != 1 else 'lies'} beyond ±{r['clip']:g} of the "
                  "model's scale "
                  f"(largest {r['max_abs']:.1f}): clipped there, as in training "
                  "(n_scaled_clipped per sample)" + ("; so many suggests another scale than "
                                                      "the model's" if many else ""),
                  **{k: r[k] for k in (
                      "n_values", "n_samples", "n_genes", "n_total", "clip", "max_abs")})]


def summary_notes(df: pd.DataFrame, payload: dict, report: dict) -> list[Note]:
    """Every line ``genemoe predict`` says under its output's path, in order. A survival
    model's endpoint is set on ``report`` too (``endpoint``: the record beside the output is
    built from it; a PFI model's record read as overall survival)."""
    if ep := model_endpoint(payload):
        report["endpoint"] = ep
    if (ood := payload.get("ood")) and "threshold" in ood:  # ood_score was written with
        #   nothing to compare it to (the threshold lived in the run's metrics.json only)
        report["ood"] = {k: ood[k] for k in ("method", "threshold", "threshold_rule") if k in ood}
    return [*missing_notes(report, payload), *unused_notes(report),
            *clipped_notes(report, payload),
            *unfamiliar_notes(report),
            *empty_notes(report), *other_scale_notes(report), *sample_type_notes(df, payload),
            *repeated_patients_notes(df), *risk_notes(payload), *aligned_risk_notes(report, payload),
            *probability_notes(payload, aligned=report.get("scale_rule") == "quantile",
                               checked=(report.get("scores") or {}).get("ece") is not None)]
