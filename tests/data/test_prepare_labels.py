"""prepare's labels: empty label columns, label tables of other samples, tiny classes."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.prepare import PrepareConfig, prepare_dataset


def _counts(path: Path, barcodes: list[str], seed: int = 0) -> Path:
    """A small genes × samples counts file of ``barcodes``."""
    rng = np.random.default_rng(seed)
    genes = [f"ENSG{i:011d}" for i in range(40)]
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(40, len(barcodes))), index=genes,
                 columns=barcodes).rename_axis("gene_id").to_csv(path, sep="\t")
    return path


def _barcodes(tss: str, n: int) -> list[str]:
    return [f"TCGA-{tss}-{i:04d}-01A-11R-A000-07" for i in range(n)]


def test_an_empty_label_column_is_counted_said_and_raises_no_pandas_warning(tmp_path):
    """Old behaviour (an outside probe): a label table whose cancer-type column is empty,
    with --cancer-type, printed pandas' "FutureWarning: Setting an item of incompatible
    dtype" (pandas 3 will raise), and the empty labels were not counted or said."""
    ids = _barcodes("OR", 12)
    expr = _counts(tmp_path / "base.tsv", ids)
    (tmp_path / "lab_empty.tsv").write_text("sample\tcancer_type\n" + "".join(f"{s}\t\n" for s in ids))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[tmp_path / "lab_empty.tsv"],
                            config=PrepareConfig(cancer_type="ACC"))
    assert set(b.obs["cancer_type"]) == {"ACC"}
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    assert step["label_rows_without_cancer_type"] == {"lab_empty.tsv": 12}
    assert step["sources"] == {"--cancer-type": 12}
    said = [w for w in b.record["warnings"] if w.startswith("lab_empty.tsv: 12 of its 12 rows have an empty cancer type")]
    assert said and said == [w for w in b.summary["warnings"] if w.startswith("lab_empty.tsv")]
