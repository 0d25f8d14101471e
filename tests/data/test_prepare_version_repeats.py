"""A gene under two versions of its Ensembl id (``ENSG….5`` and ``ENSG….6``) is refused,
both ids named, as a repeated exact id is; other many-to-one mappings keep their handling.

Old behaviour (outside probe): the first row was kept and the other dropped, said only as
"(1 duplicates dropped)" on predict's mapping line and ``{'duplicate after id mapping': 1}``
in the record; a repeated exact id was refused naming both lines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.annotation import read_annotation
from genemoe.data.prepare import PrepareConfig, PrepLog, map_table_genes, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.errors import InputError

S = [f"TCGA-AA-{i:04d}-01A" for i in range(6)]
G = [f"ENSG{i:011d}" for i in range(1, 9)]


def _counts(path: Path, genes: list[str]) -> Path:
    values = np.random.default_rng(0).integers(1, 500, size=(len(genes), len(S)))
    pd.DataFrame(values, index=genes, columns=S).rename_axis("gene_id").to_csv(path, sep="\t")
    return path


@pytest.mark.parametrize("pair", [(f"{G[2]}.5", f"{G[2]}.6"), (G[2], f"{G[2]}.6")])
def test_two_versions_of_one_gene_are_refused_naming_both(tmp_path, pair):
    genes = [f"{g}.1" for g in G[:2]] + [pair[0]] + [f"{g}.1" for g in G[3:6]] + [pair[1]]
    path = _counts(tmp_path / "TCGA_ACC_Counts.tsv", genes)
    with pytest.raises(InputError) as info:
        prepare_dataset([path], out_path=tmp_path / "b",
                        config=PrepareConfig(min_variance=0, min_mean=0))
    err = info.value
    assert str(err).startswith(f"{path}: ")
    assert err.problem.endswith(f"the first: {G[2]!r}")
    assert "1 gene(s) appear under more than one version" in err.problem
    assert err.where == f"gene identifier column, rows {pair[0]!r} and {pair[1]!r}"
    assert "keep one row of each such gene" in err.fix
    assert not (tmp_path / "b").exists()


def test_par_y_rows_keep_their_own_handling(tmp_path):
    """GENCODE's ``_PAR_Y`` copy is not another version of its X gene: dropped as before."""
    genes = [f"{g}.1" for g in G[:6]] + [f"{G[2]}.1_PAR_Y"]
    table = read_expression(_counts(tmp_path / "t.tsv", genes))
    plog = PrepLog()
    out, _ = map_table_genes(table, None, plog)
    assert out.gene_ids.tolist() == G[:6]
    assert plog.dropped_genes == {"pseudoautosomal Y copy (_PAR_Y)": 1}


def _ann(tmp_path: Path) -> Path:
    ann_path = tmp_path / "ann.tsv"
    pd.DataFrame({"gene_id": G[:4], "gene_name": ["TSPAN6", "TNMD", "DPM1", "SCYL3"],
                  "biotype": ["protein_coding"] * 4, "chrom": ["1"] * 4, "start": [1, 2, 3, 4],
                  "end": [1001, 1002, 1003, 1004], "length": [1000] * 4}
                 ).to_csv(ann_path, sep="\t", index=False)
    return ann_path


def test_a_symbol_and_its_ensembl_id_still_keep_the_first(tmp_path):
    """A symbol and its gene's Ensembl id (scanpy's var names) map to one Ensembl id: the
    first kept, counted (not refused)."""
    table = read_expression(_counts(tmp_path / "s.tsv", ["TSPAN6", "TNMD", "DPM1", "SCYL3", G[0]]))
    plog = PrepLog()
    out, _ = map_table_genes(table, read_annotation(_ann(tmp_path)), plog)
    assert out.gene_ids.tolist() == G[:4]
    assert plog.dropped_genes == {"duplicate after id mapping": 1}


def test_two_spellings_of_one_symbol_in_case_only_are_refused(tmp_path):
    """``TSPAN6`` and ``tspan6``: refused naming both, as a repeated exact id is (helper hAS;
    the second row was dropped, the choice unsaid)."""
    table = read_expression(_counts(tmp_path / "s.tsv", ["TSPAN6", "TNMD", "DPM1", "SCYL3", "tspan6"]))
    with pytest.raises(InputError, match="rows 'TSPAN6' and 'tspan6'"):
        map_table_genes(table, read_annotation(_ann(tmp_path)), PrepLog())
