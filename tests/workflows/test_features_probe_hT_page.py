"""The `genemoe features` page after outside probe hT: it named the split of the analysed
samples but never said they were held out (the analysis refuses any the run trained or
validated on), and the real-vs-reconstructed caption did not say which samples it shows."""

from __future__ import annotations

import json

from PIL import Image

from genemoe.report.features_page import features_context


def _folder(d):  # noqa: ANN001, ANN202
    """A finished features folder written by hand: summary.json, the two figures."""
    d.mkdir()
    for name in ("correlation_heatmap.png", "real_vs_reconstructed_tsne.png"):
        Image.new("RGB", (4, 4), "white").save(d / name)
    (d / "leading_features.tsv").write_text("rank\tlatent_index\tvariance\n1\t0\t1.0\n")
    summary = {"run": {"path": str(d / "gone"), "kind": "pretrain", "model_name": "genemoe"},
               "bundle": str(d / "no_bundle"), "split": "test", "n_samples": 45,
               "n_available": 45, "n_features": 20, "n_heatmap_genes": 50, "threshold": 0.4,
               "reconstruction": {"embeddings": ["tsne"], "expected_if_mixed": 0.506,
                                  "mixing": {"tsne": {"score": 0.29, "real": 0.5,
                                                      "reconstructed": 0.06}}},
               "figures": [], "notes": [], "seed": 0}
    (d / "summary.json").write_text(json.dumps(summary))
    return d


def test_the_page_says_the_samples_are_held_out(tmp_path):
    ctx = features_context(_folder(tmp_path / "f"), tmp_path / "plots")
    assert "held out: the run never trained or validated on them" in ctx["protocol"]["samples"]
    assert ctx["protocol"]["samples"].startswith("the test split's 45 samples")
    captions = {f.path.name: f.caption for f in ctx["figures"]}
    tsne = captions["real_vs_reconstructed_tsne.png"]
    assert tsne.startswith("t-SNE of the test split's 45 samples (held out) and their "
                           "reconstructions")
    assert captions["correlation_heatmap.png"].endswith("the test split's 45 samples (held out)")
