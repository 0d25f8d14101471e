"""Outside probe hAY of pre-training leftovers: a ``genemoe train --pretrained`` run's lines
under the table, the pre-training report page, and the critic-gap note.

``train --pretrained`` on a bundle lacking 15 of the pre-training's 100 genes printed a
155-character line; the page left out ``bundles[].clipped`` and ``loss_weights``; the
critic note fired at a gap of -0.0045 (noise of a 2-epoch run).
"""

from __future__ import annotations

from genemoe.workflows.train_record import pretrained_text

_PRE = {"run": "/tmp/a/rather/long/folder/of/pre-training/runs/P", "model_name": "genemoe",
        "encoder_modules": ["encoder"], "n_tensors": 70, "n_genes_pretrained": 100,
        "n_genes_shared": 85, "n_genes_new": 0, "n_genes_missing": 15, "n_genes_absent": 15,
        "n_genes_filtered": 0}


def test_pretrained_lines_fit_100_characters_and_say_the_same():
    said = pretrained_text(_PRE)
    lines = said.split("\n")[1:]
    assert said.startswith("\n  started from the pre-trained")
    assert max(map(len, lines)) <= 100, [len(line) for line in lines]
    words = " ".join(said.split())
    assert ("15 of the pre-training's 100 genes are not among the model's: 15 absent from the "
            "bundle, 0 removed by its gene filter (metrics.json: protocol.pretrained)") in words
    assert words.endswith("(metrics.json: protocol.pretrained)")
    assert all(line.startswith("  ") for line in lines)  # each under the table, indented
