"""Survival tables in the shapes people have: generic time/event, cBioPortal, GDC days_to_death."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.clinical import parse_events, read_clinical
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(("header", "rows"), [
    ("sample\ttime\tstatus", ["S1\t100\t1", "S2\t200\t0", "S3\t50\t1"]),
    ("sample_id,time,event", ["S1,100,True", "S2,200,False", "S3,50,True"]),
    ("patient\tOS_MONTHS_ignored\tfutime\tfustat", ["S1\t3\t100\t1", "S2\t6\t200\t0", "S3\t1\t50\t1"]),
    ("sample\tOS.time\tvital_status", ["S1\t100\tDead", "S2\t200\tAlive", "S3\t50\tdeceased"]),
    ("sample\tsurvival_time\tcensored", ["S1\t100\t0", "S2\t200\t1", "S3\t50\t0"]),
])
def test_generic_time_event_tables_are_recognised(tmp_path: Path, header: str, rows: list[str]) -> None:
    sep = "," if "," in header else "\t"
    p = _write(tmp_path / ("t.csv" if sep == "," else "t.tsv"), "\n".join([header, *rows]) + "\n")
    frame, rep = read_clinical(p)
    assert frame.index.tolist() == ["S1", "S2", "S3"]  # non-TCGA ids kept as written
    assert frame["os_time"].tolist() == [100, 200, 50]
    assert frame["os_event"].tolist() == [1.0, 0.0, 1.0]
    assert rep["format"] == "table (ids as written)" and "taken as OS" in rep["columns"]


def test_cbioportal_status_words(tmp_path: Path) -> None:
    p = _write(tmp_path / "c.tsv", "PATIENT_ID\tOS_STATUS\tos_days\nTCGA-OR-A5J1\t1:DECEASED\t30\n"
                                   "TCGA-OR-A5J2\t0:LIVING\t400\n")
    frame, _ = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0] and frame["os_time"].tolist() == [30, 400]


def test_gdc_days_to_death_fields(tmp_path: Path) -> None:
    p = _write(tmp_path / "TCGA-ACC.clinical.tsv",
               "sample\tvital_status.demographic\tdays_to_death.demographic\tdays_to_last_follow_up.diagnoses\t"
               "project_id.project\n"
               "TCGA-OR-A5J1-01A\tDead\t1355\t\tTCGA-ACC\n"
               "TCGA-OR-A5J2-01A\tAlive\t\t2000\tTCGA-ACC\n"
               "TCGA-OR-A5J3-01A\tAlive\t\t\tTCGA-ACC\n")
    frame, rep = read_clinical(p, endpoint="OS")
    assert frame.loc["TCGA-OR-A5J1", ["os_time", "os_event"]].tolist() == [1355, 1.0]
    assert frame.loc["TCGA-OR-A5J2", ["os_time", "os_event"]].tolist() == [2000, 0.0]
    assert frame.loc["TCGA-OR-A5J3"].isna()[["os_time", "os_event"]].all()
    assert (frame["cancer_type"] == "ACC").all() and "days_to_death" in rep["columns"]


def test_stated_columns_win_and_name_the_endpoint(tmp_path: Path) -> None:
    p = _write(tmp_path / "c.tsv", "sample\tOS\tOS.time\tpfs_d\tprog\nS1\t1\t10\t5\tyes\nS2\t0\t20\t7\tno\n")
    frame, rep = read_clinical(p, time_column="pfs_d", event_column="prog", endpoint="PFI")
    assert frame.columns.tolist() == ["cancer_type", "pfi_time", "pfi_event"]
    assert frame["pfi_event"].tolist() == [1.0, 0.0] and "as stated" in rep["columns"]


@pytest.mark.parametrize(("kw", "match"), [
    ({"time_column": "nope", "event_column": "status"}, "--time-column"),
    ({"time_column": "time"}, "both --time-column and --event-column"),
])
def test_stated_columns_are_checked(tmp_path: Path, kw: dict, match: str) -> None:
    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\t1\t1\n")
    with pytest.raises(InputError, match=match) as info:
        read_clinical(p, **kw)
    assert "c.tsv" in str(info.value)


def test_a_table_without_survival_says_which_columns_would_do(tmp_path: Path) -> None:
    p = _write(tmp_path / "c.tsv", "sample\tage\nS1\t50\n")
    with pytest.raises(InputError, match="none of the endpoints") as info:
        read_clinical(p)
    assert "--time-column" in str(info.value)


def test_unrecognised_event_words_are_counted_invalid(tmp_path: Path) -> None:
    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\t1\tmaybe\nS2\t2\t1\nS3\tsoon\t0\n")
    frame, rep = read_clinical(p)
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 1
    assert rep["endpoints"]["OS"]["n_non_numeric_time"] == 1 and np.isnan(frame.loc["S1", "os_event"])


def test_parse_events() -> None:
    s = pd.Series(["1", "0", "Dead", "ALIVE", "", None, "x", "1:DECEASED"], dtype=object)
    out = parse_events(s).tolist()
    assert out[:4] == [1.0, 0.0, 1.0, 0.0] and np.isnan(out[4]) and np.isnan(out[5])
    assert out[6] == -1.0 and out[7] == 1.0


def _thirty_samples(path: Path) -> tuple[np.random.Generator, list[str]]:
    """A counts matrix of 30 samples (S0..S29) x 20 genes written to ``path``; the generator
    that drew it and the sample ids."""
    rng = np.random.default_rng(0)
    samples = [f"S{i}" for i in range(30)]
    genes = [f"ENSG{i:011d}" for i in range(20)]
    counts = pd.DataFrame(rng.poisson(50, (20, 30)), index=genes, columns=samples)
    counts.index.name = "gene_id"
    counts.to_csv(path, sep="\t")
    return rng, samples


def test_prepare_joins_a_lifelines_style_table_on_sample_ids(tmp_path: Path) -> None:
    rng, samples = _thirty_samples(tmp_path / "m.tsv")
    pd.DataFrame({"sample": samples, "time": rng.integers(1, 900, 30),
                  "status": rng.integers(0, 2, 30)}).to_csv(tmp_path / "s.csv", index=False)
    b = prepare_dataset([tmp_path / "m.tsv"], out_path=tmp_path / "b", clinical_path=tmp_path / "s.csv",
                        config=PrepareConfig(cancer_type="BRCA", min_variance=0, min_mean=0))
    assert b.summary["n_with_survival"] == 30 and b.summary["cancer_types"] == {"BRCA": 30}


def test_cbioportal_months_are_read_as_days(tmp_path: Path) -> None:
    """A cBioPortal table (OS_STATUS, OS_MONTHS) was refused ("none of the endpoints"), and
    with --time-column OS_MONTHS its months were read as days, 30 times too short."""
    p = _write(tmp_path / "c.tsv", "PATIENT_ID\tOS_STATUS\tOS_MONTHS\tDFS_STATUS\tDFS_MONTHS\n"
                                   "TCGA-OR-A5J1\t1:DECEASED\t12\t1:Recurred/Progressed\t6\n"
                                   "TCGA-OR-A5J2\t0:LIVING\t24\t0:DiseaseFree\t24\n")
    frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx([365.25, 730.5])
    assert frame["os_event"].tolist() == [1.0, 0.0]
    assert frame["dfi_time"].tolist() == pytest.approx([182.625, 730.5])
    assert "cBioPortal" in rep["columns"]
    assert rep["time_units"]["OS"] == "OS_MONTHS: months × 30.4375 → days"
    stated, rep = read_clinical(p, time_column="OS_MONTHS", event_column="OS_STATUS")
    assert stated["os_time"].tolist() == pytest.approx([365.25, 730.5]) and rep["time_units"]
    _write(tmp_path / "y.tsv", "sample\tsurvival_years\tstatus\nS1\t2\t1\nS2\t1\t0\n")
    years, _ = read_clinical(tmp_path / "y.tsv")
    assert years["os_time"].tolist() == [730.5, 365.25]
    days, rep = read_clinical(_write(tmp_path / "d.tsv", "sample\ttime\tstatus\nS1\t30\t1\n"))
    assert days["os_time"].tolist() == [30] and rep["time_units"] == {}


def test_the_survival_line_says_the_times_were_converted() -> None:
    from genemoe.data.prep_text import step_line

    line = step_line("join_survival", {
        "endpoint": "OS", "n_with_survival": 79, "n_events": 28, "n_without": 0,
        "clinical_report": {"time_units": {"OS": "OS_MONTHS: months × 30.4375 → days"}}})
    assert line.endswith("times converted (OS_MONTHS: months × 30.4375 → days)")



def test_decimal_commas_of_a_semicolon_table_are_read_and_said(tmp_path: Path) -> None:
    """A European spreadsheet's export (``;`` between fields, ``12,5`` months): every time was
    "not a number" and the patients lost their survival. A ``,``-separated table's quoted
    "1,234" (a thousands separator there) is not read as a decimal comma (it is 1234)."""
    p = _write(tmp_path / "eu.csv", "PATIENT_ID;OS_STATUS;OS_MONTHS\nTCGA-OR-A5J1;1:DECEASED;12,5\n"
                                    "TCGA-OR-A5J2;0:LIVING;24\n")
    frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx([12.5 * 30.4375, 24 * 30.4375])
    assert rep["n_decimal_comma_times"] == 1 and rep["endpoints"]["OS"]["n_usable"] == 2
    from genemoe.data.prep_text import step_line

    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 2, "n_events": 1,
                                       "n_without": 0, "clinical_report": rep})
    assert "1 time with a decimal comma read as a point" in line
    us, rep = read_clinical(_write(tmp_path / "us.csv", 'sample,time,status\nS1,"1,234",1\nS2,30,0\n'))
    assert us["os_time"].iloc[0] == 1234 and rep["n_decimal_comma_times"] == 0
    assert rep["n_thousands_separator_times"] == 1


def test_r_surv_1_2_status_is_read_as_censored_or_event_and_said(tmp_path: Path, caplog) -> None:
    """R's Surv() coding (lung$status: 1 censored, 2 dead). Old behaviour: every 1 became a
    death and every 2 was dropped as invalid, said only in record.json."""
    from genemoe.data.prep_text import step_line

    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\t100\t2\nS2\t200\t1\nS3\t50\t2\n")
    with caplog.at_level("WARNING"):
        frame, rep = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0, 1.0]
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 0
    assert rep["endpoints"]["OS"]["n_recoded_from_1_2"] == 3
    assert "OS events coded 1/2: read as R's Surv() coding (1 censored, 2 event)" in caplog.text
    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 3, "n_events": 2,
                                       "n_without": 0, "clinical_report": rep})
    assert "events coded 1/2 read as 1 censored, 2 event" in line
    # 0/1 with a stray 2 (0/1/2 mixed): refused, naming the rows (was: the 2 dropped, the
    # 1s read as events, a guess either way)
    q = _write(tmp_path / "d.tsv", "sample\ttime\tstatus\nS1\t100\t1\nS2\t200\t0\nS3\t50\t2\n")
    with pytest.raises(InputError, match="OS events hold 0, 1 and 2") as err:
        read_clinical(q)
    assert "d.tsv" in str(err.value) and "column 'status'" in str(err.value)
    assert "line 4 (S3): '2'" in str(err.value) and "recode the events to 0/1" in str(err.value)


def test_rows_that_disagree_for_one_patient_are_said(tmp_path: Path, caplog) -> None:
    """Old behaviour: the first row kept silently (an INFO line; record.json's count only)."""
    from genemoe.data.prep_text import step_line

    p = _write(tmp_path / "c.tsv", "bcr_patient_barcode\tOS\tOS.time\nTCGA-OR-A5J1\t1\t1355\n"
                                   "TCGA-OR-A5J2\t0\t400\nTCGA-OR-A5J1\t1\t1455\n")
    with caplog.at_level("WARNING"):
        frame, rep = read_clinical(p)
    assert frame.loc["TCGA-OR-A5J1", "os_time"] == 1355 and rep["n_conflicting_duplicates"] == 1
    assert ("1 patient(s) with rows that disagree on OS (e.g. TCGA-OR-A5J1 (1355/1 vs 1455/1)): "
            "the first complete row of each kept") in caplog.text
    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 2, "n_events": 1,
                                       "n_without": 0, "clinical_report": rep})
    assert "1 patient(s) with disagreeing rows, the first complete row kept" in line


