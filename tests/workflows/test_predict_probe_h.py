"""An outside probe of ``genemoe predict`` on files other pipelines write (probe H): negative
TPM refused as prepare refuses it (a trace clipped and recorded), log values below 0
counted, TPM normalised as counts warned, empty profiles left unscored, a wrong orientation
and a moved annotation said with the right fix, a file of the model's own ids lacking
genes told so, a survival model's aligned risks caveated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict import align_to_model, predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("probe_h")
    b, f, _ = prepare_synthetic(d, n_samples=120, n_genes=50, n_types=3, seed=11, clinical=False)
    train_run(b.path, out_dir=d / "run", model_name="logreg", progress=False)
    return d, f


def _counts(f: dict) -> pd.DataFrame:
    return pd.read_csv(f["counts"], sep="\t", index_col=0).iloc[:, :8]


def _tpm(f: dict) -> pd.DataFrame:
    counts = _counts(f)
    return counts / counts.sum() * 1e6 + 1e-3  # non-integer: linear, not counts


def _record(out: Path) -> dict:
    return json.loads(out.with_name(out.stem + ".record.json").read_text())


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def test_negative_tpm_beyond_a_trace_is_refused_as_prepare_refuses_it(trained, tmp_path):
    """Old behaviour: 3,000 cells at -5 were clipped to 0 and scored, exit 0; prepare
    refuses the same file."""
    d, f = trained
    tpm = _tpm(f)
    tpm.iloc[:20, 2] = -5.0
    tpm.to_csv(tmp_path / "neg.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        predict_file(d / "run", tmp_path / "neg.tsv", out_path=tmp_path / "p.tsv")
    e = err.value
    assert "20 values" in e.problem and "below -1, down to -5" in e.problem
    assert "destroy them" in e.problem and tpm.columns[2] in e.problem
    assert "--normalisation none" in e.fix
    assert not (tmp_path / "p.tsv").exists()


def test_a_trace_of_negative_tpm_is_clipped_and_recorded_as_a_warning(trained, tmp_path):
    """Old behaviour: said on the scale step's line only; no entry in the record's warnings."""
    d, f = trained
    tpm = _tpm(f)
    tpm.iloc[:3, 1] = -0.5
    tpm.to_csv(tmp_path / "neg.tsv", sep="\t")
    predict_file(d / "run", tmp_path / "neg.tsv", out_path=tmp_path / "p.tsv")
    (w,) = [w for w in _record(tmp_path / "p.tsv")["warnings"] if w["code"] == "negative_values"]
    assert w["level"] == "warning" and w["n_values"] == 3 and w["by_sample"] == {tpm.columns[1]: 3}
    assert "3 negative values (minimum -0.5) clipped to 0" in w["text"]
    got = pd.read_csv(tmp_path / "p.tsv", sep="\t").set_index("sample_id")["n_values_clipped"]
    assert got[tpm.columns[1]] == 3 and got.sum() == 3


def test_log_values_below_zero_are_counted_per_sample_and_warned(trained, tmp_path, caplog):
    """Old behaviour: 200 cells of -0.5 in a log2(TPM + 1) file were taken uncounted."""
    d, f = trained
    logged = np.log2(_tpm(f) + 1)
    logged.iloc[:4, 3] = -0.5
    logged.to_csv(tmp_path / "log.tsv", sep="\t")
    with caplog.at_level("WARNING", logger="genemoe"):
        predict_file(d / "run", tmp_path / "log.tsv", out_path=tmp_path / "p.tsv")
    (w,) = [w for w in _record(tmp_path / "p.tsv")["warnings"]
            if w["code"] == "negative_log_values"]
    assert w["n_values"] == 4 and w["by_sample"] == {logged.columns[3]: 4}
    assert "4 values below 0" in caplog.text and logged.columns[3] in caplog.text
    got = pd.read_csv(tmp_path / "p.tsv", sep="\t").set_index("sample_id")["n_negative_values"]
    assert got[logged.columns[3]] == 4 and got.sum() == 4


def test_tpm_normalised_as_counts_is_warned(trained, tmp_path):
    """Old behaviour: --normalisation model on TPM divided by gene length again, unsaid."""
    d, f = trained
    _tpm(f).to_csv(tmp_path / "tpm.tsv", sep="\t")
    predict_file(d / "run", tmp_path / "tpm.tsv", out_path=tmp_path / "p.tsv",
                 normalisation="model")
    (w,) = [w for w in _record(tmp_path / "p.tsv")["warnings"] if w["code"] == "not_counts"]
    assert w["n_samples"] == 8 and "not counts" in w["text"]
    _counts(f).to_csv(tmp_path / "c.tsv", sep="\t")  # counts: nothing said
    predict_file(d / "run", tmp_path / "c.tsv", out_path=tmp_path / "q.tsv", normalisation="model")
    assert "not_counts" not in {w["code"] for w in _record(tmp_path / "q.tsv")["warnings"]}


def test_an_empty_profile_gets_no_type_and_does_not_look_like_training(trained, tmp_path):
    """Old behaviour: a sample of zeros was called CHOL at 0.999 (only a flag column)."""
    d, f = trained
    counts = _counts(f)
    counts.iloc[:, 1] = 0
    counts.to_csv(tmp_path / "z.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "z.tsv", out_path=tmp_path / "p.tsv")
    df = pd.read_csv(tmp_path / "p.tsv", sep="\t").set_index("sample_id")
    row = df.loc[counts.columns[1]]
    assert pd.isna(row["predicted_type"]) and pd.isna(row["confidence"]) and pd.isna(row["top1"])
    assert row[[c for c in df if c.startswith("prob_")]].isna().all()
    if "looks_like_training" in df:
        assert str(row["looks_like_training"]) == "False"
    assert df.drop(index=counts.columns[1])["predicted_type"].notna().all()
    assert "not scored" in _flat(text)


def test_a_file_of_the_models_ids_lacking_half_its_genes_is_told_they_are_absent():
    """Old behaviour: "pass --annotation to map symbols/Entrez" for a file of Ensembl ids
    (the model's kind) that simply lacked half the model's genes."""
    from genemoe.data.read import ExpressionTable

    model = [f"ENSG{i:011d}" for i in range(100)]
    ids = model[70:] + [f"ENSG{i:011d}" for i in range(1000, 1050)]
    table = ExpressionTable(values=np.ones((2, len(ids)), np.float32), sample_ids=["a", "b"],
                            gene_ids=ids, source_path=Path("g.tsv"), orientation="genes_x_samples",
                            id_kind="ensembl", value_kind="counts")
    with pytest.raises(InputError) as err:
        align_to_model(table, model, fill=np.zeros(100), max_missing=0.2)
    assert "lacks these genes" in err.value.fix and "--max-missing" in err.value.fix
    assert "--annotation" not in err.value.fix


def test_a_whole_genome_file_read_the_wrong_way_is_told_its_orientation(trained, tmp_path):
    """Old behaviour: a file of many more genes than the model's, read samples × genes, was
    told "none of the gene identifiers match the annotation ... pass the annotation"."""
    d, f = trained
    counts = _counts(f)
    extra = pd.DataFrame(7, index=[f"ENSG{i:011d}" for i in range(900_000, 900_400)],
                         columns=counts.columns)
    pd.concat([counts, extra]).rename_axis("gene_id").to_csv(tmp_path / "w.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        predict_file(d / "run", tmp_path / "w.tsv", out_path=tmp_path / "p.tsv",
                     orientation="samples_by_genes")
    assert "--orientation genes_by_samples" in err.value.fix
    assert "annotation" not in err.value.fix


def test_symbols_read_the_wrong_way_are_told_their_orientation(trained, tmp_path):
    """The samples are not the model's (Ensembl) genes, so only the mapping fails: its fix
    pointed at --annotation while the gene ids were sample barcodes."""
    d, f = trained
    counts = _counts(f)
    ann = pd.read_csv(f["annotation"], sep="\t").set_index("gene_id")["gene_name"]
    counts.index = counts.index.map(ann)
    counts[counts.index.notna()].rename_axis("gene").to_csv(tmp_path / "s.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        predict_file(d / "run", tmp_path / "s.tsv", out_path=tmp_path / "p.tsv",
                     orientation="samples_by_genes")
    assert "--orientation genes_by_samples" in err.value.fix
    assert "sample ids" in err.value.fix


def test_a_moved_or_changed_annotation_of_the_run_is_said(trained, tmp_path, caplog):
    """Old behaviour: a run whose recorded annotation had moved said only "used as given
    (no annotation)"; a changed file was never checked against its recorded sha256."""
    d, f = trained
    _counts(f).to_csv(tmp_path / "c.tsv", sep="\t")
    path = Path(f["annotation"])
    kept = tmp_path / "kept.tsv.gz"
    shutil.copy(path, kept)
    try:
        path.unlink()
        with caplog.at_level("WARNING", logger="genemoe"), pytest.raises(InputError):
            predict_file(d / "run", tmp_path / "c.tsv", out_path=tmp_path / "p.tsv")
        assert f"the run's annotation {path} is not there (moved?)" in caplog.text
        assert "pass --annotation" in caplog.text
        caplog.clear()
        table = pd.read_csv(kept, sep="\t")
        table.iloc[::-1].to_csv(path, sep="\t", index=False)  # same genes, other bytes
        with caplog.at_level("WARNING", logger="genemoe"):
            predict_file(d / "run", tmp_path / "c.tsv", out_path=tmp_path / "q.tsv")
        assert f"the run's annotation {path} has changed since preparation" in caplog.text
    finally:
        shutil.copy(kept, path)


def test_a_survival_models_risk_from_aligned_input_is_caveated():
    """Old behaviour: risks from TPM moved a percentile 85.6 → 98.2 against counts of the same
    samples, with no caveat (only "log2(x + 1), then quantile alignment")."""
    from genemoe.workflows.predict_text import summary_notes

    df = pd.DataFrame({"sample_id": ["a"]})
    payload = {"task": "survival", "normalisation": "fpkm_uq", "gene_ids": ["g"]}
    report = {"scale_rule": "quantile", "max_missing_genes": 0, "n_samples": 1}
    (note,) = [n for n in summary_notes(df, payload, report) if n["code"] == "aligned_risk"]
    assert note["level"] == "caveat" and "approximate" in note["text"]
    assert "raw counts" in note["text"]
    assert "aligned_risk" not in {n["code"] for n in summary_notes(
        df, payload, {**report, "scale_rule": "same"})}
    assert "aligned_risk" not in {n["code"] for n in summary_notes(
        df, {**payload, "task": "classify"}, report)}
