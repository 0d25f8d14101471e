"""Which split of the *run* each explained sample was in, from the run's own record.

A bundle prepared again with another split (``prepare --seed 1``) labels the run's training
tumours ``test``: ``explain`` drew 8 of 9 "test" samples the model had fitted or monitored,
unsaid, and samples.tsv called them ``test``. The record is the model file's
``split_ids`` (model files since 2026-12), else the run's ``predictions.tsv``
(``sample_id``, ``split``); a sample in neither is ``new``, or ``no outcome`` where a
survival run left it out for having no survival time in the bundle (it was called ``new``
beside the bundle's own ``val``). Ids are matched exactly, as ``genemoe features`` matches
them.

Explain warns rather than refuses (``features`` refuses): an attribution describes what
the model computes for a sample, which holds for its training tumours too (``--split
train`` is allowed), whereas features' scores are held-out evidence only on unseen samples.
What was wrong is the label and the silence, which the warning and samples.tsv's ``split``
column put right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["run_splits", "seen_warning"]

_SEEN = ("train", "val")  # fitted on, or monitored/selected on


def run_splits(payload: dict[str, Any], run_dir: Path, sample_ids: np.ndarray,
               no_outcome: np.ndarray | None = None) -> np.ndarray | None:
    """The run's split of each sample ``(n,)`` (``train``, ``val``, ``test``, ``new`` or
    ``no outcome``), from ``payload['split_ids']`` or ``run_dir/predictions.tsv``; None
    without a record. ``no_outcome`` ``(n,)`` bool: the samples without survival data, called
    ``no outcome`` (not ``new``) where the run's record lacks them."""
    record: dict[str, str] = {}
    splits = payload.get("split_ids")
    if isinstance(splits, dict) and splits:
        for name in ("test", "val", "train"):
            record.update({str(s): name for s in splits.get(name, ())})
    else:
        tsv = Path(run_dir) / "predictions.tsv"
        try:
            pred = pd.read_csv(tsv, sep="\t", dtype=str, usecols=["sample_id", "split"])
        except (OSError, ValueError):
            return None
        record = dict(zip(pred["sample_id"], pred["split"], strict=True))
    missing = np.zeros(len(sample_ids), bool) if no_outcome is None else np.asarray(no_outcome, bool)
    return np.array([record.get(str(s), "no outcome" if gone else "new")
                     for s, gone in zip(sample_ids, missing, strict=True)], dtype=object)


def seen_warning(run: np.ndarray, *, asked: bool, split: str) -> str | None:
    """The warning when the run fitted or monitored explained samples ``run`` ``(n,)`` (their
    run splits): any asked for by ``--samples`` (``asked``), or any a ``--split test`` draw
    took as test; None otherwise (``--split train``, ``val`` and ``all`` know it)."""
    run = np.asarray(run).astype(str)
    seen = np.isin(run, _SEEN) if asked or split == "test" else np.zeros(len(run), bool)
    n = int(seen.sum())
    if not n:
        return None
    counts = ", ".join(f"{int((run[seen] == s).sum())} {s}" for s in _SEEN if (run[seen] == s).any())
    where = ("of the samples asked for" if asked else
             f"of the {len(run)} samples drawn from the bundle's test split")
    again = "" if asked else "; the bundle was split again (prepare --seed)"
    return (f"the run fitted or monitored {n} {where} ({counts}){again}: not held-out samples "
            "(samples.tsv: split, the run's)")
