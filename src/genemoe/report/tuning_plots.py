"""The plot of a hyper-parameter search, drawn from its trials table (``trials.csv``)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from genemoe.data.bundle import atomic_file
from genemoe.explain.figures import new_subplots

__all__ = ["plot_search"]

log = logging.getLogger(__name__)


def plot_search(trials: pd.DataFrame, path: Path | str, *, metric: str = "validation metric",
                title: str | None = None) -> Path | None:
    """Validation value of each trial and the best so far, saved to ``path`` (PNG).

    Parameters
    ----------
    trials
        One row per trial with ``number``, ``state`` and ``value`` (higher is better),
        as :func:`genemoe.train.tuning.trials_table` writes it; with ``in_budget``, the
        best so far is the budget's (the trials the best is chosen from), and a finished
        trial beyond the budget is drawn apart, not a candidate (the line climbed to it,
        above the best the title, best.yaml and the terminal said). A pruned trial is
        drawn at its ``value`` (Optuna's: the last value it reported as the pruner stopped
        it); a trial without one (failed, interrupted, pruned before training) on the
        bottom edge.
    path
        Where the figure goes.
    metric, title
        Y-axis label and figure title.

    Returns
    -------
    Path or None
        The saved path; None when no trial finished.
    """
    done = trials[(trials["state"] == "COMPLETE") & trials["value"].notna()].sort_values("number")
    if done.empty:
        log.info("no finished trial: no search plot")
        return None
    counted = done["in_budget"].astype(bool) if "in_budget" in done else np.ones(len(done), bool)
    fig, ax = new_subplots(figsize=(7.6, 4.0))
    ax.scatter(done["number"][counted], done["value"][counted], s=22, color="tab:blue",
               label="trial", zorder=3)
    if not counted.all():  # finished after the budget was met: never the best
        ax.scatter(done["number"][~counted], done["value"][~counted], s=22, facecolors="none",
                   edgecolors="tab:blue", label="beyond the budget\n(not a candidate)", zorder=3)
    best = np.maximum.accumulate(done["value"][counted].to_numpy(float))
    if len(best):
        ax.step(done["number"][counted], best, where="post", color="tab:orange",
                label="best so far")
    _draw_unfinished(ax, trials)
    ax.set_xlabel("trial")
    ax.set_ylabel(metric)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title or f"search: {len(done)} finished trials"
                 + (f", best {best[-1]:.3f}" if len(best) else ""))
    ax.grid(alpha=0.3)
    # beside the axes: inside, at lower right, it hid the worst trial when that came last
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    fig.tight_layout()
    path = Path(path)
    with atomic_file(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    return path


def _draw_unfinished(ax: Axes, trials: pd.DataFrame) -> None:
    """Pruned trials at their value (the last one each reported as the pruner stopped it),
    and the unfinished trials without one (failed, interrupted, pruned before training) on
    the bottom edge, each said in the legend: all of them were drawn at the worst finished
    value's height, which a pruned trial's own value was not."""
    unfinished = trials[trials["state"].isin(["PRUNED", "FAIL", "INTERRUPTED"])]
    value = pd.to_numeric(unfinished["value"], errors="coerce")
    valued = (unfinished["state"] == "PRUNED") & value.notna()
    if valued.any():
        ax.scatter(unfinished["number"][valued], value[valued], marker="x", color="tab:red",
                   label="pruned (its last\nreported value)", zorder=2)
    if (~valued).any():  # x in data, y on the axes' bottom edge
        ax.plot(unfinished["number"][~valued], np.full(int((~valued).sum()), 0.0),
                linestyle="none", marker="x", color="grey", clip_on=False, zorder=2,
                transform=blended_transform_factory(ax.transData, ax.transAxes),
                label="no value: failed,\ninterrupted or untrained\n(on the bottom edge)")
