"""predict --clinical on a survival run: outside probe hY (gdc ACC/UVM/CHOL, coxnet and a
tiny genemoe survival run, TCGA-CDR survival).

Old behaviour:

- a DSS-only survival table for an OS run was refused only after the expression had been
  read, normalised and scored (a minute for 10 samples of 56,537 genes on a shared machine);
- TCGA-CDR's ``OS.time`` written in months (``OS.time.months``) was converted to days and
  the output's ``time`` column showed 870.9 for the table's 28.6, and the summary said
  only "OS survival for 10 of 10 samples (3 deaths)": the conversion was in the record only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict_survival import clinical_notes, read_run_clinical, score_clinical

_PAYLOAD = {"task": "survival", "config": {"endpoint": "OS"}}
_PATIENTS = [f"TCGA-AA-{i:04d}" for i in range(8)]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_table_without_the_runs_endpoint_is_refused_when_read(tmp_path: Path) -> None:
    table = _write(tmp_path / "dss_only.tsv", "bcr_patient_barcode\tDSS\tDSS.time",
                   [f"{p}\t{i % 2}\t{100 + 50 * i}" for i, p in enumerate(_PATIENTS)])
    with pytest.raises(InputError) as err:
        read_run_clinical([table], _PAYLOAD)  # before any expression is read
    text = str(err.value)
    assert "dss_only.tsv" in text and "--clinical" in text and "--endpoint" not in text
    assert "has no OS time and event columns (it has DSS)" in text
    assert "the model was trained on OS" in text


def test_times_in_months_converted_to_days_are_said_in_the_summary(tmp_path: Path) -> None:
    months = [28.6, 3.1, 40.0, 12.5, 60.2, 7.7, 19.0, 33.3]
    table = _write(tmp_path / "os_months.tsv", "bcr_patient_barcode\tOS\tOS.time.months",
                   [f"{p}\t{i % 2}\t{m}" for i, (p, m) in enumerate(zip(_PATIENTS, months,
                                                                         strict=True))])
    clinical, report = read_run_clinical([table], _PAYLOAD)
    df = pd.DataFrame({"sample_id": [f"{p}-01A" for p in _PATIENTS],
                       "risk": np.random.default_rng(3).normal(size=len(_PATIENTS))})
    join, scores = score_clinical(df, _PAYLOAD, clinical, report,
                                  pd.Series(["new"] * len(df)), ["01"])
    np.testing.assert_allclose(df["time"], np.array(months) * 30.4375)  # days, as prepare
    join["source"] = "--clinical os_months.tsv"
    match = next(n for n in clinical_notes(join, scores) if n["code"] == "clinical_match")
    assert "times converted (OS.time.months: months × 30.4375 → days" in match["text"]
    assert "the time column is in days" in match["text"]
    assert match["time_converted"] == "OS.time.months: months × 30.4375 → days"


def test_no_headline_patient_says_so_in_a_sentence_and_points_at_the_parts(
        tmp_path: Path) -> None:
    """Old: 30 of the coxnet run's own training samples with --clinical gave "no sample the
    samples not the model's own has OS survival: nothing scored", and the next line scored
    them (C 0.877)."""
    table = _write(tmp_path / "os.tsv", "bcr_patient_barcode\tOS\tOS.time",
                   [f"{p}\t{i % 2}\t{100 + 40 * i}" for i, p in enumerate(_PATIENTS)])
    clinical, report = read_run_clinical([table], _PAYLOAD)
    df = pd.DataFrame({"sample_id": [f"{p}-01A" for p in _PATIENTS],
                       "risk": np.random.default_rng(4).normal(size=len(_PATIENTS))})
    payload = {**_PAYLOAD, "split_ids": {"train": list(df["sample_id"])}}
    join, scores = score_clinical(df, payload, clinical, report,
                                  pd.Series(["model_own"] * len(df)), ["01"])
    join["source"] = "--clinical os.tsv"
    said = {n["code"]: n["text"] for n in clinical_notes(join, scores)}
    assert said["clinical_scores"] == (
        "no headline C-index: no sample outside the model's own has OS survival (those with "
        "survival are the model's own or of other sample types: scored apart below)")
    assert said["clinical_splits"].startswith("by split: the model's own training or")


def test_a_truncated_uno_c_says_its_day_and_the_patients_followed_past_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Old: UCS scored by a run on ACC/UVM/CHOL gave "Uno's C 0.568", truncated at day
    2,076 (the record's uno_tau) without a word, beside patients followed to day 4,269."""
    from genemoe.workflows import predict_survival

    rng = np.random.default_rng(5)
    t_train = rng.uniform(30, 1000, 80).round()
    e_train = rng.random(80) < 0.4
    monkeypatch.setattr(predict_survival, "training_follow_up",
                        lambda payload: ((t_train, e_train), None))
    n = 40
    patients = [f"TCGA-BB-{i:04d}" for i in range(n)]
    times = np.linspace(50, 3000, n).round()  # a third past the training's last day
    table = _write(tmp_path / "long.tsv", "bcr_patient_barcode\tOS\tOS.time",
                   [f"{p}\t{int(i % 3 == 0)}\t{t:.0f}" for i, (p, t)
                    in enumerate(zip(patients, times, strict=True))])
    clinical, report = read_run_clinical([table], _PAYLOAD)
    df = pd.DataFrame({"sample_id": [f"{p}-01A" for p in patients],
                       "risk": -np.log(times) + rng.normal(0, 0.5, n)})
    join, scores = score_clinical(df, _PAYLOAD, clinical, report,
                                  pd.Series(["new"] * n), ["01"])
    head = scores["headline"]
    assert head["uno_tau"] is not None and head["uno_c_index"] is not None
    beyond = int((times > head["uno_tau"]).sum())
    assert head["n_beyond_uno_tau"] == beyond > 0
    join["source"] = "--clinical long.tsv"
    text = next(n["text"] for n in clinical_notes(join, scores) if n["code"] == "clinical_scores")
    assert (f"Uno's C {head['uno_c_index']:.3f} (deaths to day {head['uno_tau']:,.0f}, where "
            f"the training's follow-up thins out; {beyond} of {n} patients followed past it)"
            ) in text
