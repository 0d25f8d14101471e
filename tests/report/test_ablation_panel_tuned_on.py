"""The ablation page's first screen lacked the caveat a benchmark's first screen has: the
preset's values chosen on samples that may sit in these test folds were said in tables.md
only (``ablation_tables``' "Preset values chosen on data" paragraph)."""

from __future__ import annotations

import json
import re
from html import unescape

import pandas as pd


def _ablation_folder(d, protocol):
    from genemoe.workflows.ablation_tables import ablation_tables

    rows = [{"model": m, "repeat": 0, "fold": f, "accuracy": 0.6, "macro_precision": 0.5,
             "macro_recall": 0.5, "macro_f1": 0.5 + 0.02 * f + 0.01 * i, "n_train": 100,
             "n_val": 20, "n_test": 60}
            for i, m in enumerate(("fcn", "moe", "genemoe")) for f in range(2)]
    results = pd.DataFrame(rows)
    results.to_csv(d / "results.csv", index=False)
    text = ablation_tables(results, "classify", n_folds=2, n_repeats=1, seed=0, preset="small",
                           pretrained=None, synthetic=False, protocol=protocol)
    (d / "tables.md").write_text(text)
    (d / "models").mkdir()
    (d / "models" / "protocol.json").write_text(json.dumps(
        {"task": "classify", "models": ["fcn", "moe", "genemoe"], "n_folds": 2, "n_repeats": 1,
         "seed": 0, "preset": "small", "val_fraction": 0.15, **protocol}))
    return d, text


def test_the_ablation_first_screen_carries_the_preset_tuned_on_caveat(tmp_path):
    from genemoe.report.html import write_report

    protocol = {"preset": "small", "preset_tuned_on": {"train.patience": {
        "data": "pancan33", "overlaps_benchmark_test_folds": True,
        "used_by": ["fcn", "genemoe"]}}}
    d, tables = _ablation_folder(tmp_path, protocol)
    assert "Preset values chosen on data" in tables  # tables.md had it; the first screen not
    page = write_report(d).read_text()
    panel = unescape(re.sub(r"<[^>]+>", " ", page[page.index('id="summary"'):
                                                  page.index("</section>")]))
    assert "Preset values chosen on data" in " ".join(panel.split())
