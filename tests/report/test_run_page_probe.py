"""A run's report page says what the terminal said (an outside probe of the pages): the
undertraining note, each integrated Brier score's days and no-information reference, why a
validation C-index is missing, p-values to two digits in the Kaplan–Meier figures, what a
folder without config.yaml still has, the bundle's warnings, undefined precision, and which
median split each survival table or figure uses.

Most folders here are written by hand (metrics.json, predictions.tsv, config.yaml): no model
is trained, the report only reads them."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from genemoe.report import plots
from genemoe.report.html import write_report

TYPES = ["ACC", "BRCA", "UVM"]


def _text(page: str) -> str:
    """The page's words: figures, styles and tags dropped, entities unescaped."""
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _classify_run(d, *, cfg: dict | None, calibration: dict | None = None):
    """A classify run folder: every test sample predicted ACC or BRCA, never UVM."""
    d.mkdir()
    rng = np.random.default_rng(0)
    n = 30
    true = np.array(TYPES * (n // 3))
    pred = np.where(true == "UVM", "ACC", true)
    probs = rng.dirichlet(np.ones(3), n)
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(n)], "split": ["test"] * n,
                  "cancer_type": true, "predicted_type": pred,
                  **{f"prob_{t}": probs[:, i] for i, t in enumerate(TYPES)}}).to_csv(
        d / "predictions.tsv", sep="\t", index=False)
    per = {"ACC": {"precision": 0.5, "recall": 1.0, "f1": 0.667, "support": 10, "predicted": 20},
           "BRCA": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 10, "predicted": 10},
           "UVM": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 10, "predicted": 0}}
    part = {"accuracy": 0.667, "macro_precision": 0.5, "macro_recall": 0.667, "macro_f1": 0.556,
            "weighted_f1": 0.556, "n": n, "per_class": per}
    metrics = {"val": dict(part), "test": part, "protocol": {"n": {"train": 60, "val": 30,
                                                                   "test": n}}}
    if calibration:
        metrics["calibration"] = calibration
    (d / "metrics.json").write_text(json.dumps(metrics))
    if cfg is not None:
        (d / "config.yaml").write_text(yaml.safe_dump(cfg))
    return d


CAPPED = {"task": "classify", "model": "fcn", "preset": "small", "seed": 0, "ensemble": 1,
          "best_epoch": 8, "stopped_early": False, "train_config": {"epochs": 8}}


def test_a_run_kept_at_its_last_epoch_is_said_undertrained_on_the_page(tmp_path):
    """Old behaviour: the page said "kept epoch 8" only; the undertraining note reached the
    terminal alone."""
    page = _text(write_report(_classify_run(tmp_path / "r", cfg=CAPPED)).read_text())
    assert "kept the last epoch allowed (8)" in page
    assert "may be undertrained" in page


def test_an_ensembles_members_at_their_last_epoch_are_said_undertrained(tmp_path):
    members = [{"best_epoch": 6, "stopped_early": False, "train_config": {"epochs": 6}}] * 2
    cfg = {**CAPPED, "best_epoch": [6, 6],
           "ensemble": {"k": 2, "members_differ_by": "seed", "members": members}}
    page = _text(write_report(_classify_run(tmp_path / "r", cfg=cfg)).read_text())
    assert "kept epochs 6, 6" in page
    assert "last epoch allowed (6) in 2 of 2 members" in page


def test_a_run_stopped_early_is_not_said_undertrained(tmp_path):
    cfg = {**CAPPED, "best_epoch": 5, "stopped_early": True}
    page = _text(write_report(_classify_run(tmp_path / "r", cfg=cfg)).read_text())
    assert "undertrained" not in page


def test_precision_of_a_class_never_predicted_is_undefined_not_zero(tmp_path):
    """Old behaviour: UVM, never predicted, read precision 0 in the per-class table."""
    page = write_report(_classify_run(tmp_path / "r", cfg=CAPPED)).read_text()
    per = page[page.index("Per class (test split)"):]
    uvm = re.search(r"<td>UVM</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", per)
    assert uvm and uvm.groups() == ("–", "0.000"), uvm and uvm.groups()
    assert "Precision of a class never predicted" in per


def test_a_folder_without_config_or_model_says_so_on_the_page(tmp_path, caplog):
    """Old behaviour: "model | None · classify · preset ? · seed ?", the temperature line
    gone though metrics.json held the calibration, and the missing files said on the
    terminal only."""
    calib = {"method": "temperature", "temperature": 0.5, "ece_before": 0.3, "ece_after": 0.1,
             "n": 30}
    d = _classify_run(tmp_path / "r", cfg=None, calibration=calib)
    with caplog.at_level("WARNING", logger="genemoe"):
        page = _text(write_report(d).read_text())
    assert "None" not in page.split("Data", 1)[0]
    assert "temperature-scaled on validation (T = 0.500" in page
    assert "no config.yaml: the report leaves out the model, preset, seed and epochs" in page
    assert "no model.pt: the report leaves out the bundle's record" in page
    assert f"{d} has no config.yaml" in caplog.text


def test_a_run_without_config_yaml_reads_model_pts_copy(labelled_logreg_run, tmp_path):
    import shutil

    d = tmp_path / "r"
    shutil.copytree(labelled_logreg_run()[0] / "run", d)
    (d / "config.yaml").unlink()
    page = _text(write_report(d).read_text())
    head = page.split("Data", 1)[0]
    assert "logreg · classify · preset" in head and "None" not in head
    assert "reads the model, preset, seed and epochs from model.pt's copy of it" in head


