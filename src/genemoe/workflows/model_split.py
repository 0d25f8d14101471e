"""Which split of a model's own bundle a sample to score belongs to (``predict``'s
``model_split``): by id, or by TCGA patient and sample type however the barcode is written."""

from __future__ import annotations

import pandas as pd

from genemoe.errors import InputError

__all__ = ["model_splits"]


def _barcode_keys(sample_id: str) -> tuple[str, str | None] | None:
    """``(patient, sample type)`` of a TCGA-style barcode, None for another id."""
    from genemoe.data.tcga import parse_barcode

    try:
        b = parse_barcode(sample_id)
    except InputError:
        return None
    return b.patient_id, b.sample_code


def model_splits(sample_ids: pd.Series | list[str], splits: dict[str, list[str]]) -> list[str]:
    """The model's split of each sample (``train``, ``val``, ``test``) or ``new``.

    By id; a TCGA-style barcode also by its patient and sample type, so the same tumour
    written as ``TCGA-D8-A27E-01``, ``TCGA-D8-A27E-01A-11R-A29S-07`` or a patient id
    (``TCGA-D8-A27E``, that patient's split: the bundle splits by patient) is found. Another
    sample type of a patient of a split (a normal, ``-11``) is ``<split> patient``: another
    tissue, but the patient's outcome, for survival, is the model's own (it was ``new``).
    """
    exact: dict[str, str] = {}
    by_sample: dict[tuple[str, str | None], str] = {}
    by_patient: dict[str, str] = {}
    for name in ("test", "val", "train"):  # a later split wins where ids repeat (none should)
        for sid in splits.get(name, ()):
            exact[str(sid)] = name
            if (key := _barcode_keys(str(sid))) is not None:
                by_sample[key] = name
                by_patient[key[0]] = name
    out = []
    for sid in map(str, sample_ids):
        if sid in exact:
            out.append(exact[sid])
        elif (key := _barcode_keys(sid)) is None:
            out.append("new")
        elif key[1] is None:  # a patient id: the patient's split
            out.append(by_patient.get(key[0], "new"))
        elif key in by_sample:
            out.append(by_sample[key])
        else:
            out.append(f"{by_patient[key[0]]} patient" if key[0] in by_patient else "new")
    return out
