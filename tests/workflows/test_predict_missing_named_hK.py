"""predict names the model's genes a file lacks (probe KK defect 1 and two nits).

Old behaviour: a UVM counts file holding 90% of a gdc6 model's genes was accepted with only
"missing genes: at most 1,897 of the model's 19,400 per sample"; none of the 1,897 ids was on
the terminal, in record.json or in the output, while the record listed every file gene the
model does not read. "at most ... per sample" was said of genes no sample had; and linear
TPM given to an FPKM-UQ model was quantile-aligned with no reason given.
"""

from __future__ import annotations

import dataclasses
import json
import logging

import numpy as np
import pandas as pd
import pytest

from genemoe.data.read import read_expression
from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file, predict_table
from genemoe.workflows.predict_text import missing_notes


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def run(labelled_logreg_run):
    d, f, _ = labelled_logreg_run()
    payload = load_model_file(d / "run")
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    return d / "run", counts, payload


def _dropped(run, tmp_path, k: int = 6) -> tuple[list[str], pd.DataFrame]:
    """The counts without ``k`` of the model's genes (every fifth), written to ``x.tsv``."""
    _, counts, payload = run
    gone = [str(g) for g in payload["gene_ids"][::5][:k]]
    kept = counts.drop(index=gone)
    kept.to_csv(tmp_path / "x.tsv", sep="\t")
    return gone, kept


def test_genes_absent_from_the_file_are_named_in_the_record_and_on_the_terminal(run, tmp_path):
    model, _, payload = run
    gone, _ = _dropped(run, tmp_path)
    text = _flat(predict_file(model, tmp_path / "x.tsv", out_path=tmp_path / "p.tsv"))
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["missing_gene_ids"] == gone  # every one, in the model's order
    assert record["n_genes_absent_from_file"] == len(gone)
    assert record["n_genes_missing_in_some_samples"] == 0
    assert record["missing_genes_file"] is None
    symbols = dict(zip(map(str, payload["gene_ids"]), payload.get("symbols") or [], strict=False))
    if symbols:
        assert record["missing_gene_symbols"] == [symbols[g] for g in gone]
    first = symbols.get(gone[0]) or gone[0]
    n_model = len(payload["gene_ids"])
    assert (f"missing genes: {len(gone)} of the model's {n_model} absent from the file "
            f"(e.g. {first}, ") in text
    assert "p.record.json: missing_gene_ids" in text
    assert "per sample" not in text.split("missing genes:")[1].split("genes:")[0]  # nit 2
    (said,) = [w for w in record["warnings"] if w["code"] == "missing_genes"]
    assert said["n_genes_absent_from_file"] == len(gone)


def test_genes_missing_in_some_samples_are_counted_apart(run, tmp_path):
    """Files with NaN are refused on reading; a table given to predict_table may hold them."""
    _, _, payload = run
    gone, _ = _dropped(run, tmp_path, k=2)
    table = read_expression(tmp_path / "x.tsv")
    values = np.array(table.values, np.float64)
    cols = [list(map(str, table.gene_ids)).index(str(g)) for g in payload["gene_ids"][1:4]]
    values[:3, cols[0]] = np.nan  # present, missing in some samples; the first lacks all three
    values[0, cols[1:]] = np.nan
    df, report = predict_table(payload, dataclasses.replace(table, values=values),
                               annotation=None, normalisation="quantile")
    assert report["missing_gene_ids"] == gone
    assert (report["n_genes_missing_in_some_samples"],
            report["max_missing_in_some_samples"]) == (3, 3)
    assert report["max_missing_genes"] == len(gone) + 3
    assert df["n_missing_genes"].iloc[0] == len(gone) + 3
    report["missing_genes_at"] = "p.record.json: missing_gene_ids"
    (said,) = missing_notes(report, payload)
    assert (f"{len(gone)} of the model's {len(payload['gene_ids'])} absent from the file (e.g. "
            in said["text"])
    assert "3 more missing in some samples (at most 3 in one; n_missing_genes)" in said["text"]
    assert "of its weight in one sample" in said["text"]
    assert said["n_genes_missing_in_some_samples"] == 3


def test_a_long_list_goes_to_a_side_file_the_record_names(run, tmp_path, monkeypatch, caplog):
    from genemoe.workflows import predict_missing  # new with the fix

    model, _, _ = run
    gone, _ = _dropped(run, tmp_path)
    monkeypatch.setattr(predict_missing, "MISSING_INLINE", 3)
    out = tmp_path / "s.tsv"
    text = _flat(predict_file(model, tmp_path / "x.tsv", out_path=out))
    side = tmp_path / "s.missing_genes.tsv"
    record = json.loads((tmp_path / "s.record.json").read_text())
    assert record["missing_genes_file"] == str(side) and record["missing_gene_ids"] is None
    listed = pd.read_csv(side, sep="\t", dtype=str, keep_default_na=False)
    assert listed["gene_id"].tolist() == gone and list(listed.columns) == ["gene_id", "symbol"]
    assert "s.missing_genes.tsv)" in text
    monkeypatch.setattr(predict_missing, "MISSING_INLINE", 5_000)  # inline again: removed
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        predict_file(model, tmp_path / "x.tsv", out_path=out)
    assert not side.exists() and "removed s.missing_genes.tsv" in caplog.text


def test_linear_tpm_for_an_fpkm_uq_model_says_why_it_is_aligned(run, tmp_path):
    model, counts, payload = run
    assert payload["normalisation"] == "fpkm_uq"
    tpm = counts / counts.sum() * 1e6 + 1e-3
    tpm.to_csv(tmp_path / "tpm.tsv", sep="\t")
    text = _flat(predict_file(model, tmp_path / "tpm.tsv", out_path=tmp_path / "t.csv"))
    record = json.loads((tmp_path / "t.record.json").read_text())
    assert record["scale_rule"] == "quantile"
    (said,) = [w for w in record["warnings"] if w["code"] == "linear_other_unit"]
    assert said["text"].startswith("linear TPM (")
    assert "another unit than the model's FPKM-UQ (no exact conversion" in said["text"]
    assert "aligned to the model's training distribution (quantile)" in said["text"]
    assert said["unit"] == "TPM" and said["n_samples_per_million"] == tpm.shape[1]
    assert "missing genes: none of the model's" in text
