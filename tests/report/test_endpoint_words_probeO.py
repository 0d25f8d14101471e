"""A survival model's endpoint is named where its outputs are read (probeO): a PFI model's
predict said "higher = shorter survival", its record had no endpoint, and its report's
Kaplan–Meier axis, horizon table and type-alone text spoke of survival and deaths.
OS and older runs without an endpoint keep the survival words."""

from __future__ import annotations

import html
import json
import re

import pytest

from genemoe.workflows.predict_text import lines, risk_notes

BASELINE = {"times": [10.0, 1500.0], "cum_hazard": [0.1, 0.2], "centre": 0}


def _text(page: str) -> str:
    """The page's words: figures, styles and tags dropped, entities unescaped."""
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _payload(endpoint: str | None) -> dict:
    prot = {"endpoint": endpoint} if endpoint else {}
    return {"task": "survival", "calibration": {"risk_scale": 1.0},
            "survival_baseline": dict(BASELINE), "metrics": {"protocol": prot}}


def test_a_pfi_models_risk_line_names_its_endpoint_and_events():
    text = lines(risk_notes(_payload("PFI")))
    assert "risk: log relative hazard, higher = a sooner PFI event" in text
    assert "endpoint PFI (progression-free interval)" in text
    assert "shorter survival" not in text and "death" not in text
    assert text.endswith("PFI probability at 5 years: empty, beyond the last training event "
                         "(day 1,500)")


def test_os_and_unknown_endpoints_keep_the_survival_words():
    os_text = lines(risk_notes(_payload("OS")))
    assert "risk: log relative hazard, higher = shorter survival" in os_text
    assert "endpoint OS (overall survival)" in os_text
    assert os_text.endswith("survival at 5 years: empty, beyond the last training death "
                            "(day 1,500)")
    old = lines(risk_notes(_payload(None)))  # an older model: no endpoint recorded
    assert "risk: log relative hazard, higher = shorter survival\n" in old
    assert "endpoint" not in old


def test_the_kaplan_meier_axis_names_the_endpoint(tmp_path, monkeypatch):
    import numpy as np

    from genemoe.report import plots

    drawn: list = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path: drawn.append(fig) or path)
    rng = np.random.default_rng(0)
    t, e = rng.uniform(10, 2000, 40), rng.integers(0, 2, 40).astype(bool)
    high, groups = rng.integers(0, 2, 40).astype(bool), np.array(["A", "B"] * 20)
    for endpoint, label in (("PFI", "PFI probability"), ("OS", "survival"), (None, "survival")):
        plots.plot_km_by_type(t, e, high, groups, out_path=tmp_path / "km.png", endpoint=endpoint)
        assert {ax.get_ylabel() for ax in drawn[-1].axes if ax.axison} == {label}


@pytest.fixture(scope="module")
def pfi_run(tmp_path_factory):
    """A coxnet run on a PFI bundle of the synthetic files, and its files."""
    from genemoe.data.prepare import prepare_dataset
    from genemoe.data.prepare_config import PrepareConfig
    from genemoe.workflows.train import train_run
    from synthetic_inputs import make_synthetic_cohort, write_synthetic_files

    d = tmp_path_factory.mktemp("probeO_pfi")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=150, n_genes=60, n_types=3,
                                                        seed=5), d / "in")
    pfi = prepare_dataset([files["counts"]], out_path=d / "pfi", label_paths=[files["labels"]],
                          clinical_path=files["clinical"], annotation_path=files["annotation"],
                          config=PrepareConfig(synthetic=True, endpoint="PFI"))
    train_run(pfi.path, out_dir=d / "run", task="survival", model_name="coxnet",
              progress=False)
    return d / "run", files


def test_predict_of_a_pfi_model_names_its_endpoint_and_records_it(pfi_run, tmp_path):
    from genemoe.workflows.predict import predict_file

    run, files = pfi_run
    said = predict_file(run, files["counts"], out_path=tmp_path / "pred.tsv")
    assert "higher = a sooner PFI event" in said and "shorter survival" not in said
    record = json.loads((tmp_path / "pred.record.json").read_text())
    assert record["endpoint"] == "PFI"


def test_the_report_of_a_pfi_run_speaks_of_pfi_and_events(pfi_run):
    from genemoe.report.html import write_report

    run, _ = pfi_run
    page = _text(write_report(run).read_text())
    assert "PFI probability at fixed horizons (test split)" in page
    assert "Survival probability at fixed horizons" not in page
    assert "training death rate" not in page
    assert "each type's training event rate as the risk" in page
    assert "one PFI probability curve for all (no information)" in page
