"""A folder given where a table goes: the fix fits any table (it said "point at the matrix
file itself" of a --labels folder too)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.errors import InputError


def test_a_labels_folder_is_not_called_a_matrix(tmp_path):
    samples = [f"TCGA-OR-{i:04d}-01A-11R-A000-07" for i in range(12)]
    expr = tmp_path / "expr.tsv"
    pd.DataFrame(np.random.default_rng(0).negative_binomial(3, 0.02, size=(30, 12)),
                 index=[f"GENE{i}" for i in range(30)], columns=samples
                 ).rename_axis("gene").to_csv(expr, sep="\t")
    (tmp_path / "labels").mkdir()
    with pytest.raises(InputError) as err:
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[tmp_path / "labels"])
    text = str(err.value)
    assert "is a directory, not a file" in text and "matrix" not in text
    assert str(tmp_path / "labels" / "*.tsv") in text
