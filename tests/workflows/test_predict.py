"""predict: new samples in another identifier style, aligned and scored as in training."""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.errors import InputError
from genemoe.workflows.predict import align_to_model, predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("pred")
    b, f, c = prepare_synthetic(d, n_samples=200, n_genes=100, n_types=4, seed=7, clinical=False)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="fcn", epochs=3, progress=False)
    return d, f, c


def _as_symbols(counts_path, annotation_path, out_path, *, drop_fraction=0.0, seed=0):
    """Rewrite a genes × samples counts file with gene symbols instead of Ensembl ids."""
    counts = pd.read_csv(counts_path, sep="\t", index_col=0)
    ann = pd.read_csv(annotation_path, sep="\t").set_index("gene_id")["gene_name"]
    counts.index = counts.index.map(ann)
    counts = counts[counts.index.notna()]
    if drop_fraction:
        rng = np.random.default_rng(seed)
        counts = counts.iloc[rng.permutation(len(counts))[int(drop_fraction * len(counts)):]]
    counts.to_csv(out_path, sep="\t")
    return out_path


def _flat(text: str) -> str:
    """A summary's words with its line breaks as spaces (predict wraps lines at 100)."""
    return " ".join(text.split())


def test_symbols_score_like_ensembl_ids(trained, tmp_path):
    d, f, _ = trained
    predict_file(d / "run", f["counts"], out_path=tmp_path / "ens.csv")
    sym = _as_symbols(f["counts"], f["annotation"], tmp_path / "symbols.tsv")
    report = predict_file(d / "run", sym, out_path=tmp_path / "sym.csv", annotation_path=f["annotation"])
    a, b = pd.read_csv(tmp_path / "ens.csv"), pd.read_csv(tmp_path / "sym.csv")
    assert (a["sample_id"] == b["sample_id"]).all()
    np.testing.assert_allclose(a.filter(like="prob_"), b.filter(like="prob_"), atol=1e-5)
    assert "SYNTHETIC" in report and (b["n_missing_genes"] == 0).all()


def test_missing_genes_are_filled_reported_or_refused(trained, tmp_path):
    d, f, _ = trained
    few = _as_symbols(f["counts"], f["annotation"], tmp_path / "few.tsv", drop_fraction=0.1)
    text = predict_file(d / "run", few, out_path=tmp_path / "few.parquet", annotation_path=f["annotation"])
    # the training-mean fill pulls a sample towards training: said where the flag is read
    assert "the fill makes a sample look more like training to the unfamiliar flag" in _flat(text)
    out = pd.read_parquet(tmp_path / "few.parquet")
    assert (out["n_missing_genes"] > 0).all() and "predicted_type" in out
    many = _as_symbols(f["counts"], f["annotation"], tmp_path / "many.tsv", drop_fraction=0.4)
    # the annotation was given and mapped every symbol: the genes are absent, not unmapped
    # (the fix said "pass --annotation" whatever the cause)
    with pytest.raises(InputError, match=r"(?s)missing.*fix: .*lacks these genes") as err:
        predict_file(d / "run", many, out_path=tmp_path / "many.csv", annotation_path=f["annotation"])
    assert "--annotation" not in str(err.value) and "--max-missing" in str(err.value)
    assert not (tmp_path / "many.csv").exists()
    sym = read_expression(_as_symbols(f["counts"], f["annotation"], tmp_path / "sym.tsv"))
    ensembl = pd.read_csv(f["counts"], sep="\t", index_col=0).index.tolist()
    # unmapped: every sample lacks them, said so (the message named the first sample only),
    # and the two kinds of id are named (the fix was "pass --annotation" where one was used)
    with pytest.raises(InputError, match=r"(?s)missing for every sample.*fix: the file's gene ids "
                                         r"are gene symbols \(e\.g\. .*\), the model's Ensembl ids "
                                         r".*--annotation holding both kinds of id"):
        align_to_model(sym, ensembl, fill=np.zeros(len(ensembl)), max_missing=0.2)


def test_a_whole_genome_file_lacking_model_genes_is_told_they_are_absent():
    """An outside probe: a 50,717-gene file of the model's own (Ensembl) ids lacking 30% of a
    19,409-gene model was told to "pass --annotation to map symbols/Entrez" (fewer than half
    the file's genes were the model's, the rest genes the model filtered out)."""
    from genemoe.data.read import ExpressionTable

    model = [f"ENSG{i:011d}" for i in range(100)]
    others = [f"ENSG{i:011d}" for i in range(1000, 1300)]  # genes the model does not use
    ids = model[30:] + others
    table = ExpressionTable(values=np.ones((2, len(ids)), np.float32), sample_ids=["a", "b"],
                            gene_ids=ids, source_path=Path("g.tsv"), orientation="genes_x_samples",
                            id_kind="ensembl", value_kind="counts")
    with pytest.raises(InputError) as err:
        align_to_model(table, model, fill=np.zeros(100), max_missing=0.2)
    fix = err.value.fix
    assert "lacks these genes" in fix and "--annotation" not in fix and "--max-missing" in fix


