"""A ``genemoe tune`` best.yaml's ``tuned_on:`` entry checked against the run that uses its
values: which samples the tuning trained or chose on, and the ``tune --epochs`` cap its
trials ran under. ``genemoe train --config best.yaml`` checks its splits
(:func:`~genemoe.workflows.train_tuned.check_train_entries`), ``genemoe benchmark --preset
best.yaml`` each fold's test part (:func:`check_benchmark_entries`); the benchmark checked
neither and printed only a conditional note.
"""

from __future__ import annotations

import functools
import re
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.data.bundle import Bundle, sample_set_sha256
from genemoe.models.registry import get_spec
from genemoe.workflows.folds import FoldPlan

__all__ = ["is_tune_entry", "tuning_bundle", "tuned_sample_ids", "split_changed",
           "unchecked_overlap", "epochs_cap", "entry_samples_sha256", "check_benchmark_entries",
           "benchmark_warnings"]

_SHA = re.compile(r"sample set sha256 ([0-9a-f]{64})")


def is_tune_entry(entry: Any) -> bool:
    """Whether a ``tuned_on:`` entry was written by ``genemoe tune`` (a preset's own notes
    name no study)."""
    return isinstance(entry, Mapping) and "study" in entry


def tuning_bundle(entry: Mapping[str, Any]) -> Path:
    """The bundle the tuning ran on (the entry's ``data``, before its sample count)."""
    return Path(str(entry.get("data", "")).split(" (")[0])


def tuned_sample_ids(entry: Mapping[str, Any]) -> set[str] | None:
    """The ids of the samples the tuning trained or chose on (its bundle's training and
    validation splits; never its test split), or None where that bundle is not there or
    its split is no longer the one tuned on (:func:`split_changed`): a bundle prepared
    again in place (``prepare --seed 7``) kept its path, and its new training and
    validation splits were read as the tuning's, so a test split holding rows the search
    trained on was said clean ("0 of this bundle's 30 test samples")."""
    obs = _splits(tuning_bundle(entry))
    if obs is None or _changed(entry, obs):
        return None
    return set(obs.loc[obs["split"] != "test", "sample_id"].astype(str))


def split_changed(entry: Mapping[str, Any]) -> bool | None:
    """Whether the tuning bundle's training and validation splits are no longer those the
    tuning read: their sample ids' sha256 is not the entry's ``train_val_sha256``
    (``genemoe tune``'s :func:`~genemoe.workflows.tune.train_val_sha256`). None where it
    cannot be told: the bundle is not there, or the entry predates the digest."""
    obs = _splits(tuning_bundle(entry)) if "train_val_sha256" in entry else None
    return None if obs is None else _changed(entry, obs)


