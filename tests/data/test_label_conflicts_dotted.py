"""A sample labelled differently in its dashed and dotted barcode (R's make.names) is refused.

Old behaviour (an outside probe): ``TCGA-OR-A5J1-01A-11R-A29S-07  ACC`` and
``TCGA.OR.A5J1.01A.11R.A29S.07  UVM`` in one label table passed ``prepare`` silently (the
dashed row won when matching); written in one spelling the same conflict was refused
("2 sample(s) listed with different cancer types"). Across two ``--labels`` files too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.tables import agreeing_labels, read_labels
from genemoe.errors import InputError

IDS = [f"TCGA-OR-{i:04d}-01A-11R-A29S-07" for i in range(12)]


def _dotted(s: str) -> str:
    return s.replace("-", ".")


def _counts(path: Path) -> Path:
    rng = np.random.default_rng(0)
    genes = [f"ENSG{i:011d}" for i in range(40)]
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(40, len(IDS))), index=genes,
                 columns=IDS).rename_axis("gene_id").to_csv(path, sep="\t")
    return path


def _labels(path: Path, rows: list[tuple[str, str]]) -> Path:
    pd.DataFrame(rows, columns=["Sample_name", "Target"]).to_csv(path, sep="\t", index=False)
    return path


def test_one_table_with_dashed_and_dotted_rows_of_other_types_is_refused(tmp_path):
    rows = [(s, "ACC (TCGA)") for s in IDS] + [(_dotted(IDS[0]), "UVM (TCGA)"),
                                               (_dotted(IDS[1]), "UVM (TCGA)")]
    lab = _labels(tmp_path / "lab.tsv", rows)
    with pytest.raises(InputError, match=r"(?s)lab\.tsv: 2 sample\(s\) listed with different cancer "
                       rf"types, e\.g\. {IDS[0]} \(also written {_dotted(IDS[0])}\).*fix: give "
                       "each sample one cancer type"):
        read_labels(lab)
    with pytest.raises(InputError, match="listed with different cancer types"):
        prepare_dataset([_counts(tmp_path / "e.tsv")], out_path=tmp_path / "b", label_paths=[lab],
                        config=PrepareConfig(min_variance=0, min_mean=0))


def test_one_spelling_refused_as_before(tmp_path):
    lab = _labels(tmp_path / "lab.tsv", [(s, "ACC") for s in IDS] + [(IDS[3], "UVM")])
    with pytest.raises(InputError, match=rf"1 sample\(s\) listed with different cancer types, "
                                         rf"e\.g\. {IDS[3]}\n"):
        read_labels(lab)


def test_two_tables_naming_one_sample_in_both_spellings_with_other_types_are_refused(tmp_path):
    a = _labels(tmp_path / "a.tsv", [(s, "ACC") for s in IDS])
    b = _labels(tmp_path / "b.tsv", [(_dotted(IDS[5]), "UVM")])
    with pytest.raises(InputError, match=r"1 sample\(s\) labelled differently by the --labels "
                                         rf"files, e\.g\. {IDS[5]} \(also written"):
        agreeing_labels([read_labels(a), read_labels(b)], [a, b])
    with pytest.raises(InputError, match="labelled differently by the --labels files"):
        prepare_dataset([_counts(tmp_path / "e.tsv")], out_path=tmp_path / "x", label_paths=[a, b],
                        config=PrepareConfig(min_variance=0, min_mean=0))


def test_both_spellings_agreeing_pass(tmp_path):
    lab = _labels(tmp_path / "lab.tsv", [(s, "ACC") for s in IDS] + [(_dotted(IDS[0]), "ACC (TCGA)")])
    assert len(read_labels(lab)) == len(IDS) + 1
    b = prepare_dataset([_counts(tmp_path / "e.tsv")], out_path=tmp_path / "b", label_paths=[lab],
                        config=PrepareConfig(min_variance=0, min_mean=0))
    assert set(b.obs["cancer_type"]) == {"ACC"}
