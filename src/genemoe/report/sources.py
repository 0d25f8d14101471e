"""Where a report's bundle facts come from: the bundle's ``summary.json`` and
``record.json`` when the bundle is still the one a run or tune was made from."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from genemoe.data.bundle import dump_json, sample_set_sha256

__all__ = ["bundle_info"]

log = logging.getLogger(__name__)


def bundle_info(bundle_path: str | None, record: dict | None, *,
                 samples_sha: str | None = None) -> tuple[dict, dict]:
    """The bundle's summary and record: from the bundle when it is still there and is the
    one the directory was made from (a run's stored ``record``, a tune's ``samples_sha``);
    a bundle prepared again since is warned and its summary left out (the report showed
    its 973 samples beside the run's 990)."""
    summary: dict = {}
    b = Path(bundle_path) if bundle_path else None
    if b is None or not (b / "summary.json").exists():
        return summary, record or {}
    now = json.loads((b / "record.json").read_text()) if (b / "record.json").exists() else None
    ids = (pd.read_parquet(b / "obs.parquet", columns=["sample_id"])["sample_id"]
           if samples_sha and (b / "obs.parquet").exists() else None)
    if (record is not None and now is not None and json.loads(dump_json(record)) != now) or (
            ids is not None and sample_set_sha256(ids.tolist()) != samples_sha):
        log.warning("%s was prepared again since this was made: the report leaves out its "
                    "summary now%s", b, " and shows the record stored then" if record else "")
        return {"prepared_again": str(b)}, record or {}
    summary = json.loads((b / "summary.json").read_text())
    return summary, record if record is not None else (now or {})