def test_cbioportal_downloads_and_coded_statuses(tmp_path: Path) -> None:
    """Old behaviour: cBioPortal's "1:Recurred/Progressed", "1:PROGRESSION" and "0:CENSORED"
    statuses were unrecognised (every DFS/PFS event lost), and its study-view download
    ("Patient ID", "Overall Survival (Months)") or API spelling (patientId) had no id column."""
    assert parse_events(pd.Series(["1:Recurred/Progressed", "0:DiseaseFree", "1:PROGRESSION",
                                   "0:CENSORED", "0:ALIVE OR DEAD TUMOR FREE",
                                   "1:DEAD WITH TUMOR"])).tolist() == [1, 0, 1, 0, 0, 1]
    p = _write(tmp_path / "c.tsv", "PATIENT_ID\tDFS_STATUS\tDFS_MONTHS\tPFS_STATUS\tPFS_MONTHS\n"
                                   "TCGA-OR-A5J1\t1:Recurred/Progressed\t6\t1:PROGRESSION\t5\n"
                                   "TCGA-OR-A5J2\t0:DiseaseFree\t24\t0:CENSORED\t24\n")
    frame, rep = read_clinical(p, endpoints=("DFI", "PFI"), endpoint="DFI")
    assert frame["dfi_event"].tolist() == [1.0, 0.0] and frame["pfi_event"].tolist() == [1.0, 0.0]
    web = _write(tmp_path / "w.tsv", "Study ID\tPatient ID\tSample ID\tOverall Survival (Months)\t"
                                     "Overall Survival Status\n"
                                     "acc_tcga\tTCGA-OR-A5J1\tTCGA-OR-A5J1-01\t12\t1:DECEASED\n"
                                     "acc_tcga\tTCGA-OR-A5J2\tTCGA-OR-A5J2-01\t24\t0:LIVING\n")
    frame, rep = read_clinical(web)
    assert frame.index.tolist() == ["TCGA-OR-A5J1", "TCGA-OR-A5J2"]
    assert frame["os_time"].tolist() == pytest.approx([365.25, 730.5])
    assert frame["os_event"].tolist() == [1.0, 0.0]
    api = _write(tmp_path / "a.tsv", "patientId\tOS_STATUS\tOS_MONTHS\nP1\t1:DECEASED\t1\n")
    frame, _ = read_clinical(api)
    assert frame.index.tolist() == ["P1"]


