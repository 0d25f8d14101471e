"""log10(x + 1) of library-size-normalised values (log10(CPM + 1), as some pipelines and
portals export) was read as log2(x + 1): every value log2(10) = 3.32 times too small on
genemoe's log2 scale, unsaid. Their per-sample totals of 10^x − 1 are all one number (the
normalisation's target) where those of 2^x − 1 and e^x − 1 are not: read as log10,
converted to log2(x + 1) and said, as unmarked natural-log values are
(tests/data/test_unmarked_natural_log.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prep_text import step_line
from genemoe.data.read import read_expression
from genemoe.data.values import natural_log_total

N_SAMPLES, N_GENES = 12, 300
GENES = [f"ENSG{i:011d}" for i in range(N_GENES)]
SAMPLES = [f"TCGA-OR-A{i:03d}-01A" for i in range(N_SAMPLES)]


def _cpm(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    depth = rng.uniform(2e4, 2e5, size=(N_SAMPLES, 1))
    profile = rng.gamma(0.4, 1.0, size=(1, N_GENES))
    counts = rng.poisson(depth * profile / profile.sum()).astype(np.float64)
    return counts / counts.sum(1, keepdims=True) * 1e6


def _tsv(path: Path, values: np.ndarray) -> Path:
    frame = pd.DataFrame(values.astype(np.float32).T, index=GENES, columns=SAMPLES)
    frame.index.name = "gene_id"
    frame.to_csv(path, sep="\t")
    return path


def test_unmarked_log10_cpm_is_converted_to_log2_and_said(tmp_path, caplog):
    cpm = _cpm()
    with caplog.at_level("WARNING", logger="genemoe"):
        t = read_expression(_tsv(tmp_path / "log10.tsv", np.log10(cpm + 1)))
    np.testing.assert_allclose(t.values, np.log2(cpm + 1), rtol=1e-5, atol=1e-4)
    assert t.value_kind == "log"
    note = next(n for n in t.notes if n.startswith("values read as log10"))
    assert "per-sample totals of 10^x - 1 all ≈ 1,000,000" in note
    assert f"all {N_SAMPLES * N_GENES:,} multiplied by 3.3219 to log2(x + 1)" in note
    assert any(note in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    line = step_line("read", {"file": str(t.source_path), "shape": list(t.shape),
                              "notes": t.notes, "orientation": t.orientation,
                              "id_kind": t.id_kind, "value_kind": t.value_kind})
    assert "values read as log10: converted to log2(x + 1) (see the warning)" in line
    assert note not in line


@pytest.mark.parametrize("log", [np.log1p, lambda x: np.log2(x + 1)])
def test_other_bases_of_the_same_values_are_not_taken_for_log10(log):
    """ln(CPM + 1) and log2(CPM + 1): their 10^x − 1 totals are not one number."""
    assert natural_log_total(log(_cpm(seed=1)).astype(np.float32), base=10.0) is None


def test_log2_cpm_is_read_as_it_is(tmp_path):
    cpm = _cpm(seed=2)
    t = read_expression(_tsv(tmp_path / "log2.tsv", np.log2(cpm + 1)))
    np.testing.assert_allclose(t.values, np.log2(cpm + 1), rtol=1e-6, atol=1e-5)
    assert not any(n.startswith("values read as") for n in t.notes)
