"""A tune page's "Best trials" (an outside probe, hAX): a pruned trial, ranked by its
part-way value, stood first among the finished ones."""

from __future__ import annotations

import json
import re

from genemoe.report.html import write_report


def _tune_dir(d):
    d.mkdir()
    (d / "summary.json").write_text(json.dumps({
        "model": "fcn", "task": "survival", "metric": "partial_likelihood",
        "best_value": -2.33, "n_trials_asked": 4}))
    (d / "best.yaml").write_text("model:\n  fcn: {}\n")
    (d / "trials.csv").write_text(
        "number,state,value,seconds,in_budget,train.lr\n0,COMPLETE,-2.43,1.0,True,0.001\n"
        "1,PRUNED,-2.0,0.5,True,0.002\n2,COMPLETE,-2.33,1.0,True,0.003\n"
        "3,FAIL,,0.1,True,0.004\n")
    return d


def test_a_tune_pages_best_trials_rank_the_finished_ones_before_a_pruned_one(tmp_path):
    page = write_report(_tune_dir(tmp_path / "tune")).read_text()
    best = page[page.index(">Best trials</h3>"):page.index("Every trial of the study")]
    numbers = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>", best)
    # old: 1 (pruned, -2.0 part-way) ranked first, above the finished -2.33
    assert numbers == [("2", "COMPLETE"), ("0", "COMPLETE"), ("1", "PRUNED (part-way value)"),
                       ("3", "FAIL")], numbers
    assert "value is the last it reported part-way" in best
