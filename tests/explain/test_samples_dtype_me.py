"""explain's samples.tsv writes its three change columns at one precision."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.explain.api import explain_run


def test_output_change_is_the_attributions_sum_at_full_precision(moe_and_cox_runs, tmp_path):
    """Old behaviour: ``output_change`` and ``delta`` were float32 (8 digits in the file)
    beside ``live_change`` float64 (17): output_change + delta missed the attributions' sum
    by float32 rounding."""
    d, b = moe_and_cox_runs
    out = tmp_path / "ex"
    explain_run(d / "cox", data=b.path, out_dir=out, max_samples_per_class=2, n_steps=8,
                max_steps=8, progress=False, max_maps=0)
    table = pd.read_csv(out / "samples.tsv", sep="\t")
    attr = np.load(out / "attributions.npy").astype(np.float64)
    np.testing.assert_allclose(table["output_change"] + table["delta"], attr.sum(1),
                               rtol=1e-12, atol=1e-15)


def test_the_files_written_are_one_line(moe_and_cox_runs, tmp_path):
    """Old behaviour: seven lines, ``wrote genes_by_class.csv``, ``wrote attributions.npy``,
    ... one per file, under the rankings."""
    d, b = moe_and_cox_runs
    res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "ex", max_samples_per_class=2,
                      n_steps=8, max_steps=8, progress=False, max_maps=0)
    text = res.describe()
    assert [ln for ln in text.splitlines() if ln.startswith("  wrote ")] == [
        next(ln for ln in text.splitlines() if ln.startswith("  wrote genes_by_class.csv, "))]
    assert "samples.tsv, genes.tsv" in text and "\n  wrote samples.tsv" not in text
