"""predict --labels takes several files as prepare --labels does: after one flag (a shell
glob), repeated, or a quoted pattern; each read, then agreed into one table."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from genemoe.cli import app


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=60, n_genes=50, seed=2)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_several_label_files_after_one_flag_or_repeated(trained, tmp_path):
    """An outside probe: `--labels A --labels B` kept only B (the record named B alone);
    `--labels dir/*_Target.txt` (prepare's idiom) failed with 'unexpected extra argument'."""
    d, f, labels = trained
    half = len(labels) // 2
    a, b = tmp_path / "A_Target.tsv", tmp_path / "B_Target.tsv"
    labels[:half].to_csv(a, sep="\t", index=False)
    labels[half:].to_csv(b, sep="\t", index=False)
    base = ["predict", "--model", str(d / "run"), "--expression", str(f["counts"])]
    for i, given in enumerate((["--labels", str(a), str(b)],
                               ["--labels", str(a), "--labels", str(b)],
                               ["--labels", str(tmp_path / "*_Target.tsv")])):
        out = tmp_path / f"p{i}.csv"
        res = CliRunner().invoke(app, [*base, "--out", str(out), *given])
        assert res.exit_code == 0, res.output
        record = json.loads(out.with_suffix(".record.json").read_text())
        assert record["labels"]["files"] == [str(a), str(b)]
        assert record["scores"]["n_labelled"] == len(labels)
        assert "--labels A_Target.tsv, B_Target.tsv: 60 of 60 samples labelled" in \
            _flat(res.output)