def test_ids_used_as_given_and_ids_that_are_none_of_the_models_are_said(trained, tmp_path):
    """Old behaviour: without an annotation, renamed ids were "100 of 100 mapped" and the
    refusal's fix said "the file's identifiers are the model's, but it lacks these genes"
    while a third of the file's ids were simply other names."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    renamed = counts.rename(index=dict(zip(counts.index[::3], "x" + counts.index[::3],
                                           strict=True)))
    renamed.to_csv(tmp_path / "renamed.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        predict_file(d / "run", tmp_path / "renamed.tsv", out_path=tmp_path / "r.csv")
    text = str(err.value)
    assert "lacks these genes" not in text and "['" not in text
    # the renamed ids (dropped by the id mapping) are named, with the filtered-out gene
    assert re.search(rf"fix: {len(counts.index[::3]) + 1} of the file's {len(counts)} gene ids "
                     rf"are none of the model's \(e\.g\. x{counts.index[0]}, ", text)
    from genemoe.data.prep_text import step_line

    report = {"n_ids": 100, "mapped": 100, "kept_as_given": 50, "entrez_kept": 50}
    assert step_line("map_gene_ids", {"file": "a.tsv", "report": report, "n_genes": 100,
                                      "annotation": False}) == \
        "gene ids of a.tsv: 100 of 100 used as given (no annotation), 100 kept"
    symbols = {"n_ids": 300, "mapped": 300, "ambiguous_symbol_resolved": 46}  # record only, before
    assert "(46 symbols of several genes resolved)" in step_line(
        "map_gene_ids", {"file": "a.tsv", "report": symbols, "n_genes": 300, "annotation": True})


def test_gdc_counts_model_scores_symbols_real(shared_data, tmp_path):
    """Issue check: a model trained on GDC counts (Ensembl ids) scores samples given as symbols."""
    g = shared_data / "gdc_counts_6types"
    annotation = shared_data / "annotation" / "ensembl105_genes.tsv.gz"
    b = prepare_dataset([g / "TCGA_CHOL_Counts.exp.gz", g / "TCGA_UVM_Counts.exp.gz"],
                        out_path=tmp_path / "b", annotation_path=annotation,
                        config=PrepareConfig(protein_coding_only=True))
    train_run(b.path, out_dir=tmp_path / "run", task="classify", model_name="logreg", progress=False)
    # UVM counts with symbols in place of Ensembl ids (genes without a symbol drop out)
    with gzip.open(g / "TCGA_UVM_Counts.exp.gz", "rt") as fh:
        counts = pd.read_csv(fh, sep="\t", index_col=0)
    ann = pd.read_csv(annotation, sep="\t").set_index("gene_id")["gene_name"]
    counts.index = counts.index.map(ann)
    counts = counts[counts.index.notna() & ~counts.index.duplicated()]
    counts.to_csv(tmp_path / "uvm_symbols.tsv", sep="\t")
    predict_file(tmp_path / "run", tmp_path / "uvm_symbols.tsv", out_path=tmp_path / "p.csv",
                 annotation_path=annotation)
    p = pd.read_csv(tmp_path / "p.csv")
    assert len(p) == 80 and (p["predicted_type"] == "UVM").mean() > 0.95
    assert (p["n_missing_genes"] < 0.2 * b.n_genes).all()


def test_cli_precision_bf16_scores_like_fp32(trained, tmp_path):
    from typer.testing import CliRunner

    from genemoe.cli import app

    d, f, _ = trained
    predict_file(d / "run", f["counts"], out_path=tmp_path / "fp32.csv")
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "run"), "--expression", str(f["counts"]),
                                   "--out", str(tmp_path / "bf16.csv"), "--precision", "bf16"])
    assert res.exit_code == 0, res.output
    assert "bf16" in res.output
    a, b = pd.read_csv(tmp_path / "fp32.csv"), pd.read_csv(tmp_path / "bf16.csv")
    assert (a["sample_id"] == b["sample_id"]).all() and len(b) == 200
    pa, pb = a.filter(like="prob_").to_numpy(), b.filter(like="prob_").to_numpy()
    np.testing.assert_allclose(pb.sum(1), 1.0, atol=2e-4)  # rounded to 4 significant digits
    # its float columns carry the digits a bf16 forward has (the CSV showed 16), said so
    text = (tmp_path / "bf16.csv").read_text().splitlines()[1]
    assert max(len(v.lstrip("-0.").replace(".", "").split("e")[0]) for v in text.split(",")
               if v.replace(".", "").replace("e-", "").replace("-", "").isdigit()) <= 4
    assert "values to 4 significant digits" in res.output
    assert json.loads((tmp_path / "bf16.record.json").read_text())["significant_digits"] == 4
    assert (pa.argmax(1) == pb.argmax(1)).mean() >= 0.95
    np.testing.assert_allclose(pa, pb, atol=0.05)
    bad = CliRunner().invoke(app, ["predict", "--model", str(d / "run"), "--expression", str(f["counts"]),
                                   "--out", str(tmp_path / "x.csv"), "--precision", "fp16"])
    assert isinstance(bad.exception, InputError) and "unknown precision" in str(bad.exception)
    assert not (tmp_path / "x.csv").exists()


def test_bf16_refused_for_classical_models(trained, tmp_path):
    d, f, _ = trained
    train_run(d / "bundle", out_dir=tmp_path / "run", task="classify", model_name="logreg", progress=False)
    with pytest.raises(InputError, match=r"(?s)--precision.*classical.*fix: omit --precision"):
        predict_file(tmp_path / "run", f["counts"], out_path=tmp_path / "p.csv", precision="bf16")
    assert not (tmp_path / "p.csv").exists()
    report = predict_file(tmp_path / "run", f["counts"], out_path=tmp_path / "p.csv")
    assert "(classify, fp64, classical)" in report and (tmp_path / "p.csv").exists()


def test_other_pipelines_profiles_are_brought_onto_the_model_scale(trained, tmp_path):
    """Issue 12: TPM-like linear values and log2(x+1) of them score like the counts they were
    made from (quantile alignment); centred data are refused unless forced."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    ref_out = tmp_path / "counts.csv"
    predict_file(d / "run", f["counts"], out_path=ref_out)
    base = pd.read_csv(ref_out).set_index("sample_id")["predicted_type"]
    lengths = pd.read_csv(f["annotation"], sep="\t").set_index("gene_id")["length"].reindex(counts.index)
    rate = counts.div(lengths, axis=0)
    tpm = rate / rate.sum() * 1e6
    forms = {"tpm.tsv": tpm + 1e-3, "log_tpm.tsv": np.log2(tpm + 1) + 1e-4}
    for name, frame in forms.items():
        frame.to_csv(tmp_path / name, sep="\t")
        out = tmp_path / f"{name}.csv"
        predict_file(d / "run", tmp_path / name, out_path=out)
        got = pd.read_csv(out).set_index("sample_id")
        assert (got["scale_rule"] == "quantile").all() and "input_shift" in got
        agree = (got["predicted_type"] == base.reindex(got.index)).mean()
        assert agree >= 0.8, (name, agree)
    z = np.log2(tpm + 1)
    z = z.sub(z.mean(1), axis=0).div(z.std(1) + 1e-6, axis=0)
    z.to_csv(tmp_path / "z.tsv", sep="\t")
    with pytest.raises(InputError, match="centred or log-ratio"):
        predict_file(d / "run", tmp_path / "z.tsv", out_path=tmp_path / "z.csv")
    # the model's own normalisation asked for log data: predict's options in the fix (the old
    # fix was prepare's "--normalisation none"; predict's own `none` is offered for log data)
    with pytest.raises(InputError, match=r"(?s)model's own normalisation.*fix: use --normalisation "
                                         r"auto or quantile .*, or none if they are this model's log2"):
        predict_file(d / "run", tmp_path / "log_tpm.tsv", out_path=tmp_path / "m.csv",
                     normalisation="model")
    predict_file(d / "run", tmp_path / "z.tsv", out_path=tmp_path / "z.csv", normalisation="quantile")


