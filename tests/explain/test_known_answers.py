"""Known answers: ``genemoe explain`` recovers the programs planted in the synthetic cohort.

The cohort (300 tumours x 200 genes, 4 types, seed 4; ``SyntheticCohort.programs()``)
plants a program per type: 6 markers of its own plus, for BLCA and CESC, 6 markers they
share (12 genes). For each neural family a tiny model is trained on it and explained with
its default method (``train_ig`` for the gene-vector models, IG for the image models);
per class, *planted precision* is the fraction of the class's top-k genes (k = its program
size) that belong to its program, samples pooled by their label. Chance is k / 199
(3-6%). Not every top gene can be planted: a class is also told apart by the *absence* of
the other types' markers, which then rank high with positive attribution.

Floors, set with margin below what was measured (one thread, seeds as here; the numbers
per class are in ``MEASURED`` for each family) and stated in ``FLOORS``: the mean over the
four classes and the worst class. BRCA, the largest class, is the hardest (its markers
compete with the absence of everyone else's).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml

from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods, planted_precision
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic

TINY = {
    "genemoe": dict(hidden=32, n_experts=4, k=2, moae_experts=2, moae_k=1, n_tokens=4, n_heads=2,
                    latent=16, dropout=0.1, attn_dropout=0.0),
    "moe": dict(hidden=32, n_experts=4, k=2, latent=16, dropout=0.1),
    "fcn": dict(hidden=32, latent=16, dropout=0.1),
    "mlp": dict(widths=[64, 32], dropout=0.1, batchnorm=True),
    "hybrid_cnn": dict(n_filters=4, hidden=16),
}
EPOCHS = 40
# resnet50 from scratch on 300 tumours at 32 px (global input scaling, its default) did not
# learn the task (test accuracy 0.53) and its IG rankings sat at chance (mean precision 0.04);
# per-gene scaling + similarity layout + lr 3e-4 cosine did no better (0.32, 0.06), nor did
# densenet169 (0.56, 0.27). With 1,200 tumours of the same cohort design it learns (test
# accuracy 0.80) and recovers the planted programs (measured below, seed 0, one thread), so
# the backbone's test trains on that larger cohort.
RESNET_MEASURED = (0.0, 0.58, 0.33, 0.58)
RESNET_FLOOR = (0.27, 0.0)
IMAGE = {"weights": "none", "image_size": 32, "finetune": "all"}  # resnet50 from scratch, 32 px
# Planted precision per class (ACC, BLCA, BRCA, CESC) as measured with these settings,
# default method (train_ig, 8 references, for the gene-vector models; IG for the image
# models), one torch thread. On this cohort the average-tumour baseline recovers planted
# programs better: frozen_ig moe (0.83, 0.75, 0.50, 0.75), genemoe (0.67, 0.67, 0.33, 0.75);
# IG fcn (0.50, 0.67, 0.33, 0.83), mlp (0.67, 0.67, 0.50, 0.75) - but on real data train_ig
# named as many or more known tissue genes (docs/results.md (e)), so it is the default.
MEASURED = {"fcn": (0.33, 0.58, 0.33, 0.58), "moe": (0.83, 0.67, 0.33, 0.67),
            "genemoe": (0.67, 0.58, 0.33, 0.67), "mlp": (0.50, 0.67, 0.33, 0.58),
            "hybrid_cnn": (0.17, 0.25, 0.17, 0.50), "resnet50": RESNET_MEASURED}
# hybrid_cnn reads ``centred`` input (per-gene centring, one scale), its default since it
# named the known tissue genes on the real cohorts (docs/results.md (e)). Here it recovers
# less than with per-gene z-scores (mean precision over training seeds 0-3: 0.33 against
# 0.52; test accuracy 0.72 against 0.83): this cohort's planted markers have an ordinary
# spread (median percentile of their training std 0.5), while real tissue markers are among
# the most variable genes (the gdc6 adrenal and intercalated-cell genes: 92nd-100th
# percentile), and centring keeps each gene's spread.
# Floors (mean over the classes, worst class): about 0.1 below the measured mean and one
# program gene below the worst class; chance is 0.03-0.06.
FLOORS = {"fcn": (0.35, 0.15), "moe": (0.52, 0.15), "genemoe": (0.45, 0.15), "mlp": (0.42, 0.15),
          "hybrid_cnn": (0.17, 0.0), "resnet50": RESNET_FLOOR}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    d = tmp_path_factory.mktemp("planted")
    bundle, f, cohort = prepare_synthetic(d, n_samples=300, n_genes=200, n_types=4, seed=4)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": TINY, "train": {"patience": 100, "checkpoint_every": 1000}}))
    runs: dict[str, object] = {}

    def run(name: str):
        if name not in runs:
            train_run(bundle.path, out_dir=d / name, task="classify", model_name=name, config_path=cfg,
                      epochs=EPOCHS, device="cpu", progress=False)
            runs[name] = d / name
        return runs[name]

    return d, bundle, cohort, run


def _precision(planted, name: str, tmp_path, **options) -> tuple[dict[str, float], dict]:
    d, bundle, cohort, run = planted
    res = explain_run(run(name), data=bundle.path, out_dir=tmp_path / name, split="all",
                      max_samples_per_class=40, n_steps=32, group_by="label", max_maps=0,
                      progress=False, **options)
    return planted_precision(res.ranking, cohort.programs()), res.convergence


def _check_floor(name: str, precision: dict[str, float]) -> None:
    mean_floor, worst_floor = FLOORS[name]
    assert len(precision) == 4
    assert np.mean(list(precision.values())) >= mean_floor, (name, precision)
    assert min(precision.values()) >= worst_floor, (name, precision)


@pytest.mark.parametrize("name", ["moe", "genemoe"])
def test_default_method_recovers_planted_programs(planted, tmp_path, name):
    precision, conv = _precision(planted, name, tmp_path)
    _check_floor(name, precision)
    assert conv["method"] == "train_ig" and conv["routing"] == "frozen"
    assert conv["median_relative_delta"] < 0.01  # completeness holds for the default


def test_plain_ig_on_genemoe_misses_completeness_not_the_genes(planted, tmp_path):
    """Plain IG integrates across routing switches: its completeness gap is what frozen
    routing removes. On this cohort its rankings still clear the floor (measured: the same
    top genes as frozen routing), so the difference shows in completeness only."""
    plain, plain_conv = _precision(planted, "genemoe", tmp_path / "plain", method="ig")
    frozen, frozen_conv = _precision(planted, "genemoe", tmp_path / "frozen", method="frozen_ig")
    assert plain_conv["median_relative_delta"] > 10 * max(frozen_conv["median_relative_delta"], 1e-4)
    assert frozen_conv["max_relative_delta"] < 0.01
    _check_floor("genemoe", plain)
    assert np.mean(list(frozen.values())) >= np.mean(list(plain.values())) - 0.1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fcn", "mlp", "hybrid_cnn"])
def test_other_families_recover_planted_programs(planted, tmp_path, name):
    precision, _ = _precision(planted, name, tmp_path)
    _check_floor(name, precision)


@pytest.fixture(scope="module")
def planted_1200(tmp_path_factory):
    """The same cohort design with 1,200 tumours: enough for ResNet-50 from scratch."""
    d = tmp_path_factory.mktemp("planted_1200")
    bundle, _, cohort = prepare_synthetic(d, n_samples=1200, n_genes=200, n_types=4, seed=4)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"train": {"patience": 100, "checkpoint_every": 1000, "num_threads": 1}}))

    def run(name: str):
        train_run(bundle.path, out_dir=d / name, task="classify", model_name=name, config_path=cfg,
                  epochs=EPOCHS, device="cpu", progress=False, seed=0, model_options=IMAGE)
        return d / name

    return d, bundle, cohort, run


@pytest.mark.slow
def test_an_imagenet_backbone_recovers_planted_programs(planted_1200, tmp_path):
    # integrate once (ResNet's ReLU kinks would ask up to 400 points of a slow model)
    precision, _ = _precision(planted_1200, "resnet50", tmp_path, max_steps=32)
    _check_floor("resnet50", precision)


@pytest.mark.slow
def test_method_comparison_table(planted, tmp_path):
    d, bundle, cohort, run = planted
    run("genemoe")
    other = tmp_path / "genemoe_seed1"  # --other is another run of the same model (a moe run
    #                                     is refused since the check compares the models)
    train_run(bundle.path, out_dir=other, task="classify", model_name="genemoe", seed=1,
              config_path=d / "tiny.yaml", epochs=EPOCHS, device="cpu", progress=False)
    table = compare_methods(d / "genemoe", data=bundle.path, out_dir=tmp_path / "cmp", programs=cohort.programs(),
                            other_run=other, split="all", max_samples_per_class=20, n_steps=16, n_draws=8)
    assert table["method"].tolist() == ["ig", "frozen_ig", "gradient_shap", "deeplift", "train_ig"]
    assert (tmp_path / "cmp" / "methods.csv").exists()
    row = table.set_index("method")
    assert row.loc["frozen_ig", "max_relative_delta"] < 0.01 < row.loc["ig", "max_relative_delta"]
    assert (row["planted_precision"] > 0.3).all() and row["seconds_per_sample"].gt(0).all()
    assert row["top50_overlap"].between(0, 1).all()


def test_rankings_restricted_and_per_sample(planted, tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from genemoe.cli import app

    d, bundle, _, run = planted
    biotype = bundle.var.set_index("gene_id")["biotype"]
    res = explain_run(run("fcn"), data=bundle.path, out_dir=tmp_path / "pc", split="test", n_steps=8,
                      genes="protein_coding", max_maps=0, progress=False)
    assert (biotype.loc[res.ranking["gene_id"]] == "protein_coding").all()
    model_genes = pd.read_csv(tmp_path / "pc" / "genes.tsv", sep="\t")["gene_id"]
    assert res.ranking.groupby("class").size().max() == (biotype.loc[model_genes] == "protein_coding").sum()
    by_sample = pd.read_csv(tmp_path / "pc" / "genes_by_sample.csv")
    samples = pd.read_csv(tmp_path / "pc" / "samples.tsv", sep="\t")
    assert list(by_sample.columns) == ["sample_id", "rank", "gene_id", "symbol", "attribution"]
    n_coding = int((biotype.loc[model_genes] == "protein_coding").sum())
    assert (by_sample.groupby("sample_id").size() == min(50, n_coding)).all()
    assert (biotype.loc[by_sample["gene_id"]] == "protein_coding").all()  # --genes: per sample too
    assert set(by_sample["sample_id"]) == set(samples["sample_id"])
    first = by_sample[by_sample["sample_id"] == samples["sample_id"].iloc[0]]["attribution"]
    assert first.abs().is_monotonic_decreasing  # by |attribution|, the sign kept
    # expressed: per class, only genes detected in at least half of the class's samples
    res = explain_run(run("fcn"), data=bundle.path, out_dir=tmp_path / "ex", split="test", n_steps=8,
                      genes="expressed", max_maps=0, progress=False)
    X = np.asarray(bundle.X)
    for cls, ranked in res.ranking.groupby("class"):
        rows = samples.loc[samples["predicted"] == cls, "sample_id"]
        pos = pd.Index(bundle.sample_ids).get_indexer(rows)
        cols = pd.Index(bundle.gene_ids).get_indexer(ranked["gene_id"])
        assert ((X[np.ix_(pos, cols)] > 0).mean(0) >= 0.5).all()
    r = CliRunner().invoke(app, ["explain", "--model", str(run("moe")), "--data", str(bundle.path),
                                 "--out", str(tmp_path / "cli"), "--method", "ig", "--n-steps", "8",
                                 "--max-samples-per-class", "5"])
    assert r.exit_code == 0, r.output
    assert "with ig" in r.output


def test_report_shows_the_explanation_first(planted, tmp_path):
    import re
    import shutil

    from genemoe.report.html import write_report

    d, bundle, _, run = planted
    run_dir = tmp_path / "run"
    shutil.copytree(run("moe"), run_dir)
    explain_run(run_dir, data=bundle.path, out_dir=run_dir / "explain", split="test", n_steps=8,
                max_samples_per_class=3, progress=False)
    for page in (write_report(run_dir / "explain"), write_report(run_dir)):
        text = page.read_text()
        section = text[text.index('<h2 id="explanation">'):]
        assert text.index('<h2 id="explanation">') < text.index('<h2 id="data">')  # the first section
        first = section[:section.index("<img")]  # before any figure: method, completeness, genes
        assert "training tumours" in first and re.search(r"median <b>\d+\.\d+%</b>", first)
        assert "SYN" in first and "<td>ACC</td>" in first  # top genes per class, by symbol
        assert section.count("<img") >= 2  # top genes + per-sample maps


@pytest.mark.slow
def test_cli_compare(planted, tmp_path):
    from typer.testing import CliRunner

    from genemoe.cli import app

    d, bundle, _, run = planted
    r = CliRunner().invoke(app, ["explain", "--model", str(run("moe")), "--data", str(bundle.path),
                                 "--out", str(tmp_path / "cmp"), "--compare", "--n-steps", "8",
                                 "--n-draws", "4", "--max-samples-per-class", "3"])
    assert r.exit_code == 0, r.output
    assert all(m in r.output for m in ("frozen_ig", "gradient_shap", "deeplift"))
    assert (tmp_path / "cmp" / "methods.csv").exists()
    assert re.search(r"\d\.\d\d%", r.output)  # completeness in percent, as explain says it
    assert "--n-draws applies" not in r.output  # passed to the methods that use it only


def test_a_samples_genes_are_ranked_by_magnitude_with_their_sign():
    """A low-risk patient's genes_by_sample.csv kept the top 50 by *signed* attribution: all
    positive, none of the 14 protective genes its map showed first."""
    from genemoe.explain.rankings import rank_samples

    attr = np.array([[0.01, -0.9, 0.02, -0.5, 0.03]])
    got = rank_samples(attr, ["TCGA-OR-A5LA-01"], gene_ids=list("abcde"), top=3)
    assert got["gene_id"].tolist() == ["b", "d", "e"]
    assert got["attribution"].tolist() == [-0.9, -0.5, 0.03]
    kept = rank_samples(attr, ["s"], gene_ids=list("abcde"), top=3,
                        keep=np.array([True, False, True, True, False]))
    assert kept["gene_id"].tolist() == ["d", "c", "a"] and kept["rank"].tolist() == [1, 2, 3]


def test_a_genes_expression_in_its_class_against_the_others_is_given():
    """A gene whose absence supported a class (an adrenal enzyme at KICH's rank 17, 15.8 log2
    units lower in KICH than in ACC) read as a marker: nothing in genes_by_class.csv told
    them apart."""
    import pandas as pd

    from genemoe.explain.rankings import rank_genes, with_expression_contrast

    raw = np.array([[19.0, 1.0], [21.0, 3.0], [4.0, 9.0], [4.0, 11.0]])  # ACC, ACC, KICH, KICH
    groups = np.array(["ACC", "ACC", "KICH", "KICH"], dtype=object)
    attr = np.array([[1.0, 0.0], [1.0, 0.0], [0.8, 0.1], [0.8, 0.1]])
    ranking = with_expression_contrast(rank_genes(attr, groups, gene_ids=["HSD3B2", "FXYD2"]),
                                       raw, groups, ["HSD3B2", "FXYD2"])
    got = ranking.set_index(["class", "gene_id"])["expression_vs_others"]
    assert got[("KICH", "HSD3B2")] == -16.0 and got[("KICH", "FXYD2")] == 8.0
    assert got[("ACC", "HSD3B2")] == 16.0
    one = with_expression_contrast(rank_genes(attr, ["risk"] * 4, gene_ids=["a", "b"]), raw,
                                   np.array(["risk"] * 4, dtype=object), ["a", "b"])
    assert pd.isna(one["expression_vs_others"]).all()  # one group: no contrast
