"""htseq-count ``--additional-attr gene_name`` output (gene id, gene name, count; its
``__no_feature`` ... rows with an empty name cell) is read by ``--quant-dir``: it was "no
per-sample quantification files found"."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.quant_dir import assemble_quant_dir, find_quant_files

_SUMMARY = {"__no_feature": 10, "__ambiguous": 5, "__too_low_aQual": 1, "__not_aligned": 2,
            "__alignment_not_unique": 40}


def _write(path: Path, genes: list[str], counts: np.ndarray, *, header: bool = False) -> None:
    """As htseq-count writes it with --additional-attr gene_name (and --with-header)."""
    lines = ["\tgene_name\t" + path.stem + ".bam"] if header else []
    lines += [f"{g}\tSYM{i}\t{int(c)}" for i, (g, c) in enumerate(zip(genes, counts, strict=True))]
    lines += [f"{k}\t\t{v}" for k, v in _SUMMARY.items()]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("header", [False, True])
def test_htseq_with_gene_names_is_joined(tmp_path: Path, header: bool) -> None:
    rng = np.random.default_rng(0)
    genes = [f"ENSG{i:011d}" for i in range(30)]
    counts = rng.integers(0, 500, size=(3, 30))
    folder = tmp_path / "htseq"
    folder.mkdir()
    for s in range(3):
        _write(folder / f"S{s}.counts.txt", genes, counts[s], header=header)
    kind, files, _ = find_quant_files(folder)
    assert kind == "htseq" and sorted(files) == ["S0", "S1", "S2"]
    path, record = assemble_quant_dir(folder, tmp_path / "joined")
    joined = pd.read_csv(path, sep="\t", index_col=0)
    assert list(joined.index) == genes  # no __ rows, no header row taken for a gene
    np.testing.assert_array_equal(joined[["S0", "S1", "S2"]].to_numpy(), counts.T)
    saved = json.loads((tmp_path / "joined" / "joined.json").read_text())
    assert saved["value_column"] == "column 3"
    assert saved["summary_rows"]["__alignment_not_unique"] == 120


def test_three_column_table_without_htseq_rows_is_not_htseq(tmp_path: Path) -> None:
    """A gene, name, value table with no ``__`` rows is no HTSeq-count file."""
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "S0.txt").write_text("ENSG00000000003\tTSPAN6\t0.5\nENSG00000000005\tTNMD\t1.5\n")
    with pytest.raises(Exception, match="no per-sample quantification files"):
        find_quant_files(folder)
