"""Label tables and expression in different barcode spellings still join."""

from __future__ import annotations

import pandas as pd
import pytest
from test_dotted_barcodes import _dotted_cohort, _prepare

from genemoe.data.bundle import load_bundle


@pytest.mark.parametrize("labels_dashed", [True, False])
def test_labels_in_the_other_spelling_still_label_the_samples(tmp_path, labels_dashed):
    """Old behaviour: dashed labels beside dotted expression (R-written matrix, portal labels)
    were refused: "none of its 16 sample ids names a sample of the expression"."""
    expr, labels = _dotted_cohort(tmp_path)
    if not labels_dashed:  # the expression dashed, the labels dotted
        m = pd.read_csv(expr, sep="\t", index_col=0)
        m.columns = [c.replace(".", "-") for c in m.columns]
        m.to_csv(expr, sep="\t")
    else:
        t = pd.read_csv(labels, sep="\t")
        t["sample"] = t["sample"].str.replace(".", "-")
        t.to_csv(labels, sep="\t", index=False)
    _prepare("--expression", expr, "--labels", labels, "--out", tmp_path / "b")
    b = load_bundle(tmp_path / "b")
    assert b.summary["cancer_types"] == {"ACC": 6, "UVM": 6}
    steps = {s["step"]: s for s in b.record["steps"]}
    assert steps["labels"]["sources"] == {"label table": 15}
    assert steps["labels"]["barcodes_respelt"] == (0 if labels_dashed else 15)
    assert steps["select_samples"]["barcodes_respelt"] == (15 if labels_dashed else 0)
