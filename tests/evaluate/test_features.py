"""Latent-feature analysis (paper Fig. 8): correlation, leading features, mixing score, end to end."""

from __future__ import annotations

import json
import re

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import yaml

from genemoe.errors import InputError
from genemoe.evaluate.features import (
    knn_mixing_score,
    leading_features,
    pearson_matrix,
    strong_genes,
)
from genemoe.report.feature_plots import feature_figures
from genemoe.workflows.features import analyse_features
from genemoe.workflows.pretrain import pretrain_run
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_GENEMOE as TINY_MODEL


def test_pearson_matrix_equals_corrcoef():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(40, 3))
    b = np.c_[rng.normal(size=(40, 4)), 2 * a[:, 0] + 1, np.full(40, 3.0)]  # + exact, constant
    r = pearson_matrix(a, b)
    ref = np.corrcoef(a.T, b[:, :5].T)[:3, 3:]  # numpy's own Pearson, off-diagonal block
    np.testing.assert_allclose(r[:, :5], ref, atol=1e-12)
    assert r[0, 4] == pytest.approx(1.0)
    assert np.isnan(r[:, 5]).all()  # a constant gene has no correlation


def test_leading_features_are_the_highest_variance_dims():
    rng = np.random.default_rng(1)
    scales = np.array([0.1, 5.0, 1.0, 3.0, 0.5, 2.0])
    latent = rng.normal(size=(500, 6)) * scales
    idx, var = leading_features(latent, 3)
    assert idx.tolist() == [1, 3, 5]
    np.testing.assert_allclose(var, latent.var(0)[[1, 3, 5]])
    assert leading_features(latent, 99)[0].tolist() == [1, 3, 5, 2, 4, 0]  # capped, all ranked


def test_strong_genes_sorted_and_cut_at_threshold():
    r = np.array([[0.9, 0.1, -0.6, np.nan], [-0.7, 0.2, 0.4, np.nan]])
    t = strong_genes(r, np.array(["g0", "g1", "g2", "g3"]), np.array(["A", "B", "C", "D"]),
                     threshold=0.4)
    assert t["gene_id"].tolist() == ["g0", "g2"]  # mean |r| 0.8, 0.5; g1 0.15; g3 undefined
    np.testing.assert_allclose(t["mean_abs_r"], [0.8, 0.5])
    assert t["column"].tolist() == [0, 2]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mixing_score_near_expected_for_one_distribution(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 5))
    is_b = np.arange(400) >= 200
    m = knn_mixing_score(x, is_b, k=10)
    assert m["expected_if_mixed"] == pytest.approx(2 * 200 * 200 / (400 * 399))
    assert abs(m["score"] - m["expected_if_mixed"]) < 0.05


def test_mixing_score_zero_for_separate_sets_and_handles_duplicates():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(100, 4)), rng.normal(size=(80, 4)) + 50.0
    m = knn_mixing_score(np.r_[a, b], np.r_[np.zeros(100, bool), np.ones(80, bool)], k=15)
    assert m["score"] == 0.0 and (m["n_a"], m["n_b"]) == (100, 80)
    # Identical copies (a perfect reconstruction): each point's twin is a neighbour.
    dup = knn_mixing_score(np.r_[a, a], np.r_[np.zeros(100, bool), np.ones(100, bool)], k=1)
    assert dup["score"] == 1.0


def test_mixing_score_per_set_exposes_a_collapsed_set():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(200, 3))
    shrunk = 0.05 * rng.normal(size=(200, 3))  # "reconstructions" collapsed to the centre
    m = knn_mixing_score(np.r_[real, shrunk], np.r_[np.zeros(200, bool), np.ones(200, bool)], k=10)
    # Inside the real cloud's support, yet far from mixed; the shrunk set sees only itself.
    assert m["score"] < 0.2 and m["score_b"] < m["score_a"] / 5
    assert m["score"] == pytest.approx((m["score_a"] + m["score_b"]) / 2)


# ---------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    d = tmp_path_factory.mktemp("features")
    bundle, files, cohort = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=5,
                                              clinical=False)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_MODEL},
        "pretrain": {"epochs": 2, "batch_size": 32, "lr": 3e-3, "n_critic": 1, "critic_widths": [16]},
    }))
    run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, seed=0, device="cpu",
                       progress=False)
    return bundle, run.out_dir, cfg


