"""predict's record.json keeps every warning and caveat its terminal summary says, with data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genemoe.workflows import predict as predict_mod
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic

INFO_LINES = ("missing genes: none", "every sample", "probabilities:", "risk:",
              "→ ")  # the output's path, on its own line when the first is long (382d20a)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("rec")
    b, f, _ = prepare_synthetic(d, n_samples=160, n_genes=60, n_types=2, seed=3)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxnet", progress=False)
    return d, f


def _summary_lines(text: str) -> list[str]:
    """The summary's lines under the output's path, each whole (predict wraps at 100, its
    continuations 4 deeper), without ``warning:`` and the record's line."""
    out: list[str] = []
    for line in text.splitlines()[1:]:
        if line.startswith("      "):
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip().removeprefix("warning: "))
    return [line for line in out if not line.startswith("record: ")]


def test_every_warning_the_summary_says_is_in_the_record(trained, tmp_path, monkeypatch):
    """An outside review: the repeated-patient note (which patients) and the survival curves
    worse than no model on the test split were said on the terminal and absent from
    record.json; so were other-sample-type samples and "exists: replacing it"."""
    d, f = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0).iloc[:, :6]
    first = counts.columns[0]
    again = first.replace("-01A-", "-01B-")  # a second 01 sample of the first patient
    normal = counts.columns[1].replace("-01A-", "-11A-")
    counts.insert(1, again, counts[first])
    counts = counts.rename(columns={counts.columns[2]: normal})
    counts.to_csv(tmp_path / "x.tsv", sep="\t")
    real = predict_mod.load_model_file

    def worse(run):  # the UVM probe's Coxnet: test IBS 0.384 against the no-model 0.176
        payload = real(run)
        test = {"integrated_brier_score": 0.384, "ibs_null_reference": 0.176}
        return {**payload, "metrics": {**(payload.get("metrics") or {}), "test": test}}

    monkeypatch.setattr(predict_mod, "load_model_file", worse)
    out = tmp_path / "p.csv"
    predict_file(d / "cox", tmp_path / "x.tsv", out_path=out)
    text = predict_file(d / "cox", tmp_path / "x.tsv", out_path=out)  # replaces p.csv
    record = json.loads((tmp_path / "p.record.json").read_text())
    by_code = {w["code"]: w for w in record["warnings"]}
    patient = "-".join(first.split("-")[:3])
    assert by_code["repeated_patients"]["n_patients"] == 1
    assert by_code["repeated_patients"]["patients"] == {patient: [first, again]}
    bad = by_code["survival_worse_than_no_model"]
    assert (bad["level"], bad["split"]) == ("warning", "test")
    assert (bad["integrated_brier_score"], bad["ibs_null_reference"]) == (0.384, 0.176)
    assert by_code["other_sample_type"]["sample_ids"] == [normal]
    assert by_code["other_sample_type"]["by_sample_type"] == {"11": 1}
    assert any(w["code"] == "logged" and "exists: replacing it" in w["text"]
               for w in record["warnings"])
    # each caveat line of the terminal is in the record, word for word
    texts = {w["text"] for w in record["warnings"]}
    said = [line for line in _summary_lines(text) if not line.startswith(INFO_LINES)
            and not line.endswith("looks like the training data")]  # one sample: info too
    assert said and all(line in texts for line in said), (said, texts)
    assert "record: p.record.json (every step, count and warning)" in text
