"""Gene rows whose ids differ only in case are refused without ``--annotation`` too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.errors import InputError


def _inputs(tmp_path: Path, genes: list[str], seed: int) -> tuple[Path, Path]:
    """A counts file of ``genes`` × 12 barcoded samples and its two-type label table."""
    samples = [f"TCGA-{'OR' if i % 2 else 'VD'}-{i:04d}-01A-11R-A000-07" for i in range(12)]
    rng = np.random.default_rng(seed)
    expr = tmp_path / "expr.tsv"
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(len(genes), len(samples))), index=genes,
                 columns=samples).rename_axis("gene").to_csv(expr, sep="\t")
    labels = tmp_path / "l.tsv"
    labels.write_text("sample\tcancer_type\n" + "".join(
        f"{s}\t{('ACC', 'UVM')[i % 2]}\n" for i, s in enumerate(samples)))
    return expr, labels


def test_case_only_repeats_refused_without_annotation(tmp_path):
    """Old behaviour: with no annotation ``GENE5`` and ``gene5`` were kept as two genes,
    unsaid (with one, the same pair was refused naming both rows)."""
    expr, labels = _inputs(tmp_path, [f"GENE{i}" for i in range(30)] + ["gene5"], seed=0)
    with pytest.raises(InputError) as err:
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels])
    text = str(err.value)
    assert "'GENE5' and 'gene5'" in text and "differ only in case" in text
    assert "expr.tsv" in text and "keep one row" in text


def test_distinct_genes_without_annotation_still_prepare(tmp_path):
    """Genes that differ by more than case are kept (no false refusal)."""
    expr, labels = _inputs(tmp_path, [f"GENE{i}" for i in range(30)], seed=1)
    bundle = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels])
    assert bundle.n_genes == 30
