"""The demo's survival verdict says a degenerate within-type C-index (helper hJ, item 1).

Old behaviour: "within cancer types 1.000 vs 0.519", the 1.000 flagged degenerate in the
run's metrics.json (``within_type_c_index_degenerate``) said as if a perfect ranking.
"""

from __future__ import annotations

from pathlib import Path

from genemoe.workflows.demo import DemoRow, verdict


def _row(tmp_path: Path, model: str, c: float, **test) -> DemoRow:
    d = tmp_path / model
    d.mkdir()  # no predictions.tsv: no paired bootstrap, the verdict's other words stay
    return DemoRow(model, "survival", d, {"c_index": c, **test}, 0.8, 1.0)


def test_the_demo_says_a_degenerate_within_type_c(tmp_path):
    rows = [_row(tmp_path, "genemoe", 0.61, within_type_c_index=0.519),
            _row(tmp_path, "coxnet", 0.66, within_type_c_index=1.0,
                 within_type_c_index_degenerate=True,
                 within_type_c_index_reason="degenerate: C 1.000")]
    text = " ".join(verdict(rows, synthetic=True).split())
    assert ("within cancer types 1.000 (degenerate: every pair in one order) vs 0.519"
            in text), text


def test_a_plain_within_type_c_is_said_as_before(tmp_path):
    rows = [_row(tmp_path, "genemoe", 0.61, within_type_c_index=0.519),
            _row(tmp_path, "coxnet", 0.66, within_type_c_index=0.599)]
    assert "within cancer types 0.599 vs 0.519" in " ".join(verdict(rows, synthetic=True).split())
