"""train's terminal names the types whose C-index is degenerate (probe hI): metrics.json had
``types_degenerate_c`` and the summary said nothing of it."""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.survival_flags import backwards_lines


def test_the_terminal_lines_name_the_degenerate_types():
    part = {"types_ranked_backwards": [], "types_degenerate_c": ["ACC", "UVM"]}
    assert backwards_lines(part) == [
        "  test: C degenerate (0 or 1, or risks all the same) in ACC, UVM"]


def test_many_types_fit_one_short_line():
    types = [f"T{i:03d}" for i in range(33)]
    (line,) = backwards_lines({"types_degenerate_c": types}, "val")
    assert len(line) <= 100 and line.startswith("  val: C degenerate")
    shown = line.split(" in ")[1].split(" and ")[0].split(", ")
    assert line.endswith(f" and {33 - len(shown)} more (types_degenerate_c)")


def test_no_line_without_degenerate_types():
    assert backwards_lines({"types_ranked_backwards": []}) == []
    assert backwards_lines(None) == []


def test_score_part_flags_a_type_of_few_pairs_for_the_terminal():
    """End to end from a part: type B's 3 patients ranked perfectly give C 1.000."""
    from genemoe.train.task_data import TaskData
    from genemoe.workflows.common import score_part

    rng = np.random.default_rng(0)
    n = 40
    time = np.r_[rng.uniform(100, 3000, n - 3), [100.0, 200.0, 300.0]]
    event = np.r_[rng.integers(0, 2, n - 3), [1, 1, 0]].astype(float)
    risk = np.r_[rng.normal(size=n - 3), [3.0, 2.0, 1.0]]
    groups = np.array(["A"] * (n - 3) + ["B"] * 3)
    data = TaskData(rows=np.arange(n), X=np.zeros((n, 1), np.float32), y=None, time=time,
                    event=event, groups=groups)
    out = score_part("survival", risk, data, ["A", "B"], n_boot=20)
    assert out["types_degenerate_c"] == ["B"]
    assert "in B" in backwards_lines(out)[-1]
