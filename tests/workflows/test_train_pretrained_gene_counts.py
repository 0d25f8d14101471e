"""`genemoe train --pretrained` counts the pre-training's genes the model lacks apart: absent
from the bundle, or removed by its gene filter (a probe: "262 ... are not in this bundle",
219 of them in it and filtered); metrics.json keeps both counts."""

from __future__ import annotations

import json

from genemoe.workflows.train import train_run


def test_metrics_keep_the_absent_and_filtered_counts(tiny_pretrained, tmp_path):
    bundle, cfg, run = tiny_pretrained
    res = train_run(bundle.path, out_dir=tmp_path / "ft", model_name="genemoe", config_path=cfg,
                    pretrained=run, epochs=1, device="cpu", progress=False)
    pre = json.loads((res.out_dir / "metrics.json").read_text())["protocol"]["pretrained"]
    assert pre["n_genes_absent"] == 0 and pre["n_genes_filtered"] == 0
