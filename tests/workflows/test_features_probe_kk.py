"""`genemoe features` after outside probe KK: a bundle of another normalisation, a scaler
fitted on the analysed samples, a fine-tuned run whose pre-training folder is gone, the fix
for gene ids of another kind, shrinkage said as a collapse, and the nits (the files list,
the constant genes, a 400-character warning, a note said twice)."""

from __future__ import annotations

import html
import shutil

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.data.scaling import Scaler
from genemoe.errors import InputError
from genemoe.evaluate.features import knn_mixing_score
from genemoe.workflows.features import analyse_features
from genemoe.workflows.pretrain import pretrain_run
from genemoe.workflows.train import train_run
from synthetic_inputs import tiny_pretrained


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny pre-training on a synthetic fpkm_uq bundle: ``(bundle, run folder, config)``."""
    return tiny_pretrained(tmp_path_factory.mktemp("features_kk"), n_samples=150, n_genes=60,
                           seed=11)


def _copy(bundle, out, **change):  # noqa: ANN001, ANN003, ANN202
    """A copy of ``bundle`` at ``out`` with ``record``/``obs``/``X`` changed by ``change``."""
    copy = load_bundle(bundle.path)
    copy.X = np.array(copy.X)
    for name, edit in change.items():
        edit(copy) if callable(edit) else setattr(copy, name, edit)
    write_bundle(copy, out)
    return out


def _fed(monkeypatch, shrink: float | None = None) -> list[np.ndarray]:
    """Record the scaled inputs the encoder is given; with ``shrink``, reconstruct each
    sample as ``shrink`` times its scaled profile (the training mean being 0)."""
    import genemoe.workflows.features as wf

    fed: list[np.ndarray] = []
    forward = wf._forward

    def stand_in(model, x, **kw):  # noqa: ANN001, ANN003, ANN202
        fed.append(x.copy())
        mu, recon = forward(model, x, **kw)
        return mu, (recon if shrink is None else shrink * x)

    monkeypatch.setattr(wf, "_forward", stand_in)
    return fed


# ---------------------------------------------------------------------------- D2


def test_a_bundle_of_another_normalisation_is_refused_naming_both(run, tmp_path):
    """Old: a log2 FPKM-UQ run analysed a bundle of raw counts (--normalisation none) in
    silence, summary.json saying "log expression of the bundle"."""
    bundle, run_dir, _ = run
    raw = _copy(bundle, tmp_path / "raw", record={**bundle.record, "normalisation": "none"})
    with pytest.raises(InputError) as info:
        analyse_features(run_dir, data=raw, out_dir=tmp_path / "f", n_features=3)
    said = " ".join(str(info.value).split())
    assert "fpkm_uq" in said and "holds none values" in said and str(raw) in said
    assert "--normalisation fpkm_uq" in said and not (tmp_path / "f").exists()
    s = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "g", n_features=3).summary
    assert s["normalisation"] == {"run": "fpkm_uq", "bundle": "fpkm_uq", "check": "same"}
    assert s["correlation_space"].startswith("the bundle's values, log2(FPKM-UQ + 1)")


# ---------------------------------------------------------------------------- D3


def _resplit(bundle, run_dir):  # noqa: ANN001, ANN202
    """The bundle's obs with half of its test split (samples the run never read) moved into
    the training split, as a bundle prepared again with another split draws it."""
    obs = bundle.obs.copy()
    test = np.flatnonzero(obs["split"].to_numpy() == "test")
    obs.loc[obs.index[test[::2]], "split"] = "train"
    return obs, test


def test_a_bundle_whose_training_split_holds_analysed_samples_is_scaled_without_them(
        run, tmp_path, monkeypatch):
    """Old: the scaler came from the bundle's training split although it held half the
    analysed samples (probe: 13 of 16), called held-out, unsaid."""
    bundle, run_dir, _ = run
    obs, test = _resplit(bundle, run_dir)
    other = _copy(bundle, tmp_path / "resplit", obs=obs)
    fed = _fed(monkeypatch)
    res = analyse_features(run_dir, data=other, out_dir=tmp_path / "f", split="unseen",
                           n_features=3, k=5)
    s = res.summary
    train = np.flatnonzero(obs["split"].to_numpy() == "train")
    fit = np.setdiff1d(train, test)
    assert s["n_samples"] == len(test)
    assert s["scaler"] == {"source": s["scaling"], "n_fit": len(fit), "n_analysed_in_fit": 0,
                           "n_analysed_in_training_split": len(test[::2])}
    axis = pd.read_csv(tmp_path / "f" / "latent_gene_correlation_genes.tsv", sep="\t",
                       dtype={"gene_id": str})  # the run's genes, in its order
    genes = list(bundle.var["gene_id"].astype(str))
    X = np.asarray(bundle.X, np.float64)[:, [genes.index(g) for g in axis["gene_id"]]]
    sd = X[fit].std(0)
    want = Scaler(X[fit].mean(0).astype(np.float32), np.where(sd < 1e-6, 1, sd).astype(
        np.float32), "standard", 10.0).transform(X[test])
    np.testing.assert_allclose(fed[0], want, rtol=1e-4, atol=1e-4)
    note = f"{len(test[::2])} of the {len(test)} analysed samples are in the bundle's training split"
    assert any(n.startswith(note) for n in res.notes) and note in res.describe()


def test_a_bundle_with_no_other_samples_says_the_scaler_saw_them(run, tmp_path):
    """Every sample analysed (a cohort the run never read, --split all): the scaler can only
    be fitted on them, and that is said, not called held-out."""
    bundle, run_dir, _ = run

    def renamed(b):  # noqa: ANN001, ANN202
        b.obs = b.obs.assign(sample_id=[f"NEW-{i}" for i in range(len(b.obs))],
                             patient_id=[f"NEWP-{i}" for i in range(len(b.obs))])

    new = _copy(bundle, tmp_path / "new", obs=renamed)
    res = analyse_features(run_dir, data=new, out_dir=tmp_path / "f", split="all",
                           n_features=3, max_samples=None)
    n = bundle.n_samples
    assert res.summary["scaler"]["n_analysed_in_fit"] == n
    assert f"the scaler saw the {n} analysed samples" in res.describe()
    assert any("not held out" in x for x in res.notes)


# ---------------------------------------------------------------------------- D4


def test_a_fine_tuned_run_whose_pretraining_is_gone_names_it_and_the_fix(run, tmp_path):
    """Old: "runs/pre_tmp: no such folder  fix: ... or pre-train first", a path the user
    never passed, and advice that cannot help."""
    bundle, run_dir, cfg = run
    pre = tmp_path / "pre_tmp"
    shutil.copytree(run_dir, pre)
    tuned = train_run(bundle.path, out_dir=tmp_path / "tuned", config_path=cfg, epochs=1,
                      pretrained=pre, device="cpu", progress=False).out_dir
    shutil.rmtree(pre)
    (tuned / "pretrain_samples.tsv").unlink()  # a run fine-tuned before the run kept a copy
    with pytest.raises(InputError) as info:
        analyse_features(tuned, data=bundle.path, out_dir=tmp_path / "f", n_features=3)
    said = " ".join(str(info.value).split())
    assert f"fine-tuned from the pre-training run {pre}" in said and "is gone" in said
    assert f"move or copy that pre-training run back to {pre}" in said
    assert "pre-train first" not in said and str(tuned) in said


def test_a_fine_tuned_run_keeps_its_pretrainings_samples_and_is_analysed_without_it(
        run, tmp_path):
    """Old: the fine-tuned run kept no copy of the samples its pre-training read, so it could
    not be analysed once that folder was moved; now ``OUT/pretrain_samples.tsv`` holds them,
    and they are still refused as held-out evidence."""
    bundle, run_dir, cfg = run
    pre = tmp_path / "pre_moved"
    shutil.copytree(run_dir, pre)
    tuned = train_run(bundle.path, out_dir=tmp_path / "tuned", config_path=cfg, epochs=1,
                      pretrained=pre, device="cpu", progress=False).out_dir
    assert (tuned / "pretrain_samples.tsv").read_text() == (pre / "samples.tsv").read_text()
    shutil.rmtree(pre)
    res = analyse_features(tuned, data=bundle.path, out_dir=tmp_path / "f", n_features=3)
    assert res.out_dir.is_dir()
    from genemoe.workflows.feature_run import load_run_model, used_sample_patients

    read = pd.read_csv(tuned / "pretrain_samples.tsv", sep="\t", dtype=str)
    used = used_sample_patients(load_run_model(tuned))  # still refused as held-out evidence
    assert set(read["sample_id"]) <= set(used)
    again = train_run(bundle.path, out_dir=tuned, config_path=cfg, epochs=1, device="cpu",
                      progress=False).out_dir  # the same folder, no pre-training: no copy
    assert not (again / "pretrain_samples.tsv").exists()


# ---------------------------------------------------------------------------- D5


def test_a_run_of_entrez_ids_on_an_ensembl_bundle_is_told_to_convert_not_annotate(run, tmp_path):
    """Old: "prepare this cohort with the --annotation the run's bundles were prepared
    with" for a run of Entrez ids (prepared without one; none maps Entrez to Ensembl)."""
    bundle, _, cfg = run
    entrez = _copy(bundle, tmp_path / "entrez", var=lambda b: setattr(
        b, "var", b.var.assign(gene_id=[str(7157 + i) for i in range(len(b.var))])))
    pre = pretrain_run([entrez], out_dir=tmp_path / "pre", config_path=cfg, seed=0,
                       device="cpu", progress=False).out_dir
    with pytest.raises(InputError) as info:
        analyse_features(pre, data=bundle.path, out_dir=tmp_path / "f")
    said = " ".join(str(info.value).split())
    assert "the run's: Entrez ids" in said and "the bundle's: Ensembl ids" in said
    assert "none carries Entrez ids" in said and "convert the cohort's gene ids" in said
    assert "were prepared with" not in said


