"""An outside probe of ``explain --compare`` on small real runs (pancan33_random100, Gene-MOE
trained 3 epochs, seeds 0 and 1; a Gene-MOE Cox model):

- with ``--other`` the methods table ran to 133 characters a line (the stability columns
  beside the completeness ones);
- a survival run's comparison said "pooled per true label: each sample's labelled class's
  output attributed", where each sample's risk is attributed and pooled in one ranking;
- the ``stability:`` line quoted the most stable of five methods (frozen_ig 65%) alone, as
  if it were the rankings' stability whatever the method.
"""

from __future__ import annotations

import pandas as pd
import pytest

from genemoe.explain.compare import compare_methods, methods_text


def _probe_table() -> pd.DataFrame:
    """methods.csv of the probe's Gene-MOE comparison with --other (6 samples)."""
    return pd.DataFrame({
        "method": ["ig", "frozen_ig", "gradient_shap", "deeplift", "train_ig"],
        "n_samples": [6] * 5,
        "routing": ["live", "frozen", "live", "frozen", "frozen"],
        "reference": ["training mean", "training mean", "training tumours", "training mean",
                      "training tumours"],
        "median_relative_delta": [0.1363, 0.00027, 0.162, 0.9198, 1.2e-05],
        "max_relative_delta": [1.209, 0.00062, 0.381, 0.950, 2.8e-05],
        "routing_jump": [float("nan"), 0.1018, float("nan"), 0.1018, 0.0392],
        "routing_jump_max": [float("nan"), 0.2765, float("nan"), 0.2765, 0.0728],
        "seconds_per_sample": [0.209, 0.429, 0.121, 0.0874, 2.597],
        "top50_overlap": [0.65, 0.6533, 0.6433, 0.61, 0.63],
        "top50_chance": [0.5] * 5,
        "spearman": [0.373, 0.371, 0.455, 0.303, 0.352],
    })


def test_the_methods_table_with_another_run_fits_100_characters():
    text = methods_text(_probe_table())
    assert max(map(len, text.splitlines())) <= 100, text
    assert "0.653" in text and "0.455" in text  # the agreement columns are still shown
    planted = methods_text(_probe_table().assign(planted_precision=0.25))
    assert max(map(len, planted.splitlines())) <= 100, planted
    assert "planted_precision" in planted and "0.250" in planted


def test_the_stability_line_says_it_quotes_the_most_stable_method():
    text = methods_text(_probe_table())
    assert "stability: with frozen_ig" in text
    assert "frozen_ig: the most stable of the 5 methods compared (the least: deeplift 61%)" in text
    one = methods_text(_probe_table().iloc[[1]])
    assert "the most stable" not in one  # one method: nothing was chosen


@pytest.fixture(scope="module")
def cox_moe_run(tmp_path_factory):
    """A barely trained sparse ``moe`` Cox model on a small synthetic bundle."""
    from synthetic_inputs import tiny_moe_run

    return tiny_moe_run(tmp_path_factory.mktemp("haw_cox"), task="survival", seed=4)


def test_a_survival_comparison_says_the_risk_is_attributed(cox_moe_run, tmp_path):
    run, b = cox_moe_run
    some = [str(s) for s in b.sample_ids[b.indices("test")][:3]]
    table = compare_methods(run, data=b.path, out_dir=tmp_path / "c", methods=("frozen_ig",),
                            samples=some, n_steps=4, max_steps=4, progress=False)
    text = methods_text(table)
    assert "labelled class" not in text, text
    assert "one pooled ranking of the risk: each sample's risk attributed" in text
    assert "labelled class" in methods_text(table, task="classify")  # a classifier's, as before


def test_captums_first_import_is_not_timed_as_the_first_methods_work(monkeypatch):
    """The first method attributed paid captum's import (1.4 s here): a 3-sample --compare
    of a Gene-MOE ensemble gave ig 2.2 s a sample, train_ig 0.54. A fake clock that the
    (cold) import advances by 1000 s: the seconds returned must not hold it."""
    import builtins

    import numpy as np
    import torch

    from genemoe.explain import methods
    from genemoe.models.registry import create_model

    clock = [0.0]

    class _Clock:
        @staticmethod
        def perf_counter() -> float:
            return clock[0]

    real, cold = builtins.__import__, []

    def importing(name, *args, **kwargs):
        if name.startswith("captum") and not cold:
            cold.append(name)
            clock[0] += 1000.0  # the first import, as slow as a cold one
        return real(name, *args, **kwargs)

    torch.manual_seed(0)
    model = create_model("moe", n_genes=20, n_outputs=3, task="classify", hidden=32,
                         n_experts=6, k=2, latent=8, dropout=0.1).eval()
    X = np.random.default_rng(0).normal(size=(2, 20)).astype(np.float32)
    monkeypatch.setattr(methods, "time", _Clock)
    monkeypatch.setattr(builtins, "__import__", importing)
    _, _, seconds = methods.attribute_with("ig", model, X, target=0, n_steps=4, tolerance=None)
    assert cold, "captum was not imported"
    assert seconds < 1000.0


