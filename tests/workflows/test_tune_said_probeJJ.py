"""What tune says (probeJJ, nits 7-9): the chosen values under the names best.yaml stores
them by (it printed ``train.balance_weight``, best.yaml holds ``train: aux_weight``), a
synthetic bundle marked on the terminal and in summary.json (train's line and the tune
report marked it), and a resumed study said as the tune starts (only said at the end)."""

from __future__ import annotations

import json
import logging

import pytest
import yaml

from genemoe.workflows.tune import tune_run
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def genemoe_tune(synthetic_bundle, tmp_path_factory):
    d = tmp_path_factory.mktemp("tune_said")
    (cfg := d / "tiny.yaml").write_text(yaml.safe_dump(
        {"extends": "small", "model": {"genemoe": TINY_GENEMOE}, "train": {"batch_size": 32}}))
    run = tune_run(synthetic_bundle().path, out_dir=d / "t", model_name="genemoe", n_trials=1,
                   config_path=cfg, epochs=1, device="cpu", progress=False)
    return run, d / "t"


def test_the_chosen_values_are_named_as_best_yaml_stores_them(genemoe_tune):
    run, out = genemoe_tune
    said = run.describe()
    best = yaml.safe_load((out / "best.yaml").read_text())
    assert "aux_weight" in best["train"] and "balance_weight" not in best["train"]
    assert "    train.aux_weight (balance_weight): " in said
    assert "    train.balance_weight:" not in said
    summary = json.loads((out / "summary.json").read_text())
    assert summary["names_in_best_yaml"] == {"train.balance_weight": "train.aux_weight"}


def test_the_report_page_names_them_as_best_yaml_does(genemoe_tune, tmp_path):
    """Old behaviour: the tune report's "Best configuration" table listed
    ``train.balance_weight``, a name best.yaml does not hold."""
    from genemoe.report.html import write_report

    _, out = genemoe_tune
    page = write_report(out, out_path=tmp_path / "t.html").read_text()
    best = page.split('id="best-configuration">')[1].split("Retrain with")[0]
    assert "train.aux_weight (balance_weight)" in best
    assert "<td>train.balance_weight</td>" not in best


def test_a_synthetic_bundle_is_marked(genemoe_tune):
    run, out = genemoe_tune
    assert "SYNTHETIC DATA" in run.describe().splitlines()[1]  # under the title
    assert json.loads((out / "summary.json").read_text())["synthetic"] is True


def test_a_resumed_study_is_said_as_the_tune_starts(synthetic_bundle, tmp_path, caplog):
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        tune_run(bundle.path, n_trials=1, **opts)
    assert "resuming" not in caplog.text  # a new study
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="genemoe"):
        tune_run(bundle.path, n_trials=2, **opts)
    first = caplog.messages[0] if caplog.messages else ""
    started = [m for m in caplog.messages if m.startswith("resuming")]
    assert started == ["resuming study 'logreg-classify': 1 trial already finished in it\n  "
                       "--trials 2 runs up to 1 more"]
    assert caplog.messages.index(started[0]) < next(  # before the first trial's line (the
        i for i, m in enumerate(caplog.messages)  # start's grid choice, -v, may come first:
        if m.startswith("trial ") and "(" in m.split(":")[0]), first  # the setup is checked)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="genemoe"):
        tune_run(bundle.path, n_trials=2, **opts)
    assert ("resuming study 'logreg-classify': 2 trials already finished in it\n  --trials 2 "
            "is met: no trial runs, the outputs are written again") in caplog.messages