def test_survival_values_left_out_are_named_in_a_warning(tmp_path: Path, caplog) -> None:
    """Old behaviour: negative, non-numeric times and events not 0/1 were counted in
    record.json only; prepare's terminal said "3 without" and nothing of which or why."""
    import logging

    p = _write(tmp_path / "c.tsv",
               "sample\ttime\tstatus\nS1\t-20\t1\nS2\tabc\t0\nS3\t100\tmaybe\nS4\t5\t1\n"
               "S5\t70\t\nS6\t\t1\n")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        read_clinical(p)
    said = caplog.text
    assert "c.tsv: 1 patient(s) with a negative time (e.g. S1 (-20)): no OS for them" in said
    assert "a time that is not a number (e.g. S2 ('abc'))" in said
    assert "an event not 0/1 (e.g. S3 ('maybe'))" in said  # the word itself named
    assert "1 patient(s) with a time but no event (e.g. S5 (time 70, event empty))" in said  # unnamed
    # a status with an empty time was counted only (57 OS events in TCGA-CDR's table)
    assert "1 patient(s) with an event status but no time (e.g. S6 (status 1, time empty))" in said


def test_time_months_is_converted_and_short_day_follow_up_warned(tmp_path: Path, caplog) -> None:
    """``time_months`` was not found ("none of the endpoints"), and a ``time`` column holding
    months was read as days unsaid (a longest follow-up of 153 "days"; 1/3/5-year survival
    then empty for everyone)."""
    rows = "".join(f"TCGA-OR-A{i:03d}\t{10 + 5 * i}\t{i % 2}\n" for i in range(25))
    frame, rep = read_clinical(_write(tmp_path / "m.tsv", "patient\ttime_months\tevent\n" + rows))
    assert frame["os_time"].iloc[0] == pytest.approx(10 * 30.4375) and rep["time_units"]["OS"]
    with caplog.at_level("WARNING"):
        _, rep = read_clinical(_write(tmp_path / "d.tsv", "patient\ttime\tevent\n" + rows))
    assert "OS times read as days, but the longest follow-up is 130 days (median 70)" in caplog.text
    assert rep["endpoints"]["OS"]["longest_follow_up_days"] == 130
    caplog.clear()
    with caplog.at_level("WARNING"):
        read_clinical(_write(tmp_path / "few.tsv", "patient\ttime\tevent\nA\t30\t1\nB\t60\t0\n"))
    assert "longest follow-up" not in caplog.text  # 2 patients: nothing to go on


