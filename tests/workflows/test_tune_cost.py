"""A resumed tune's cost reconciles: this call's trials and seconds beside every call's, in
the terminal, summary.json and the report panel (an outside review: after a resume the
summary gave "seconds per trial" over every call beside this call's wall time, and the
terminal "2 s this call; every call's trials 4 s", with no count of either's trials)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from genemoe.report.first_screen import tune_panel
from genemoe.workflows.tune import tune_run

FCN = "model:\n  fcn: {hidden: 16, latent: 8}\ntrain: {batch_size: 32, patience: null}\n"


def test_a_resumed_tunes_cost_adds_up_over_its_calls(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)
    (base := tmp_path / "base.yaml").write_text(FCN)
    out = tmp_path / "t"
    opts = {"out_dir": out, "model_name": "fcn", "config_path": base, "epochs": 2,
            "device": "cpu", "progress": False}
    first = tune_run(bundle.path, n_trials=2, **opts)
    assert "  cost:" not in first.describe()  # one call: the title's seconds are all of it
    s1 = json.loads((out / "summary.json").read_text())
    assert s1["trials_this_call"] == s1["trials_in_all"] == 2
    assert s1["trial_seconds_this_call"] == s1["trial_seconds_in_all"]
    panel = tune_panel(summary=s1, tuned_on={}, bundle_summary={}, record={}, bundle_path=None,
                       figures=[])
    assert f"last call: 2 trials, {s1['trial_seconds_this_call']:.1f} s (" in panel
    assert "in all" not in panel

    run = tune_run(bundle.path, n_trials=3, **opts)  # resumed: one more trial
    assert run.result.this_call == (2,)
    s2 = json.loads((out / "summary.json").read_text())
    seconds = pd.read_csv(out / "trials.csv").set_index("number")["seconds"]
    assert s2["trials_this_call"] == 1 and s2["trials_in_all"] == 3
    assert s2["trial_seconds_this_call"] == pytest.approx(seconds[2], abs=0.06)
    assert s2["trial_seconds_in_all"] == pytest.approx(seconds.sum(), abs=0.06)
    # every call's share adds up to the total: the first call's trials, then this one's
    assert s2["trial_seconds_in_all"] == pytest.approx(
        s1["trial_seconds_in_all"] + s2["trial_seconds_this_call"], abs=0.11)  # rounding
    text = run.describe().replace("\n      ", " ")  # a line wrapped at 100, joined
    line = next(x for x in text.splitlines() if x.startswith("  cost: "))
    own, _, total, before = map(int, re.fullmatch(
        r"  cost: this call ran 1 trial, (\d+) s \((\d+) s wall\); the study's 3 trials (\d+) s "
        r"in all \((\d+) s in earlier calls or by other workers\)", line).groups())
    assert own + before == total and own == round(s2["trial_seconds_this_call"])
    panel = tune_panel(summary=s2, tuned_on={}, bundle_summary={}, record={}, bundle_path=None,
                       figures=[])
    # old behaviour: "0.9 s a trial; 0.6 s in the last call" of 3 trials, adding up to nothing
    assert (f"last call: 1 trial, {s2['trial_seconds_this_call']:.1f} s ("
            f"{s2['seconds_this_call']:.1f} s wall); in all (every call and worker): 3 trials, "
            f"{s2['trial_seconds_in_all']:.1f} s") in panel
