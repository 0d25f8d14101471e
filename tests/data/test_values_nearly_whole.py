"""A counts file stays counts with a few edited cells; negative counts are named by cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.read import read_expression
from genemoe.data.values import ValueStats, estimated_counts_note, nearly_whole, percent
from genemoe.errors import InputError


def _counts(tmp_path: Path, edits: dict[tuple[int, int], float], n_genes: int = 300,
            n_samples: int = 40) -> Path:
    """Integer counts, genes x samples, with ``edits`` (gene, sample) -> value written in."""
    rng = np.random.default_rng(0)
    x = rng.poisson(60, (n_genes, n_samples)).astype(float)
    for (g, s), v in edits.items():
        x[g, s] = v
    m = pd.DataFrame(x, index=pd.Index([f"ENSG{i:011d}" for i in range(n_genes)], name="gene_id"),
                     columns=[f"TCGA-OR-{1000 + i:04d}-01A" for i in range(n_samples)])
    path = tmp_path / "counts.tsv"
    m.to_csv(path, sep="\t", float_format="%g")
    return path


def test_two_non_whole_cells_leave_a_counts_file_counts_and_are_named(tmp_path: Path) -> None:
    path = _counts(tmp_path, {(7, 3): 12.5, (9, 1): 3.25})
    table = read_expression(path)
    assert table.value_kind == "counts"  # was linear: log2(x + 1), no library-size scaling
    note = next(n for n in table.notes if n.startswith("values:"))
    assert "except 2 of the 12,000 non-zero values" in note
    assert "row 'ENSG00000000007'), column 'TCGA-OR-1003-01A' (12.5)" in note
    assert "row 'ENSG00000000009'), column 'TCGA-OR-1001-01A' (3.25)" in note
    assert "kept as they are" in note and "100%" not in note
    assert table.values[3, 7] == pytest.approx(12.5)  # kept, not rounded


def test_many_non_whole_values_are_not_counts(tmp_path: Path) -> None:
    edits = {(g, s): 10.5 for g in range(0, 300, 10) for s in range(40)}  # 1,200 of 12,000
    assert read_expression(_counts(tmp_path, edits)).value_kind == "linear"


def test_nearly_whole_threshold() -> None:
    stats = ValueStats()
    block = np.full((10, 1000), 5.0)
    block[0, 0] = 5.5
    stats.update(block, 0, 0)
    assert not stats.integer and stats.n_nonwhole == 1 and nearly_whole(stats)
    block[1, :20] = 2.5  # 21 of 10,000: over 0.1%
    fresh = ValueStats()
    fresh.update(block, 0, 0)
    assert fresh.n_nonwhole == 21 and not nearly_whole(fresh)
    assert fresh.first_nonwhole[0] == (0, 0, 5.5) and len(fresh.first_nonwhole) == 3


def test_negative_counts_are_refused_naming_their_cells(tmp_path: Path) -> None:
    path = _counts(tmp_path, {(7, 3): -5, (9, 1): -3})
    with pytest.raises(InputError) as err:
        read_expression(path)
    text = str(err.value)
    assert "2 value(s) are negative (minimum -5)" in text
    assert "row 'ENSG00000000007'), column 'TCGA-OR-1003-01A' (-5)" in text
    assert "row 'ENSG00000000009'), column 'TCGA-OR-1001-01A' (-3)" in text


def test_shares_never_round_to_100_percent() -> None:
    assert percent(0.9998) == "99.98%" and percent(1.0) == "100%" and percent(0.5) == "50%"
    assert "100%" not in estimated_counts_note((0.9996, False))