def test_event_words_and_table_patients_without_a_sample_are_recorded_and_said(
        tmp_path: Path, caplog) -> None:
    """Events written Dead/Alive were read as 1/0 without a word (the record had no entry,
    as it has for 1/2 coding), and a table whose patients mostly matched no sample (8 of 79
    joined) counted the samples without survival but not the table's patients left over,
    where ids in another form show."""
    from genemoe.data.prep_text import step_line

    rng, samples = _thirty_samples(tmp_path / "m.tsv")
    status = np.where(np.arange(34) % 3 == 0, "Dead", "Alive")
    pd.DataFrame({"sample": [*samples[:26], "X1", "X2", "X3", "X4", *samples[26:]],
                  "time": rng.integers(1, 900, 34), "status": status}).iloc[:30].to_csv(
        tmp_path / "s.csv", index=False)
    with caplog.at_level("INFO", logger="genemoe"):
        b = prepare_dataset([tmp_path / "m.tsv"], out_path=tmp_path / "b",
                            clinical_path=tmp_path / "s.csv",
                            config=PrepareConfig(cancer_type="BRCA", min_variance=0, min_mean=0))
    step = next(s for s in b.record["steps"] if s["step"] == "join_survival")
    assert step["clinical_report"]["event_words"] == {"OS": {"Alive -> 0": 20, "Dead -> 1": 10}}
    assert "OS events written as words, read as: Alive -> 0 20, Dead -> 1 10" in caplog.text
    assert step["n_table_patients_without_sample"] == 4 and step["n_without"] == 4
    assert step["table_patients_without_sample_examples"] == ["X1", "X2", "X3"]
    line = step_line("join_survival", step)
    assert "events written as words read as Alive -> 0 20, Dead -> 1 10" in line
    assert "4 of the table's 30 patients have no sample here (e.g. X1, X2, X3)" in line


