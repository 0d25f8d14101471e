"""Which samples ``genemoe features`` analyses: a split of the bundle (or every sample the
run never read), refused where the run trained or validated on any of them or on their
patients, then at most ``--max-samples`` of them (a seeded draw, said). Split out of
:mod:`genemoe.workflows.features`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from genemoe.data.bundle import Bundle
from genemoe.errors import input_error
from genemoe.workflows.feature_run import (
    RunModel,
    bundle_patients,
    seen_rows,
    used_sample_patients,
)

__all__ = ["Split", "Selected", "seen_error", "select_samples", "draw_note"]

Split = Literal["test", "val", "train", "all", "unseen"]


def seen_error(bundle: Bundle, run: RunModel, split: str, rows: np.ndarray,
                by_id: np.ndarray, by_patient: np.ndarray, used: dict[str, str]) -> Exception:
    """The refusal of a split holding samples (or patients) the run trained or validated on."""
    ids = bundle.sample_ids[rows].astype(str)
    n_id, n_patient = int(by_id.sum()), int(by_patient.sum())
    patients = bundle_patients(bundle, rows)
    shown = [*ids[by_id][:3], *(f"{s} (patient {p})" for s, p in
                                zip(ids[by_patient], patients[by_patient], strict=True))]
    how = (f", {n_patient} of them through another sample of their patient (a second vial, "
           "or the barcode spelled otherwise)" if n_patient else "")
    every = bundle.indices(None)
    n_unseen = int((~np.logical_or(*seen_rows(bundle, every, used))).sum())
    return input_error(
        f"the run saw {n_id + n_patient} of the {len(ids)} samples of --split {split} in "
        f"training or validation (fitted on, or monitored/selected on){how} (e.g. "
        f"{', '.join(shown[:3])}): features of samples a model has seen are not held-out "
        "evidence", path=run.path, where="--split",
        fix=(f"--split unseen analyses the {n_unseen} samples of this bundle the run never "
             "read (nor their patients)" if n_unseen >= 3 else
             "analyse a bundle of samples the run never read"))


@dataclass
class Selected:
    """The analysed rows and how they were chosen."""

    rows: np.ndarray  # sorted bundle rows
    n_available: int  # samples of the split (unseen: the run never read) before the draw


def select_samples(bundle: Bundle, run: RunModel, split: Split, max_samples: int | None,
            seed: int) -> Selected:
    """The split's rows; refused where the run read any of them or of their patients."""
    if split not in ("test", "val", "train", "all", "unseen"):
        raise input_error(f"unknown split {split!r}", where="--split",
                          fix="use test, val, train, all or unseen")
    rows = bundle.indices(None if split in ("all", "unseen") else split)
    used = used_sample_patients(run)
    by_id, by_patient = seen_rows(bundle, rows, used)
    if split == "unseen":  # a fold's test part, for the ablation's per-fold runs
        rows, by_id, by_patient = rows[~(by_id | by_patient)], by_id[:0], by_patient[:0]
    if len(rows) < 3:
        raise input_error(f"the {split} split has {len(rows)} samples; the analysis needs >= 3",
                          path=bundle.path, where="--split", fix="use another --split or bundle")
    if by_id.any() or by_patient.any():
        raise seen_error(bundle, run, split, rows, by_id, by_patient, used)
    n_available = len(rows)
    if max_samples is not None and len(rows) > max_samples:
        rows = np.sort(np.random.default_rng(seed).choice(rows, max_samples, replace=False))
    return Selected(rows, n_available)


def draw_note(split: str, n: int, n_available: int, max_samples: int | None,
               seed: int) -> list[str]:
    """The ``--max-samples`` draw, said (it cut a split silently)."""
    if n >= n_available:
        return []
    return [f"drew {n:,} of the {n_available:,} {split} samples (--max-samples {max_samples}, "
            f"seed {seed}; listed in samples.tsv)"]
