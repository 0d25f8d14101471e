"""Figures and arrays are written whole, then renamed into place (ground rule: writes are
atomic). Old behaviour (an outside probe, read in the code): ``savefig`` and ``np.save``
wrote straight into the final file, so a stop mid-write left a cut PNG or array."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from genemoe.explain.figures import new_subplots
from genemoe.report.plots import save_figure
from genemoe.report.tuning_plots import plot_search


def _failing_savefig(monkeypatch) -> None:
    def cut(self, path, **kw):  # half a file, then the stop
        Path(path).write_bytes(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", cut)


def test_a_figure_stopped_mid_write_leaves_the_old_one(tmp_path, monkeypatch):
    out = tmp_path / "plots" / "a.png"
    fig, ax = new_subplots()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, out)
    whole = out.read_bytes()
    assert whole.startswith(b"\x89PNG") and len(whole) > 1000
    _failing_savefig(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        save_figure(fig, out)
    assert out.read_bytes() == whole and sorted(p.name for p in out.parent.iterdir()) == ["a.png"]


def test_the_search_plot_is_written_whole(tmp_path, monkeypatch):
    import pandas as pd

    trials = pd.DataFrame({"number": [0, 1], "value": [0.5, 0.6], "state": ["COMPLETE"] * 2})
    _failing_savefig(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        plot_search(trials, tmp_path / "search.png", metric="validation macro_f1")
    assert list(tmp_path.iterdir()) == []

