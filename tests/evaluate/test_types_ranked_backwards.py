"""A cancer type ranked backwards beyond chance (its test C-index and whole 95% interval
below 0.5: Gene-MOE's UCS 0.211 [0.000, 0.484], probeJJ nit 11) was said nowhere but in the
per-type table. a run's metrics.json lists such types per part (``types_ranked_backwards``), train's
terminal summary and the run page say them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genemoe.evaluate.survival import survival_metrics
from genemoe.evaluate.survival_flags import backwards_text, ranked_backwards
from genemoe.report.run_page import run_metrics
from genemoe.workflows.train import train_run


def _metrics(flip_b: bool = True, noise: float = 1.0) -> dict:
    """Survival metrics of two types of 40 patients: type A ranked right, type B backwards
    (``flip_b``), with ``noise`` on B's risk."""
    rng = np.random.default_rng(0)
    time = rng.uniform(50, 2000, 80)
    event = rng.random(80) < 0.7
    risk = -time + 0.5 * rng.normal(size=80) * time.std()  # the sooner, the riskier
    if flip_b:
        risk[40:] = time[40:] + noise * rng.normal(size=40) * time[40:].std()
    groups = np.array(["A"] * 40 + ["B"] * 40)
    m = survival_metrics(time, event, risk, groups=groups, n_boot=200, seed=0)
    return m | {"types_ranked_backwards": ranked_backwards(m["c_index_by_type"])}  # as a run


def test_a_type_backwards_beyond_its_interval_is_listed():
    m = _metrics()
    [entry] = m["types_ranked_backwards"]
    assert entry["type"] == "B" and entry["c_index"] < 0.5 and entry["ci"][1] < 0.5
    assert backwards_text(entry).startswith("ranks B patients backwards: C 0.24 [0.16, 0.32]")


def test_a_type_whose_interval_holds_chance_is_not_listed():
    m = _metrics(noise=3.0)
    b = m["c_index_by_type"]["B"]
    assert b["ci"][1] >= 0.5  # below 0.5 maybe, within chance
    assert m["types_ranked_backwards"] == []
    assert ranked_backwards({"X": {"c_index": 0.2, "ci": [float("nan")] * 2}}) == []
    assert ranked_backwards(None) == []


@pytest.fixture(scope="module")
def coxph_run(synthetic_bundle, tmp_path_factory):
    return train_run(synthetic_bundle().path, out_dir=tmp_path_factory.mktemp("bw") / "run",
                     task="survival", model_name="coxph", progress=False)


def test_train_says_a_backwards_type_and_metrics_json_lists_them(coxph_run):
    saved = json.loads((coxph_run.out_dir / "metrics.json").read_text())
    for part in ("val", "test"):  # scored by the run: its types' C and intervals
        assert saved[part]["types_ranked_backwards"] == ranked_backwards(
            saved[part]["c_index_by_type"])
    coxph_run.metrics["test"] = _metrics()
    said = coxph_run.describe()
    line = next(x for x in said.splitlines() if "backwards:" in x)
    assert line.startswith("  test: ranks B patients backwards: C 0.24 [0.16, 0.32]")
    assert line.endswith("(95% CI below 0.5)") and len(line) <= 100
    coxph_run.metrics["test"] = _metrics(noise=3.0)
    assert "backwards:" not in coxph_run.describe()


def test_the_run_page_says_a_backwards_type():
    page = run_metrics({"test": _metrics()}, "survival")
    assert "Ranked backwards beyond chance" in page
    assert "ranks B patients backwards: C 0.24 [0.16, 0.32]" in page
    assert "Ranked backwards" not in run_metrics({"test": _metrics(noise=3.0)}, "survival")


def test_the_report_first_screen_names_them():
    """Old behaviour: the run page's first screen (its headline panel) gave the pooled
    C-index and no word of a type ranked backwards; only the per-type table, further down,
    held it."""
    from genemoe.report.first_screen import run_panel

    m = _metrics()
    html = run_panel(task="survival", model="coxnet", metrics={"test": m},
                     cfg={"model": "coxnet", "preset": "small", "seed": 0}, summary={},
                     record={}, bundle_path=None, figures=[])
    assert "ranked backwards" in html and backwards_text(m["types_ranked_backwards"][0]) in html
    clean = _metrics(flip_b=False)
    assert "ranked backwards" not in run_panel(
        task="survival", model="coxnet", metrics={"test": clean},
        cfg={"model": "coxnet", "preset": "small", "seed": 0}, summary={}, record={},
        bundle_path=None, figures=[])