def test_end_to_end_writes_every_file_and_the_mixing_scores(pretrained, tmp_path):
    bundle, run_dir, _ = pretrained
    out = tmp_path / "feat"
    result = analyse_features(run_dir, data=bundle.path, out_dir=out, n_features=5, threshold=0.2,
                              embedding="tsne")  # UMAP (numba JIT: ~30 s) is the slow test below
    figures = feature_figures(out)
    s = json.loads((out / "summary.json").read_text())
    n_test, n_genes = len(bundle.indices("test")), int(bundle.gene_mask().sum())  # the run's genes
    assert s["n_samples"] == n_test and s["split"] == "test" and s["n_features"] == 5
    assert s["n_genes"] == n_genes
    r = np.load(out / "latent_gene_correlation.npy")
    assert r.shape == (5, n_genes) and np.nanmax(np.abs(r)) <= 1.0
    strong = pd.read_csv(out / "strong_genes.csv")
    assert list(strong.columns) == ["gene_id", "symbol", "mean_abs_r"]
    assert (strong["mean_abs_r"] > 0.2).all() and strong["mean_abs_r"].is_monotonic_decreasing
    assert len(strong) == s["n_strong_genes"]
    rec = s["reconstruction"]
    for space in ("gene_space", "tsne"):
        assert set(rec["mixing"][space]) == {"score", "real", "reconstructed"}
        assert 0.0 <= rec["mixing"][space]["score"] <= 1.0
    emb = pd.read_csv(out / "embedding_tsne.tsv", sep="\t")
    assert len(emb) == 2 * n_test and set(emb["source"]) == {"real", "reconstructed"}
    assert sorted(s["figures"]) == sorted(map(str, figures)) and len(figures) == 2
    for p in figures:
        img = mpimg.imread(p)
        assert img[..., :3].std() > 0.01  # something was drawn
    assert "mixing" in result.describe()
    # strong genes over several types were read as within-type biology (gdc6: UVM's markers)
    n_types = bundle.obs["cancer_type"].iloc[bundle.indices("test")].nunique()
    assert n_types > 1 and f"correlations pooled over {n_types} cancer types" in result.describe()


@pytest.mark.slow
def test_umap_view_with_its_mixing_score(pretrained, tmp_path):
    from genemoe.evaluate.features import umap_available

    if not umap_available():
        pytest.skip("umap-learn is not installed (pip install 'genemoe[explain]')")
    bundle, run_dir, _ = pretrained
    out = tmp_path / "feat"
    analyse_features(run_dir, data=bundle.path, out_dir=out, n_features=5, embedding="both")
    s = json.loads((out / "summary.json").read_text())
    rec = s["reconstruction"]
    assert rec["embeddings"] == ["tsne", "umap"] and 0.0 <= rec["mixing"]["umap"]["score"] <= 1.0
    emb = pd.read_csv(out / "embedding_umap.tsv", sep="\t")
    assert len(emb) == 2 * len(bundle.indices("test")) and np.isfinite(emb[["x", "y"]]).all().all()
    figures = feature_figures(out)
    assert any(p.name.endswith("_umap.png") for p in figures)


def test_refuses_samples_the_pretraining_used(pretrained, tmp_path):
    bundle, run_dir, _ = pretrained
    with pytest.raises(InputError, match="the run saw .* in training or validation"):
        analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "x", split="train")
    assert not (tmp_path / "x" / "summary.json").exists()


def test_umap_alone_is_refused_when_not_installed(pretrained, tmp_path, monkeypatch):
    import genemoe.workflows.features as features

    bundle, run_dir, _ = pretrained
    monkeypatch.setattr(features, "umap_available", lambda: False)
    with pytest.raises(InputError, match="UMAP is not installed"):
        analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "u", embedding="umap")


