"""The real-vs-reconstructed figure of `genemoe features` after outside probe hT: its
"source" legend was added with ``ax.add_artist``, which the saved PNG's tight box leaves
out, so "reconstructed" was cut to "reconstruct" at the image's right edge."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from genemoe.report.feature_plots import plot_real_vs_reconstructed


def test_the_source_legend_is_not_cut_at_the_right_edge(tmp_path):
    """A whole figure keeps the tight box's blank padding on every side; the cut one had
    the legend's text and frame in its last pixel columns."""
    rng = np.random.default_rng(0)
    n = 30
    table = pd.DataFrame({"cancer_type": np.repeat(["ACC", "KICH", "UVM"], n // 3).tolist() * 2,
                          "source": ["real"] * n + ["reconstructed"] * n,
                          "x": rng.normal(size=2 * n), "y": rng.normal(size=2 * n)})
    png = plot_real_vs_reconstructed(table, out_path=tmp_path / "emb.png", score=0.3)
    grey = np.asarray(Image.open(png).convert("L"))  # (height, width), 255 white
    assert grey[:, -5:].min() == 255, "something is drawn into the right padding (cut off)"
    assert grey[:, :5].min() == 255
