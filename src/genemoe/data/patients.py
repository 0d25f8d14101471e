"""Patients of samples whose ids are not TCGA barcodes, and one profile per patient for them.

A file's sample metadata (an ``.h5ad``'s ``obs``) may name each sample's patient
(:data:`PATIENT_COLUMNS`); samples it does not name are each their own patient. With
``one_per_patient`` (the default, as for TCGA barcodes) a patient's profiles but one are
dropped by a fixed rule: **the smallest sample id is kept** (string order, as Python
sorts text: ``S000a`` before ``S000b``, ``S10`` before ``S9``). The drops are counted
under the TCGA rule's reason (:data:`genemoe.data.tcga.DUPLICATE_PROFILE`) and said on the
preparation's ``sample_types`` line. Several profiles of one patient counted as several
patients in every survival metric (C-index pairs, bootstrap, log-rank, Cox likelihood).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from genemoe.data.clinical_values import blank_ids
from genemoe.data.prep_text import PrepLog
from genemoe.data.read import ExpressionTable
from genemoe.data.tcga import DUPLICATE_PROFILE

__all__ = ["PATIENT_COLUMNS", "KEPT_RULE", "file_patients", "smallest_id_per_patient",
           "select_untyped_samples"]

PATIENT_COLUMNS = ("patient_id", "patient", "donor_id", "donor", "subject_id", "subject",
                   "individual", "case_id", "bcr_patient_barcode")  # in a file's sample metadata
KEPT_RULE = "the smallest sample id of each patient kept"


def file_patients(obs: pd.DataFrame, tables: list[ExpressionTable]
                  ) -> tuple[pd.Series, str | None, int]:
    """Patient of each non-barcode sample.

    Parameters
    ----------
    obs
        One row per sample read (``sample_id``, ``source``: its file's name).
    tables
        The expression tables read (their ``sample_meta``).

    Returns
    -------
    tuple
        The patients (a patient column of the sample's file metadata,
        :data:`PATIENT_COLUMNS`, else the sample id), the column found (None: none), and
        how many samples' cells in it were empty (each its own patient: the empty cells were
        one patient ``""``, and all of its samples but one were dropped as duplicates).
    """
    out = obs["sample_id"].astype(object).copy()
    found, n_blank = None, 0
    for t in tables:
        meta = t.sample_meta
        col = next((c for c in PATIENT_COLUMNS if meta is not None and c in meta.columns), None)
        if col is None:
            continue
        m = obs["source"].eq(t.source_path.name)
        named = meta[col][~blank_ids(meta[col])].astype(str).str.strip()
        got = obs.loc[m, "sample_id"].map(named).dropna()
        n_blank += int(obs.loc[m, "sample_id"].isin(meta.index[blank_ids(meta[col])]).sum())
        out.loc[got.index] = got
        found = col
    return out, found, n_blank


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
    obs["patient_id"], col, n_blank = file_patients(obs, tables)
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
              + (f" ({n_blank:,} empty there)" if n_blank else "") if col
              else "the sample id (no patient column in the files)",
              n_empty_patient_cells=n_blank,
              kept=int(keep.sum()), one_per_patient=one_per_patient,
              duplicate_profiles_dropped=n_dropped, rule=KEPT_RULE if one_per_patient else None)
    return keep
