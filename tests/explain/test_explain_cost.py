"""A long explanation without a progress bar says what it will cost before the work."""

from __future__ import annotations

import logging

from genemoe.explain import explain_run
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_a_long_explanation_without_a_bar_says_its_cost_first(tmp_path, monkeypatch, caplog):
    """Old behaviour: a 12-minute explanation with stderr to a file said nothing until done."""
    import genemoe.explain.cost as cost

    b, _, _ = prepare_synthetic(tmp_path, n_samples=120, n_genes=60, n_types=4, seed=3)
    train_run(b.path, out_dir=tmp_path / "moe", task="classify", model_name="moe", epochs=1,
              progress=False)
    d = tmp_path
    monkeypatch.setattr(cost, "PROBE_FROM_ROWS", 1)  # the tiny run counts as long
    monkeypatch.setattr(cost, "SAY_FROM_SECONDS", 0.0)
    kw = dict(data=b.path, max_samples_per_class=2, n_steps=4, max_steps=4)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        explain_run(d / "moe", out_dir=tmp_path / "bar", progress=True, **kw)
    assert "gradient rows" not in caplog.text  # a bar shows the progress
    with caplog.at_level(logging.INFO, logger="genemoe"):
        res = explain_run(d / "moe", out_dir=tmp_path / "quiet", progress=False, **kw)
    n = res.n_samples
    said = [r.getMessage() for r in caplog.records if "a long explanation" in r.getMessage()]
    assert said and said[0].startswith("a long explanation: at least ")
    assert f"({n * 32:,} gradient rows, " in said[0]
    assert all(len(line) <= 100 for line in said[0].splitlines())  # one line was ~190
    assert cost.gradient_rows("ig", 74, n_steps=50, n_draws=0) == (3700, "74 samples x 50 steps")
    assert cost.gradient_rows("deeplift", 74, n_steps=50, n_draws=0)[0] == 0
