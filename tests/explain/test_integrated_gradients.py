"""Integrated Gradients on models with known answers (captum's own testing idea), rankings
that recover planted marker genes, and ``explain_run`` / ``genemoe explain`` end to end."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.scaling import Scaler
from genemoe.errors import InputError
from genemoe.explain import attribute, baseline_vector, convergence_summary, explain_run, rank_genes
from genemoe.models.base import GeneModel
from genemoe.models.registry import create_model
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic

N_GENES = 20


class LinearModel(GeneModel):
    """f(x) = W x + c: the head alone (features are the genes)."""

    def __init__(self, n_genes: int, n_outputs: int, task: str = "classify") -> None:
        super().__init__(n_genes, n_outputs, task=task, n_features=n_genes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return x


def _x(n: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, N_GENES)).astype(np.float32)


def test_linear_model_ig_is_input_times_weight():
    torch.manual_seed(0)
    model = LinearModel(N_GENES, 3)
    X, target = _x(), np.array([0, 1, 2, 2, 1, 0])
    attr, delta = attribute(model, X, target=target, baseline="train_mean", n_steps=8)
    W = model.head.weight.detach().numpy()
    np.testing.assert_allclose(attr, X * W[target], rtol=1e-5, atol=1e-6)  # (x - 0) · w
    assert np.abs(delta).max() < 1e-5
    # survival: one output, no target; a non-zero baseline array
    cox = LinearModel(N_GENES, 1, task="survival")
    b = np.linspace(-1, 1, N_GENES, dtype=np.float32)
    attr, _ = attribute(cox, X, target=None, baseline=b, n_steps=8)
    np.testing.assert_allclose(attr, (X - b) * cox.head.weight.detach().numpy()[0], rtol=1e-5, atol=1e-6)


def test_zeros_baseline_is_log_zero_through_the_scaler():
    shift = np.linspace(0.5, 12.0, N_GENES).astype(np.float32)
    scale = np.full(N_GENES, 0.5, np.float32)
    scaler = Scaler(shift, scale, "standard", clip=10.0)
    b = baseline_vector("zeros", N_GENES, scaler=scaler)
    np.testing.assert_allclose(b, np.clip(-shift / scale, -10, 10))  # clipped like data
    assert (baseline_vector("train_mean", N_GENES) == 0).all()
    model = LinearModel(N_GENES, 2)
    X = _x()
    attr, _ = attribute(model, X, target=1, baseline="zeros", scaler=scaler, n_steps=4)
    np.testing.assert_allclose(attr, (X - b) * model.head.weight.detach().numpy()[1], rtol=1e-5, atol=1e-5)
    with pytest.raises(InputError, match="scaler"):
        attribute(model, X, target=1, baseline="zeros")


TINY_DENSE = dict(hidden=32, n_experts=4, k=4, moae_experts=3, moae_k=3, n_tokens=4, n_heads=2,
                  latent=8, dropout=0.1)


@pytest.mark.parametrize("name,cfg", [("genemoe", TINY_DENSE), ("fcn", dict(hidden=32, latent=8)),
                                      ("hybrid_cnn", dict(n_filters=4, hidden=16))])
def test_attributions_sum_to_output_change(name, cfg):
    # Completeness needs a continuous model: the MoE gates here use every expert (k =
    # n_experts). With sparse top-k routing the output jumps where routing switches along
    # the path, and convergence.json flags the gap (see genemoe.explain.api).
    torch.manual_seed(1)
    model = create_model(name, n_genes=N_GENES, n_outputs=3, task="classify", **cfg)
    model.train()  # attribute() must switch to eval itself (dropout off)
    X = _x(8, seed=3)
    # ReLU kinks (fcn is tanh, hybrid_cnn ReLU) converge slower: enough steps for 1 %
    attr, delta = attribute(model, X, target=np.arange(8) % 3, n_steps=256)
    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(X)).out.numpy()
        base = model(torch.zeros(1, N_GENES)).out.numpy()
    change = out[np.arange(8), np.arange(8) % 3] - base[0, np.arange(8) % 3]
    np.testing.assert_allclose(attr.sum(1), change, atol=0.01 * np.abs(change).max() + 1e-5)
    summary = convergence_summary(attr, delta)
    assert summary["max_relative_delta"] < 0.05 and model.training is False


def test_internal_batch_size_changes_nothing():
    torch.manual_seed(2)
    cfg = TINY_DENSE | {"k": 2, "moae_k": 2}  # sparse routing: still sample-independent in eval
    model = create_model("genemoe", n_genes=N_GENES, n_outputs=3, task="classify", **cfg)
    X, target = _x(10, seed=4), np.arange(10) % 3
    a1, d1 = attribute(model, X, target=target, n_steps=20, internal_batch_size=7)
    a2, d2 = attribute(model, X, target=target, n_steps=20, internal_batch_size=1000)
    np.testing.assert_allclose(a1, a2, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(d1, d2, rtol=1e-4, atol=1e-6)


def test_rank_genes_orders_by_mean_attribution():
    A = np.array([[3.0, -1.0, 0.5], [1.0, -3.0, 0.5], [0.0, 2.0, -4.0]])
    df = rank_genes(A, ["a", "a", "b"], gene_ids=["g1", "g2", "g3"], symbols=["S1", None, "S3"])
    a = df[df["class"] == "a"]
    assert a["gene_id"].tolist() == ["g1", "g3", "g2"] and a["rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(a["mean_attribution"], [2.0, 0.5, -2.0])
    np.testing.assert_allclose(a["mean_abs_attribution"], [2.0, 0.5, 2.0])
    assert a["symbol"].tolist() == ["S1", "S3", "g2"]  # a missing symbol falls back to the id
    assert (df.loc[df["class"] == "b", "n_samples"] == 1).all()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("explain")
    b, f, c = prepare_synthetic(d, n_samples=240, n_genes=120, n_types=4, seed=4)
    for name in ("fcn", "hybrid_cnn"):
        train_run(b.path, out_dir=d / name, task="classify", model_name=name, epochs=15, progress=False)
    return d, b, c


@pytest.mark.parametrize("run", ["fcn", "hybrid_cnn"])
def test_rankings_recover_planted_marker_genes(trained, tmp_path, run):
    d, b, cohort = trained
    res = explain_run(d / run, data=b.path, out_dir=tmp_path / "x", split="all",
                      max_samples_per_class=40, n_steps=20)
    ranking = pd.read_csv(tmp_path / "x" / "genes_by_class.csv")
    every_marker = set(cohort.gene_ids[np.concatenate(list(cohort.informative_genes.values()))])
    checked = 0
    for cls, markers in cohort.informative_genes.items():
        ranked = ranking[ranking["class"] == cls]
        if ranked.empty or ranked["n_samples"].iloc[0] < 20:  # too few samples to average
            continue
        own, k = set(cohort.gene_ids[markers]), len(markers)
        recall = ranked[ranked["rank"] <= 2 * k]["gene_id"].isin(own).sum() / k
        chance = 2 * k / b.n_genes  # expected recall of a random ranking
        assert recall >= 0.5 and recall > 2.5 * chance, (cls, recall, chance)
        # the other top genes are mostly markers of other types (low in this class)
        precision = ranked[ranked["rank"] <= 10]["gene_id"].isin(every_marker).mean()
        assert precision >= 0.6 > 2 * len(every_marker) / b.n_genes, (cls, precision)
        checked += 1
    assert checked >= 3
    if run == "fcn":  # smooth (tanh): 20 steps suffice; ReLU kinks need more (see above)
        assert res.convergence["max_relative_delta"] < 0.01


def test_explain_run_writes_every_file(trained, tmp_path):
    d, b, _ = trained
    res = explain_run(d / "hybrid_cnn", data=b.path, out_dir=tmp_path / "x", n_steps=16,
                      internal_batch_size=32, max_samples_per_class=5)
    out = tmp_path / "x"
    for name in ("genes_by_class.csv", "attributions.npy", "samples.tsv", "genes.tsv",
                 "convergence.json", "top_genes.png"):
        assert (out / name).stat().st_size > 0, name
    ranking = pd.read_csv(out / "genes_by_class.csv")
    assert list(ranking.columns) == ["class", "rank", "gene_id", "symbol", "mean_attribution",
                                     "mean_abs_attribution", "n_samples", "expression_vs_others",
                                     "pixel", "genes_in_pixel", "shares_pixel_with"]  # image
    samples = pd.read_csv(out / "samples.tsv", sep="\t")
    test_ids = set(b.sample_ids[b.indices("test")])
    assert set(samples["sample_id"]) <= test_ids and samples["predicted"].value_counts().max() <= 5
    attr = np.load(out / "attributions.npy")
    assert attr.shape == (len(samples), b.n_genes) and np.isfinite(attr).all()
    conv = json.loads((out / "convergence.json").read_text())
    assert conv["n_samples"] == len(samples) and conv["synthetic"] is True
    maps = sorted((out / "maps").glob("*.png"))  # image model: one map per drawn sample
    assert maps and {p.stem for p in maps} <= set(samples["sample_id"])
    assert res.n_samples == len(samples)


def test_cli_explain_and_classical_models_refused(trained, tmp_path):
    d, b, _ = trained
    ids = ",".join(b.sample_ids[:2])
    r = CliRunner().invoke(app, ["explain", "--model", str(d / "fcn"), "--data", str(b.path),
                                 "--samples", ids, "--baseline", "zeros", "--method", "ig",
                                 "--n-steps", "8",
                                 "--out", str(tmp_path / "cli")])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(tmp_path / "cli" / "samples.tsv", sep="\t")["sample_id"].tolist() == ids.split(",")
    assert "completeness" in r.output
    train_run(b.path, out_dir=tmp_path / "rf", task="classify", model_name="rf", progress=False)
    with pytest.raises(InputError, match="(?s)not linear.*fcn.*logreg") as info:  # tests/explain/
        explain_run(tmp_path / "rf", data=b.path, out_dir=tmp_path / "no")  # test_linear: logreg
    assert "ensemble" not in info.value.fix  # not a model one trains by name (--ensemble K)
    with pytest.raises(InputError, match="not in the bundle"):
        explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "no", samples=["nope"])


def test_a_split_beside_samples_is_said_unused(trained, tmp_path, caplog):
    """Old behaviour: `--samples ID --split val` explained ID (a test sample) without a word
    that --split was not used."""
    import logging

    d, b, _ = trained
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "e", samples=[b.sample_ids[0]],
                    split="val", n_steps=4, method="ig", progress=False)
    assert "--samples names the samples: --split val is not used" in caplog.text


def test_frozen_ig_of_a_model_without_routing_is_recorded_as_ig(trained, tmp_path, caplog):
    """frozen_ig of a dense model ran plain IG (identical attributions) recorded as
    "frozen_ig" beside routing "live"; --n-draws was dropped by ig without a word."""
    d, b, _ = trained
    with caplog.at_level("WARNING"):
        res = explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "e", samples=[b.sample_ids[0]],
                          n_steps=4, method="frozen_ig", n_draws=5, progress=False)
    assert "fcn has no top-k routing to freeze: plain Integrated Gradients (ig)" in caplog.text
    assert "--n-draws applies to gradient_shap and train_ig; ig does not use it" in caplog.text
    assert res.convergence["method"] == "ig" and res.convergence["routing"] == "live"


def test_an_out_that_cannot_be_a_folder_stops_before_the_attributions(trained, tmp_path,
                                                                      monkeypatch):
    """A file (or unwritable place) as --out was found after the attributions were computed
    (27 s of work, minutes at the defaults), where every other command refuses it at once."""
    import genemoe.explain.api as api

    d, b, _ = trained
    monkeypatch.setattr(api, "attribute_with", lambda *a, **k: pytest.fail("computed first"))
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):  # was the OS's FileExistsError
        explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "afile", progress=False)


def test_vector_model_writes_one_bar_chart_per_explained_sample(trained, tmp_path):
    from matplotlib.image import imread

    from genemoe.explain.api import _MAX_MAPS

    d, b, _ = trained
    # few samples: one figure for each
    ids = [str(s) for s in b.sample_ids[:3]]
    res = explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "few", samples=ids, n_steps=8,
                      progress=False)
    maps = sorted((tmp_path / "few" / "maps").glob("*.png"))
    assert {p.stem for p in maps} == set(ids) and len(maps) == res.n_samples == 3
    for p in maps:
        assert p.stat().st_size > 5_000, p  # a drawn chart, not an empty canvas
        img = imread(p)
        assert img.ndim == 3 and min(img.shape[:2]) > 100 and img[..., :3].std() > 0.05
    assert sorted(p for p in res.files if p.parent.name == "maps") == maps
    assert "wrote 3 per-sample attribution figures in maps/" in res.describe()
    # many samples: capped like the image maps, spread over the predicted classes
    res = explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "many", split="all",
                      max_samples_per_class=10, n_steps=4, progress=False)
    maps = sorted((tmp_path / "many" / "maps").glob("*.png"))
    samples = pd.read_csv(tmp_path / "many" / "samples.tsv", sep="\t")
    assert res.n_samples > _MAX_MAPS and len(maps) == _MAX_MAPS
    # again into the same directory with one sample: its map alone (the 12 old ones stayed)
    (tmp_path / "many" / "report.html").write_text("<html>the old explanation</html>")
    explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "many", samples=ids[:1], n_steps=4,
                progress=False)
    assert [p.stem for p in (tmp_path / "many" / "maps").glob("*.png")] == ids[:1]
    assert not (tmp_path / "many" / "report.html").exists()
    drawn = samples.set_index("sample_id").loc[[p.stem for p in maps], "predicted"]
    assert drawn.nunique() == samples["predicted"].nunique()
    assert sum(p.parent.name == "maps" for p in res.files) == _MAX_MAPS


def test_sample_attribution_figure_labels_and_signs(tmp_path):
    import matplotlib.pyplot as plt

    from genemoe.explain import figures
    from genemoe.explain.api import _gene_labels

    labels = _gene_labels({"gene_ids": ["g1", "g2", "g3"], "symbols": ["A", None, ""]})
    assert labels.tolist() == ["A", "g2", "g3"]  # missing symbols fall back to the ids
    assert _gene_labels({"gene_ids": ["g1"], "symbols": None}).tolist() == ["g1"]
    seen = {}
    real_finish = figures._finish

    def spy(fig, out_path, **kw):
        ax = fig.axes[0]
        seen["labels"] = [t.get_text() for t in ax.get_yticklabels()]
        seen["widths"] = [p.get_width() for p in ax.patches]
        seen["colors"] = {tuple(p.get_facecolor()) for p in ax.patches}
        return real_finish(fig, out_path, **kw)

    a = np.array([0.1, -5.0, 3.0, 0.0, -0.2] + [0.01] * 30)
    names = np.array(["P", "N", "Q", "Z", "M"] + [f"x{i}" for i in range(30)], dtype=object)
    figures._finish, orig = spy, figures._finish
    try:
        out = figures.sample_attribution_figure(a, names, tmp_path / "s.png", top=4, title="s1 → A")
    finally:
        figures._finish = orig
    assert out.stat().st_size > 0 and not plt.get_fignums()
    assert seen["labels"] == ["P", "M", "Q", "N"]  # top 4 by |attribution|, largest on top
    np.testing.assert_allclose(seen["widths"], [0.1, -0.2, 3.0, -5.0])
    assert len(seen["colors"]) == 2  # red and blue


def test_a_similarity_layouts_sharing_advice_fits_the_layout(trained, tmp_path, caplog):
    """An outside probe: a similarity layout's 10 x 10 grid seen at 32 x 32 was called "the
    10 x 10 image the network sees", with "train with --image-size 10 (one gene per pixel)",
    which changed nothing (alike genes share a pixel at any size); train's warning likewise
    promised one gene a pixel at a larger --image-size."""
    from genemoe.models.image import Layout

    d, b, _ = trained
    train_run(b.path, out_dir=tmp_path / "sim", task="classify", model_name="hybrid_cnn",
              epochs=1, progress=False, model_options={"image_size": 32, "layout": "similarity"})
    res = explain_run(tmp_path / "sim", data=b.path, out_dir=tmp_path / "e", n_steps=8,
                      max_samples_per_class=2, max_maps=0)
    warning = res.convergence["pixel_warning"]
    assert "share a pixel of the 32 x 32 image the network sees" in warning  # hybrid_cnn's grid
    assert "the similarity layout puts genes with alike profiles in one pixel" in warning
    assert "--layout genomic or reshape with --image-size 11" in warning
    lay = Layout(np.arange(120) // 4, 6, 6, "genomic")  # 120 genes, the image's 6 x 6 grid
    assert lay.one_gene_a_pixel(6) == "--image-size 11 or more gives each its own"
    assert lay.seen_as(4) == "4 x 4 image (a 6 x 6 grid binned)"
    assert lay.seen_as(32) == "6 x 6 grid, seen at 32 x 32"  # was "the 6 x 6 image it sees"
    assert Layout(np.arange(120), 11, 11).one_gene_a_pixel(4) == (
        "--image-size 11 or more gives each its own")  # the grid fits them, the image not
    assert Layout(np.arange(120) // 4, 6, 6).one_gene_a_pixel(32).startswith("a grid_size of 11")


def test_image_explanations_say_when_genes_share_pixels(trained, tmp_path, caplog):
    """An image whose pixels hold several genes blurs the gene rankings (ResNet-50 at 64 x 64
    on the GDC cohorts): convergence.json counts the genes per pixel and warns with the
    image size that gives every gene its own pixel."""
    d, b, _ = trained
    one = explain_run(d / "hybrid_cnn", data=b.path, out_dir=tmp_path / "one", n_steps=8,
                      max_samples_per_class=2, max_maps=0)
    assert one.convergence["genes_per_pixel"] == 1 and "pixel_warning" not in one.convergence
    train_run(b.path, out_dir=tmp_path / "small", task="classify", model_name="hybrid_cnn",
              epochs=1, progress=False, model_options={"image_size": 6})
    shared = explain_run(tmp_path / "small", data=b.path, out_dir=tmp_path / "x", n_steps=8,
                         max_samples_per_class=2, max_maps=0)
    assert shared.convergence["genes_per_pixel"] == 4  # 120 genes on 36 pixels, contiguous blocks
    assert "--image-size 11" in shared.convergence["pixel_warning"]
    assert "share a pixel" in caplog.text
    # each ranked gene names its pixel mates (they came out as separate hits unsaid)
    ranking = pd.read_csv(tmp_path / "x" / "genes_by_class.csv", keep_default_na=False)
    assert (ranking["genes_in_pixel"] > 1).any() and ranking["genes_in_pixel"].max() == 4
    for _, row in ranking[ranking["class"] == ranking["class"].iloc[0]].iterrows():
        mates = [m for m in row["shares_pixel_with"].split(", ") if m]
        assert len(mates) == row["genes_in_pixel"] - 1
        same = ranking[(ranking["pixel"] == row["pixel"]) & (ranking["class"] == row["class"])]
        names = set(same["symbol"].astype(str).where(same["symbol"].astype(str) != "",
                                                     same["gene_id"].astype(str)))
        assert set(mates) | {row["symbol"] or row["gene_id"]} == names
    own = pd.read_csv(tmp_path / "one" / "genes_by_class.csv", keep_default_na=False)
    assert (own["genes_in_pixel"] == 1).all() and (own["shares_pixel_with"] == "").all()


def test_a_sample_whose_output_barely_moved_does_not_raise_the_warning():
    """An MLP explanation of 197 pancan33 tumours warned "attributions miss f(x) - f(baseline)
    by more than 5%" for one sample whose logit moved 0.005 (median 1.9) and missed by 0.007;
    every other sample was within 2.1%."""
    from genemoe.explain.api import _convergence
    from genemoe.explain.integrated_gradients import samples_off

    move = np.r_[np.full(196, 1.9), 0.0048]
    delta = np.r_[np.full(196, 0.01), 0.0081]
    attr = np.zeros((197, 3))
    attr[:, 0] = move + delta  # Σ attributions - delta = f(x) - f(baseline)
    assert samples_off(attr, delta) == 0
    delta[3] = 0.2  # a sample that moved 1.9 and missed by 10%: said
    attr[3, 0] = move[3] + delta[3]
    assert samples_off(attr, delta) == 1
    payload = {"model_name": "mlp", "record": {}}
    conv = _convergence(attr, delta, payload=payload, routing="live",
                        refine={"tolerance": 0.01, "max_steps": 400})
    assert "for 1 of 197 samples: raise --max-steps (now 400)" in conv["warning"]
    delta[3], attr[3, 0] = 0.01, move[3] + 0.01
    assert "warning" not in _convergence(attr, delta, payload=payload, routing="live")


@pytest.mark.parametrize(("options", "said"), [
    ({"baseline": "foo"}, "--baseline: unknown baseline 'foo'"),
    ({"n_steps": 0}, "--n-steps: must be 1 or more, got 0"),
    ({"max_samples_per_class": 0}, "--max-samples-per-class: must be 1 or more"),
    ({"n_draws": 0}, "--n-draws: must be 1 or more"),
])
def test_explain_options_are_checked_before_loading(tmp_path, options, said):
    """``--baseline foo`` was ignored by train_ig, ``--n-steps 0`` ended in captum's
    AssertionError, ``--max-samples-per-class 0`` explained nothing."""
    from genemoe.errors import InputError
    from genemoe.explain import explain_run

    with pytest.raises(InputError, match=re.escape(said)):
        explain_run(tmp_path / "no_run", data=tmp_path / "no_bundle", out_dir=tmp_path / "e",
                    **options)


@pytest.mark.parametrize("method", ["gradient_shap", "deeplift"])
def test_n_steps_is_said_unused_where_a_method_has_no_path(trained, tmp_path, caplog, method):
    """`--method gradient_shap --n-steps 400` gave byte-identical results to 50, recorded
    n_steps 400, and its completeness warning said "raise --n-steps" (--n-draws helps)."""
    d, b, _ = trained
    with caplog.at_level("WARNING"):
        res = explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "e", samples=[b.sample_ids[0]],
                          n_steps=400, method=method, n_draws=4 if method == "gradient_shap"
                          else None, progress=False)
    assert f"--n-steps applies to ig, frozen_ig and train_ig; {method} does not use it" in caplog.text
    assert res.convergence["n_steps"] is None
    assert "raise --n-steps" not in (res.convergence.get("warning") or "")


def test_a_survival_maps_title_gives_the_risk_predict_gives(trained, tmp_path, monkeypatch):
    """A survival map's title said "→ risk -1.7" where predictions.tsv said -1.32: the model's
    output before the validation risk scale, called risk."""
    import genemoe.explain.figures as figures
    from genemoe.train.model_file import load_model_file

    d, b, _ = trained
    train_run(b.path, out_dir=tmp_path / "cox", task="survival", model_name="fcn", epochs=2,
              progress=False)
    assert load_model_file(tmp_path / "cox")["calibration"]["risk_scale"] != 1  # output ≠ risk
    titles = []
    real = figures.sample_attribution_figure
    monkeypatch.setattr(figures, "sample_attribution_figure",
                        lambda *a, title="", **k: (titles.append(title), real(*a, title=title, **k))[1])
    ids = [str(s) for s in b.sample_ids[b.indices("test")][:2]]
    explain_run(tmp_path / "cox", data=b.path, out_dir=tmp_path / "e", samples=ids, n_steps=4,
                method="ig", progress=False)
    preds = pd.read_csv(tmp_path / "cox" / "predictions.tsv", sep="\t").set_index("sample_id")
    for sid, title in zip(ids, titles, strict=True):  # "ID (BLCA, risk 0.0147, censored at ...)"
        risk = float(title.split(", risk ")[1].split(",")[0].split(")")[0])
        assert risk == pytest.approx(preds.loc[sid, "risk"], rel=2e-2, abs=2e-3)
    ranking = pd.read_csv(tmp_path / "e" / "genes_by_class.csv")  # by |attribution|, with the
    assert set(ranking["effect_sign"]) <= {-1, 0, 1}  # direction (test_methods.py)
    assert ranking["mean_abs_attribution"].is_monotonic_decreasing


def test_convergence_records_each_samples_steps_and_those_still_above_tolerance(trained, tmp_path):
    """Old behaviour: convergence.json's refine said the tolerance (1%) and the most steps, not
    how many steps each sample took, nor how many samples still missed 1% after them (only
    those above 5% were counted)."""
    from genemoe.explain.integrated_gradients import samples_off

    d, b, _ = trained
    res = explain_run(d / "hybrid_cnn", data=b.path, out_dir=tmp_path / "s", method="ig",
                      n_steps=4, max_steps=16, internal_batch_size=32, max_samples_per_class=3)
    refine = json.loads((tmp_path / "s" / "convergence.json").read_text())["refine"]
    assert refine["tolerance"] == 0.01 and refine["max_steps"] == 16
    assert set(refine["samples_by_steps"]) <= {"4", "16"}
    assert sum(refine["samples_by_steps"].values()) == res.n_samples
    attr = np.load(tmp_path / "s" / "attributions.npy")
    delta = pd.read_csv(tmp_path / "s" / "samples.tsv", sep="\t")["delta"].to_numpy()
    n_above = samples_off(attr, delta, tolerance=0.01)
    assert refine["n_samples_above_tolerance"] == n_above > 0  # ReLU kinks at 16 steps
    assert f"{n_above} above the 1% tolerance after 16 steps" in res.describe()


def test_an_explanations_seed_is_recorded_and_reported(trained, tmp_path):
    """Old behaviour: --seed drew the samples (and reference rows), yet convergence.json and
    the report's seeds named only the trained run's seed."""
    from genemoe.report.html import write_report

    d, b, _ = trained
    explain_run(d / "fcn", data=b.path, out_dir=tmp_path / "s", method="ig", n_steps=4,
                max_samples_per_class=2, seed=3)
    assert json.loads((tmp_path / "s" / "convergence.json").read_text())["seed"] == 3
    assert "explanation seed</th><td>3" in write_report(tmp_path / "s").read_text()


def test_an_out_holding_another_commands_results_is_refused(trained, tmp_path):
    """Old behaviour: `explain --out RUN` (twice) deleted the run's report.html and plots/
    and mixed its files with model.pt; into a bundle it wrote beside X.npy. Every other
    command refuses a folder holding another's results."""
    from genemoe.errors import InputError
    from genemoe.explain.compare import compare_methods

    d, b, _ = trained
    (d / "fcn" / "report.html").write_text("<html></html>")
    for out in (d / "fcn", b.path):
        with pytest.raises(InputError, match="the --out folder holds a (trained run|dataset bundle)"):
            explain_run(d / "fcn", data=b.path, out_dir=out, progress=False)
        with pytest.raises(InputError, match="choose another --out"):
            compare_methods(d / "fcn", data=b.path, out_dir=out)
    assert (d / "fcn" / "report.html").exists()
    assert not (d / "fcn" / "convergence.json").exists()


