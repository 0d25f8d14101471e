"""What makes two pre-training runs "the same setup", and the bundles' records it checks.

Split out of :mod:`genemoe.train.pretrain`. A finished run is reused, and a checkpoint
resumed, only when the options (those free to change on resumption aside), the genes,
the samples by role, and each bundle's preparation record (``record.json``, by its
sha256) are those of this call: a bundle prepared again with other values (another
``--normalisation`` over the same genes and samples) was reused as it was, its stored
scaler then applied to the new values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.data.bundle import file_sha256
from genemoe.train.pretrain_config import PretrainConfig

__all__ = ["RESUMABLE_CHANGES", "bundle_records", "record_sha256", "samples_by_role",
           "setup_diff", "with_records"]

# Config fields that may change between a run and its resumption.
RESUMABLE_CHANGES = {"progress", "device", "num_threads", "checkpoint_every", "eval_batch_size",
                     "stream", "stream_memory_fraction", "stream_workers", "stream_prefetch",
                     "stream_val_rows"}  # streaming reads the same batches in the same order


def record_sha256(bundle_path: str | Path | None) -> str | None:
    """sha256 of the bundle's ``record.json`` (None: no such file, e.g. in-memory rows)."""
    if not bundle_path:
        return None
    record = Path(str(bundle_path)) / "record.json"
    return file_sha256(record) if record.is_file() else None


def bundle_records(bundles: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``{bundle path: record.json sha256}`` of every bundle (of ``PretrainData.bundles``)
    that has a record (rows given in memory have none)."""
    return {str(b.get("path")): sha for b in bundles
            if (sha := record_sha256(b.get("path"))) is not None}


def with_records(bundles: Sequence[Mapping[str, Any]],
                 records: Mapping[str, str]) -> list[dict[str, Any]]:
    """The bundles' entries, each with its ``record_sha256`` when it has a record."""
    return [dict(b) | ({"record_sha256": records[str(b.get("path"))]}
                       if str(b.get("path")) in records else {}) for b in bundles]


def samples_by_role(samples: pd.DataFrame) -> dict[str, list[str]]:
    """The sample ids of the ``train`` and ``val`` rows of a ``samples`` table."""
    return {role: samples.loc[samples.role == role, "sample_id"].astype(str).tolist()
            for role in ("train", "val")}


def setup_diff(saved: Mapping[str, Any], gene_ids: Any, samples: Any, config: PretrainConfig,
               gene_ids_now: Sequence[str], samples_now: pd.DataFrame, *,
               records: Mapping[str, str] | None = None,
               records_now: Mapping[str, str] | None = None) -> list[str]:
    """What differs between a saved run's setup and this one, each said as a phrase.

    Parameters
    ----------
    saved, gene_ids, samples, records
        The saved run's config (``PretrainConfig.to_dict``), gene ids, samples by role and
        bundle records (``{path: record.json sha256}``). ``samples`` or ``records`` None
        (files of older versions) are not compared.
    config, gene_ids_now, samples_now, records_now
        This call's.

    Returns
    -------
    list of str
        Empty when the setups match (options free to change on resumption aside).
    """
    diff = [f"{k}: {saved.get(k)!r} -> {v!r}" for k, v in config.to_dict().items()
            if k not in RESUMABLE_CHANGES and saved.get(k) != v]
    if list(gene_ids or []) != list(gene_ids_now):
        diff.append("gene list")
    if samples is not None and samples != samples_by_role(samples_now):
        diff.append("samples (training or validation rows)")
    if records is not None:
        now = dict(records_now or {})
        diff += [f"bundle {path} prepared again since (record.json changed)"
                 for path, sha in records.items() if path in now and now[path] != sha]
    return diff
