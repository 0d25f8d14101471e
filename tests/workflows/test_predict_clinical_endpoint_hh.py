"""predict --clinical's refusals name what predict's user can change (outside probe JJ,
defect 4). Old: "--endpoint: the clinical table gives none of the samples' patients a OS
time and event", and predict has no --endpoint (the trained run chose it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict_survival import read_run_clinical, score_clinical

_PAYLOAD = {"task": "survival", "config": {"endpoint": "OS"}}
_SAMPLES = [f"TCGA-AA-{i:04d}-01A" for i in range(6)]


def _refusal(table: Path) -> str:
    """predict's refusal of ``table`` for an OS model's risks of ``_SAMPLES``."""
    df = pd.DataFrame({"sample_id": _SAMPLES,
                       "risk": np.random.default_rng(1).normal(size=len(_SAMPLES))})
    with pytest.raises(InputError) as err:
        clinical, report = read_run_clinical([table], _PAYLOAD)
        score_clinical(df, _PAYLOAD, clinical, report, pd.Series(["new"] * len(df)), ["01"])
    return str(err.value)


def _write(path: Path, os_time: str) -> Path:
    rows = ["bcr_patient_barcode\tOS\tOS.time\tPFI\tPFI.time"]
    rows += [f"TCGA-AA-{i:04d}\t{i % 2}\t{os_time}\t1\t{100 + i}" for i in range(6)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_table_without_the_models_endpoint_for_these_patients_names_no_endpoint_option(
        tmp_path: Path) -> None:
    text = _refusal(_write(tmp_path / "c.tsv", ""))
    assert "--endpoint" not in text and text.startswith("--clinical: ")
    assert "gives none of the 6 samples' patients a OS time and event" in text
    assert "the model was trained on OS (its endpoint comes from the trained run)" in text


def test_times_that_are_not_numbers_name_the_column_not_an_endpoint_option(tmp_path: Path
                                                                          ) -> None:
    text = _refusal(_write(tmp_path / "d.tsv", "1355 days"))
    assert "--endpoint" not in text and "column 'OS.time'" in text and "d.tsv" in text
    assert "'1355 days'" in text and "without its unit" in text