def test_a_survival_table_given_as_labels_says_pass_it_as_clinical(tmp_path: Path) -> None:
    """Old behaviour (outside tester): Xena's TCGA-*.survival.tsv given as --labels was told
    "cannot tell which column holds the cancer type (candidates: ['OS', '_PATIENT',
    'OS.time'])" and to pass --label-column, which no column of it can answer."""
    from genemoe.data.tables import read_labels

    p = _write(tmp_path / "TCGA-ACC.survival.tsv",
               "sample\tOS\t_PATIENT\tOS.time\nTCGA-OR-A5J1-01A\t1\tTCGA-OR-A5J1\t1355\n")
    with pytest.raises(InputError, match="this is a survival table \\(columns OS, OS.time\\)") as e:
        read_labels(p)
    assert "pass it as --clinical" in str(e.value) and "--label-column" not in str(e.value)


def test_a_label_table_given_as_clinical_says_pass_it_as_labels(tmp_path: Path) -> None:
    """Old behaviour: a sample → cancer-type table given as --clinical was told only "none of
    the endpoints found ... expected columns like OS, OS.time"."""
    p = _write(tmp_path / "samples.tsv", "sample_id\tcancer_type\nTCGA-OR-A5J1-01\tACC\n")
    with pytest.raises(InputError, match="column 'cancer_type' holds cancer types") as e:
        read_clinical(p)
    assert "pass it as --labels" in str(e.value)
    q = _write(tmp_path / "other.tsv", "sample_id\tage\nTCGA-OR-A5J1-01\t60\n")
    with pytest.raises(InputError, match="none of the endpoints") as e:
        read_clinical(q)
    assert "--labels" not in str(e.value)


