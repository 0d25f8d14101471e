"""Numbers as people read them (genemoe.report.text): one rule for terminal and report."""

from __future__ import annotations

import math

import pytest

from genemoe.report.text import (
    fmt_ci,
    fmt_count,
    fmt_mean_sd,
    fmt_p,
    fmt_seconds,
    fmt_value,
    text_table,
    wilson_interval,
)


@pytest.mark.parametrize(("p", "text"), [
    (0.016008710284174055, "0.016"), (0.0023, "0.0023"), (2.34e-4, "2.3e-4"), (1.2e-10, "1.2e-10"),
    (0.5, "0.50"), (0.1042, "0.10"), (0.01, "0.010"), (0.999, "1"), (1e-300, "< 1e-16"), (float("nan"), "–"), (None, "–"),
])
def test_p_values_to_two_significant_digits(p, text):
    assert fmt_p(p) == text


def test_metrics_and_intervals_to_three_decimals():
    # the example: C-index 0.593 [0.5014307773617926, 0.6813270372860464]
    assert fmt_value(0.59312) == "0.593"
    assert fmt_ci([0.5014307773617926, 0.6813270372860464]) == "[0.501, 0.681]"
    assert fmt_ci(None) == "" and fmt_ci([float("nan"), 0.7]) == ""
    assert fmt_value(None) == "–" and fmt_value(float("nan")) == "–"
    assert fmt_count(56537) == "56,537"
    assert fmt_mean_sd([0.8, 0.9, 1.0]) == "0.900 ± 0.100" and fmt_mean_sd([0.5]) == "0.500"
    assert fmt_seconds(8.4) == "8 s" and fmt_seconds(125) == "2 min 05 s"


def test_wilson_interval_worked_by_hand():
    # p = 0.81, n = 100, z = 1.96: centre (0.81 + 1.9208e-2) / 1.038416 = 0.79855,
    # half 1.96 * sqrt(0.81 * 0.19 / 100 + 3.8416 / 40000) / 1.038416 = 0.07632
    lo, hi = wilson_interval(81, 100)
    assert lo == pytest.approx(0.72223, abs=1e-4) and hi == pytest.approx(0.87485, abs=1e-4)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and 0 < hi < 0.31  # never below 0, unlike the Wald interval
    assert wilson_interval(3, 0) is None and math.isclose(wilson_interval(10, 10)[1], 1.0)


def test_text_table_is_plain_aligned_and_compact():
    out = text_table(["split", "n", "accuracy"], [["val", "89", "0.719"], ["test", "174", "0.621"]],
                     title="run", caption="  note", right=["n", "accuracy"])
    lines = out.splitlines()
    assert lines[0] == "run" and lines[-1] == "  note" and len(lines) == 6
    assert "\x1b[" not in out  # no colour codes in what describe() returns
    assert lines[3].endswith("89      0.719") and lines[4].endswith("174      0.621")


def test_the_search_plots_legend_hides_no_trial(tmp_path, monkeypatch):
    """Old behaviour: the legend sat at lower right inside the axes, over the worst trial
    whenever that trial came last."""
    import pandas as pd

    from genemoe.report import tuning_plots

    figs, real = [], tuning_plots.new_subplots

    def keep(*args, **kwargs):
        fig, ax = real(*args, **kwargs)
        figs.append(fig)
        return fig, ax

    monkeypatch.setattr(tuning_plots, "new_subplots", keep)
    trials = pd.DataFrame({"number": range(6), "state": ["COMPLETE"] * 6,
                           "value": [0.80, 0.82, 0.85, 0.84, 0.86, 0.40]})
    tuning_plots.plot_search(trials, tmp_path / "s.png")
    fig = figs[0]
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    points = ax.transData.transform(trials[["number", "value"]].to_numpy(float))
    assert not any(legend.contains(x, y) for x, y in points)


def test_drawing_figures_leaves_the_callers_matplotlib_backend_alone(tmp_path):
    """Importing genemoe's figure modules called ``matplotlib.use("Agg")``: a notebook's
    backend (inline, or here svg) was switched for the rest of its session."""
    import subprocess
    import sys

    code = f"""
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
import pandas as pd
from genemoe.report import html, plots, tuning_plots, feature_plots, pretrain_page
from genemoe.explain import figures
tuning_plots.plot_search(pd.DataFrame({{"number": [0, 1], "state": ["COMPLETE"] * 2,
                                       "value": [0.5, 0.6]}}), {str(tmp_path / "s.png")!r})
print(matplotlib.get_backend(), len(plt.get_fignums()))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["svg", "0"]
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