# ---------------------------------------------------------------------------- D6


def test_shrunk_reconstructions_are_not_called_a_collapse(run, tmp_path, monkeypatch, caplog):
    """Old: any crowding (real − reconstructed mixing > 0.5) was warned as "the decoder
    gives much the same profile to every sample", for reconstructions holding 25% of the
    real variance (R² 0.24) of a pre-training that found no collapse."""
    import genemoe.workflows.features as wf

    bundle, run_dir, _ = run
    _fed(monkeypatch, shrink=0.5)  # 25% of the variance, R² 0.75

    def crowded(x, is_b, *, k=15):  # noqa: ANN001, ANN202 (real 0.91, reconstructed 0.00)
        return {"score": 0.45, "expected_if_mixed": 0.5, "score_a": 0.91, "score_b": 0.0,
                "k": k, "n_a": 10, "n_b": 10}

    monkeypatch.setattr(wf, "knn_mixing_score", crowded)
    with caplog.at_level("WARNING", logger="genemoe"):
        res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3)
    rec = res.summary["reconstruction"]
    assert rec["variance_share"] == pytest.approx(0.25, abs=1e-4)
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "same profile" not in warned and "reconstructions collapsed" not in warned
    assert ("reconstructions shrunk toward the mean, not a collapse: 25% of the real variance, "
            "R² 0.75") in res.notes
    assert "  reconstructions: R² 0.75, 25% of the real variance" in res.describe()


