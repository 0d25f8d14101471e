"""`genemoe features` leftovers found again on a small real run (gdc6 ACC+UVM, a 2-epoch
Gene-MOE) by outside probe hAE: a bundle without gene symbols gave bare ids though the
run's model file kept them, and the correlations used the bundle's values unclipped while
the model read them clipped at ±10 z (805 values of 32 test samples), unsaid."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A one-epoch tiny Gene-MOE train run on a small synthetic bundle (with symbols)."""
    from synthetic_inputs import tiny_genemoe_train_run

    return tiny_genemoe_train_run(tmp_path_factory.mktemp("features_hAE"), seed=23)


def test_features_falls_back_on_the_run_symbols_and_says_so(trained, tmp_path):
    """Old: a bundle without symbols (pancan33, or gdc6 prepared without --annotation) gave
    tables of bare ids though the run's model.pt kept every gene's symbol."""
    from genemoe.workflows.features import analyse_features

    bundle, run_dir = trained
    copy = tmp_path / "nosym"
    shutil.copytree(bundle.path, copy)
    var = pd.read_parquet(copy / "var.parquet")
    symbols = dict(zip(var["gene_id"].astype(str), var["symbol"].astype(str), strict=True))
    var["symbol"] = None
    var.to_parquet(copy / "var.parquet")
    res = analyse_features(run_dir, data=copy, out_dir=tmp_path / "f", n_features=3,
                           device="cpu")
    table = pd.read_csv(tmp_path / "f" / "gene_correlation.tsv", sep="\t", dtype=str)
    assert (table["symbol"] == table["gene_id"].map(symbols)).all()
    n = res.summary["n_genes"]
    assert res.summary["symbols_from"] == {"bundle": 0, "run": n, "none": 0}
    note = next(x for x in res.notes if x.startswith("the bundle names no gene symbols"))
    assert "those of the run's model file are shown" in note and "--annotation" in note


def _expected_clipped(bundle, run_dir, out_dir) -> int:  # noqa: ANN001
    """The analysed values beyond ±10 of the run's scaler, counted here on their own."""
    from genemoe.workflows.feature_run import load_run_model

    run = load_run_model(run_dir)
    ids = pd.read_csv(out_dir / "samples.tsv", sep="\t", dtype=str)["sample_id"]
    rows = pd.Index(bundle.sample_ids.astype(str)).get_indexer(ids)
    cols = pd.Index(bundle.gene_ids.astype(str)).get_indexer(run.gene_ids)
    z = (np.asarray(bundle.X[rows][:, cols], np.float32) - run.scaler.shift) / run.scaler.scale
    return int((np.abs(z) > run.scaler.clip).sum())


def test_features_counts_the_values_the_model_read_clipped(trained, tmp_path):
    """Old: the correlations used the bundle's values unclipped while the model read them
    clipped at ±10 z, unsaid and uncounted (805 values of 32 gdc6 test samples)."""
    from genemoe.data.bundle import load_bundle, write_bundle
    from genemoe.workflows.features import analyse_features

    bundle, run_dir = trained
    clean = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "g", n_features=3,
                             device="cpu")
    base = clean.summary["input_clipped"]
    assert base["n_values"] == _expected_clipped(bundle, run_dir, tmp_path / "g")
    assert "unclipped" in clean.summary["correlated_values"]
    copy = load_bundle(bundle.path)
    col = int(np.flatnonzero(copy.gene_mask())[0])
    X = np.array(copy.X, copy=True)
    X[copy.indices("test")[:2], col] += 60.0 * float(copy.var["train_std"].iloc[col]) + 60.0
    copy.X = X
    write_bundle(copy, tmp_path / "b")
    res = analyse_features(run_dir, data=tmp_path / "b", out_dir=tmp_path / "f", n_features=3,
                           device="cpu")
    c = res.summary["input_clipped"]
    gene = str(copy.var["gene_id"].iloc[col])
    assert c["n_values"] == base["n_values"] + 2 == _expected_clipped(copy, run_dir,
                                                                       tmp_path / "f")
    assert gene in c["genes"] and c["clip"] == 10.0 and c["max_abs"] > 50
    note = next(x for x in res.notes if "the model read them clipped" in x)
    n = c["n_values"]
    assert note.startswith(f"{n:,} value{'s' * (n != 1)} (") and "beyond ±10 of the run's" in note
    assert "the correlations use the bundle's values unclipped" in note


def test_the_ensemble_refusal_fits_a_terminal_line(tmp_path, monkeypatch):
    """Old: "genemoe: error: gm2: an ensemble of 2 'genemoe' models (`genemoe train
    --ensemble 2`): the latent features of one model are analysed, and an ensemble's members
    are not kept as runs of their own": 193 characters on one line."""
    from pathlib import Path

    import genemoe.train.model_file as model_file
    from genemoe.errors import InputError
    from genemoe.workflows.feature_run import load_run_model

    monkeypatch.chdir(tmp_path)
    (tmp_path / "gm2").mkdir()
    (tmp_path / "gm2" / "model.pt").write_bytes(b"")
    monkeypatch.setattr(model_file, "load_model_file", lambda d: {
        "kind": "torch", "model_name": "ensemble",
        "model_config": {"member": "genemoe", "member_config": {}, "k": 2}})
    with pytest.raises(InputError) as info:
        load_run_model(Path("gm2"))
    text = str(info.value)
    assert "gm2" in text and "an ensemble of 2 'genemoe' models" in text
    assert "fix: analyse a run trained without --ensemble" in text
    first, *rest = text.splitlines()  # the CLI says "genemoe: error: " before the first
    assert len("genemoe: error: " + first) <= 100 and all(len(x) <= 100 for x in rest)


def test_the_page_headline_gives_each_strongest_gene_its_mean_r(trained, tmp_path):
    """Old: "Strongest: ENSG00000279297 (–), ..., TFF2 (–)" on gdc6's page: the mean |r|,
    already text ("0.981"), went through fmt_value again, which gives "–" for text."""
    from genemoe.report.html import write_report
    from genemoe.workflows.features import analyse_features

    bundle, run_dir = trained
    analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3,
                     threshold=0.0, device="cpu")
    page = write_report(tmp_path / "f").read_text()
    line = page.split("<p>Strongest: ")[1].split("</p>")[0]
    top = pd.read_csv(tmp_path / "f" / "strong_genes.tsv", sep="\t", dtype={"symbol": str},
                      keep_default_na=False).head(5)
    assert "(–)" not in line
    for sym, gid, r in zip(top["symbol"], top["gene_id"], top["mean_abs_r"], strict=True):
        assert f"{sym or gid} ({r:.3f})" in line
