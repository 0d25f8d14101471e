"""A collaborator's own expression matrix (not from TCGA, GDC or Xena), as spreadsheets and R
write it, read by ``prepare`` and ``predict``.

Old behaviour:

* samples numbered 1, 2, ..., n in the header over gene symbols were read as Entrez genes:
  a 405 genes × 30 samples file came out as 30 "genes" × 405 "samples" (predict then refused
  for missing genes, prepare went on); Entrez genes × numbered samples were refused as
  "first column holds genes, header holds genes";
* an R ``write.csv`` table with its row numbers (``"",gene,S1,...`` then ``1,7157,...``) was read
  with the row numbers as the genes and the id column as a sample;
* Entrez ids written as decimals (``613037.0``) were refused as "cannot tell which axis holds
  the genes: ... header holds symbols", and ``--orientation`` then read them as unknown ids;
* gene symbols a spreadsheet turned into dates (``1-Sep``, ``1-Mar``) were only counted among
  the unmapped ids, never named as dates.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from genemoe.data.read import read_expression
from genemoe.errors import InputError

SYMBOLS = ["TP53", "EGFR", "GAPDH", "ACTB", "MYC", "KRAS", "BRCA1", "PTEN", "CDK4", "RB1",
           "SEPTIN2", "MARCHF1"]
ENTREZ = ["7157", "1956", "2597", "60", "4609", "3845", "672", "5728", "1019", "5925"]


def _matrix(path: Path, genes: list[str], samples: list[str], *, sep: str = "\t",
            corner: str = "gene", row_numbers: bool = False) -> Path:
    """A genes × samples table of seeded linear values; optionally R's row numbers first."""
    rng = np.random.default_rng(0)
    values = rng.gamma(2.0, 50.0, size=(len(genes), len(samples))).round(2)
    head = ([""] if row_numbers else []) + [corner, *samples]
    lines = [sep.join(head)]
    for i, (g, row) in enumerate(zip(genes, values, strict=True)):
        lines.append(sep.join(([str(i + 1)] if row_numbers else []) + [g, *map(str, row)]))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_symbols_over_numbered_samples_are_genes_by_samples(tmp_path):
    f = _matrix(tmp_path / "mine.tsv", SYMBOLS, [str(i) for i in range(1, 6)])
    table = read_expression(f)
    assert table.orientation == "genes_by_samples"
    assert table.shape == (5, len(SYMBOLS))
    assert table.sample_ids.tolist() == ["1", "2", "3", "4", "5"]
    assert any("header holds sample numbers" in n for n in table.notes)


def test_entrez_over_numbered_samples_is_read_not_refused(tmp_path):
    f = _matrix(tmp_path / "mine.tsv", ENTREZ, [str(i) for i in range(1, 7)])
    table = read_expression(f)
    assert table.orientation == "genes_by_samples"
    assert table.gene_ids.tolist() == ENTREZ


def test_numbered_samples_as_rows_are_samples_by_genes(tmp_path):
    f = _matrix(tmp_path / "mine.tsv", ENTREZ, [str(i) for i in range(1, 7)])
    rows = [line.split("\t") for line in f.read_text().splitlines()]
    f.write_text("\n".join("\t".join(col) for col in zip(*rows, strict=True)) + "\n")
    table = read_expression(f)
    assert table.orientation == "samples_by_genes"
    assert table.gene_ids.tolist() == ENTREZ and table.shape == (6, len(ENTREZ))


def test_r_row_numbers_are_refused_with_the_fix(tmp_path):
    f = _matrix(tmp_path / "mine.csv", ENTREZ, ["S1", "S2", "S3"], sep=",", row_numbers=True)
    with pytest.raises(InputError) as info:
        read_expression(f)
    said = str(info.value)
    assert "mine.csv" in said and "numbers the rows" in said and "'gene'" in said
    assert "row.names = FALSE" in info.value.fix and "cut -d, -f2-" in info.value.fix


def test_entrez_ids_written_as_decimals_are_read_as_whole_numbers(tmp_path, caplog):
    f = _matrix(tmp_path / "mine.tsv", [f"{g}.0" for g in ENTREZ], ["PAT00", "PAT01", "PAT02"])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        table = read_expression(f)
    assert table.orientation == "genes_by_samples"
    assert table.gene_ids.tolist() == ENTREZ
    assert table.id_kind == "entrez"
    note = "10 gene ids are Entrez ids written as decimals (e.g. 7157.0): read as whole numbers (7157)"
    assert note in table.notes  # recorded; said once, by the caller's read line (a warning
    assert not any("decimals" in r.getMessage() for r in caplog.records)  # here said it twice)