def test_a_train_run_without_decoder_gives_correlations_only(pretrained, tmp_path):
    from genemoe.workflows.train import train_run

    bundle, run_dir, cfg = pretrained
    trained = train_run(bundle.path, out_dir=tmp_path / "clf", config_path=cfg, epochs=1,
                        device="cpu", progress=False, pretrained=run_dir)
    s = analyse_features(trained.out_dir, data=bundle.path, out_dir=tmp_path / "f",
                         n_features=3).summary
    assert s["run"]["kind"] == "train" and s["reconstruction"] is None
    assert any("no decoder" in n for n in s["notes"])
    assert np.load(tmp_path / "f" / "latent_gene_correlation.npy").shape == (3, int(bundle.gene_mask().sum()))
    assert len(feature_figures(tmp_path / "f")) == 1  # the heat map only
    with pytest.raises(InputError, match="the run saw"):  # its training rows, and the pre-training's
        analyse_features(trained.out_dir, data=bundle.path, out_dir=tmp_path / "g", split="val")


def test_a_pretraining_run_is_fed_with_the_scaler_it_stored(pretrained, tmp_path, monkeypatch):
    """A per-fold pre-training run's own scaler, not the bundle's training split, scales inputs."""
    import shutil

    import genemoe.workflows.features as features
    from genemoe.data.scaling import Scaler
    from genemoe.train.pretrain import pretrain_data_from_arrays, pretrain_on_data

    bundle, _, cfg = pretrained
    X = np.asarray(bundle.X, np.float32)
    train, val, test = (bundle.indices(s) for s in ("train", "val", "test"))
    genes = bundle.var["gene_id"].astype(str).tolist()
    ids = bundle.sample_ids.astype(str)
    own = Scaler(X[train].mean(0) + 1.0, np.full(len(genes), 2.0, np.float32), "standard", 10.0)
    data = pretrain_data_from_arrays(X[train], X[val], gene_ids=genes, scaler=own,
                                     train_ids=ids[train].tolist(), val_ids=ids[val].tolist(),
                                     source=str(bundle.path))
    run = pretrain_on_data(data, out_dir=tmp_path / "run", config_path=cfg, epochs=1,
                           device="cpu", progress=False)
    fed = []
    real_forward = features._forward
    monkeypatch.setattr(features, "_forward", lambda m, x, **k: fed.append(x) or real_forward(m, x, **k))
    s = analyse_features(run.out_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3).summary
    np.testing.assert_allclose(fed[0], own.transform(X[test]), rtol=1e-6, atol=1e-6)
    assert "pre-training run's scaler" in s["scaling"]
    # A bundle the run did not read (here: a copy elsewhere) is scaled by its own training split.
    shutil.copytree(bundle.path, tmp_path / "copy")
    s = analyse_features(run.out_dir, data=tmp_path / "copy", out_dir=tmp_path / "g",
                         n_features=3).summary
    std = bundle.var["train_std"].to_numpy(np.float32)
    split = Scaler(bundle.var["train_mean"].to_numpy(np.float32), np.where(std < 1e-6, 1, std),
                   "standard", 10.0)
    np.testing.assert_allclose(fed[1], split.transform(X[test]), rtol=1e-6, atol=1e-6)
    assert not np.allclose(fed[0], fed[1]) and s["scaling"] == "the bundle's training split"


def test_impossible_values_are_refused_and_clips_said(pretrained, tmp_path):
    """Old behaviour: --max-samples 0 or -5 and --k 0 ended in numpy tracebacks or NaN in
    summary.json (not JSON); --k 5000 was cut to the sample count (every score 0.5) and
    --n-features 1000 to the latent size, both unsaid; genes without a symbol were "None"."""
    import shutil

    bundle, run_dir, _ = pretrained
    for bad, match in [({"max_samples": 0}, "--max-samples 0"), ({"max_samples": -5}, "-5"),
                       ({"k": 0}, "--k: must be 1 or more, got 0"), ({"k": 5000}, "--k 5000 needs more than")]:
        with pytest.raises(InputError, match=match):
            analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "bad", **bad)
    assert not (tmp_path / "bad").exists()
    copy = tmp_path / "copy"
    shutil.copytree(bundle.path, copy)
    var = pd.read_parquet(copy / "var.parquet")
    var["symbol"] = None  # genes without a symbol
    var.to_parquet(copy / "var.parquet")
    res = analyse_features(run_dir, data=copy, out_dir=tmp_path / "f", n_features=1000,
                           max_samples=20)
    latent = res.summary["latent"]
    assert res.summary["n_features"] == latent
    assert f"--n-features 1000 is more than the latent's {latent} features" in res.describe()
    assert "only 20 samples: correlations this noisy" in res.describe()
    strong = pd.read_csv(tmp_path / "f" / "strong_genes.csv", keep_default_na=False)
    assert "None" not in set(strong["symbol"]) and "None" not in (tmp_path / "f" /
                                                                 "summary.json").read_text()


