"""An outside tester's Gene-MOE explanations of GDC data: what the terminal, convergence.json,
the figures and the report said wrong or left unsaid (routing frozen but completeness said
against f(baseline), per-sample figures without the true type or the method, misclassified
samples without a figure, a survival ranking of 8 patients of 4 types said nowhere)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from genemoe.explain import explain_run
from genemoe.explain.integrated_gradients import attribute
from genemoe.models.moe import TopKGate, frozen_routing
from genemoe.models.registry import create_model

MOE = dict(hidden=16, n_experts=4, k=2, latent=8, dropout=0.1)


@pytest.fixture(scope="module")
def runs(moe_and_cox_runs):
    """A small synthetic bundle, a sparse ``moe`` classifier and an ``fcn`` Cox model."""
    return moe_and_cox_runs


def _sparse(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = create_model("moe", n_genes=12, n_outputs=3, task="classify", **MOE).eval()
    for m in model.modules():
        if isinstance(m, TopKGate):
            m.w_gate.data *= 30  # decisive gates: the baseline routes elsewhere than x
    return model


def test_the_routing_jump_is_the_live_against_the_frozen_output_at_the_baseline():
    """f(baseline) - f_frozen(baseline), recovered from the deltas, against direct passes."""
    from genemoe.explain.routing_jump import routing_jump

    model = _sparse()
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(6, 12)) * 2).astype(np.float32)
    b = (rng.normal(size=12) * 2).astype(np.float32)
    target = np.array([0, 1, 2, 0, 1, 2])
    attr, delta = attribute(model, X, target=target, baseline=b, n_steps=8, routing="frozen")
    jump = routing_jump(model, X, attr, delta, target=target, references=b[None])
    with torch.no_grad():
        xs = torch.from_numpy(X)
        fx = model(xs).out.numpy()[np.arange(6), target]
        live = model(torch.from_numpy(b[None])).out.numpy()[0, target]
        with frozen_routing(model, xs):
            frozen = model(torch.from_numpy(np.repeat(b[None], 6, 0))).out.numpy()[np.arange(6), target]
    want = np.abs(live - frozen)
    assert want.max() > 1e-3  # the gates do send the baseline elsewhere
    assert jump["max_abs"] == pytest.approx(want.max(), rel=1e-3, abs=1e-5)
    assert jump["median_abs"] == pytest.approx(np.median(want), rel=1e-3, abs=1e-5)
    rel = want / np.abs(fx - live)
    assert jump["max_relative"] == pytest.approx(rel.max(), rel=1e-3)


def test_a_frozen_routing_explanation_says_what_completeness_checks_and_the_jump(runs, tmp_path):
    """Old behaviour: "completeness (attributions' sum against f(x) - f(baseline))" for
    train_ig with the routing frozen, and no word of the gap at the baseline."""
    d, b = runs
    res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", max_samples_per_class=2,
                      n_steps=8, max_steps=8, progress=False)
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert conv["routing"] == "frozen"
    jump = conv["routing_jump"]
    assert {"median_relative", "max_relative", "median_abs", "max_abs"} <= set(jump)
    assert 0 <= jump["median_relative"] <= jump["max_relative"]
    text = res.describe()
    assert "attributions' sum against f(x) - f_frozen(baseline)" in text
    line = next(x for x in text.splitlines() if "routing jump" in x)
    assert f"{jump['median_relative']:.2%}" in line
    dense = explain_run(d / "cox", data=b.path, out_dir=tmp_path / "c", max_samples_per_class=3,
                        n_steps=4, max_steps=4, progress=False)
    assert "routing_jump" not in dense.convergence and "routing jump" not in dense.describe()
    assert "attributions' sum against f(x) - f(baseline))" in dense.describe()


def test_a_samples_figure_gives_its_true_and_predicted_type_and_the_method(runs, tmp_path, monkeypatch):
    """Old behaviour: titled "TCGA-W5-AA2H → DLBC" (a CHOL tumour), its axis "IG attribution
    (signed)" for train_ig."""
    import genemoe.explain.figures as figures

    d, b = runs
    seen = []
    real = figures.sample_attribution_figure
    monkeypatch.setattr(figures, "sample_attribution_figure", lambda *a, title="", xlabel="", **k: (
        seen.append((a[2].stem, title, xlabel)), real(*a, title=title, xlabel=xlabel, **k))[1])
    explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", max_samples_per_class=2,
                n_steps=4, max_steps=4, progress=False)
    samples = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t").set_index("sample_id")
    assert seen
    for sid, title, xlabel in seen:
        row = samples.loc[sid]
        assert f"{sid} (true {row['cancer_type']}, predicted {row['predicted']})" in title
        assert "of f(x) - f_frozen(baseline)" in title or "completeness" not in title
        assert xlabel.startswith("Integrated Gradients from training tumours, routing frozen")