def test_a_genemoe_export_is_scored_on_its_own_scale_as_in_training(trained, tmp_path):
    """A `genemoe export` (.h5ad) of the model's own bundle holds the model's input scale
    already; it was quantile-aligned as another pipeline's log data, which moved class
    probabilities by up to 0.37 on gdc6 (docs/results.md, "Scoring other pipelines")."""
    from genemoe.data.bundle import load_bundle
    from genemoe.data.read import write_h5ad
    from genemoe.train.model_file import load_model_file

    d, _, _ = trained
    bundle = load_bundle(load_model_file(d / "run")["bundle_path"])
    write_h5ad(bundle, tmp_path / "b.h5ad")
    predict_file(d / "run", tmp_path / "b.h5ad", out_path=tmp_path / "p.csv")
    got = pd.read_csv(tmp_path / "p.csv").set_index("sample_id")
    assert (got["scale_rule"] == "exported").all() and "input_shift" not in got
    run = pd.read_csv(d / "run" / "predictions.tsv", sep="\t").set_index("sample_id")
    probs = [c for c in run if c.startswith("prob_")]
    np.testing.assert_allclose(got.loc[run.index, probs], run[probs], atol=1e-5)
    # another normalisation's export is another pipeline's data: aligned as before
    other = bundle.record | {"normalisation": "log2tpm"}
    write_h5ad(dataclasses.replace(bundle, record=other), tmp_path / "other.h5ad")
    predict_file(d / "run", tmp_path / "other.h5ad", out_path=tmp_path / "o.csv")
    assert (pd.read_csv(tmp_path / "o.csv")["scale_rule"] == "quantile").all()


def test_log_values_on_the_models_scale_are_taken_as_they_are_when_asked(trained, tmp_path, caplog):
    """log2(FPKM-UQ + 1) values of the model's own form for an fpkm_uq model could only be
    quantile-aligned (probabilities moved by up to 0.76, 2 of 56 calls flipped) or refused
    (`--normalisation model`): `--normalisation none` takes them as the model's scale.
    Old behaviour: values of the GDC's STAR form (Xena's star_fpkm-uq, which divides by the
    number of autosomal protein-coding genes too: ~15 log2 units lower) were taken too,
    without a word, and README and `--help` named that file as the case for it."""
    from genemoe.data.bundle import load_bundle
    from genemoe.errors import InputError
    from genemoe.train.model_file import load_model_file

    d, _, _ = trained
    bundle = load_bundle(load_model_file(d / "run")["bundle_path"])
    X = pd.DataFrame(np.asarray(bundle.X), index=bundle.sample_ids, columns=bundle.gene_ids)
    X.index.name = "sample_id"
    X.to_csv(tmp_path / "log.tsv", sep="\t")
    predict_file(d / "run", tmp_path / "log.tsv", out_path=tmp_path / "p.csv",
                 normalisation="none")
    got = pd.read_csv(tmp_path / "p.csv").set_index("sample_id")
    assert (got["scale_rule"] == "given").all() and got["input_shift"].median() < 1.5
    run = pd.read_csv(d / "run" / "predictions.tsv", sep="\t").set_index("sample_id")
    probs = [c for c in run if c.startswith("prob_")]
    np.testing.assert_allclose(got.loc[run.index, probs], run[probs], atol=1e-5)
    assert "log2 units from the model's training distribution" not in caplog.text
    star = np.log2((np.exp2(X) - 1) / 2.0 ** 15.3 + 1)  # ACC's median U x G / UQ (docs/results.md)
    star.to_csv(tmp_path / "star.tsv", sep="\t")
    with caplog.at_level("WARNING", logger="genemoe"):
        predict_file(d / "run", tmp_path / "star.tsv", out_path=tmp_path / "s.csv",
                     normalisation="none")
    assert re.search(r"--normalisation none: the values sit a median \d+\.\d log2 units from the "
                     r"model's training distribution .*use --normalisation quantile", caplog.text)
    assert pd.read_csv(tmp_path / "s.csv")["input_shift"].median() > 3
    counts = np.round(np.exp2(X) - 1).clip(0)  # plainly not the model's (log) scale: refused
    counts.to_csv(tmp_path / "counts.tsv", sep="\t")
    with pytest.raises(InputError, match=r"(?s)look like counts .*fix: leave it out"):
        predict_file(d / "run", tmp_path / "counts.tsv", out_path=tmp_path / "c.csv",
                     normalisation="none")