def test_features_names_the_bad_flag_and_the_draw_and_leaves_no_stale_output(pretrained, tmp_path):
    """Old behaviour: one sentence for --n-features, --k and --threshold, naming none;
    --max-samples 5 said "the test split gives 5" and "e.g. 15" for a --k below 5; a rerun
    left the earlier embedding and figures beside its own; --out over a pre-training run
    wrote its summary.json over the run's."""
    bundle, run_dir, _ = pretrained
    for bad, says in [({"threshold": float("nan")}, "--threshold: must be in [0, 1], got nan"),
                      ({"n_features": 0}, "--n-features: must be 1 or more, got 0")]:  # named once
        with pytest.raises(InputError, match=re.escape(says)):
            analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "bad", **bad)
    with pytest.raises(InputError, match=r"(?s)--max-samples 5 draws 5.*e\.g\. 1\), or raise "
                                         r"--max-samples"):
        analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "bad", max_samples=5)
    out = tmp_path / "f"
    analyse_features(run_dir, data=bundle.path, out_dir=out, n_features=3)
    feature_figures(out)
    (out / "embedding_umap.tsv").write_text("left by an earlier run")
    (out / "real_vs_reconstructed_umap.png").write_bytes(b"")
    analyse_features(run_dir, data=bundle.path, out_dir=out, n_features=3)
    assert not (out / "embedding_umap.tsv").exists()
    assert not (out / "real_vs_reconstructed_umap.png").exists()
    before = (run_dir / "summary.json").read_text()
    with pytest.raises(InputError, match="holds a pre-training run"):
        analyse_features(run_dir, data=bundle.path, out_dir=run_dir, n_features=3)
    assert (run_dir / "summary.json").read_text() == before


def test_a_missing_folder_a_run_without_encoder_and_a_train_run_as_pretrained_are_named(
        pretrained, tmp_path):
    """Old behaviour: "neither pretrained.pt nor model.pt here" for a folder that does not
    exist, "FcnModel has no latent encoder" (a class name), and `train --pretrained` of a
    train run "no pretrained.pt here"."""
    from genemoe.train.finetune import read_pretrained
    from genemoe.workflows.train import train_run

    bundle, _, cfg = pretrained
    with pytest.raises(InputError, match="no such folder"):
        analyse_features(tmp_path / "nope", data=bundle.path, out_dir=tmp_path / "f")
    fcn = train_run(bundle.path, out_dir=tmp_path / "fcn", model_name="fcn", epochs=1,
                    device="cpu", progress=False).out_dir
    with pytest.raises(InputError, match="a 'fcn' run: it has no latent encoder") as info:
        analyse_features(fcn, data=bundle.path, out_dir=tmp_path / "f")
    assert "FcnModel" not in str(info.value)
    with pytest.raises(InputError, match="a `genemoe train` run, not a pre-training run"):
        read_pretrained(fcn)
    # the run's model.pt itself: "cannot read the pre-trained file (UnpicklingError) ... the
    # file is damaged or not genemoe's"
    with pytest.raises(InputError, match="a `genemoe train` run, not a pre-training run"):
        read_pretrained(fcn / "model.pt")
    with pytest.raises(InputError, match="no such folder"):
        read_pretrained(tmp_path / "nope")


