"""Tests of genemoe.data.annotation: reading annotations and mapping gene IDs."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.annotation import (
    GeneAnnotation,
    gene_table,
    map_gene_ids,
    protein_coding_mask,
    read_annotation,
)
from genemoe.errors import InputError

# Xena's gencode.v22.annotation.gene.probeMap format: tab-separated, versioned IDs, chr-prefixed
# chromosomes, 1-based inclusive coordinates. The last line repeats an ID with another version.
PROBEMAP = """id\tgene\tchrom\tchromStart\tchromEnd\tstrand
ENSG00000223972.5\tDDX11L1\tchr1\t11869\t14409\t+
ENSG00000000003.13\tTSPAN6\tchrX\t100627109\t100639991\t-
ENSG00000198888.2\tMT-ND1\tchrM\t3307\t4262\t+
ENSG00000141510.14\tTP53\tchr17\t7565097\t7590856\t-
ENSG00000223972.4\tDDX11L1\tchr1\t11869\t14409\t+
"""


@pytest.fixture(scope="module")
def ensembl(shared_data: Path) -> GeneAnnotation:
    return read_annotation(shared_data / "annotation" / "ensembl105_genes.tsv.gz")


@pytest.fixture
def probemap(tmp_path: Path) -> Path:
    path = tmp_path / "gencode.v22.annotation.gene.probeMap"
    path.write_text(PROBEMAP)
    return path


# --- read_annotation ------------------------------------------------------------------------


def test_read_real_ensembl_annotation(ensembl: GeneAnnotation) -> None:
    t = ensembl.table
    assert len(ensembl) == 69329  # data README: 69,329 genes
    assert t.index.name == "gene_id"
    assert t.index.is_unique
    assert list(t.columns) == ["symbol", "biotype", "chrom", "start", "end", "length"]
    assert ensembl.length_kind == "exonic"
    assert ensembl.n_duplicates_dropped == 0
    assert ensembl.has_biotype
    # first data row of ensembl105_genes.tsv.gz
    row = t.loc["ENSG00000000003"]
    assert (row["symbol"], row["biotype"], row["chrom"]) == ("TSPAN6", "protein_coding", "X")
    assert (row["start"], row["end"], row["length"]) == (100627108, 100639991, 4536)
    assert t["symbol"].isna().sum() == 22284  # genes with an empty gene_name in the file


def test_read_probemap(probemap: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="genemoe.data.annotation"):
        ann = read_annotation(probemap)
    assert "approximation" not in caplog.text  # said where lengths are used (test_xena_route)
    assert ann.length_kind == "genomic_span"
    assert ann.n_duplicates_dropped == 1
    t = ann.table
    assert t.index.tolist() == [
        "ENSG00000223972", "ENSG00000000003", "ENSG00000198888", "ENSG00000141510",
    ]  # fmt: skip
    assert t["chrom"].tolist() == ["1", "X", "MT", "17"]
    assert t.loc["ENSG00000223972", "length"] == 14409 - 11869 + 1
    assert t.loc["ENSG00000000003", "symbol"] == "TSPAN6"
    assert t["biotype"].isna().all()
    assert not ann.has_biotype


def test_read_probemap_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "genes.probeMap.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(PROBEMAP)
    assert len(read_annotation(path)) == 4


def test_unknown_header_names_expected_columns(tmp_path: Path) -> None:
    path = tmp_path / "genes.tsv"
    path.write_text("ensembl\tname\tchromosome\nENSG00000000003\tTSPAN6\tX\n")
    with pytest.raises(InputError) as err:
        read_annotation(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "gene_id, gene_name, biotype, chrom, start, end, length" in msg
    assert "id, gene, chrom, chromStart, chromEnd, strand" in msg


def test_non_numeric_position_names_row(tmp_path: Path) -> None:
    path = tmp_path / "genes.tsv"
    path.write_text(PROBEMAP.replace("\t3307\t", "\tthree\t"))
    with pytest.raises(InputError, match=r"data row 3, column 'chromStart'"):
        read_annotation(path)


# --- map_gene_ids ---------------------------------------------------------------------------


def test_map_versioned_ensembl(ensembl: GeneAnnotation) -> None:
    m = map_gene_ids(["ENSG00000000003.15", "ENSG00000141510.16", "ENSG00000000005"], ensembl)
    assert m.gene_id.tolist() == ["ENSG00000000003", "ENSG00000141510", "ENSG00000000005"]
    assert m.symbol.tolist() == ["TSPAN6", "TP53", "TNMD"]
    assert m.report["version_stripped"] == 2
    assert m.report["mapped"] == 3
    assert m.report["unmapped"] == 0
    assert m.mapped.all()


def test_map_symbols(ensembl: GeneAnnotation) -> None:
    ids = ["TSPAN6", "tspan6", "MATR3", "ACACA", "CCDC39", "NOTAGENE123", "5S_rRNA"]
    m = map_gene_ids(ids, ensembl)
    assert m.gene_id.tolist()[:6] == [
        "ENSG00000000003",
        "ENSG00000000003",  # case-insensitive match
        "ENSG00000015479",  # MATR3: two protein-coding IDs on chr 5: the smaller ID
        "ENSG00000278540",  # ACACA: chr 17 beats scaffold CHR_HSCHR17_7_CTG4 (ENSG00000275176)
        "ENSG00000284862",  # CCDC39: protein_coding beats lncRNA ENSG00000145075
        None,
    ]
    assert m.gene_id[6].startswith("ENSG")  # a symbol not shaped like one is still looked up
    assert m.symbol.tolist()[:3] == ["TSPAN6", "TSPAN6", "MATR3"]
    r = m.report
    assert r["symbol_case_insensitive"] == 1
    assert r["ambiguous_symbol_resolved"] == 4  # MATR3, ACACA, CCDC39, 5S_rRNA
    assert r["unmapped_symbol_not_found"] == 1
    assert r["unmapped"] == 1
    assert r["duplicates_after_mapping"] == 1  # tspan6 repeats TSPAN6
    assert m.unmapped_examples == ["NOTAGENE123"]


def test_map_firehose(ensembl: GeneAnnotation) -> None:
    m = map_gene_ids(["TP53|7157", "?|100130426", "TSPAN6|7105", "NOPE1|1"], ensembl)
    assert m.gene_id.tolist() == ["ENSG00000141510", None, "ENSG00000000003", None]
    assert m.symbol.tolist() == ["TP53", None, "TSPAN6", None]
    assert m.report["unmapped_firehose_no_symbol"] == 1
    assert m.report["unmapped_symbol_not_found"] == 1
    assert m.report["unmapped"] == 2
    assert m.unmapped_examples == ["?|100130426", "NOPE1|1"]


def test_map_entrez_kept(ensembl: GeneAnnotation) -> None:
    ids = ["7157", "7105", "100130426"]
    for ann in (ensembl, None):
        m = map_gene_ids(ids, ann)
        assert m.gene_id.tolist() == ids
        assert m.symbol.tolist() == [None, None, None]
        assert m.report["entrez_kept"] == 3
        assert m.report["mapped"] == 3


def test_map_without_annotation() -> None:
    ids = ["ENSG00000141510.16", "TP53", "TP53|7157", "?|1", "7157", "odd id", ""]
    m = map_gene_ids(ids, None)
    assert m.gene_id.tolist() == [
        "ENSG00000141510", "TP53", "TP53|7157", "?|1", "7157", "odd id", None,
    ]  # fmt: skip
    assert m.symbol.tolist() == [None, "TP53", "TP53", None, None, None, None]
    r = m.report
    assert (r["version_stripped"], r["entrez_kept"], r["kept_as_given"]) == (1, 1, 4)
    assert (r["unmapped"], r["unmapped_empty"]) == (1, 1)


def test_map_forced_id_kind(ensembl: GeneAnnotation) -> None:
    # as symbols, Entrez-looking IDs are looked up by name and found nowhere
    m = map_gene_ids(["7157", "TP53"], ensembl, id_kind="symbol")
    assert m.gene_id.tolist() == [None, "ENSG00000141510"]
    assert m.report["entrez_kept"] == 0


def test_map_through_probemap(probemap: Path) -> None:
    ann = read_annotation(probemap)
    m = map_gene_ids(["tp53", "DDX11L1", "ENSG00000198888.2", "BRCA1"], ann)
    assert m.gene_id.tolist() == ["ENSG00000141510", "ENSG00000223972", "ENSG00000198888", None]
    assert m.symbol.tolist() == ["TP53", "DDX11L1", "MT-ND1", None]


def test_the_report_counts_ids_matched_in_the_annotation_apart_from_those_kept(probemap: Path) -> None:
    """The terminal said "56,380 of 56,537 mapped (157 Ensembl ids not in the annotation)"
    while the record's map_gene_ids step said only ``mapped: 56537, unmapped: 0``: ``mapped``
    counts the ids kept without a match, and no field carried the number matched."""
    ann = read_annotation(probemap)
    ids = ["tp53", "ENSG00000223972.5", "ENSG00000999999.1", "7157", "BRCA1"]
    r = map_gene_ids(ids, ann).report
    assert (r["mapped"], r["unmapped"], r["ensembl_not_in_annotation"], r["entrez_kept"]) == (4, 1, 1, 1)
    assert r["matched_in_annotation"] == 2  # TP53 and DDX11L1; the unknown Ensembl id, Entrez kept
    assert map_gene_ids(ids, None).report["matched_in_annotation"] == 0  # nothing looked up


def test_map_real_counts_ids(shared_data: Path, ensembl: GeneAnnotation) -> None:
    # (speed is a benchmark's business, not a unit test's: no timing here)
    path = shared_data / "gdc_counts_6types" / "TCGA_CHOL_Counts.exp.gz"
    ids = pd.read_csv(path, sep="\t", usecols=[0]).iloc[:, 0]
    assert len(ids) == 56537  # data README: 56,537 genes
    m = map_gene_ids(ids, ensembl)
    r = m.report
    assert (r["mapped"], r["unmapped"], r["duplicates_after_mapping"]) == (56537, 0, 0)
    # GENCODE v22 IDs retired by Ensembl 105 (counted on this file and annotation)
    assert r["ensembl_not_in_annotation"] == 157
    assert r["matched_in_annotation"] == 56380  # the terminal's "56,380 of 56,537 mapped"
    assert m.gene_id[0] == "ENSG00000000003"
    assert m.symbol[0] == "TSPAN6"


# --- gene_table and protein_coding_mask -----------------------------------------------------


def test_gene_table(ensembl: GeneAnnotation) -> None:
    var = gene_table(["ENSG00000000003", "ENSG00000141510.16", "7157"], ensembl,
                     symbols=[None, "ignored", "TP53"])  # fmt: skip
    assert list(var.columns) == ["gene_id", "symbol", "chrom", "start", "length", "biotype"]
    assert var["gene_id"].tolist() == ["ENSG00000000003", "ENSG00000141510.16", "7157"]
    assert var["symbol"].tolist() == ["TSPAN6", "TP53", "TP53"]  # annotation first
    assert var.loc[0, "chrom"] == "X"
    assert var.loc[0, "start"] == 100627108
    assert var.loc[0, "length"] == 4536
    assert var.loc[1, "biotype"] == "protein_coding"
    assert np.isnan(var.loc[2, "start"]) and np.isnan(var.loc[2, "length"])
    assert var.loc[2, "chrom"] is None
    assert var["start"].dtype == np.float64


def test_gene_table_without_annotation() -> None:
    var = gene_table(["7157", "7105"], None, symbols=["TP53", None])
    assert var["symbol"].tolist() == ["TP53", None]
    assert var["length"].isna().all()
    with pytest.raises(ValueError, match=r"gene_ids\[1\] is None"):
        gene_table(["7157", None], None)
    with pytest.raises(ValueError, match="1 symbols for 2 gene IDs"):
        gene_table(["7157", "7105"], None, symbols=["TP53"])


def test_protein_coding_mask(ensembl: GeneAnnotation, probemap: Path) -> None:
    ids = ["ENSG00000000003.15", "LRG_321", "ENSG00000271147", "ENSG99999999999", "ENSG00000284862"]
    # TSPAN6 coding, LRG_gene, lncRNA, absent, CCDC39 coding (ensembl105_genes.tsv.gz biotypes)
    assert protein_coding_mask(ids, ensembl).tolist() == [True, False, False, False, True]
    n_coding = int(protein_coding_mask(ensembl.table.index, ensembl).sum())
    assert n_coding == int((ensembl.table["biotype"] == "protein_coding").sum())
    with pytest.raises(InputError, match="no biotype"):
        protein_coding_mask(ids, read_annotation(probemap))


def test_annotation_checks_its_table() -> None:
    table = pd.DataFrame({"symbol": ["A"]}, index=pd.Index(["ENSG00000000001"], name="gene_id"))
    with pytest.raises(ValueError, match="lacks columns"):
        GeneAnnotation(table)


def test_a_missing_annotation_file_is_named_as_missing(tmp_path):
    """It said "cannot read a tab-separated header ([Errno 2] ...)" and asked for the
    Ensembl gene table, as if the file were of the wrong kind."""
    with pytest.raises(InputError, match=r"(?s)nope\.tsv: no such file.*check the path"):
        read_annotation(tmp_path / "nope.tsv")


def test_ensembl_ids_not_in_the_annotation_are_said_on_the_map_line() -> None:
    """GDC counts against Ensembl 105: "56,537 of 56,537 mapped, 56,537 kept", though 157
    were not in the annotation (no symbol, no length; said later only as "no gene length")."""
    from genemoe.data.prep_text import step_line

    line = step_line("map_gene_ids", {"file": "TCGA_ACC_Counts.exp.gz", "n_genes": 56537,
                                      "report": {"n_ids": 56537, "mapped": 56537,
                                                 "ensembl_not_in_annotation": 157}})
    assert "157 Ensembl ids not in the annotation, kept without symbol or length" in line, line
    assert "56,380 of 56,537 mapped" in line and ", 56,537 kept" in line  # was "56,537 of 56,537"


def test_symbols_of_several_genes_are_recorded_with_examples(tmp_path: Path) -> None:
    """Old behaviour (outside tester): prepare said "N symbols of several genes resolved" and
    the record held only the count; which symbols, and the id chosen, were nowhere."""
    from typer.testing import CliRunner
    from xena_files import gene_table, raw_counts

    from genemoe.cli import app
    from genemoe.data.bundle import load_bundle

    g = gene_table(30)
    probemap = g.copy()
    probemap.loc[29, "gene"] = "GENE28"  # two gene ids carry GENE28
    probemap.to_csv(tmp_path / "probemap.tsv", sep="\t", index=False)
    m = raw_counts("ACC", g, 10, seed=0)
    m.index = pd.Index(g["gene"], name="gene")
    m.iloc[:29].to_csv(tmp_path / "m.tsv", sep="\t")
    res = CliRunner().invoke(app, ["prepare", "--expression", str(tmp_path / "m.tsv"),
                                   "--annotation", str(tmp_path / "probemap.tsv"),
                                   "--cancer-type", "ACC", "--out", str(tmp_path / "b"),
                                   "--min-variance", "0", "--min-mean", "0"])
    assert res.exit_code == 0, res.output
    step = next(s for s in load_bundle(tmp_path / "b").record["steps"]
                if s["step"] == "map_gene_ids")
    chosen = min(g["id"][28], g["id"][29]).split(".")[0]
    assert step["report"]["ambiguous_symbol_resolved"] == 1
    assert step["ambiguous_examples"] == [f"GENE28 -> {chosen}"]
    assert f"1 symbol of several genes resolved, e.g. GENE28 -> {chosen}" in res.output