def test_compare_names_the_method_and_run_of_the_draws_warnings(cox_moe_run, tmp_path, caplog,
                                                                monkeypatch):
    """The split-half warning of train_ig's draw came without ``train_ig (--model RUN): ``,
    which every routing-jump warning of --compare carries: with --other, two alike."""
    import genemoe.explain.references as references

    monkeypatch.setattr(references, "STEADY", 1.01)  # every class's halves "differ"
    run, b = cox_moe_run
    some = [str(s) for s in b.sample_ids[b.indices("test")][:3]]
    with caplog.at_level("WARNING"):
        compare_methods(run, data=b.path, out_dir=tmp_path / "c", methods=("train_ig",),
                        samples=some, n_steps=4, max_steps=4, n_draws=2, progress=False)
    said = [r.getMessage() for r in caplog.records if "two halves" in r.getMessage()]
    assert said and said[0].startswith("train_ig (--model "), said
    first, *rest = said[0].splitlines()
    assert len("warning: " + first) <= 100 and all(len(line) <= 100 for line in rest), said
    with caplog.at_level("WARNING"):
        caplog.clear()
        from genemoe.explain import explain_run

        explain_run(run, data=b.path, out_dir=tmp_path / "e", samples=some, n_steps=4,
                    max_steps=4, n_draws=2, progress=False, max_maps=0)
    alone = [r.getMessage() for r in caplog.records if "two halves" in r.getMessage()]
    assert alone and alone[0].startswith("the two halves")  # a single explanation: as it was


def test_a_cost_long_only_at_its_ceiling_does_not_say_at_least_0_s(monkeypatch):
    """``explain --n-steps 1`` said "a long explanation: at least 0 s (16 gradient rows,
    6.9 ms each)", then "up to 81 s if samples ... are integrated again"."""
    import numpy as np
    import torch

    import genemoe.explain.cost as cost
    from genemoe.models.registry import create_model

    torch.manual_seed(0)
    model = create_model("moe", n_genes=20, n_outputs=3, task="classify", hidden=32,
                         n_experts=6, k=2, latent=8, dropout=0.1).eval()
    X = np.zeros((2, 20), np.float32)
    monkeypatch.setattr(cost, "PROBE_FROM_ROWS", 1)
    monkeypatch.setattr(cost, "seconds_per_row", lambda *a, **k: 0.0069)
    text = cost.cost_text(model, X, "frozen_ig", target=None, n_steps=1, n_draws=0, batch=8,
                          max_steps=4000)  # 2 rows (0.014 s); up to 2 x 5,365 rows (74 s)
    assert text is not None and "at least 0 s" not in text, text
    assert text.startswith("a long explanation if samples missing completeness are integrated "
                           "again: up to 74 s"), text
    assert "first 2 gradient rows, 6.9 ms each (under 1 s)" in " ".join(text.split()), text
    assert all(len(line) <= 100 for line in text.splitlines())


def test_the_unused_n_steps_warning_of_gradient_shap_is_wrapped(cox_moe_run, tmp_path, caplog):
    """``--method gradient_shap --n-steps 16`` warned in one line of 124 characters."""
    from genemoe.explain import explain_run

    run, b = cox_moe_run
    with caplog.at_level("WARNING"):
        explain_run(run, data=b.path, out_dir=tmp_path / "e", samples=[str(b.sample_ids[0])],
                    method="gradient_shap", n_steps=16, n_draws=4, progress=False, max_maps=0)
    said = [r.getMessage() for r in caplog.records if "--n-steps applies" in r.getMessage()]
    assert said and "(--n-draws sets its sum's precision)" in " ".join(said[0].split())
    first, *rest = said[0].splitlines()
    assert len("warning: " + first) <= 100 and all(len(line) <= 100 for line in rest), said
