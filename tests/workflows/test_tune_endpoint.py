"""A survival tune names its endpoint (OS, PFI, ...) as train and benchmark do: its title,
summary.json, best.yaml and report panel read the same for an OS search as a PFI one."""

from __future__ import annotations

import json

import yaml

from genemoe.report.first_screen import tune_panel
from genemoe.report.html import write_report
from genemoe.workflows.tune import tune_run


def test_a_survival_tune_names_its_endpoint(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)
    assert bundle.endpoint == "OS"
    out = tmp_path / "t"
    run = tune_run(bundle.path, out_dir=out, model_name="coxnet", task="survival", n_trials=1,
                   progress=False)
    # old behaviour (an outside review): "(coxnet, survival; study ..." of an OS bundle
    assert "(coxnet, survival (OS); study " in run.describe().splitlines()[0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["endpoint"] == "OS"
    best = (out / "best.yaml").read_text()
    assert best.startswith("# genemoe tune: coxnet (survival (OS)), best of 1 trial")
    (entry,) = yaml.safe_load(best)["tuned_on"].values()
    assert entry["endpoint"] == "OS"
    panel = tune_panel(summary=summary, tuned_on=entry, bundle_summary={}, record={},
                       bundle_path=None, figures=[])
    assert "</code> · survival (OS) · preset" in panel
    # the report page's title, protocol row and search figure said "coxnet (survival)"
    page = write_report(out).read_text()
    assert "<title>genemoe tuning — coxnet (survival (OS))" in page
    assert "<td>survival (OS)</td>" in page
    assert "trials and trial seconds, last call / every call" in page
    # a classification tune names none
    run = tune_run(bundle.path, out_dir=tmp_path / "c", model_name="logreg", n_trials=1,
                   progress=False)
    assert "(logreg, classify; study " in run.describe()
    assert "endpoint" not in json.loads((tmp_path / "c" / "summary.json").read_text())
