"""Duplicate sample and gene ids: refused with the first repeated id, the lines (ids as rows)
or columns (ids in the header) where it stands, 1-based with the header line counted, how
many ids repeat, and the fix, in both orientations and in gzip files.

Old behaviour (outside probe): "2 duplicate gene identifier(s), e.g. [...]", no line or column."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.id_checks import numbered
from genemoe.data.read import read_expression
from genemoe.errors import InputError

S = [f"TCGA-A{i}-000{i}-01A" for i in range(4)]
G = [f"ENSG0000000000{i}" for i in range(6)]


def _write(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _matrix(rows: list[str], cols: list[str], corner: str | None = "gene") -> str:
    head = ([corner] if corner is not None else []) + cols
    body = [f"{r}\t" + "\t".join(str(10 * i + j) for j in range(len(cols))) for i, r in enumerate(rows)]
    return "\n".join(["\t".join(head), *body]) + "\n"


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_expression(path)
    return info.value


@pytest.mark.parametrize("name", ["g.tsv", "g.tsv.gz"])
def test_duplicate_genes_as_rows_name_their_lines(tmp_path, name):
    """Genes × samples: a gene on lines 3 and 6 (header = line 1), one on lines 4 and 7;
    an STAR summary row between them does not shift the count."""
    rows = [G[0], G[1], G[2], "N_unmapped", G[1], G[2], G[3]]
    err = _error(_write(tmp_path / name, _matrix(rows, S)))
    text = str(err)
    assert text.startswith(str(tmp_path / name) + ": ")
    assert err.where == f"gene {G[1]!r} at lines 3 and 6"
    assert "2 duplicate gene identifier(s)" in err.problem
    assert err.fix == ("make gene identifiers unique before reading (sum the rows of one gene, "
                       "or drop the extra ones)")


@pytest.mark.parametrize("name", ["s.tsv", "s.tsv.gz"])
def test_duplicate_samples_as_columns_name_their_columns(tmp_path, name):
    """Genes × samples: the sample heads columns 3 and 5 of the header (the id column is 1)."""
    err = _error(_write(tmp_path / name, _matrix(G[:3], [S[0], S[1], S[2], S[1]])))
    assert err.where == f"sample {S[1]!r} at columns 3 and 5 of line 1 (the header)"
    assert "1 duplicate sample identifier(s)" in err.problem
    assert "drop a repeated sample, or rename different samples" in err.fix


def test_samples_by_genes_duplicate_samples_as_rows_and_genes_as_columns(tmp_path):
    """Samples × genes: the same two checks on the other axes."""
    err = _error(_write(tmp_path / "sr.tsv", _matrix([S[0], S[1], S[0], S[2]], G[:3], "sample")))
    assert err.where == f"sample {S[0]!r} at lines 2 and 4"
    err = _error(_write(tmp_path / "gc.tsv.gz", _matrix(S[:2], [G[0], G[1], G[2], G[1], G[1]], "sample")))
    assert err.where == f"gene {G[1]!r} at columns 3, 5 and 6 of line 1 (the header)"
    assert "sum the columns of one gene" in err.fix


def test_an_r_style_header_counts_its_columns_as_written(tmp_path):
    """R's write.table leaves the id column's header cell out: the header's cells are counted."""
    err = _error(_write(tmp_path / "r.tsv", _matrix(G[:2], [S[0], S[1], S[0]], corner=None)))
    assert err.where == f"sample {S[0]!r} at columns 1 and 3 of line 1 (the header)"


def test_parquet_duplicate_row_ids_name_their_rows(tmp_path):
    df = pd.DataFrame(np.arange(12, dtype=float).reshape(4, 3), columns=S[:3],
                      index=pd.Index([G[0], G[1], G[0], G[2]], name="gene"))
    df.to_parquet(tmp_path / "p.parquet")
    err = _error(tmp_path / "p.parquet")
    assert err.where == f"gene {G[0]!r} at rows 1 and 3"


def test_many_places_are_cut_short_with_their_count():
    assert numbered("line", list(range(2, 10))) == "lines 2, 3, 4, 5, 6, ... (8 in all)"
    assert numbered("line", [7]) == "line 7"
