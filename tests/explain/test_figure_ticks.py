"""Explanation figures' value axes: readable tick labels where attributions are small."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_small_attributions_tick_labels_do_not_run_into_one_another(tmp_path, monkeypatch):
    """Old behaviour: top_genes.png's narrow panels read "0.00000.00010.0002..."."""
    import matplotlib.figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from genemoe.explain.figures import top_genes_figure

    figs = []
    real = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (figs.append(self), real(self, *a, **k))[1])
    classes = ["ACC", "CHOL", "DLBC", "KICH", "UCS", "UVM"]
    ranking = pd.DataFrame({"class": np.repeat(classes, 10), "rank": np.tile(np.arange(1, 11), 6),
                            "gene_id": [f"g{i}" for i in range(60)],
                            "symbol": [f"GENE{i}" for i in range(60)],
                            "mean_attribution": np.tile(np.linspace(2.3e-4, 1.1e-4, 10), 6),
                            "n_samples": 12})
    top_genes_figure(ranking, tmp_path / "t.png", top=10)
    fig = figs[0]
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes[:len(classes)]:
        labels = [t for t in ax.get_xticklabels() if t.get_text() and t.get_visible()]
        lo, hi = ax.get_xlim()
        labels = [t for t in labels if lo <= t.get_position()[0] <= hi]
        assert 2 <= len(labels) <= 4, [t.get_text() for t in labels]
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda bb: bb.x0)
        assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:], strict=False)), (
            [t.get_text() for t in labels])
