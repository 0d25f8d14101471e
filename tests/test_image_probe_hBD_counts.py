"""Counts on the report pages carry their thousands separator, through one helper
(:func:`genemoe.report.html_parts.cell_text`): the run page's image row read
``pixels empty 3996`` beside ``3,996`` on the terminal; the data table's ``n_samples`` and
the tables' integer columns were bare too. Seeds stay as given (an identifier, not a count).

The run folder is written by hand (metrics.json, predictions.tsv, config.yaml): no model
is trained, the report only reads them."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import yaml

from genemoe.report.html import write_report
from genemoe.report.html_parts import cell_text, html_table, kv_table

TYPES = ["ACC", "BRCA"]


def _text(page: str) -> str:
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_cell_text_counts_and_tables():
    assert cell_text(3996) == "3,996"
    assert cell_text(np.int64(11069)) == "11,069"
    assert cell_text({"train": 7001, "test": 12}) == "train 7,001 · test 12"
    assert cell_text(True) == "yes" and cell_text(np.bool_(False)) == "no"
    assert "<td>56,537</td>" in kv_table({"n_genes": 56537})
    table = html_table(pd.DataFrame({"cancer type": ["BRCA"], "samples": [1100],
                                     "seed": [20240]}))
    assert "<td>1,100</td>" in table and "<td>20240</td>" in table


def test_run_page_image_row_and_seeds(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    n = 20
    true = np.array(TYPES * (n // 2))
    probs = np.random.default_rng(0).dirichlet(np.ones(2), n)
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(n)], "split": ["test"] * n,
                  "cancer_type": true, "predicted_type": true,
                  **{f"prob_{t}": probs[:, i] for i, t in enumerate(TYPES)}}).to_csv(
        d / "predictions.tsv", sep="\t", index=False)
    per = {t: {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 10, "predicted": 10}
           for t in TYPES}
    part = {"accuracy": 1.0, "macro_precision": 1.0, "macro_recall": 1.0, "macro_f1": 1.0,
            "weighted_f1": 1.0, "n": n, "per_class": per}
    image = {"grid": "64 x 64", "image_size": "64 x 64", "genes_per_pixel_max": 1,
             "pixels_used": 100, "pixels_empty": 3996, "layout": "reshape"}
    metrics = {"val": dict(part), "test": part,
               "protocol": {"n": {"train": 7001, "val": 30, "test": n}, "image": image}}
    (d / "metrics.json").write_text(json.dumps(metrics))
    (d / "config.yaml").write_text(yaml.safe_dump({"task": "classify", "model": "hybrid_cnn",
                                                   "seed": 12345}))
    text = _text(write_report(d).read_text())
    assert "pixels empty 3,996" in text, text
    assert "pixels empty 3996" not in text
    assert "train 7,001" in text
    assert "run seed 12345" in text  # a seed is not a count
