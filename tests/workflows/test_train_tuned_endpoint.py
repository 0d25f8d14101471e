"""A best.yaml tuned on one survival endpoint (OS), given to ``train`` on a bundle of another
(PFI), is said once (terminal and metrics.json) naming both; the run still trains."""

from __future__ import annotations

import json

import pytest
import yaml

from genemoe.workflows.train import train_run

WORDS = "the options were tuned on the OS endpoint, this bundle's survival is PFI"


@pytest.mark.parametrize("how", ["config", "preset"])
def test_an_os_tuned_best_yaml_on_a_pfi_bundle_is_said(os_and_pfi, tmp_path, caplog, how):
    os_bundle, pfi, best = os_and_pfi
    assert os_bundle.endpoint == "OS" and pfi.endpoint == "PFI"
    where = {"config_path": best} if how == "config" else {"preset": str(best)}
    with caplog.at_level("WARNING"):
        train_run(pfi.path, out_dir=tmp_path / "r", model_name="coxnet", task="survival",
                  progress=False, **where)
    said = [r.getMessage() for r in caplog.records if WORDS in r.getMessage()]
    assert len(said) == 1, caplog.text  # was nothing: OS-tuned options trained a PFI model unsaid
    protocol = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]
    assert protocol["endpoint"] == "PFI"
    assert protocol["tuned_endpoint_mismatch"] == said[0]
    entries = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())["tuned_on"].values()
    (entry,) = [e for e in entries if e.get("endpoint")]  # beside small's selection criterion
    assert entry["endpoint"] == "OS" and entry["endpoint_mismatch"] == said[0]
    from genemoe.report.html import write_report

    page = write_report(tmp_path / "r").read_text()  # the page people share said nothing
    assert "tuned on another endpoint" in page and "tuned on the OS endpoint" in page


def test_the_same_endpoint_says_nothing(os_and_pfi, tmp_path, caplog):
    os_bundle, _, best = os_and_pfi
    with caplog.at_level("WARNING"):
        train_run(os_bundle.path, out_dir=tmp_path / "r", model_name="coxnet", task="survival",
                  progress=False, config_path=best)
    assert "endpoint, this bundle's survival" not in caplog.text
    protocol = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]
    assert "tuned_endpoint_mismatch" not in protocol


def test_two_entries_tuned_on_the_other_endpoint_are_said_once(os_and_pfi, caplog):
    """A helper's note: a preset with two OS-tuned entries warned once per entry."""
    from genemoe.workflows.train_tuned import check_train_entries

    _, pfi, _ = os_and_pfi
    tuned_on = {"model.alpha": {"value": 0.1, "endpoint": "OS"},
                "model.l1_ratio": {"value": 0.5, "endpoint": "OS"}}
    with caplog.at_level("WARNING"):
        out = check_train_entries(tuned_on, pfi, task="survival")
    assert sum(WORDS in r.getMessage() for r in caplog.records) == 1
    assert all(e["endpoint_mismatch"].startswith(WORDS) for e in out.values())