def test_reconstructions_of_nearly_one_profile_are_a_collapse(run, tmp_path, monkeypatch):
    bundle, run_dir, _ = run
    _fed(monkeypatch, shrink=0.01)  # 0.01% of the variance, R² 0.02 (under WEAK_R2 0.05)
    res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3)
    said = [w for w in res.warnings if w.startswith("reconstructions collapsed")]
    assert said == ["reconstructions collapsed: nearly one profile for every sample (0.0% of "
                    "the real variance, R² 0.02)"]


def test_variance_share_and_the_mixing_score_of_a_shrunk_set():
    """The docstring had it reversed: a set shrunk toward the other's centre lifts the
    other's score (real 0.91), not its own (reconstructed 0.00)."""
    from genemoe.evaluate.features import variance_share

    x = np.random.default_rng(0).normal(size=(60, 20))
    m = knn_mixing_score(np.r_[x, 0.2 * x], np.r_[np.zeros(60, bool), np.ones(60, bool)], k=5)
    assert m["score_a"] > m["score_b"]
    assert "``score_a`` ≫ ``score_b``" in (knn_mixing_score.__doc__ or "")
    assert variance_share(x, 0.2 * x) == pytest.approx(0.04)


# ---------------------------------------------------------------------------- nits


def test_summary_lists_every_file_and_counts_the_constant_genes(run, tmp_path):
    from genemoe.report.features_page import features_context

    bundle, run_dir, _ = run
    test = bundle.indices("test")

    def flat(b):  # noqa: ANN001, ANN202 (two genes constant across the test split)
        b.X[np.ix_(test, [3, 4])] = 1.0

    other = _copy(bundle, tmp_path / "flat", X=flat)
    res = analyse_features(run_dir, data=other, out_dir=tmp_path / "f", n_features=3)
    s = res.summary
    assert {"gene_correlation.tsv", "leading_features.tsv", "embedding_tsne.tsv",
            "samples.tsv"} <= set(s["files"])
    assert all((tmp_path / "f" / name).is_file() for name in s["files"])
    n, constant = s["n_genes_correlated"], s["n_genes_constant"]
    assert constant >= 2 and n == s["n_genes"] - constant  # 2 more than the cohort's own
    assert f"of {n} genes correlated ({constant} constant left out)" in res.describe()
    panel = html.unescape(features_context(tmp_path / "f", tmp_path / "plots")["panel"])
    assert (f"of {n} genes correlated ({constant} constant left out of the run's "
            f"{s['n_genes']})") in panel


