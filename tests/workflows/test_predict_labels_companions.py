"""predict's companion files (``<stem>.record.json``, ``<stem>.scores.tsv``) are named from
the output's stem, so ``pred.tsv`` and ``pred.parquet`` share them. An outside probe:
``--labels ... --out pz/pred.tsv``, then ``--out pz/pred.parquet`` without labels said
"removed pred.scores.tsv" and overwrote pred.record.json: pred.tsv was left without its record
and scores. Companions of another output still on disk are now refused, not clobbered."""

from __future__ import annotations

import json

import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=120, n_genes=60, seed=5)


def test_another_suffix_does_not_clobber_the_first_predictions_companions(trained, tmp_path):
    d, f, _ = trained
    out = tmp_path / "pz"
    predict_file(d / "run", f["counts"], out_path=out / "pred.tsv", labels_path=f["labels"])
    before = {n: (out / n).read_bytes() for n in ("pred.record.json", "pred.scores.tsv")}
    for kw in ({}, {"labels_path": f["labels"]}):  # without labels, and with them
        with pytest.raises(InputError) as err:
            predict_file(d / "run", f["counts"], out_path=out / "pred.parquet", **kw)
        text = str(err.value)
        assert "pred.record.json and pred.scores.tsv beside it belong to pred.tsv" in text
        assert "choose another --out name (e.g. pred_2.parquet)" in text
    assert not (out / "pred.parquet").exists()
    assert {n: (out / n).read_bytes() for n in before} == before
    assert json.loads((out / "pred.record.json").read_text())["output"].endswith("pred.tsv")


def test_the_same_output_again_or_a_removed_one_replaces_them(trained, tmp_path):
    """Its own companions are replaced (and stale scores removed) as before; those of an
    output no longer on disk belong to nothing and are replaced too."""
    d, f, _ = trained
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.tsv", labels_path=f["labels"])
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.tsv")
    assert not (tmp_path / "p.scores.tsv").exists()
    (tmp_path / "p.tsv").unlink()
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.parquet")
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["output"].endswith("p.parquet")


def test_a_record_naming_no_output_is_replaced(trained, tmp_path):
    """A ``p.record.json`` that is not predict's (no ``output``, or not JSON) is replaced,
    as before."""
    d, f, _ = trained
    (tmp_path / "p.tsv").write_text("x\n")
    (tmp_path / "p.record.json").write_text("{not json")
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv")
    assert json.loads((tmp_path / "p.record.json").read_text())["output"].endswith("p.csv")
