"""predict --labels: several samples of one patient are not independent. An outside probe
wrote 197 test samples twice (a second vial, ``-01A`` and ``-01B``): accuracy 0.853 (95% CI
0.814–0.884) "of the 394 samples", narrower than the 0.797–0.896 of the 197 once, while two
lines earlier predict said "count a patient once when summarising". Where patients repeat,
the intervals count patients (Wilson over the patients, macro-F1 resampling patients)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.report.text import wilson_interval
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import patient_keys, score_predictions


def _flat(text: str) -> str:
    return " ".join(text.split())


def _new_patient(sample_id: str) -> str:
    return sample_id[:5] + "N" + sample_id[6:]


def _second_vial(sample_id: str) -> str:
    """``...-01A-11R-...`` → ``...-01B-11R-...``: another vial of the same patient."""
    return sample_id[:15] + "B" + sample_id[16:]


@pytest.fixture(scope="module")
def written(labelled_logreg_run, tmp_path_factory):
    """New patients' samples once, and each twice (its second vial beside it)."""
    d, f, labels = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    out = tmp_path_factory.mktemp("twice")
    once = pd.read_csv(f["counts"], sep="\t", index_col=0)
    once.columns = [_new_patient(c) for c in once.columns]
    twice = pd.concat([once, once.set_axis([_second_vial(c) for c in once.columns], axis=1)],
                      axis=1)
    once.to_csv(out / "once.tsv", sep="\t")
    twice.to_csv(out / "twice.tsv", sep="\t")
    lab = labels.assign(Sample_name=labels["Sample_name"].map(_new_patient))
    pd.concat([lab, lab.assign(Sample_name=lab["Sample_name"].map(_second_vial))]).to_csv(
        out / "types.tsv", sep="\t", index=False)
    runs = {}
    for name in ("once", "twice"):
        text = predict_file(d / "run", out / f"{name}.tsv", out_path=out / f"{name}.csv",
                            labels_path=out / "types.tsv")
        runs[name] = text, json.loads((out / f"{name}.record.json").read_text())["scores"]
    return runs


def test_every_sample_written_twice_gives_the_intervals_of_once(written):
    _, once = written["once"]
    text, twice = written["twice"]
    assert twice["accuracy"] == pytest.approx(once["accuracy"])
    assert twice["accuracy_ci95"] == pytest.approx(once["accuracy_ci95"], abs=1e-12)
    assert twice["macro_f1_ci95"] == pytest.approx(once["macro_f1_ci95"], abs=1e-12)
    assert twice["n_scored"] == 240 and twice["n_patients"] == 120 and twice["patients_repeat"]
    assert "patients" in twice["accuracy_ci_method"]
    assert "over patients" in twice["macro_f1_ci_method"]
    assert "of the 240 samples not the model's own (its test split 0, new 240; accuracy over " \
           "the samples, its interval over their 120 patients (effective n 120))" in _flat(text)
    assert twice["by_split"]["new"]["n_patients"] == 120
    assert twice["by_split"]["new"]["accuracy_ci95"] == pytest.approx(once["accuracy_ci95"])


def test_without_repeated_patients_the_intervals_are_as_before(written):
    """Once: the per-sample Wilson interval and sample bootstrap, unchanged, unsaid."""
    text, once = written["once"]
    assert once["n_patients"] == 120 and not once["patients_repeat"]
    assert once["accuracy_ci_method"] == "Wilson score"
    assert once["macro_f1_ci_method"].startswith("percentile bootstrap over samples")
    assert "patients)" not in _flat(text)


def test_patients_given_alone_change_nothing():
    """Distinct patients (or none known) give the numbers scored without them."""
    rng = np.random.default_rng(0)
    names = ["ACC", "BLCA", "BRCA"]
    given = pd.Series(rng.choice(names, 80), dtype=object)
    predicted = given.where(rng.random(80) < 0.8, pd.Series(rng.choice(names, 80)))
    ids = [f"TCGA-AB-{i:04d}-01A" for i in range(80)]
    plain = score_predictions(predicted, given, names)
    with_patients = score_predictions(predicted, given, names, patients=patient_keys(ids))
    for key in ("accuracy", "accuracy_ci95", "macro_f1", "macro_f1_ci95"):
        assert with_patients[key] == plain[key]
    assert with_patients["n_patients"] == 80 and plain["n_patients"] is None


def test_unequal_repeats_use_kishs_effective_count():
    """One patient with 4 samples among 6 of one each: n_eff = 10² / (16 + 6) = 4.55."""
    ids = [f"TCGA-AB-000{i}-01A" for i in range(6)] + [f"TCGA-AB-0009-0{k}A" for k in range(1, 5)]
    given = pd.Series(["ACC"] * 10, dtype=object)
    predicted = pd.Series(["ACC"] * 7 + ["BRCA"] * 3, dtype=object)
    s = score_predictions(predicted, given, ["ACC", "BRCA"], patients=patient_keys(ids))
    n_eff = 100 / 22
    assert s["n_patients"] == 7
    assert s["accuracy_ci95"] == pytest.approx(list(wilson_interval(0.7 * n_eff, n_eff)))
    note = label_notes(s, {"file": "l.tsv", "matched_by": {}, "respelt": {}},
                       ["ACC", "BRCA"])[1]
    # the interval's n is Kish's effective count, said (probeR: "intervals over their 72
    # patients" read as n 72 where 69.4 made it)
    assert ("accuracy over the samples, its interval over their 7 patients (effective n 4.5)"
            in note["text"]) and note["n_patients"] == 7
    assert s["n_effective"] == 4.5


def test_patient_keys_read_dotted_and_underscored_barcodes_as_one_patient():
    keys = patient_keys(["TCGA-OR-A5J1-01A", "TCGA.OR.A5J1.01B", "tcga_or_a5j1_01A", "S1"])
    assert keys.tolist()[:3] == ["TCGA-OR-A5J1"] * 3 and keys.iloc[3] is None