def test_the_pretrainings_collapse_is_said_short_and_kept_whole(run, tmp_path, monkeypatch):
    """Old: the whole pre-training warning nested in parentheses, ~400 characters."""
    import dataclasses

    import genemoe.workflows.features as wf

    bundle, run_dir, _ = run
    long = ("validation reconstruction is at a per-gene training constant's level (R² under "
            "0.05, MAE not below the best constant's): it does not beat the per-gene mean by "
            "squared error (R² -0.002; MSE 9.015 vs 9.000), nor the per-gene median by "
            "absolute error (MAE 1.300 vs 1.139)")
    real = wf.load_run_model
    monkeypatch.setattr(wf, "load_run_model",
                        lambda d: dataclasses.replace(real(d), collapse=[long]))
    res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3)
    assert ("the pre-training collapsed: validation reconstruction is at a per-gene training "
            "constant's level") in res.warnings
    assert all(len(w) <= 100 for w in res.warnings)
    assert res.summary["pretrain_collapse"] == [long]


def test_a_run_without_decoder_gets_one_note_on_it(run, tmp_path):
    """Old: "--k 10 not used: ... no decoder" and "no decoder: no reconstruction ...": the
    same thing twice."""
    bundle, _, cfg = run
    plain = train_run(bundle.path, out_dir=tmp_path / "clf", config_path=cfg, epochs=1,
                      device="cpu", progress=False).out_dir
    for given in ({}, {"k": 10}):
        res = analyse_features(plain, data=bundle.path, out_dir=tmp_path / f"f{len(given)}",
                               n_features=3, **given)
        assert sum("no decoder" in n for n in res.notes) == 1, res.notes
