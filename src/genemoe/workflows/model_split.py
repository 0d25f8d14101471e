"""Which split of a model's own bundle a sample to score belongs to (``predict``'s
``model_split``): by id, or by TCGA patient and sample type however the barcode is written."""

from __future__ import annotations

import logging

import pandas as pd

from genemoe.data.ids import suffixed_barcodes
from genemoe.errors import InputError

__all__ = ["model_splits"]

logger = logging.getLogger(__name__)


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
    A barcode with an AnnData uniqueness suffix (``TCGA-D8-A27E-01A-11R-A29S-07-1``) is
    matched as the barcode, and how many were is warned (they were all ``new``: the model's
    own samples counted as unseen).
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
    _say_suffixed(list(map(str, sample_ids)), out)
    _say_by_name_only(list(map(str, sample_ids)), out, exact)
    return out


def _say_by_name_only(sample_ids: list[str], found: list[str], exact: dict[str, str]) -> None:
    """Warn that ids which are not TCGA barcodes (``S0001``) match the model's own samples by
    name alone: they may be another lab's samples that share the names (they were said to be
    "samples of the model itself: not independent", as if the same). A TCGA barcode names
    one tumour, so its match is not said."""
    named = [(s, f) for s, f in zip(sample_ids, found, strict=True)
             if f != "new" and s in exact and _barcode_keys(s) is None]
    if not named:
        return
    per = {k: sum(f == k for _, f in named) for k in ("train", "val", "test")}
    parts = ", ".join(f"{n:,} {k}" for k, n in per.items() if n)
    logger.warning("%d sample id(s) (e.g. %r) are not TCGA barcodes and match the model's own "
                   "samples by name only (%s): the same samples, or another lab's that share "
                   "their names; if another lab's, rename them (e.g. add a prefix) to score "
                   "them as new", len(named), named[0][0], parts)


def _say_suffixed(sample_ids: list[str], found: list[str]) -> None:
    """Warn of the ids read past an AnnData uniqueness suffix, and how many of them are the
    model's own (``found``: each id's split, as :func:`model_splits` gives it)."""
    suffixed = suffixed_barcodes(sample_ids)
    if not suffixed:
        return
    given, plain = next(iter(suffixed.items()))
    n = sum(s in suffixed for s in sample_ids)
    own = sum(s in suffixed and f != "new" for s, f in zip(sample_ids, found, strict=True))
    logger.warning("%d sample id(s) are TCGA barcodes with a uniqueness suffix (as AnnData's "
                   "obs_names_make_unique or R's make.unique adds), e.g. %r: read as %r to find the model's own "
                   "samples; %d of them are the model's own samples or patients", n, given,
                   plain, own)
