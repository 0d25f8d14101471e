"""Attribution that respects sparse routing: frozen-routing IG meets completeness where plain
IG does not, changes nothing at x itself, and the alternatives (GradientSHAP, DeepLIFT) run
on every family."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genemoe.explain.integrated_gradients import attribute, convergence_summary
from genemoe.explain.methods import attribute_with, resolve_method
from genemoe.models.moe import TopKGate, frozen_routing, has_sparse_routing
from genemoe.models.registry import create_model

N_GENES = 20
SPARSE = {
    "moe": dict(hidden=32, n_experts=6, k=2, latent=8, dropout=0.1),
    "genemoe": dict(hidden=32, n_experts=6, k=2, moae_experts=4, moae_k=2, n_tokens=4, n_heads=2,
                    latent=8, dropout=0.1),
}
# the shared (ungated) expert beside the routed ones: dense, so frozen routing stays exact
SPARSE["moe_shared"] = SPARSE["moe"] | {"shared_expert": True}


def _sparse_model(name: str, seed: int = 0) -> torch.nn.Module:
    """A tiny sparse model whose routing switches often along an IG path (sharp gates)."""
    torch.manual_seed(seed)
    model = create_model(name.removesuffix("_shared"), n_genes=N_GENES, n_outputs=3,
                         task="classify", **SPARSE[name]).eval()
    for m in model.modules():
        if isinstance(m, TopKGate):
            m.w_gate.data *= 30  # decisive logits: routing changes many times on the path
    return model


def _x(n: int = 16, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).normal(size=(n, N_GENES)) * 2).astype(np.float32)


@pytest.mark.parametrize("name", ["moe", "genemoe", "moe_shared"])
def test_frozen_routing_restores_completeness(name):
    model, X, target = _sparse_model(name), _x(), np.arange(16) % 3
    plain = convergence_summary(*attribute(model, X, target=target, n_steps=64))
    frozen = convergence_summary(*attribute(model, X, target=target, n_steps=64, routing="frozen"))
    # plain IG integrates across routing jumps (less so where a dense shared expert carries
    # part of the output)
    assert plain["median_relative_delta"] > (0.05 if name.endswith("_shared") else 0.1)
    assert frozen["max_relative_delta"] < 0.01  # the frozen path is smooth
    # the gates route live again afterwards
    assert all(m.frozen is None for m in model.modules() if isinstance(m, TopKGate))


@pytest.mark.parametrize("name", ["moe", "genemoe"])
@pytest.mark.parametrize("weights", ["smooth", "fixed"])
def test_frozen_routing_changes_nothing_at_x(name, weights):
    model, x = _sparse_model(name), torch.from_numpy(_x())
    with torch.no_grad():
        live = model(x).out
        with frozen_routing(model, x, weights=weights) as routes:
            frozen = model(x).out
            tiled = model(torch.cat([x, x, x])).out  # IG's layout: row r is sample r % n
    assert torch.equal(live, frozen)
    torch.testing.assert_close(tiled, live.repeat(3, 1))
    assert len(routes) == (2 if name == "genemoe" else 1)  # MoE gate (+ MOAE gate)
    assert all(r.indices.shape == (16, 2) for r in routes.values())


def test_frozen_routing_keeps_each_samples_experts_along_the_path():
    model = _sparse_model("moe")
    x = torch.from_numpy(_x(4))
    gate = model.encoder.moe.gate
    with torch.no_grad():
        at_x = gate(x).indices
        with frozen_routing(model, x, layout="repeat"):
            far = gate(torch.zeros(8, N_GENES)).indices  # rows 2i, 2i+1 are sample i
    assert not torch.equal(gate(torch.zeros(4, N_GENES)).indices, at_x)  # live: other experts
    assert torch.equal(far, at_x.repeat_interleave(2, 0))
    with pytest.raises(RuntimeError, match="cannot route a batch of 5"):
        with frozen_routing(model, x), torch.no_grad():
            model(torch.zeros(5, N_GENES))
    with pytest.raises(RuntimeError, match="eval mode"):
        with frozen_routing(model.train(), x):
            pass


def test_fixed_weights_drop_the_gate_gradient_smooth_weights_keep_it():
    model, x = _sparse_model("moe"), torch.from_numpy(_x(3))
    target = torch.arange(3)

    def grad(**kw) -> torch.Tensor:
        xi = x.clone().requires_grad_(True)
        with frozen_routing(model, x, **kw):
            model(xi).out.gather(1, target[:, None]).sum().backward()
        return xi.grad

    xi = x.clone().requires_grad_(True)
    model(xi).out.gather(1, target[:, None]).sum().backward()
    torch.testing.assert_close(grad(weights="smooth"), xi.grad)  # the model's own gradient at x
    assert not torch.allclose(grad(weights="fixed"), xi.grad)


def test_auto_method_is_train_ig_for_gene_vector_models_and_ig_for_image_models():
    assert has_sparse_routing(_sparse_model("genemoe"))
    assert resolve_method(_sparse_model("moe")) == "train_ig"
    dense = create_model("genemoe", n_genes=N_GENES, n_outputs=3, task="classify",
                         **(SPARSE["genemoe"] | {"k": 6, "moae_k": 4}))
    assert not has_sparse_routing(dense) and resolve_method(dense) == "train_ig"
    # fcn: IG from the average tumour missed KICH's intercalated-cell genes on gdc6, train_ig
    # did not (docs/results.md (e)); the old default (ig for dense models) fails here
    assert resolve_method(create_model("mlp", n_genes=N_GENES, n_outputs=3, task="classify")) == "train_ig"
    assert resolve_method(create_model("fcn", n_genes=N_GENES, n_outputs=3, task="classify",
                                       hidden=16, latent=8)) == "train_ig"
    image = create_model("hybrid_cnn", n_genes=N_GENES, n_outputs=3, task="classify",
                         n_filters=4, hidden=16)
    assert resolve_method(image) == "ig" and resolve_method(image, "train_ig") == "train_ig"


@pytest.mark.parametrize("name", ["moe", "genemoe", "fcn", "mlp", "hybrid_cnn"])
@pytest.mark.parametrize("method", ["gradient_shap", "deeplift"])
def test_alternative_methods_run_on_every_family(name, method):
    cfg = SPARSE.get(name, {"fcn": dict(hidden=32, latent=8), "mlp": dict(widths=[32, 16]),
                            "hybrid_cnn": dict(n_filters=4, hidden=16)}.get(name))
    torch.manual_seed(0)
    model = create_model(name, n_genes=N_GENES, n_outputs=3, task="classify", **cfg)
    X, train_X = _x(6), _x(30, seed=1)
    attr, delta, seconds = attribute_with(method, model, X, target=np.arange(6) % 3, train_X=train_X,
                                          n_draws=8)
    assert attr.shape == X.shape and delta.shape == (6,) and np.isfinite(attr).all() and seconds > 0
    if method == "deeplift" and name in ("fcn", "mlp"):  # linear maps + elementwise: exact
        assert convergence_summary(attr, delta)["max_relative_delta"] < 1e-3


def test_gradient_shap_on_a_linear_model_is_the_mean_difference_times_weight():
    from genemoe.models.base import GeneModel

    class Linear(GeneModel):
        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return x

    torch.manual_seed(0)
    model = Linear(N_GENES, 2, task="classify", n_features=N_GENES)
    X, train_X = _x(4), _x(50, seed=2)
    a1, d1, _ = attribute_with("gradient_shap", model, X, target=1, train_X=train_X, n_draws=64)
    a2, _, _ = attribute_with("gradient_shap", model, X, target=1, train_X=train_X, n_draws=64)
    np.testing.assert_array_equal(a1, a2)  # seeded
    assert np.abs(d1).max() < 1e-4  # linear: every draw is exact


def test_steep_smooth_paths_are_reintegrated_until_complete():
    from genemoe.models.base import GeneModel

    class Steep(GeneModel):  # smooth, but a sharp tanh step along the path
        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return torch.tanh(25 * (x - 0.3))

    torch.manual_seed(0)
    model = Steep(N_GENES, 2, task="classify", n_features=N_GENES)
    X = np.abs(_x(5)) + 0.5
    once = convergence_summary(*attribute_with("ig", model, X, target=1, n_steps=4, tolerance=None)[:2])
    refined = convergence_summary(*attribute_with("ig", model, X, target=1, n_steps=4)[:2])
    assert once["max_relative_delta"] > 0.05 and refined["max_relative_delta"] < 0.01


@pytest.mark.parametrize("name", ["moe", "genemoe"])
def test_train_ig_is_complete_against_its_references(name):
    model, X, target = _sparse_model(name), _x(6), np.arange(6) % 3
    train_X = _x(40, seed=5)
    attr, delta, _ = attribute_with("train_ig", model, X, target=target, train_X=train_X, n_draws=4,
                                    n_steps=32)
    assert attr.shape == X.shape
    assert convergence_summary(attr, delta)["max_relative_delta"] < 0.01  # routing frozen at x


def test_train_ig_on_a_linear_model_is_the_mean_difference_times_weight():
    from genemoe.models.base import GeneModel

    class Linear(GeneModel):
        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return x

    torch.manual_seed(0)
    model = Linear(N_GENES, 2, task="classify", n_features=N_GENES)
    X, train_X = _x(3), _x(5, seed=6)
    attr, delta, _ = attribute_with("train_ig", model, X, target=1, train_X=train_X, n_draws=5, n_steps=4)
    w = model.head.weight.detach().numpy()[1]
    np.testing.assert_allclose(attr, (X - train_X.mean(0)) * w, rtol=1e-4, atol=1e-5)  # all 5 drawn
    assert np.abs(delta).max() < 1e-4


def test_ensemble_attribution_is_the_mean_of_its_members():
    torch.manual_seed(0)
    ens = create_model("ensemble", n_genes=N_GENES, n_outputs=3, task="classify", member="moe",
                       member_config=SPARSE["moe"], k=2).eval()
    X, target = _x(5), np.arange(5) % 3
    attr, delta, _ = attribute_with("auto", ens, X, target=target, train_X=_x(20, seed=7), n_draws=3)
    each = [attribute_with("train_ig", m, X, target=target, train_X=_x(20, seed=7), n_draws=3)
            for m in ens.members]
    np.testing.assert_allclose(attr, (each[0][0] + each[1][0]) / 2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(delta, (each[0][1] + each[1][1]) / 2, rtol=1e-5, atol=1e-6)


def test_deeplift_missing_completeness_is_not_told_to_raise_n_steps():
    """Old behaviour: "off by 103% ... raise --n-steps" for DeepLIFT, which has no steps."""
    from genemoe.explain.api import _convergence  # noqa: PLC2701 (the warning under test)

    attr = np.ones((3, 4))
    delta = np.array([2.0, 0.0, 0.0])  # the first sample misses completeness by half
    conv = _convergence(attr, delta, method="deeplift", routing="live",
                        payload={"model_name": "genemoe"})
    assert "--n-steps" not in conv["warning"] and "use --method auto (train_ig)" in conv["warning"]
    ig = _convergence(attr, delta, method="ig", routing="live", payload={"model_name": "genemoe"})
    assert "use --method auto (train_ig) or frozen_ig first" in ig["warning"]  # routing: not steps
    dense = _convergence(attr, delta, method="ig", routing="live", sparse=False,
                         payload={"model_name": "mlp"})
    assert "raise --n-steps" in dense["warning"]
    # a CNN has no expert routing: its own layers are named (routing was blamed for ResNet's)
    cnn = _convergence(attr, delta, method="deeplift", routing="live", sparse=False,
                       payload={"model_name": "resnet50"})
    assert "(max-pooling, normalisation, saturating activations); use --method ig" in cnn["warning"]
    assert "routing" not in cnn["warning"]
    cnn = _convergence(attr, delta, method="ig", routing="live", sparse=False,
                       payload={"model_name": "resnet50"})
    assert "(ReLU kinks, max-pooling)" in cnn["warning"] and "routing" not in cnn["warning"]


def test_a_survival_explanation_names_the_genes_raising_and_lowering_the_risk(tmp_path):
    """Old behaviour: "risk (n=3): CMKLR2, ADGRD1, ..." - the genes raising the risk only,
    unsaid, while the largest attributions (lowering it) sat at the bottom of the ranking."""
    import pandas as pd

    from genemoe.explain.api import ExplainResult

    ranking = pd.DataFrame({"class": "risk", "rank": [1, 2, 3, 4], "gene_id": list("abcd"),
                            "symbol": ["UP1", "UP2", "DOWN2", "DOWN1"],
                            "mean_attribution": [0.02, 0.01, -0.01, -0.03],
                            "mean_abs_attribution": [0.02, 0.01, 0.01, 0.03], "n_samples": 3})
    conv = {"method": "ig", "median_relative_delta": 0.0, "max_relative_delta": 0.0,
            "max_abs_delta": 0.0}
    text = ExplainResult(tmp_path, 3, "survival", conv, ranking).describe(top=2)
    assert "risk (n=3), raising it most: UP1, UP2; lowering it most: DOWN1, DOWN2" in text


def test_the_method_comparison_prints_completeness_in_percent():
    """--compare printed completeness as fractions (0.0012) where explain prints 0.12%."""
    import pandas as pd

    from genemoe.explain.compare import methods_text

    text = methods_text(pd.DataFrame({"method": ["ig"], "n_samples": [3], "routing": ["live"],
                                      "median_relative_delta": [0.0012], "max_relative_delta": [0.05],
                                      "seconds_per_sample": [0.01234], "top50_overlap": [0.8]}))
    assert "0.12%" in text and "5.00%" in text and "0.012" in text and "0.800" in text


def test_a_survival_ranking_says_which_way_higher_expression_moves_the_risk():
    """Old behaviour (a probe's ensemble Cox model on ACC/UVM/KICH): CDKN3 and TOP2A, whose
    attributions rise with their expression (+0.96), were named as "lowering" the risk: the
    45 test tumours sat below the training mean, so their mean signed attribution was < 0."""
    import numpy as np

    from genemoe.explain.rankings import rank_genes, top_genes_line

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(-0.6, 0.3, 40), rng.normal(0.5, 0.3, 40),
                         rng.normal(0.0, 1.0, 40)])  # the explained samples' scaled input
    A = X * np.array([2.0, -1.0, 0.1])  # a linear Cox model's IG from the training mean
    old = rank_genes(A, ["risk"] * 40, gene_ids=["g1", "g2", "g3"], symbols=["UP", "DOWN", "NOISE"])
    assert "lowering it most: UP, DOWN" in top_genes_line(old, 2, both_ends=True)  # the defect
    ranked = rank_genes(A, ["risk"] * 40, gene_ids=["g1", "g2", "g3"],
                        symbols=["UP", "DOWN", "NOISE"], order="mean_abs", inputs=X)
    assert ranked["symbol"].tolist() == ["UP", "DOWN", "NOISE"]  # by mean |attribution|
    assert ranked["effect_sign"].tolist() == [1, -1, 1]
    assert top_genes_line(ranked, 2, both_ends=True) == (
        "raising it when higher: UP, NOISE; lowering it when higher: DOWN")


def test_the_explain_summary_says_synthetic_and_why_a_sample_is_not_counted(tmp_path):
    """Old behaviour (a probe on the demo): "at most 10.47% ...; 0 off by more than 5%" (the
    10.47% was a sample whose output barely moved, left out of the count unsaid), and no word
    that the model was trained on the synthetic cohort (predict said it)."""
    import pandas as pd

    from genemoe.explain.api import ExplainResult

    ranking = pd.DataFrame({"class": "risk", "rank": [1], "gene_id": ["a"], "symbol": ["UP1"],
                            "mean_attribution": [0.02], "mean_abs_attribution": [0.02],
                            "n_samples": 3, "effect_sign": [1]})
    conv = {"method": "ig", "median_relative_delta": 0.001, "max_relative_delta": 0.1047,
            "max_abs_delta": 0.0004, "n_samples_off_5pct": 0, "n_samples_barely_moved": 1,
            "synthetic": True}
    text = ExplainResult(tmp_path, 3, "survival", conv, ranking).describe(top=2)
    assert text.splitlines()[0].endswith("[SYNTHETIC data]")
    assert ("0 off by more than 5%\n    (1 whose output barely moved from the reference left "
            "out: a % of almost nothing means little)") in text
    assert max(map(len, text.splitlines()[1:])) <= 100  # the completeness line ran to 269


def test_a_long_figure_title_is_wrapped_not_cut(tmp_path, monkeypatch):
    """Old behaviour: a one-panel top_genes.png cut its title at both ends ("noe: Integrated
    Gradients from training tumours [SYNTHETIC"), the synthetic label half lost."""
    import matplotlib.figure
    import pandas as pd

    from genemoe.explain.figures import top_genes_figure

    titles = []
    real = matplotlib.figure.Figure.suptitle
    monkeypatch.setattr(matplotlib.figure.Figure, "suptitle",
                        lambda self, t, **k: (titles.append(t), real(self, t, **k))[1])
    ranking = pd.DataFrame({"class": "risk", "rank": [1, 2], "gene_id": ["a", "b"],
                            "symbol": ["UP", "DOWN"], "mean_attribution": [0.1, -0.1],
                            "mean_abs_attribution": [0.2, 0.1], "n_samples": 4,
                            "effect_sign": [1, -1]})
    title = "genemoe: Integrated Gradients from training tumours [SYNTHETIC DATA], test split"
    top_genes_figure(ranking, tmp_path / "t.png", top=2, both_ends=True, title=title)
    assert "\n" in titles[0] and titles[0].replace("\n", " ") == title


def test_top_genes_figure_marks_genes_lower_in_their_class(tmp_path, monkeypatch):
    """Old behaviour: the terminal and the page marked CDH1 ``↓`` (13.8 log2 units lower in
    ACC) but top_genes.png drew it unmarked, read as an ACC marker."""
    import matplotlib.figure
    import pandas as pd

    from genemoe.explain.figures import top_genes_figure

    figs = []
    real = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (figs.append(self), real(self, *a, **k))[1])
    ranking = pd.DataFrame({"class": ["ACC", "ACC", "UVM", "UVM"], "rank": [1, 2, 1, 2],
                            "gene_id": list("abcd"), "symbol": ["STAR", "CDH1", "PMEL", "TYR"],
                            "mean_attribution": [0.3, 0.2, 0.3, 0.2], "n_samples": 5,
                            "expression_vs_others": [4.0, -13.8, 5.0, 3.0]})
    top_genes_figure(ranking, tmp_path / "t.png", top=2)
    acc, uvm = figs[0].axes[:2]
    assert [t.get_text() for t in acc.get_yticklabels()] == ["CDH1↓", "STAR"]
    assert "↓: lower in ACC than in the others" in acc.get_xlabel()
    assert "↓" not in "".join(t.get_text() for t in uvm.get_yticklabels()) + uvm.get_xlabel()
