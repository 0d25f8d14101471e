"""Non-whole values gathered in a few samples are whole profiles, not edited cells: a
counts file of 1,000+ samples with one log2 profile pasted in is refused as two scales, as
a small one is (probeY: 1,200 samples read it as counts, the log2 profile through CPM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.read import read_expression
from genemoe.errors import InputError


def _matrix(n_samples: int, n_genes: int = 100) -> np.ndarray:
    """Integer counts ``(n_samples, n_genes)``, every sample reaching 1,000 or more."""
    rng = np.random.default_rng(0)
    lam = np.geomspace(5, 5000, n_genes)
    return rng.poisson(lam * rng.uniform(0.5, 2, (n_samples, 1))).astype(float)


def _write(tmp_path: Path, x: np.ndarray) -> Path:
    ids = [f"TCGA-AA-{i:04d}-01A" for i in range(x.shape[0])]
    genes = pd.Index([f"ENSG{i:011d}" for i in range(x.shape[1])], name="gene_id")
    path = tmp_path / "counts.tsv"
    pd.DataFrame(x.T, index=genes, columns=ids).to_csv(path, sep="\t", float_format="%.6g")
    return path


def test_one_log2_profile_among_1200_count_samples_is_refused_as_two_scales(tmp_path: Path
                                                                           ) -> None:
    x = _matrix(1200)
    x[7] = np.round(np.log2(x[7] + 1), 4)  # ~100 non-whole of ~120,000: under 0.1% overall
    with pytest.raises(InputError, match="two scales in one matrix") as err:
        read_expression(_write(tmp_path, x))  # was counts: 'except 100 ... kept as they are'
    assert "1 of 1,200 samples (TCGA-AA-0007-01A) stays within the log range" in str(err.value)


def test_the_gathered_samples_are_named_when_the_scale_check_is_left(tmp_path: Path) -> None:
    x = _matrix(1200)
    x[7] = np.round(np.log2(x[7] + 1), 4)
    table = read_expression(_write(tmp_path, x), one_scale=False)
    assert table.value_kind == "linear"  # as a 200-sample file with that profile reads
    note = next(n for n in table.notes if "gathered in" in n)
    assert "gathered in 1 sample(s)" in note and "'TCGA-AA-0007-01A'" in note
    assert "not read as counts" in note


def test_a_few_edited_cells_in_one_sample_of_many_stay_counts(tmp_path: Path) -> None:
    x = _matrix(1200)
    x[5, [3, 40, 77]] = [12.5, 3.25, 7.5]  # three edits in one sample: still edited cells
    x[900, 10] = 2.5
    table = read_expression(_write(tmp_path, x))
    assert table.value_kind == "counts"
    assert any("except 4 of the" in n and "kept as they are" in n for n in table.notes)


def test_gathered_nonwhole_finds_the_profile_not_the_edits() -> None:
    from genemoe.data.values import gathered_nonwhole  # new: the tests above fail without it

    x = np.full((600, 50), 9.0)
    x[2, :] = 3.17  # a whole profile not whole
    x[10, :2] = 1.5  # two edits: under N_CELLS_SHOWN
    x[599, :30] = 0.0
    x[599, 30:] = 0.5  # 20 of its 20 non-zero values, in the second block of rows
    found = gathered_nonwhole(x, rows=512)
    assert [(s, g) for s, g, _, _ in found] == [(2, 0), (599, 30)]
    assert found[0][2] == pytest.approx(3.17) and found[1][3] == 1.0