def test_a_survival_figure_gives_the_type_risk_and_outcome(runs, tmp_path, monkeypatch):
    import genemoe.explain.figures as figures

    d, b = runs
    seen = []
    real = figures.sample_attribution_figure
    monkeypatch.setattr(figures, "sample_attribution_figure", lambda *a, title="", **k: (
        seen.append((a[2].stem, title)), real(*a, title=title, **k))[1])
    explain_run(d / "cox", data=b.path, out_dir=tmp_path / "e", max_samples_per_class=4,
                n_steps=4, max_steps=4, method="ig", progress=False)
    samples = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t").set_index("sample_id")
    assert len(seen) == 4
    for sid, title in seen:
        row = samples.loc[sid]
        head = f"{sid} ({row['cancer_type']}, risk {row['risk']:.3g}"
        assert title.startswith(head), title
        if pd.notna(row["event"]):
            kind = "event" if row["event"] in (True, "True") else "censored"
            assert f"{kind} at {row['time']:,.0f} days)" in title


def test_misclassified_samples_get_their_figures_first():
    """Old behaviour: the first two of each predicted class got figures, so one of three
    misclassified test samples (all late in bundle order) had one."""
    from genemoe.explain.maps import _map_picks

    spread = np.repeat(np.array(["ACC", "CHOL", "DLBC", "KICH", "UCS", "UVM"]), 12)
    wrong = np.zeros(len(spread), bool)
    wrong[[11, 35, 36]] = True  # late in two classes
    picks = _map_picks(spread, 12, first=wrong)
    assert len(picks) == 12 and set(np.flatnonzero(wrong)) <= set(picks)
    assert set(spread[picks]) == set(spread)  # the others still spread over every class
    assert _map_picks(spread, 2, first=wrong).tolist() == [11, 35]  # within the cap
    plain = _map_picks(spread, 12)  # without misclassified samples: the first two of each
    assert plain.tolist() == [i * 12 + j for i in range(6) for j in range(2)]


def test_a_survival_ranking_of_few_samples_of_several_types_is_said(runs, tmp_path):
    """Old behaviour: "risk (n=8), raising it most: ..." for 8 patients of 4 cancer types,
    drawn from 74, said nowhere."""
    from genemoe.report.explanation_section import explanation_section

    d, b = runs
    res = explain_run(d / "cox", data=b.path, out_dir=tmp_path / "e", max_samples_per_class=6,
                      n_steps=4, max_steps=4, method="ig", progress=False)
    conv = res.convergence
    n_types = len(conv["samples_by_cancer_type"])
    assert n_types > 1 and sum(conv["samples_by_cancer_type"].values()) == 6
    line = next(x for x in res.describe().splitlines() if x.startswith("  pooled: "))
    assert f"6 samples over {n_types} cancer types" in line
    assert f"drawn 6 of {conv['drawn_from']['n']}" in line and "few patients" in line
    html = explanation_section(tmp_path / "e")
    assert f"Pooled: one ranking of 6 samples over {n_types} cancer types" in html


def test_pooling_is_said_only_for_few_or_mixed_survival_samples():
    from genemoe.explain.summary_text import pooling_text

    base = {"task": "survival", "n_samples": 40, "drawn_from": {"n": 40}}
    assert pooling_text({**base, "samples_by_cancer_type": {"ACC": 40}}) is None
    assert pooling_text({**base, "task": "classify", "samples_by_cancer_type": {"A": 3, "B": 37}}) is None
    mixed = pooling_text({**base, "samples_by_cancer_type": {"ACC": 30, "UVM": 10}})
    assert mixed == ("one ranking of 40 samples over 2 cancer types (ACC 30, UVM 10): "
                     "type differences may rank as risk genes")
    few = pooling_text({**base, "n_samples": 8, "samples_by_cancer_type": {"ACC": 8},
                        "drawn_from": {"n": 74}})
    assert few == "one ranking of 8 samples, drawn 8 of 74: few patients"