def test_a_run_folder_that_does_not_exist_is_said_as_such(tmp_path):
    """Old behaviour: "no model file" and "train one", for a mistyped run path."""
    with pytest.raises(InputError, match=r"(?s)no such run folder or model file.*fix: pass the --out"):
        predict_file(tmp_path / "no_such_run", tmp_path / "x.tsv", out_path=tmp_path / "p.csv")
    (tmp_path / "empty_run").mkdir()
    with pytest.raises(InputError, match="no model file"):  # a folder without model.pt
        predict_file(tmp_path / "empty_run", tmp_path / "x.tsv", out_path=tmp_path / "p.csv")
    # a bundle given as --model was "no model file; fix: train one"
    for name in ("X.npy", "obs.parquet"):
        (tmp_path / "empty_run" / name).write_bytes(b"")
    with pytest.raises(InputError, match="empty_run: a dataset bundle, not a trained run"):
        predict_file(tmp_path / "empty_run", tmp_path / "x.tsv", out_path=tmp_path / "p.csv")


def test_output_format_and_max_missing_are_checked_before_reading(trained, tmp_path):
    """``--out x.xlsx`` got comma-separated text, ``--out x.tsv`` commas, and
    ``--max-missing 2`` (not a share) was taken: each now refused before anything is read,
    and .tsv is tab-separated."""
    d, f, _ = trained
    with pytest.raises(InputError, match=r"(?s)--out.*x\.xlsx.*fix: name it e\.g\. x\.csv"):
        predict_file(d / "run", tmp_path / "not_read.tsv", out_path=tmp_path / "x.xlsx")
    with pytest.raises(InputError, match=r"(?s)x\.csv\.gz.*fix: name it e\.g\. x\.csv$"):
        predict_file(d / "run", tmp_path / "not_read.tsv", out_path=tmp_path / "x.csv.gz")  # was x.csv.csv
    with pytest.raises(InputError, match=r"--max-missing.*\[0, 1\), got 2"):
        predict_file(d / "run", tmp_path / "not_read.tsv", out_path=tmp_path / "x.csv",
                     max_missing=2)
    # prepare's normalisation, which the read note suggested, was refused only after reading
    with pytest.raises(InputError, match=r"(?s)'log2cpm' \(a genemoe prepare normalisation\)"
                                         r".*fix: use auto"):
        predict_file(d / "run", tmp_path / "not_read.tsv", out_path=tmp_path / "x.csv",
                     normalisation="log2cpm")
    # a path under a file was found after the reading and scoring
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match=r"--out: .*afile/a is not a folder this user can write "
                                         r"to or create \(.*afile is a file\)"):
        predict_file(d / "run", tmp_path / "not_read.tsv", out_path=tmp_path / "afile" / "a" / "x.csv")
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.tsv")
    # a folder that is not there yet is created, as train's and explain's --out are (it was
    # refused as "not a folder this user can write to")
    predict_file(d / "run", f["counts"], out_path=tmp_path / "new" / "dir" / "p.csv")
    assert (tmp_path / "new" / "dir" / "p.csv").is_file()
    tab = pd.read_csv(tmp_path / "p.tsv", sep="\t")
    assert "predicted_type" in tab.columns and len(tab) > 0


def test_an_existing_output_file_is_said_to_be_replaced(trained, tmp_path, caplog):
    """Old behaviour: replaced without a word (train and explain say it)."""

    d, f, _ = trained
    out = tmp_path / "p.csv"
    predict_file(d / "run", f["counts"], out_path=out)  # an earlier prediction (its record)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        predict_file(d / "run", f["counts"], out_path=out)
    assert f"{out} exists: replacing it" in caplog.text and "predicted_type" in out.read_text()
    other = tmp_path / "mine.csv"  # a file predict did not write: refused, not replaced
    other.write_text("an earlier result\n")
    with pytest.raises(InputError, match="genemoe predict did not write it"):
        predict_file(d / "run", f["counts"], out_path=other)
    assert other.read_text() == "an earlier result\n"


