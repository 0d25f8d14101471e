"""A refusal of unlabelled samples gives the Python form of its fix beside the flag: a
notebook user read "--drop-unlabelled to drop them" with no flag to pass (probeFF #7)."""

from __future__ import annotations

import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError


def test_the_fix_names_the_python_form(tmp_path):
    files = write_synthetic_files(make_synthetic_cohort(n_samples=40, n_genes=50, n_types=2,
                                                        seed=0), tmp_path / "in")
    labels = pd.read_csv(files["labels"], sep="\t")
    labels.iloc[3:].to_csv(tmp_path / "labels.tsv", sep="\t", index=False)
    with pytest.raises(InputError, match="no cancer-type label") as e:
        prepare_dataset([files["counts"]], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "labels.tsv"],
                        config=PrepareConfig(synthetic=True))
    assert "--drop-unlabelled" in str(e.value)
    assert "Python: config=PrepareConfig(drop_unlabelled=True)" in str(e.value)
