"""Patients of samples whose ids are not TCGA barcodes, and one profile per patient for them.

A file's sample metadata (an ``.h5ad``'s ``obs``) may name each sample's patient
(:data:`PATIENT_COLUMNS`); samples it does not name are each their own patient. With
``one_per_patient`` (the default, as for TCGA barcodes) a patient's profiles but one are
dropped by a fixed rule: **the smallest sample id is kept** (string order, as Python
sorts text: ``S000a`` before ``S000b``, ``S10`` before ``S9``). The drops are counted
under the TCGA rule's reason (:data:`genemoe.data.tcga.DUPLICATE_PROFILE`) and said on the
preparation's ``sample_types`` line. Several profiles of one patient counted as several
patients in every survival metric (C-index pairs, bootstrap, log-rank, Cox likelihood).

A patient cell that is empty or a missing value's word (``nan``, ``NaN``, ``None``, ``NA``:
:data:`~genemoe.data.textio.NA_TOKENS`, what the text readers read as missing) names no
patient: its sample takes the patient of a TCGA barcode in the row (:data:`BARCODE_COLUMNS`,
as the clinical reader fills an empty ``_PATIENT`` from the ``sample`` column), else is its
own patient. A literal ``"nan"`` (an ``.h5ad`` written after ``astype(str)``) was read as a
patient id: every such sample was one patient, dealt into one fold, one survival subject.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genemoe.data.clinical_values import blank_ids
from genemoe.data.id_checks import numbered
from genemoe.data.ids import tcga_like
from genemoe.data.prep_text import PrepLog
from genemoe.data.read import ExpressionTable
from genemoe.data.tcga import DUPLICATE_PROFILE, parse_barcode
from genemoe.data.textio import NA_TOKENS

__all__ = ["BARCODE_COLUMNS", "PATIENT_COLUMNS", "KEPT_RULE", "PatientCells", "file_patients",
           "missing_patients", "smallest_id_per_patient", "select_untyped_samples"]

logger = logging.getLogger(__name__)

PATIENT_COLUMNS = ("patient_id", "patient", "donor_id", "donor", "subject_id", "subject",
                   "individual", "case_id", "bcr_patient_barcode")  # in a file's sample metadata
BARCODE_COLUMNS = ("sample", "sample_barcode", "barcode", "bcr_sample_barcode")  # TCGA barcodes
KEPT_RULE = "the smallest sample id of each patient kept"


@dataclass
class PatientCells:
    """What the files' patient column held where it named no patient (samples read).

    ``n_blank``: empty cells; ``n_missing_word``: cells of a missing value's word (``nan``,
    ``None``, ``NA``, ...; were each word one patient); ``n_from_barcode``: of both, those
    given the patient of a TCGA barcode in the row (:data:`BARCODE_COLUMNS`); the rest are
    each their own patient.
    """

    n_blank: int = 0
    n_missing_word: int = 0
    n_from_barcode: int = 0


def missing_patients(cells: pd.Series) -> pd.Series:
    """``(n,)`` bool: True where a patient cell names no patient: empty (NaN, only spaces) or
    a missing value's word, as the text readers read it (:data:`~genemoe.data.textio.NA_TOKENS`:
    ``nan``, ``NaN``, ``None``, ``NA``, ...; an ``.h5ad``'s ``obs`` keeps them as text)."""
    words = cells.astype("string").str.strip().isin(NA_TOKENS).fillna(False).astype(bool)
    return blank_ids(cells) | words


def _barcode_patients(meta: pd.DataFrame, missing: pd.Series) -> pd.Series:
    """The patient part of the row's TCGA sample barcode (:data:`BARCODE_COLUMNS`, the first
    column holding one) for the ``missing`` rows that have one, by sample id."""
    out = pd.Series(dtype=object)
    for col in (c for c in BARCODE_COLUMNS if c in meta.columns):
        cells = meta.loc[missing & ~meta.index.isin(out.index), col].astype(object)
        usable = cells[[isinstance(v, str) and tcga_like(v.strip()) for v in cells]]
        out = pd.concat([out, usable.map(lambda v: parse_barcode(v.strip()).patient_id)])
    return out


def _say_missing_words(name: str, col: str, cells: pd.Series, words: pd.Series,
                       n_from_barcode: int) -> None:
    """Warn of the cells of ``col`` holding a missing value's word, naming the file, column,
    words and ``obs`` rows (1-based) and what was done: a warning, kept in the record and
    summary (:func:`~genemoe.data.prep_text.warnings_said`)."""
    said = sorted({str(v).strip() for v in cells[words]})
    rows = numbered("obs row", np.flatnonzero(words.to_numpy()) + 1)
    done = (f"{n_from_barcode:,} take their TCGA barcode's patient, the rest are each their own"
            if n_from_barcode else "each sample its own patient")
    logger.warning("%s: obs[%r] holds %s in %s rows,\n  %s: read as missing (as the text readers "
                   "read them),\n  not as one patient per word; %s", name, col,
                   " / ".join(repr(w) for w in said[:4]), f"{int(words.sum()):,}", rows, done)