def _splits(source: Path) -> pd.DataFrame | None:
    """``source``'s obs.parquet ``sample_id`` and ``split`` columns (None where it is not a
    file), read once per version of the file (its inode, size and change time): train
    read it up to four times per best.yaml entry (the samples tuned on, whether the split
    changed, why the overlap was not checked, the selection line). Read only: shared."""
    try:
        st = (source / "obs.parquet").stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _read_splits(str(source / "obs.parquet"), st.st_ino, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_splits(path: str, inode: int, size: int, mtime_ns: int) -> pd.DataFrame:
    """:func:`_splits`'s read, keyed by the file's version (a bundle prepared again in
    place is written anew: another inode and time)."""
    return pd.read_parquet(path, columns=["sample_id", "split"])


def _changed(entry: Mapping[str, Any], obs: pd.DataFrame) -> bool:
    """Whether ``obs``'s training and validation sample ids (sorted) are not the ones the
    entry's ``train_val_sha256`` records (False without one: an older best.yaml)."""
    if "train_val_sha256" not in entry:
        return False
    ids = sorted(obs.loc[obs["split"].isin(["train", "val"]), "sample_id"].astype(str))
    return sample_set_sha256(ids) != str(entry["train_val_sha256"])


def unchecked_overlap(entry: Mapping[str, Any]) -> str:
    """Why the samples the tuning trained or chose on could not be told
    (:func:`tuned_sample_ids` is None): ``"not checked: the bundle's split changed since
    tuning (...)"`` or ``"not checked: BUNDLE is not there"``."""
    if split_changed(entry):
        return (f"not checked: the bundle's split changed since tuning ({tuning_bundle(entry)} "
                "prepared again: its training and validation splits' sha256 is not best.yaml's "
                "train_val_sha256), so its test split may hold samples the search trained on")
    return f"not checked: {tuning_bundle(entry)} is not there"


def epochs_cap(entry: Mapping[str, Any]) -> str | None:
    """The ``tune --epochs`` cap every trial ran under (``"2"``), or None without one."""
    return str(entry["epochs"]).split(":")[0] if "epochs" in entry else None


def entry_samples_sha256(entry: Mapping[str, Any]) -> str | None:
    """The sha256 of the tuning bundle's sample set, as the entry records it (None before
    it was recorded)."""
    found = _SHA.search(str(entry.get("data", "")))
    return found.group(1) if found else None


def check_benchmark_entries(tuned_on: Mapping[str, Any], bundle: Bundle,
                            plans: Sequence[FoldPlan], *, epochs_given: bool,
                            epochs_by_model: Mapping[str, Any]) -> dict[str, Any]:
    """``tuned_on`` (protocol.json's ``preset_tuned_on``) with each ``genemoe tune`` entry the
    benchmark used checked against its folds.

    Parameters
    ----------
    tuned_on
        The entries, each with ``used_by`` (the models that ran with its values).
    bundle, plans
        The benchmark's bundle and folds.
    epochs_given
        Whether ``--epochs`` was given.
    epochs_by_model
        Each model's resolved ``train.epochs``.

    Returns
    -------
    dict
        The entries; a used tune entry gains ``same_samples`` (its sample set's sha256 is
        the bundle's), ``overlaps_benchmark_test_folds`` told from these folds (tune wrote
        True, of a benchmark on its own bundle: it stayed beside a count of 0; None where
        not counted and not the same samples), ``test_folds_overlap`` (text),
        ``n_test_folds_tuned_on`` and
        ``n_test_folds`` (distinct samples), ``test_folds_overlap_per_fold``, and
        ``epochs_inherited`` (with ``epochs_inherited_by``) where its ``tune --epochs`` cap
        is every cell's epochs of a neural model that used it.
    """
    out = {}
    for key, entry in tuned_on.items():
        out[key] = entry
        if not is_tune_entry(entry) or not entry.get("used_by", True):
            continue
        out[key] = entry = {**entry, **_fold_overlap(entry, bundle, plans)}
        cap, users = epochs_cap(entry), list(entry.get("used_by") or ())
        capped = [m for m in users if m in epochs_by_model and get_spec(m).kind == "torch"
                  and str(epochs_by_model[m]) == cap]
        if cap is not None and not epochs_given and capped:
            entry["epochs_inherited"] = (
                f"{cap}: the tune --epochs cap on every trial; {', '.join(capped)} trained at "
                f"most {cap} epochs in every cell (no --epochs given)")
            entry["epochs_inherited_by"] = capped
    return out


def _fold_overlap(entry: Mapping[str, Any], bundle: Bundle, plans: Sequence[FoldPlan]
                  ) -> dict[str, Any]:
    """What of the benchmark's test folds the tuning trained or chose on."""
    sha = entry_samples_sha256(entry)
    same = None if sha is None else sha == sample_set_sha256(bundle.sample_ids)
    ids = bundle.sample_ids.astype(str)
    seen = tuned_sample_ids(entry)
    if seen is None:  # the bundle is gone, or prepared again with other splits
        why = unchecked_overlap(entry).replace("not checked", "not counted", 1)
        if same:
            why += ("; its sample set is this bundle's (sha256), so the samples the tuning "
                    "trained and chose on sit in the test folds")
        return {"same_samples": same, "overlaps_benchmark_test_folds": same or None,
                "test_folds_overlap": why}
    per_fold = {f"repeat {p.repeat} fold {p.fold}":
                f"{sum(s in seen for s in ids[p.test]):,} of {len(p.test):,}" for p in plans}
    tested = {str(s) for p in plans for s in ids[p.test]}
    n = sum(s in seen for s in tested)
    return {"same_samples": same, "overlaps_benchmark_test_folds": n > 0,  # tune wrote True
            "n_test_folds_tuned_on": n, "n_test_folds": len(tested),
            "test_folds_overlap": f"{n:,} of the {len(tested):,} samples in the benchmark's "
                                  "test folds were in the tuning's train/val parts",
            "test_folds_overlap_per_fold": per_fold}


def benchmark_warnings(tuned_on: Mapping[str, Any] | None, *, tune: int = 0) -> list[str]:
    """The terminal's warnings on the checked entries (:func:`check_benchmark_entries`):
    test folds holding samples the tuning saw, and an inherited ``tune --epochs`` cap.
    ``tune``: the benchmark's ``--tune N`` (its in-fold search starts from the preset's
    values, so the fix is not to add it: the warning said "or benchmark with --tune N" to a
    benchmark run with it)."""
    lines = []
    for entry in (tuned_on or {}).values():
        if not isinstance(entry, Mapping) or "test_folds_overlap" not in entry:
            continue
        users, source = ", ".join(entry.get("used_by") or ()), tuning_bundle(entry)
        n = entry.get("n_test_folds_tuned_on")
        if n or (n is None and entry.get("same_samples")):
            said = (f"{n:,} of the {entry['n_test_folds']:,} samples in the test folds were"
                    if n else "the test folds hold samples (this bundle's sample set) that were")
            lines.append(f"{said} in the training or validation part the options of {users} "
                         f"were tuned on ({source}): their fold scores are optimistic; "
                         + _overlap_fix(tune))
        if cap := entry.get("epochs_inherited"):
            cap, who = cap.split(":")[0], ", ".join(entry.get("epochs_inherited_by") or ())
            lines.append(f"the tuning capped every trial at {cap} epochs (tune --epochs): this "
                         f"benchmark trains {who} {cap} too; pass --epochs to train longer")
    return lines


def _overlap_fix(tune: int) -> str:
    """What to do about test folds the preset's tuning saw, with or without ``--tune N``."""
    if not tune:
        return "tune on other samples, or benchmark with --tune N (a search inside each fold)"
    return (f"--tune {tune} does not undo it: each fold's search starts from these values (its "
            "first trial), so the overlap can still favour them; benchmark with a preset not "
            "tuned on these samples, or the defaults (no --preset)")