def test_quantile_path_counts_each_missing_gene_once(trained, tmp_path):
    """Another pipeline's TPM lacking 15% of the model's genes: it was refused at the default
    --max-missing 0.2 as "30% missing" (absent genes counted twice: absent, then NaN), and
    n_missing_genes held twice the count."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    tpm = counts / counts.sum() * 1e6 + 1e-3
    keep = np.random.default_rng(0).permutation(len(tpm))[int(0.15 * len(tpm)):]
    tpm.iloc[np.sort(keep)].to_csv(tmp_path / "tpm.tsv", sep="\t")
    predict_file(d / "run", tmp_path / "tpm.tsv", out_path=tmp_path / "o.csv")
    got = pd.read_csv(tmp_path / "o.csv")
    assert (got["scale_rule"] == "quantile").all()
    assert (got["n_missing_genes"] == len(tpm) - len(keep)).all()


def test_an_empty_profile_is_said(trained, tmp_path):
    """Old behaviour: a sample of zeros only was scored (as the training mean) without a word."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    counts.iloc[:, 0] = 0
    counts.to_csv(tmp_path / "zero.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "zero.tsv", out_path=tmp_path / "p.csv")
    assert (f"warning: 1 sample with every value 0 or missing ({counts.columns[0]}): not "
            "scored (predicted_type, probabilities and risk left empty") in _flat(text)
    # and in the file (was the terminal only: the row read as a confident call)
    got = pd.read_csv(tmp_path / "p.csv").set_index("sample_id")["empty_profile"]
    assert got[counts.columns[0]] and got.sum() == 1


def test_predicts_scale_rule_reads_as_a_sentence_with_the_clipped_negatives():
    """Old behaviour: "cross_pipeline: rule=log2(x + 1), then quantile alignment,
    negatives_clipped=9" (field names, no thousands separators)."""
    from genemoe.data.prep_text import step_line

    line = step_line("cross_pipeline", {"rule": "log2(x + 1), then quantile alignment",
                                        "negatives_clipped": 7420})
    assert line == ("onto the model's scale: log2(x + 1), then quantile alignment; 7,420 negative "
                    "values clipped to 0 before log2(x + 1)")
    assert step_line("cross_pipeline", {"rule": "quantile alignment (already log scale)",
                                         "negatives_clipped": 0}) == (
        "onto the model's scale: quantile alignment (already log scale)")


def test_predict_says_what_it_read_as_prepare_does(trained, tmp_path, caplog):
    """Old behaviour: the layout, identifiers, value scale and left-out annotation columns of
    the scored file were said by prepare only (predict: behind -v, or not at all)."""

    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    counts.insert(0, "gene_name", [f"G{i}" for i in range(len(counts))])
    counts.to_csv(tmp_path / "named.tsv", sep="\t")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        predict_file(d / "run", tmp_path / "named.tsv", out_path=tmp_path / "p.csv")
    assert re.search(r"read named\.tsv: [\d,]+ genes × [\d,]+ samples \(genes × samples", caplog.text)
    assert "annotation column(s) left out of the values: gene_name" in caplog.text


def test_the_models_own_normalisation_refused_names_predicts_fixes(trained, tmp_path):
    """Old behaviour: the refusal was prepare's message cut by text ("--normalisation fpkm_uq
    needs gene lengths ... fix: pass --annotation ... or use --normalisation log2cpm", an
    option predict lacks). Now the parts are kept: predict's own fix, the file still named."""
    from genemoe.train.model_file import load_model_file
    from genemoe.workflows.predict import predict_table

    d, f, _ = trained
    payload = load_model_file(d / "run" / "model.pt")
    assert payload["normalisation"] == "fpkm_uq"
    table = read_expression(f["counts"])
    with pytest.raises(InputError) as err:
        predict_table(payload, table, annotation=None, max_missing=0.2, normalisation="model")
    text = str(err.value)
    assert text.startswith(f"{f['counts']}: the model's own normalisation (fpkm_uq) cannot be "
                           "applied: it needs gene lengths\n  fix: pass --annotation")
    assert "log2cpm" not in text and "--normalisation fpkm_uq" not in text
    assert err.value.fix.endswith("use --normalisation auto or quantile (align the values to "
                                  "the model's training distribution)")
    # under auto (which chose the model's own normalisation, log2p1 of linear values) the
    # fix named auto again
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0) * 1.37 + 0.1  # linear, not counts
    flat = counts.to_numpy().reshape(-1)  # 0.5% far below -1: too many to clip, too few for log
    flat[::200] = -50.0
    counts = pd.DataFrame(flat.reshape(counts.shape), index=counts.index, columns=counts.columns)
    counts.to_csv(tmp_path / "neg.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        predict_table({**payload, "normalisation": "log2p1"}, read_expression(tmp_path / "neg.tsv"),
                      annotation=None,
                      max_missing=0.2, normalisation="auto")
    # (that fix, quantile, then clipped the 0.5% to 0 and scored them: refused as prepare
    # refuses them, whatever the rule)
    assert "below -1, down to -50" in err.value.problem and "auto" not in err.value.fix
    assert err.value.fix.startswith("use --normalisation none to keep the values as they are")


def test_a_log_profile_among_linear_ones_is_aligned_alike_or_refused(trained, tmp_path):
    """A TPM file with one sample already log2(x + 1): quantile alignment scores it from its
    ranks exactly as its linear form, and says so (old behaviour: unsaid); the model's own
    normalisation would log it twice, so that is refused naming the sample (old: scored)."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    lengths = pd.read_csv(f["annotation"], sep="\t").set_index("gene_id")["length"]
    rate = counts.div(lengths.reindex(counts.index), axis=0)
    tpm = rate / rate.sum() * 1e6 + 1e-3
    tpm.to_csv(tmp_path / "tpm.tsv", sep="\t")
    odd = tpm.columns[2]
    tpm[odd] = np.log2(tpm[odd] + 1)
    tpm.to_csv(tmp_path / "mixed.tsv", sep="\t")
    predict_file(d / "run", tmp_path / "tpm.tsv", out_path=tmp_path / "a.csv")
    text = predict_file(d / "run", tmp_path / "mixed.tsv", out_path=tmp_path / "b.csv")
    assert (f"warning: 1 sample on another scale than the rest of the file ({odd}: log2 values "
            "among linear ones, or the reverse)") in _flat(text)
    a, b = (pd.read_csv(tmp_path / n).set_index("sample_id") for n in ("a.csv", "b.csv"))
    probs = [c for c in a if c.startswith("prob_")]
    np.testing.assert_allclose(b.loc[odd, probs].to_numpy(float), a.loc[odd, probs].to_numpy(float),
                               atol=1e-5)
    with pytest.raises(InputError, match=rf"(?s)1 of 200 samples \({odd}\) stays within the log "
                                         r"range.*fix: put every sample on one scale, or use "
                                         r"--normalisation quantile"):
        predict_file(d / "run", tmp_path / "mixed.tsv", out_path=tmp_path / "c.csv",
                     normalisation="model")


def test_genes_the_model_does_not_read_and_another_gene_set_are_said(trained, tmp_path):
    """Old behaviour: a file with genes the model does not know (a typo, another id) said
    "102 of 102 mapped, 102 kept" and nothing more; a file of other genes than training's
    moved every FPKM-UQ value (each sample's upper quartile is over its file's genes) and
    only the unfamiliar flags hinted at it (gdc6 ACC: risks moved by up to 0.82)."""
    from genemoe.data.crossscale import gene_set_note

    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    extra = pd.concat([counts, counts.iloc[:2].set_axis(["ENSG99999999991", "ENSG99999999992"])])
    extra.to_csv(tmp_path / "extra.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "extra.tsv", out_path=tmp_path / "e.csv",
                        annotation_path=f["annotation"])
    # the two unknown ids are dropped by the id mapping (said there); the filtered one is left
    assert re.search(r"genes: the model reads \d+ of the file's 100; the other \d+ \(e\.g\. "
                     r"ENSG\d+\) are not among its genes", _flat(text))
    assert "warning: each sample's" not in text  # the same genes as training, and 2 more
    few = counts.iloc[: int(len(counts) * 0.85)]
    few.to_csv(tmp_path / "few.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "few.tsv", out_path=tmp_path / "f.csv",
                        annotation_path=f["annotation"], max_missing=0.5)
    assert re.search(r"warning: each sample's fpkm_uq scale is computed over this file's "
                     rf"{len(few):,} genes, training's over its files' {len(counts):,}", _flat(text))
    record = {"steps": [{"step": "map_gene_ids", "n_genes": 1000}]}
    assert gene_set_note(1050, record, "fpkm_uq") is None  # within 10%
    assert gene_set_note(5000, record, "log2p1") is None  # no sample-wide scale
    assert "5,000 genes" in gene_set_note(5000, record, "log2cpm")
    # training's count is that of the genes its scale was taken over (with a length), as this
    # file's is: "training's over its files' 56,537" was said where 56,380 were used
    record["steps"].append({"step": "normalise", "n_genes": 800})
    assert "training's over its files' 800" in gene_set_note(1050, record, "fpkm_uq")
    from genemoe.data.bundle import load_bundle

    b = load_bundle(d / "bundle")
    assert [s["n_genes"] for s in b.record["steps"] if s["step"] == "normalise"] == [len(counts)]


def test_survival_horizons_beyond_the_last_training_death_are_said():
    """Months read as days gave a baseline ending at day 152: survival_1y/3y/5y empty for
    every sample, unsaid; and the risk column's meaning was said nowhere."""
    from genemoe.workflows.predict_text import lines, risk_notes

    payload = {"task": "survival", "calibration": {"risk_scale": 1.0},
               "survival_baseline": {"times": [10.0, 152.0], "cum_hazard": [0.1, 0.2], "centre": 0}}
    text = lines(risk_notes(payload))
    assert "risk: log relative hazard, higher = shorter survival\n" in text
    assert text.endswith("survival at 1, 3, 5 years: empty, beyond the last training death (day 152)")
    payload["survival_baseline"]["times"] = [10.0, 1500.0]
    assert lines(risk_notes(payload)).endswith("survival at 5 years: empty, beyond the last "
                                               "training death (day 1,500)")
    assert lines(risk_notes({"task": "classify"})) == ""
    # an outside probe: Coxnet on UVM, its test Brier 0.384 against the no-model 0.176 and its
    # scale fitted on 2 validation events, gave a patient survival_3y 6.6e-75, unsaid by predict
    payload.update(calibration={"risk_scale": 0.944, "n_events": 2}, metrics={"test": {
        "integrated_brier_score": 0.384, "ibs_null_reference": 0.176}})
    text = lines(risk_notes(payload))
    assert "(× 0.944, the scale fitted on validation, 2 events)" in text
    assert ("warning: on its test split the model's survival curves were worse than no model "
            "(integrated Brier 0.384 against 0.176") in text
    payload["metrics"]["test"]["integrated_brier_score"] = 0.15
    assert "worse than no model" not in lines(risk_notes(payload))
    # a verification probe: "integrated Brier 0.196 against 0.196" (0.19597 against 0.19583)
    payload["metrics"]["test"].update(integrated_brier_score=0.19597, ibs_null_reference=0.19583)
    assert "(integrated Brier 0.1960 against 0.1958 for" in lines(risk_notes(payload))