def _survival_run(d):
    """A survival run folder whose validation part has one event."""
    d.mkdir()
    rng = np.random.default_rng(1)
    n = 40
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(n)], "split": ["test"] * n,
                  "cancer_type": np.array(TYPES[:2] * (n // 2)),
                  "time": rng.uniform(10, 3000, n), "event": (np.arange(n) % 3 == 0).astype(int),
                  "risk": rng.normal(size=n)}).to_csv(d / "predictions.tsv", sep="\t", index=False)
    val = {"c_index": None, "c_index_ci": [None, None], "logrank_p": 0.22067, "n": 5,
           "n_events": 1, "c_index_reason": "fewer than 2 events (1)",
           "integrated_brier_score": 0.1343, "ibs_null_reference": 0.1866,
           "ibs_times": [123.0, 2692.5]}
    test = {"c_index": 0.71, "c_index_ci": [0.61, 0.81], "logrank_p": 2.77e-6, "n": n,
            "n_events": 14, "integrated_brier_score": 0.147, "ibs_null_reference": 0.1905,
            "ibs_times": [180.4, 2436.8]}
    (d / "metrics.json").write_text(json.dumps(
        {"val": val, "test": test, "protocol": {"endpoint": "OS"}}))
    (d / "config.yaml").write_text(yaml.safe_dump({"task": "survival", "model": "coxnet",
                                                   "preset": "small", "seed": 0}))
    return d


@pytest.fixture(scope="module")
def survival_page(tmp_path_factory):
    d = _survival_run(tmp_path_factory.mktemp("surv") / "s")
    raw = write_report(d).read_text()
    return raw, _text(raw)


def test_each_integrated_brier_score_has_its_days_and_reference(survival_page):
    """Old behaviour: no window on the page, and the validation part's no-information
    reference left out (val over days 123–2,692, test over 180–2,437)."""
    raw, page = survival_page
    metrics = raw[raw.index('id="metrics"'):]
    assert "123–2,692" in metrics and "180–2,437" in metrics
    assert "IBS of no information" in metrics and "0.187" in metrics  # the validation one
    assert "validation and test scores cover different days" in _text(metrics)
    assert "over days 180–2,437" in page.split("Data", 1)[0]  # the headline's


def test_a_missing_validation_c_index_says_why_and_one_event_shows_no_log_rank_p(survival_page):
    """Old behaviour: "C-index –" with no reason, a blank cell, and log-rank p 0.22 from one
    event."""
    raw, page = survival_page
    head = page.split("Data", 1)[0]
    assert "C-index –: fewer than 2 events (1)" in head
    metrics = _text(raw[raw.index('id="metrics"'):])
    assert "–: fewer than 2 events (1)" in metrics
    assert "0.22" not in metrics and "–: 1 event" in metrics


def test_the_kaplan_meier_caption_says_each_type_is_split_at_its_own_median(survival_page):
    _, page = survival_page
    assert "each cancer type split at its own median risk" in page


def test_kaplan_meier_panels_print_p_to_two_significant_digits(monkeypatch):
    """Old behaviour: "log-rank p=0.188" beside the page's 0.19; "p=1.92e-06"."""
    from genemoe.explain.figures import new_subplots

    fig, axes = new_subplots(1, 2, squeeze=False)
    t = np.arange(1.0, 11.0)
    e = np.ones(10, bool)
    high = np.arange(10) % 2 == 0
    monkeypatch.setattr(plots, "logrank_test", lambda *a: {"p_value": 0.18765})
    plots._km_panel(axes[0, 0], t, e, high, "ACC")
    assert axes[0, 0].get_title() == "ACC: log-rank p=0.19"
    monkeypatch.setattr(plots, "stratified_logrank", lambda *a: {"p_value": 1.9234e-6})
    plots._km_panel(axes[0, 1], t, e, high, "all types", strata=np.array(["A", "B"] * 5))
    assert axes[0, 1].get_title().startswith("all types: log-rank p=1.9e-6")


def test_the_bundles_warnings_are_listed_in_the_data_section():
    """Old behaviour: they were only inside the collapsed "Full preparation record" JSON."""
    from genemoe.report.html import _data_section  # noqa: PLC2701 (the section under test)

    w = ("clinical_survival.tsv.gz: 57 patient(s) with an event status but no time, 1 of them "
         "in this data")
    section = _data_section({"n_samples": 10}, {"warnings": [w, w, "371 negative values "
                                                            "clipped to 0"], "steps": []})
    assert section.count(f"<li>{html.escape(w)}</li>") == 1
    assert "<li>371 negative values clipped to 0</li>" in section


def test_the_horizon_tables_halves_are_said_pooled_over_types(synthetic_bundle, tmp_path):
    """Old behaviour: "higher-risk half" in the horizon table (one median split of all test
    patients) read as the Kaplan–Meier figure's (each type split at its own median)."""
    from genemoe.workflows.train import train_run

    train_run(synthetic_bundle().path, out_dir=tmp_path / "cox", task="survival",
              model_name="coxnet", progress=False)
    page = _text(write_report(tmp_path / "cox").read_text())
    horizons = page[page.index("Survival probability at fixed horizons"):]
    assert "higher-risk half" in horizons
    assert "one median split of the risk over all test patients, cancer types pooled" in horizons