def test_one_rule_decides_which_samples_barely_moved():
    """Old behaviour: the relative numbers left out samples moved < 1e-3, the >5% count
    those moved < 5% of the median move: a sample moved 0.004 (median 1) set "at most
    1.7%" while the count left it out as barely moved (an explain probe, hybrid_cnn)."""
    from genemoe.explain.integrated_gradients import barely_moved, convergence_summary, samples_off

    move = np.array([1.0, 1.2, 0.9, 0.004])
    delta = np.array([0.0, 0.001, 0.0, 0.00007])  # the last: 1.75% of its move
    attr = np.zeros((4, 3))
    attr[:, 0] = move + delta  # Σ attributions - delta = f(x) - f(reference)
    summary = convergence_summary(attr, delta)
    assert barely_moved(attr, delta).tolist() == [False, False, False, True]
    assert summary["n_relative"] == 3 and summary["max_relative_delta"] < 0.001
    assert samples_off(attr, delta, tolerance=0.01) == 0


def test_the_seen_pixel_of_a_gene_bins_the_grid_as_the_network_sees_it():
    from genemoe.models.image import Layout

    layout = Layout(pixel_of_gene=np.arange(100), height=10, width=10)
    seen = layout.seen_pixel_of_gene(5)  # 10 x 10 grid seen at 5 x 5: 2 x 2 blocks
    assert np.bincount(seen).max() == layout.most_genes_seen(5) == 4
    assert seen[0] == seen[1] == seen[10] == seen[11] == 0 and seen[99] == 24
    np.testing.assert_array_equal(layout.seen_pixel_of_gene(None), np.arange(100))