def test_genes_dropped_on_the_way_to_the_model_are_said():
    """157 GDC genes without a length in the annotation were dropped before FPKM-UQ between
    "56,537 kept" and "the file's 56,380", with no word (the report held them)."""
    from genemoe.workflows.predict_text import lines, unused_notes

    text = lines(unused_notes({"n_file_genes": 56380, "unused_genes": [], "dropped_genes": {
        "no gene length in the annotation (needed for fpkm_uq)": 157,
        "identifier not in annotation": 4}}))  # said on the gene-id line already
    assert "genes dropped: 157, no gene length in the annotation (needed for fpkm_uq)" in text
    assert "identifier not in annotation" not in text


def test_values_given_to_a_model_of_log_input_are_said_in_words(trained, tmp_path):
    """Old behaviour: a model prepared from log values (Xena's star_fpkm-uq: normalisation
    `none`) scored with `--normalisation none` said "taken as the model's scale (log2 none)"."""
    from genemoe.data.bundle import load_bundle
    from genemoe.train.model_file import load_model_file
    from genemoe.workflows.predict import predict_table

    d, _, _ = trained
    bundle = load_bundle(load_model_file(d / "run")["bundle_path"])
    X = pd.DataFrame(np.asarray(bundle.X), index=bundle.sample_ids, columns=bundle.gene_ids)
    X.index.name = "sample_id"
    X.to_csv(tmp_path / "log.tsv", sep="\t")
    bundle.obs[["sample_id", "cancer_type"]].to_csv(tmp_path / "labels.tsv", sep="\t", index=False)
    b = prepare_dataset([tmp_path / "log.tsv"], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "labels.tsv"],
                        config=PrepareConfig(min_variance=0.0, min_mean=0.0))
    assert b.record["normalisation"] == "none"
    train_run(b.path, out_dir=tmp_path / "run", task="classify", model_name="logreg", progress=False)
    _, report = predict_table(load_model_file(tmp_path / "run"), read_expression(tmp_path / "log.tsv"),
                              annotation=None, normalisation="none")
    (step,) = [s for s in report["steps"] if s["step"] == "cross_pipeline"]
    assert step["rule"] == "none: taken as the model's scale (its log input as prepared), as asked"


