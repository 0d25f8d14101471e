"""A probe's finding: on a sparse model the default train_ig attributions left out a routing
jump of 41% of the live change in the median sample (at most 372%), and flipped the sign of
two patients' changes, without a warning; samples.tsv gave only the attributed change."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.explain import explain_run


def test_a_large_median_jump_or_a_flipped_sign_is_warned_naming_the_samples():
    from genemoe.explain.routing_jump import routing_warning, sign_flipped

    attributed = np.array([-1.07, -0.37, 0.5, 0.0001])
    live = np.array([0.39, 0.49, 0.45, -0.0001])  # the last barely moved: no sign to flip
    assert sign_flipped(attributed, live).tolist() == [True, True, False, False]
    ids = np.array(["P1", "P2", "P3", "P4"])
    text = routing_warning({"median_relative": 0.4125, "max_relative": 3.72}, ids, attributed, live)
    assert "41%" in text and "372%" in text and "2 of 4 samples (P1, P2)" in text
    small = {"median_relative": 0.05, "max_relative": 0.2}
    assert routing_warning(small, ids, live, live) is None  # small and same signs: quiet
    assert "41%" not in routing_warning(small, ids, attributed, live)  # flips alone warn


@pytest.fixture(scope="module")
def moe_run(moe_and_cox_runs):
    return moe_and_cox_runs


def test_samples_tsv_gives_the_live_change_and_the_warning_reaches_the_report(
        moe_run, tmp_path, monkeypatch, caplog):
    import genemoe.explain.routing_jump as rj
    from genemoe.report.html import write_report

    d, b = moe_run
    monkeypatch.setattr(rj, "JUMP_WARN", -1.0)  # any jump is "large": the warning's path
    out = tmp_path / "e"
    with caplog.at_level("WARNING"):
        res = explain_run(d / "moe", data=b.path, out_dir=out, max_samples_per_class=2,
                          n_steps=8, max_steps=8, progress=False, max_maps=0)
    table = pd.read_csv(out / "samples.tsv", sep="\t")
    assert {"output_change", "live_change"} <= set(table.columns)
    jump = res.convergence["routing_jump"]
    gap = (table["output_change"] - table["live_change"]).abs()
    assert gap.max() == pytest.approx(jump["max_abs"], rel=1e-4, abs=1e-6)
    conv = json.loads((out / "convergence.json").read_text())
    assert "routing jump the attributions leave out" in conv["routing_warning"]
    assert "live_change" in conv["samples_tsv"]
    assert "routing jump the attributions leave out" in caplog.text
    page = write_report(out).read_text()
    assert "Routing jump" in page and "routing jump the attributions leave out" in page
