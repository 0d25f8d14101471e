"""A demo's own page: every model side by side, each run's page linked (`genemoe report DEMO`
refused the folder: "its table and verdict are summary.txt"; the demo linked Gene-MOE's two
run pages only, so no page compared anything)."""

from __future__ import annotations

import html
import json
import re

from genemoe.report.html import report_kind, write_report
from genemoe.workflows import demo
from genemoe.workflows.demo import run_demo


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_demo_writes_a_page_of_every_model(tmp_path, monkeypatch):
    from synthetic_inputs import small_demo_cohort

    monkeypatch.setattr(demo, "_synthetic_bundle", small_demo_cohort)
    out = tmp_path / "demo"
    text = run_demo(out, epochs=1, tune=0, progress=False,
                    models=(("genemoe", "classify"), ("logreg", "classify"),
                            ("coxnet", "survival")))
    lines = text.splitlines()
    said = [ln for ln in lines if ln.startswith("report:")]
    assert len(said) == 1 and str((out / "report.html").resolve()) in said[0]
    assert "(every model side by side; each run's page linked)" in " ".join(text.split())
    record = json.loads((out / "demo.json").read_text())
    assert [(r["name"], r["task"]) for r in record["rows"]] == [
        ("Gene-MOE", "classify"), ("logreg", "classify"), ("coxnet", "survival")]
    assert report_kind(out) == "demo"
    page = (out / "report.html").read_text()
    for run in ("genemoe_classify", "logreg_classify", "coxnet_survival"):
        assert f'href="runs/{run}/report.html"' in page  # each model's own page, linked
        assert (out / "runs" / run / "report.html").is_file()
    words = _text(page)
    assert "Every model side by side" in words and "SYNTHETIC DATA" in words
    assert record["verdict"][0].split(";")[0] in words  # the terminal's verdict
    assert "predictions_from_counts.csv" in words
    # `genemoe report DEMO` writes the same page again
    assert write_report(out) == (out / "report.html").absolute()
    # a demo run again into its folder replaces its record and page, said
    again = run_demo(out, epochs=1, tune=0, progress=False, models=(("logreg", "classify"),))
    assert [r["name"] for r in json.loads((out / "demo.json").read_text())["rows"]] == ["logreg"]
    assert "report:" in again