def test_samples_of_another_sample_type_are_warned(trained, tmp_path):
    """Old behaviour (a probe of the demo): 18 of 20 normal samples (-11A) passed the
    unfamiliar-sample flag and were called tumour types (one ACC at 0.74), without a word."""
    d, files, _ = trained
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0).iloc[:, :6]
    counts.columns = [c.replace("-01A-", "-11A-") if i < 4 else c
                      for i, c in enumerate(counts.columns)]  # four normals of their patients
    counts.to_csv(tmp_path / "x.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "x.tsv", out_path=tmp_path / "p.csv")
    assert ("warning: 4 samples of a sample type the model was not trained on, by their "
            "barcodes (Solid Tissue Normal (11): 4; its training bundle admitted sample types 01, "
            "03)") in _flat(text), text
    # lines at most 100 wide (this warning ran to 280 characters), the output's path whole
    assert max(len(line) for line in text.splitlines()[1:]) <= 100
    text = predict_file(d / "run", files["counts"], out_path=tmp_path / "q.csv")
    assert "sample type the model was not trained on" not in text  # tumours only: nothing said
    assert "  missing genes: none of the model's " in text  # was "at most 0 of the model's"


def test_clipped_values_and_every_step_are_recorded_beside_the_output(trained, tmp_path):
    """Old behaviour: "13 negative values (minimum -500) clipped to 0" went to stderr only;
    the output had no count and predict wrote no record of its steps."""
    import json

    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0).astype(float)
    counts.iloc[:3, 0] = -0.4  # three small negatives in the first sample, one in the second
    counts.iloc[5, 1] = -0.2
    counts.to_csv(tmp_path / "neg.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "neg.tsv", out_path=tmp_path / "neg.csv")
    got = pd.read_csv(tmp_path / "neg.csv").set_index("sample_id")
    assert got.loc[counts.columns[0], "n_values_clipped"] == 3
    assert got.loc[counts.columns[1], "n_values_clipped"] == 1
    assert got["n_values_clipped"].sum() == 4
    record = json.loads((tmp_path / "neg.record.json").read_text())
    assert record["n_values_clipped"] == 4 and record["n_samples"] == len(got)
    assert record["expression"] == str(tmp_path / "neg.tsv") and record["steps"]
    assert "record: neg.record.json" in text
    predict_file(d / "run", f["counts"], out_path=tmp_path / "plain.csv")
    assert "n_values_clipped" not in pd.read_csv(tmp_path / "plain.csv")


def test_calibration_on_aligned_inputs_is_said_unchecked(trained, tmp_path):
    """Old behaviour: after quantile alignment the calibration column still read
    "temperature (T = 0.935, validation)", a temperature fitted on unaligned inputs."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    np.log2(counts / counts.sum() * 1e6 + 1).to_csv(tmp_path / "log.tsv", sep="\t")  # log2 CPM
    predict_file(d / "run", tmp_path / "log.tsv", out_path=tmp_path / "log.csv")
    got = pd.read_csv(tmp_path / "log.csv")
    assert (got["scale_rule"] == "quantile").all()
    assert got["calibration"].str.endswith("; on the model's own scale, not checked on aligned "
                                           "inputs").all()


def test_a_file_read_the_wrong_way_round_is_said_so(trained, tmp_path):
    """Old behaviour: `--orientation samples_by_genes` on a genes × samples file was refused for
    "two scales in one matrix", naming gene ids as samples, with a scale fix."""
    d, f, _ = trained
    with pytest.raises(InputError) as info:
        predict_file(d / "run", f["counts"], out_path=tmp_path / "x.csv",
                     orientation="samples_by_genes")
    assert "the file was read the wrong way round" in info.value.problem
    assert info.value.fix == "pass --orientation genes_by_samples (or auto)"


def test_entrez_ids_written_as_decimals_are_named_in_the_fix(tmp_path):
    """Old behaviour: a file of Entrez ids written as 613037.0 was told "100 of the model's
    genes are missing ... pass --annotation", its own ids never shown."""
    from genemoe.data.read import ExpressionTable
    from genemoe.workflows.predict_align import align_to_model

    genes = np.array([str(613037 + i) for i in range(20)])
    table = ExpressionTable(values=np.ones((2, 20)), sample_ids=np.array(["a", "b"]),
                            gene_ids=np.array([f"{g}.0" for g in genes]),
                            source_path=tmp_path / "f.tsv", orientation="genes_by_samples",
                            id_kind="unknown", value_kind="log")
    with pytest.raises(InputError) as info:
        align_to_model(table, genes, fill=np.zeros(20), max_missing=0.2, unmapped=(0, []))
    assert info.value.fix.startswith("the file's gene ids are Entrez ids written as decimals "
                                     "(e.g. 613037.0, 613038.0; the model's: 613037, 613038)")


def test_ids_no_annotation_can_map_are_not_sent_to_the_annotation(tmp_path):
    """Old behaviour: Entrez ids against an Ensembl model (or Ensembl against a model of
    symbols) were told to "pass an --annotation holding both kinds of id", which none can be:
    annotations carry no Entrez ids and map symbols to Ensembl, never back."""
    from genemoe.data.read import ExpressionTable
    from genemoe.workflows.predict_align import align_to_model

    cases = [(np.array([str(5000 + i) for i in range(20)]),
              np.array([f"ENSG{i:011d}" for i in range(20)]), "Entrez ids"),
             (np.array([f"ENSG{i:011d}" for i in range(20)]),
              np.array([f"GENE{i}" for i in range(20)]), "Ensembl ids")]
    for file_ids, model_ids, words in cases:
        table = ExpressionTable(values=np.ones((2, 20)), sample_ids=np.array(["a", "b"]),
                                gene_ids=file_ids, source_path=tmp_path / "f.tsv",
                                orientation="genes_by_samples", id_kind="unknown", value_kind="log")
        with pytest.raises(InputError) as info:
            align_to_model(table, model_ids, fill=np.zeros(20), max_missing=0.2)
        assert info.value.fix.startswith(f"the file's gene ids are {words}")
        assert "holding both kinds" not in info.value.fix
        assert "convert the file's ids to the model's kind" in info.value.fix


def test_most_samples_unlike_the_training_data_is_a_warning(trained, tmp_path):
    """Old behaviour: "40 of 40 samples look unlike the training data" (accuracy 0) printed as
    an ordinary line. Also: duplicate sample ids were told to "sum or drop the duplicates"."""
    d, f, _ = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    rng = np.random.default_rng(0)
    shuffled = counts.apply(lambda c: pd.Series(rng.permutation(c.to_numpy()), index=c.index))
    shuffled = shuffled.iloc[:, :20]
    shuffled.columns = [f"NEW-{i:02d}" for i in range(20)]  # not the model's own samples
    shuffled.to_csv(tmp_path / "shuffled.tsv", sep="\t")  # genes scrambled
    text = predict_file(d / "run", tmp_path / "shuffled.tsv", out_path=tmp_path / "s.csv")
    flagged = int((~pd.read_csv(tmp_path / "s.csv")["looks_like_training"].astype(bool)).sum())
    assert flagged >= 10
    assert f"warning: {flagged} of 20 samples look unlike the training data" in text
    assert "another tissue, pipeline or scale" in " ".join(text.split())  # as wrapped
    dup = counts.iloc[:, :3]
    dup.columns = [dup.columns[0]] * 3
    dup.to_csv(tmp_path / "dup.tsv", sep="\t")
    with pytest.raises(InputError) as info:
        predict_file(d / "run", tmp_path / "dup.tsv", out_path=tmp_path / "dup.csv")
    assert "drop a repeated sample, or rename different samples" in info.value.fix


def test_an_svms_own_calibration_is_said_before_the_temperature():
    """`genemoe models` says the RBF SVM's probabilities are top-label calibrated; predict
    said only "temperature-scaled on the model's 100 validation samples"."""
    from genemoe.workflows.predict_text import lines, probability_notes

    payload = {"task": "classify", "model_name": "svm", "calibration": {"temperature": 1.2},
               "metrics": {"val": {"n": 100}, "test": {"ece": 0.0939}}}
    assert lines(probability_notes(payload)) == (
        "\n  probabilities: top-label calibrated on cross-validated training rows, then "
        "temperature-scaled on the model's 100 validation samples; expected calibration error "
        "on its test split 0.094")
    assert "then" not in lines(probability_notes({**payload, "model_name": "logreg"}))
    assert lines(probability_notes({**payload, "task": "survival"})) == ""


def test_csv_holds_a_float32_forwards_digits(tmp_path, trained):
    """A CSV showed 16 digits per probability (float64 text of a float32 forward): six
    significant digits in CSV/TSV, said in the record; Parquet keeps every digit."""
    d, f, _ = trained
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv")
    rows = (tmp_path / "p.csv").read_text().splitlines()[1:]
    floats = [v for r in rows for v in r.split(",")[1:] if "." in v]
    assert floats and max(len(v.lstrip("-0.").replace(".", "").split("e")[0]) for v in floats) <= 6
    assert json.loads((tmp_path / "p.record.json").read_text())["significant_digits"] == 6
    predict_file(d / "run", f["counts"], out_path=tmp_path / "q.parquet")  # p.parquet: refused
    assert "significant_digits" not in json.loads((tmp_path / "q.record.json").read_text())


def test_a_linear_model_missing_the_genes_it_weighs_is_refused(tmp_path):
    """An outside probe: the 23 genes a 19,409-gene Coxnet weighs removed from a file, every
    patient got the training's average risk (7e-9, percentile 55), said only as "missing
    genes: at most 23 of the model's 19,409": the missing share of the weight is refused
    above --max-missing, and given per sample below it."""
    from genemoe.workflows.predict_align import gene_weights

    b, f, _ = prepare_synthetic(tmp_path, n_samples=160, n_genes=60, n_types=2, seed=3)
    (tmp_path / "c.yaml").write_text("extends: small\ntrain_survival:\n  survival_selection: c_index\n")
    train_run(b.path, out_dir=tmp_path / "cox", task="survival", model_name="coxnet",
              config_path=tmp_path / "c.yaml", progress=False)  # Harrell's C: a sparser path point
    from genemoe.train.model_file import load_model_file

    payload = load_model_file(tmp_path / "cox")
    weights = gene_weights(payload)
    ids = np.asarray(payload["gene_ids"])
    assert 0 < (weights > 0).sum() < len(ids) * 0.5  # an elastic net keeps a few genes
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    heavy = ids[np.argsort(-weights)][:max(1, int((weights > 0).sum() // 2))]
    counts.drop(index=heavy).to_csv(tmp_path / "lacking.tsv", sep="\t")
    assert len(heavy) < 0.2 * len(ids)  # the genes' count alone passes the limit
    with pytest.raises(InputError, match=r"carry \d+% of the coxnet model's weight") as err:
        predict_file(tmp_path / "cox", tmp_path / "lacking.tsv", out_path=tmp_path / "p.csv")
    assert heavy[0] in str(err.value) and "--max-missing" in err.value.fix
    # a gene without a symbol is named by its id (a probe read "None (ENSG00000268614)")
    from genemoe.workflows.predict_align import check_missing_weight

    nameless = {**payload, "symbols": [None] * len(ids)}
    with pytest.raises(InputError) as err:
        check_missing_weight(nameless, read_expression(tmp_path / "lacking.tsv"), 0.2)
    assert "None" not in str(err.value) and f"missing: {heavy[0]}" in str(err.value)
    assert not (tmp_path / "p.csv").exists()
    text = predict_file(tmp_path / "cox", tmp_path / "lacking.tsv", out_path=tmp_path / "p.csv",
                        max_missing=0.99)
    share = pd.read_csv(tmp_path / "p.csv")["missing_weight_share"]
    expected = weights[np.isin(ids, heavy)].sum() / weights.sum()
    np.testing.assert_allclose(share, expected, rtol=1e-5)
    assert "of its weight" in _flat(text)


def test_patients_with_several_samples_in_the_file_are_said():
    """An outside probe: two 01A aliquots of one UVM patient were scored as two rows, unsaid."""
    from genemoe.workflows.predict_text import lines, repeated_patients_notes

    df = pd.DataFrame({"sample_id": ["TCGA-V4-A9EX-01A-11R-A405-07", "TCGA-V4-A9EX-01A-21R-A405-07",
                                     "TCGA-V4-A9EY-01A-11R-A405-07", "S1", "S1b"]})
    text = lines(repeated_patients_notes(df))
    assert "1 patient with several samples in the file (TCGA-V4-A9EX (2))" in text
    assert lines(repeated_patients_notes(df.iloc[2:])) == ""