def file_patients(obs: pd.DataFrame, tables: list[ExpressionTable],
                  counts: PatientCells | None = None) -> tuple[pd.Series, str | None, int]:
    """Patient of each non-barcode sample.

    Parameters
    ----------
    obs
        One row per sample read (``sample_id``, ``source``: its file's name).
    tables
        The expression tables read (their ``sample_meta``).
    counts
        Filled, where given, with what the cells naming no patient held (:class:`PatientCells`).

    Returns
    -------
    tuple
        The patients (a patient column of the sample's file metadata,
        :data:`PATIENT_COLUMNS`, else the sample id), the column found (None: none), and
        how many samples' cells in it named no patient (:func:`missing_patients`: empty, or
        ``nan``, ``None``, ...) and had no TCGA barcode in the row to take one from: each its
        own patient (the empty cells were one patient ``""``, the ``"nan"`` ones one patient
        ``"nan"``, and all of its samples but one were dropped as duplicates).
    """
    out = obs["sample_id"].astype(object).copy()
    found, n_left, counts = None, 0, counts if counts is not None else PatientCells()
    for t in tables:
        meta = t.sample_meta
        col = next((c for c in PATIENT_COLUMNS if meta is not None and c in meta.columns), None)
        if col is None:
            continue
        m = obs["source"].eq(t.source_path.name)
        cells, ids = meta[col], obs.loc[m, "sample_id"]
        missing = missing_patients(cells)
        words = missing & ~blank_ids(cells)
        derived = _barcode_patients(meta, missing)
        named = pd.concat([cells[~missing].astype(str).str.strip(), derived])
        got = ids.map(named).dropna()
        n_derived = int(ids.isin(derived.index).sum())
        counts.n_blank += int(ids.isin(meta.index[missing & ~words]).sum())
        counts.n_missing_word += int(ids.isin(meta.index[words]).sum())
        counts.n_from_barcode += n_derived
        n_left += int(ids.isin(meta.index[missing]).sum()) - n_derived
        if words.any():
            _say_missing_words(t.source_path.name, col, cells, words,
                               int(derived.index.isin(meta.index[words]).sum()))
        out.loc[got.index] = got
        found = col
    return out, found, n_left


def smallest_id_per_patient(sample_ids: Sequence[str], patient_ids: Sequence[str]) -> np.ndarray:
    """``(n_samples,)`` bool: one True per patient, at its smallest sample id (string order).

    Parameters
    ----------
    sample_ids, patient_ids
        ``(n_samples,)`` each; sample ids distinct.
    """
    frame = pd.DataFrame({"patient": pd.Series(patient_ids, dtype=object).astype(str),
                          "sample": pd.Series(sample_ids, dtype=object).astype(str)})
    ranked = frame.sort_values(["patient", "sample"], kind="stable")
    return (~ranked["patient"].duplicated(keep="first")).sort_index().to_numpy()


def select_untyped_samples(obs: pd.DataFrame, tables: list[ExpressionTable], one_per_patient: bool,
                           plog: PrepLog) -> np.ndarray:
    """Samples kept when the ids are not TCGA barcodes: no sample-type filter; one profile
    per patient by :func:`smallest_id_per_patient` unless ``one_per_patient`` is off.

    Adds ``patient_id`` and ``sample_type`` (``"NA"``) to ``obs`` in place; drops counted in
    ``plog`` (reason :data:`DUPLICATE_PROFILE`, ids named) and said in its ``sample_types``
    step.

    Returns
    -------
    numpy.ndarray
        ``(n_samples,)`` bool keep mask.
    """
    cells = PatientCells()
    obs["patient_id"], col, n_blank = file_patients(obs, tables, cells)
    obs["sample_type"] = "NA"
    keep = np.ones(len(obs), dtype=bool)
    if one_per_patient:
        keep = smallest_id_per_patient(obs["sample_id"].tolist(), obs["patient_id"].tolist())
    n_dropped = int((~keep).sum())
    plog.drop_samples({DUPLICATE_PROFILE: n_dropped},
                      {DUPLICATE_PROFILE: obs.loc[~keep, "sample_id"].tolist()})
    if not one_per_patient:
        kept = "every profile kept (one_per_patient off)"
    elif n_dropped:
        kept = (f"one profile per patient ({KEPT_RULE}): {n_dropped:,} duplicate profile"
                f"{'s' * (n_dropped != 1)} dropped, {int(keep.sum()):,} kept")
    else:
        kept = "every profile kept (one per patient already)"
    plog.step("sample_types", note=f"sample ids are not TCGA barcodes: no sample-type filter; {kept}",
              patients=f"from the files' {col!r} column, else the sample id"
              + _missing_note(cells) if col else "the sample id (no patient column in the files)",
              n_empty_patient_cells=cells.n_blank, n_missing_word_patient_cells=cells.n_missing_word,
              n_patients_from_barcode=cells.n_from_barcode, n_own_patient=n_blank,
              kept=int(keep.sum()), one_per_patient=one_per_patient,
              duplicate_profiles_dropped=n_dropped, rule=KEPT_RULE if one_per_patient else None)
    return keep


def _missing_note(cells: PatientCells) -> str:
    """`` (2 empty, 3 'nan' / 'NA' there; 1 from its TCGA barcode)``: the patient cells
    that named no patient, for the ``sample_types`` line; ``""`` for none."""
    parts = [f"{cells.n_blank:,} empty"] * bool(cells.n_blank) + [
        f"{cells.n_missing_word:,} 'nan' or another missing-value word"] * bool(cells.n_missing_word)
    if not parts:
        return ""
    derived = f"; {cells.n_from_barcode:,} from their TCGA barcode" if cells.n_from_barcode else ""
    return f" ({', '.join(parts)} there{derived})"