def test_crowded_reconstructions_and_a_collapsed_pretraining_are_warned(pretrained, tmp_path,
                                                                        monkeypatch, caplog):
    """A collapsed pre-training's `features` printed "gene_space 0.500 (real 1.00, recon
    0.00) ... 0.509 if mixed": read as near-perfect mixing; the collapse was not said."""
    import genemoe.workflows.features as wf

    bundle, run_dir, _ = pretrained

    def crowded(x, is_b, *, k=15):  # noqa: ANN001, ANN202 (every neighbour a reconstruction)
        return {"score": 0.5, "expected_if_mixed": 0.503, "score_a": 1.0, "score_b": 0.0,
                "k": k, "n_a": 10, "n_b": 10}

    monkeypatch.setattr(wf, "knn_mixing_score", crowded)
    forward = wf._forward  # reconstructions at 1% of each sample's own: nearly one profile
    monkeypatch.setattr(wf, "_forward", lambda m, x, **k: (forward(m, x, **k)[0], 0.01 * x))
    real = wf.load_run_model
    monkeypatch.setattr(wf, "load_run_model", lambda d: __import__("dataclasses").replace(
        real(d), collapse=["KL per latent dimension 0.001 < 0.01"]))
    with caplog.at_level("WARNING", logger="genemoe"):
        res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3)
    text = res.describe()
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "reconstructions collapsed: nearly one profile for every sample" in warned
    assert "the pre-training collapsed: KL per latent dimension" in warned
    assert sum("features:" in r.getMessage() for r in caplog.records
               if r.levelname == "WARNING") == 2
    # said once (old behaviour: the CLI printed each as a warning and again as a note), and
    # kept in the result and summary.json
    assert "collapsed" not in text
    assert len(res.warnings) == 2 and all(w in res.summary["notes"] for w in res.warnings)
    # one line per space (old: "(gene_space 0.500 (real 1.00, recon 0.00), ...; 0.503 if mixed"
    assert "real vs reconstructed k-NN mixing (0.503 if mixed, 0 if separate):" in text
    assert "    gene_space 0.500: real 1.00, reconstructed 0.00" in text


def test_the_samples_a_run_never_read_can_be_chosen(pretrained, tmp_path):
    """An ablation's per-fold pre-training reads part of the bundle's test split (its fold's
    training part): every --split was refused, and the fix sent the user to the --split test
    just refused. ``--split unseen`` takes the samples the run never read (nor their
    patients), and the refusal names it."""
    bundle, run_dir, _ = pretrained
    with pytest.raises(InputError, match="--split unseen analyses the (\\d+) samples") as caught:
        analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "x", split="all")
    n_test = len(bundle.indices("test"))
    assert f"the {n_test} samples of this bundle the run never read" in str(caught.value)
    analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "u", split="unseen",
                     n_features=3, embedding="tsne")
    s = json.loads((tmp_path / "u" / "summary.json").read_text())
    assert s["split"] == "unseen" and s["n_samples"] == n_test  # here: the test split


def test_genes_constant_across_the_samples_are_counted_where_left_out(pretrained, tmp_path):
    """gene_correlation.tsv held 19,051 of 19,075 genes, said to hold every gene: the 24
    constant across the test samples were left out unsaid."""
    from genemoe.data.bundle import load_bundle, write_bundle

    bundle, run_dir, _ = pretrained
    copy = load_bundle(bundle.path)
    col = int(np.flatnonzero(copy.gene_mask())[0])
    X = np.array(copy.X, copy=True)
    X[copy.indices("test"), col] = 1.5
    copy.X = X
    write_bundle(copy, tmp_path / "b")
    res = analyse_features(run_dir, data=tmp_path / "b", out_dir=tmp_path / "f", n_features=3,
                           embedding="tsne")
    gene = str(copy.var["gene_id"].iloc[col])
    ranked = pd.read_csv(tmp_path / "f" / "gene_correlation.tsv", sep="\t")
    assert gene not in set(ranked["gene_id"].astype(str))
    n_left = int(copy.gene_mask().sum()) - len(ranked)
    assert n_left >= 1
    note = next(n for n in res.notes if "constant across these samples" in n)
    assert note.startswith(f"{n_left} gene{'s' * (n_left != 1)} constant across these samples "
                           "(no correlation) left out of gene_correlation.tsv, e.g. ")
    assert gene in note


def test_a_report_html_not_of_an_earlier_analysis_is_left(pretrained, tmp_path):
    """Old behaviour: a first analysis into a folder holding the user's own report.html (or
    embedding_*.png) removed it as an earlier analysis's page."""
    bundle, run_dir, _ = pretrained
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("<html>my notes</html>")
    analyse_features(run_dir, data=bundle.path, out_dir=out, n_features=3, embedding="tsne")
    assert (out / "report.html").read_text() == "<html>my notes</html>"