def test_values_left_out_are_warned_only_for_patients_in_the_data(tmp_path: Path, caplog) -> None:
    """Old behaviour (outside tester): prepare on gdc6 with TCGA-CDR warned "57 patient(s)
    with an event status but no time", all of them of other cohorts. Said on the join: a
    warning for the patients in the data (counted in the step), an info line otherwise."""
    import logging

    from genemoe.data.clinical import attach_survival

    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\t-20\t1\nS4\t5\t1\nS6\t\t1\nS7\t\t0\n")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        frame, report = read_clinical(p, said_on_join=True)
        assert "WARNING" not in caplog.text
        obs = pd.DataFrame({"patient_id": ["S1", "S4"]})
        joined = attach_survival(obs, frame, report, "OS")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == ["c.tsv: 1 patient(s) with a negative time, 1 of them in this data (e.g. "
                      "S1 (-20)): no OS for them"]
    assert ("c.tsv: 2 patient(s) with an event status but no time, none of them in this data"
            in caplog.text)
    assert joined["left_out_in_data"] == {"OS: a negative time": 1}
    assert "_left_out" not in joined["clinical_report"]


def test_survival_in_a_labels_table_without_clinical_is_warned(tmp_path: Path) -> None:
    """Old behaviour (outside tester): TCGA-CDR given as --labels alone (it has a cancer-type
    column) made a bundle with no survival, said only as "with survival: 0"."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    files = write_synthetic_files(make_synthetic_cohort(n_samples=60, n_genes=60, n_types=3,
                                                        seed=1), tmp_path / "in")
    labels = pd.read_csv(files["labels"], sep="\t")
    labels["OS"], labels["OS.time"] = 1, 400.0
    labels.to_csv(tmp_path / "cdr_like.tsv", sep="\t", index=False)
    cfg = PrepareConfig(min_variance=0, min_mean=0)
    b = prepare_dataset([files["counts"]], out_path=tmp_path / "b", config=cfg,
                        label_paths=[tmp_path / "cdr_like.tsv"])
    said = [w for w in b.summary["warnings"] if "also holds survival (OS, OS.time)" in w]
    assert said and "pass it as --clinical too" in said[0]
    b = prepare_dataset([files["counts"]], out_path=tmp_path / "c", config=cfg,
                        label_paths=[tmp_path / "cdr_like.tsv"], clinical_path=files["clinical"])
    assert not any("also holds survival" in w for w in b.summary["warnings"])


def test_an_endpoint_none_of_the_patients_has_is_refused_naming_those_they_have(
        shared_data: Path, tmp_path: Path) -> None:
    """An outside probe: TCGA-CDR gives UVM no DFI; `prepare --endpoint DFI` wrote a bundle
    of "0 samples with time and event" unwarned, and `train --task survival` then said it was
    "prepared without --clinical"."""
    gdc = shared_data / "gdc_counts_6types"
    cfg = PrepareConfig(endpoint="DFI", sample_types=("01",))
    with pytest.raises(InputError) as err:
        prepare_dataset([gdc / "TCGA_UVM_Counts.exp.gz"], out_path=tmp_path / "b", config=cfg,
                        clinical_path=shared_data / "tcga_survival" / "clinical_survival.tsv.gz")
    text = str(err.value)
    assert "gives none of the 80 samples' patients a DFI time and event" in text
    assert "OS (80), DSS (80), PFI (79)" in text and not (tmp_path / "b").exists()