def test_spreadsheet_dates_among_symbols_are_named_with_their_lines(tmp_path, caplog):
    genes = [*SYMBOLS[:-2], "2-Sep", "1-Mar"]
    f = _matrix(tmp_path / "mine.tsv", genes, ["S1", "S2", "S3"])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        table = read_expression(f)
    said = [r.getMessage() for r in caplog.records if "spreadsheet" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("mine.tsv: 2 gene id(s) are dates a spreadsheet")
    assert "('2-Sep', '1-Mar' at lines 12 and 13; 1-Sep was SEPT1" in said[0]
    assert "gene column as text" in said[0]
    assert any("dates a spreadsheet" in n for n in table.notes)  # in the record too


def test_symbols_without_dates_say_nothing_of_dates(tmp_path, caplog):
    f = _matrix(tmp_path / "mine.tsv", SYMBOLS, ["S1", "S2", "S3"])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        table = read_expression(f)
    assert not any("spreadsheet" in n for n in table.notes)
    assert not any("spreadsheet" in r.getMessage() for r in caplog.records)


def test_decimal_comma_scientific_cells_are_read(tmp_path):
    """A European spreadsheet's scientific format (``1,21E+03``, ``;``-separated, CRLF, BOM)
    was refused: "594 non-numeric cell(s); the first is '0,000E+00'"."""
    rows = ["\ufeffgene;S1;S2", "7157;1,210E+03;0,000E+00", "672;3,500E-01;2,000E+03"]
    f = tmp_path / "excel.csv"
    f.write_bytes("\r\n".join(rows).encode("utf-8") + b"\r\n")
    table = read_expression(f)
    assert table.gene_ids.tolist() == ["7157", "672"]
    assert np.allclose(table.values, [[1210.0, 0.35], [0.0, 2000.0]])
    assert "decimal commas read as decimal points" in table.notes


@pytest.mark.parametrize("cell", ["#N/A", "NA", ""])
def test_a_missing_value_is_not_called_nan(tmp_path, cell):
    """A ``#N/A`` cell was told as "the first is nan"."""
    f = _matrix(tmp_path / "mine.tsv", ENTREZ, ["S1", "S2", "S3"])
    lines = f.read_text().splitlines()
    parts = lines[3].split("\t")
    parts[2] = cell
    lines[3] = "\t".join(parts)
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_expression(f)
    said = str(info.value)
    assert "line 4 (row '2597'), column 'S2'" in said
    assert "the first is empty or a missing-value mark (NA, #N/A, NaN, ...)" in said
    assert "the first is nan" not in said


@pytest.mark.parametrize("kind", ["entrez", "unknown"])
def test_a_file_with_no_gene_left_is_told_its_own_kind(tmp_path, kind):
    """Entrez counts given to an FPKM-UQ model of Ensembl genes lose every gene (no length):
    the refusal said "pass --annotation to map symbols/Entrez ... (the file's: e.g. ; ...)",
    with the annotation already used and no example."""
    from genemoe.data.read import ExpressionTable
    from genemoe.workflows.predict_align import align_to_model

    model = [f"ENSG{i:011d}" for i in range(1, 21)]
    table = ExpressionTable(values=np.ones((2, 0)), sample_ids=np.array(["a", "b"]),
                            gene_ids=np.array([], dtype=object), source_path=tmp_path / "f.tsv",
                            orientation="genes_by_samples", id_kind=kind, value_kind="counts")
    with pytest.raises(InputError) as info:
        align_to_model(table, model, fill=np.zeros(20), max_missing=0.2, unmapped=(0, []))
    fix = info.value.fix
    assert "e.g. ;" not in fix and "e.g. )" not in fix and "(e.g. , " not in fix
    if kind == "entrez":
        assert fix.startswith("the file's gene ids are Entrez ids, the model's Ensembl ids (e.g. "
                              "ENSG00000000001, ENSG00000000002): an --annotation maps symbols "
                              "to Ensembl ids only")


def test_a_series_matrix_of_genes_is_told_how_to_cut_its_table_out(tmp_path):
    """A GEO series matrix whose table holds genes (an RNA-seq series deposited as a table)
    was refused as "a table of array probes (ID_REF)", with no way to read it."""
    lines = ['!Series_title\t"my study"', '!Sample_title\t"a"\t"b"', "!series_matrix_table_begin",
             '"ID_REF"\t"GSM1"\t"GSM2"', *(f'"{g}"\t{i}.5\t{i + 2}.25' for i, g in enumerate(ENTREZ)),
             "!series_matrix_table_end"]
    f = tmp_path / "GSE1_series_matrix.txt"
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_expression(f)
    assert "a table whose ID_REF are gene ids (e.g. 7157, line 5)" in info.value.problem
    assert "array probes" not in info.value.problem
    fix = info.value.fix
    assert fix.startswith("cut the table out and pass it: sed -n ")
    cmd = fix.split("pass it: ")[1].split(" (check")[0]
    import subprocess

    subprocess.run(cmd, shell=True, cwd=tmp_path, check=True)  # the command works as given
    table = read_expression(tmp_path / "table.tsv")
    assert table.gene_ids.tolist() == ENTREZ and table.sample_ids.tolist() == ["GSM1", "GSM2"]


def test_pandas_row_numbers_from_0_are_refused_with_the_fix(tmp_path):
    """pandas' to_csv writes row numbers from 0 (``,sample,7157,...`` then ``0,S1,...``): they
    were taken for Entrez genes and the file refused as 'header holds genes' too."""
    f = tmp_path / "mine.csv"
    f.write_text(",sample," + ",".join(ENTREZ) + "\n" + "".join(
        f"{i},S{i},{','.join(str(v + i) for v in range(len(ENTREZ)))}\n" for i in range(4)))
    with pytest.raises(InputError) as info:
        read_expression(f)
    assert "numbers the rows (0, 1, 2, ...) and the second, 'sample', holds the ids" in str(info.value)
    assert "pandas: index=False" in info.value.fix and "cut -d, -f2- mine.csv" in info.value.fix
