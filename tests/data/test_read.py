"""Readers: every format and orientation on small files written here, every bad-input
error (the message must name the file, the row/column and the fix), and the real TCGA
files in ``../shared/data``."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import Bundle
from genemoe.data.read import (
    ExpressionTable,
    bundle_to_anndata,
    read_clinical,
    read_expression,
    read_labels,
    write_h5ad,
)
from genemoe.errors import InputError

SAMPLES = [f"TCGA-A{i}-00{i}{i}-01A-11R-A29S-07" for i in range(5)]
ENSEMBL = [f"ENSG0000014151{i}" for i in range(7)]


def write_matrix(path: Path, values: np.ndarray, row_ids: list[str], col_ids: list[str], *,
                 sep: str = "\t", corner: str | None = "", gz: bool = False,
                 extra_lines: list[str] | None = None) -> Path:
    """Write a text matrix: header (``corner`` + ``col_ids``), then id + values per row."""
    head = ([corner] if corner is not None else []) + list(col_ids)
    lines = [sep.join(head)] + (extra_lines or [])
    for rid, row in zip(row_ids, values, strict=True):
        lines.append(sep.join([rid] + [f"{v:g}" if isinstance(v, float | np.floating) else str(v)
                                       for v in row]))
    text = "\n".join(lines) + "\n"
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


@pytest.fixture
def counts(rng: np.random.Generator) -> np.ndarray:
    """``(5 samples, 7 genes)`` integer counts."""
    return rng.integers(0, 1000, size=(len(SAMPLES), len(ENSEMBL))).astype(np.float32)


def assert_table(t: ExpressionTable, values: np.ndarray, samples: list[str], genes: list[str]) -> None:
    assert t.values.dtype == np.float32 and t.values.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(t.values, values.astype(np.float32))
    assert t.sample_ids.tolist() == samples
    assert t.gene_ids.tolist() == genes


# ----------------------------------------------------------------------------- text formats


@pytest.mark.parametrize(("name", "sep", "gz"), [
    ("m.tsv", "\t", False), ("m.tsv.gz", "\t", True), ("m.csv", ",", False),
    ("m.txt", ";", False), ("m.exp.gz", "\t", True), ("m.tab", "\t", True),  # gzip without .gz
])
@pytest.mark.parametrize("layout", ["genes_by_samples", "samples_by_genes"])
def test_text_formats_both_orientations(tmp_path, counts, name, sep, gz, layout):
    if layout == "genes_by_samples":
        p = write_matrix(tmp_path / name, counts.T.astype(int), ENSEMBL, SAMPLES, sep=sep, gz=gz)
    else:
        p = write_matrix(tmp_path / name, counts.astype(int), SAMPLES, ENSEMBL, sep=sep, gz=gz,
                         corner="sample")
    t = read_expression(p)
    assert_table(t, counts, SAMPLES, ENSEMBL)
    assert t.orientation == layout
    assert t.value_kind == "counts" and t.id_kind == "ensembl"
    assert any("detected" in n for n in t.notes)
    assert t.source_path == p


def test_versioned_ensembl_kept_as_in_file(tmp_path, counts):
    genes = [g + ".16" for g in ENSEMBL]
    t = read_expression(write_matrix(tmp_path / "v.tsv", counts.T, genes, SAMPLES))
    assert t.gene_ids.tolist() == genes and t.id_kind == "ensembl_versioned"


def test_symbols_with_barcodes_both_orientations(tmp_path, counts):
    symbols = ["TP53", "BRCA1", "EGFR", "MYC", "KRAS", "PTEN", "GAPDH"]
    t = read_expression(write_matrix(tmp_path / "a.tsv", counts.T, symbols, SAMPLES))
    assert t.orientation == "genes_by_samples" and t.id_kind == "symbol"
    t = read_expression(write_matrix(tmp_path / "b.tsv", counts, SAMPLES, symbols))
    assert t.orientation == "samples_by_genes" and t.id_kind == "symbol"
    assert_table(t, counts, SAMPLES, symbols)


def test_entrez_header_means_genes_are_columns(tmp_path, counts):
    entrez = ["7157", "672", "1956", "4609", "3845", "5728", "2597"]
    names = [f"patientX{i}" for i in range(5)]  # sample names of no known pattern
    t = read_expression(write_matrix(tmp_path / "e.csv", counts, names, entrez, sep=","))
    assert t.orientation == "samples_by_genes" and t.id_kind == "entrez"
    assert_table(t, counts, names, entrez)


def test_firehose_ids_and_second_header_line(tmp_path, rng):
    genes = ["?|100130426", "TP53|7157", "A1BG|1", "EGFR|1956", "MYC|4609", "KRAS|3845", "PTEN|5728"]
    vals = rng.random((5, 7)).astype(np.float32) * 1000
    p = write_matrix(tmp_path / "fh.txt", vals.T, genes, SAMPLES, corner="Hybridization REF",
                     extra_lines=["\t".join(["gene_id"] + ["normalized_count"] * 5)])
    t = read_expression(p)
    assert t.id_kind == "firehose" and t.value_kind == "linear"
    np.testing.assert_allclose(t.values, vals, rtol=1e-5)
    assert any("second header line" in n for n in t.notes)


def test_r_style_header_without_corner_cell(tmp_path, counts):
    t = read_expression(write_matrix(tmp_path / "r.tsv", counts.T, ENSEMBL, SAMPLES, corner=None))
    assert_table(t, counts, SAMPLES, ENSEMBL)
    assert any("write.table" in n for n in t.notes)


def test_value_kinds(tmp_path, rng):
    logv = np.log2(rng.random((5, 7)) * 100 + 1).astype(np.float32)
    assert read_expression(write_matrix(tmp_path / "l.tsv", logv.T, ENSEMBL, SAMPLES)).value_kind == "log"
    lin = (rng.random((5, 7)) * 500).astype(np.float32)
    lin[0, 0], lin[1, 2] = -0.25, -0.5
    t = read_expression(write_matrix(tmp_path / "n.tsv", lin.T, ENSEMBL, SAMPLES))
    assert t.value_kind == "linear"
    assert any("2 negative values" in n for n in t.notes)


def test_unknown_orientation_value(tmp_path, counts):
    p = write_matrix(tmp_path / "m.tsv", counts.T, ENSEMBL, SAMPLES)
    with pytest.raises(InputError, match="unknown orientation 'rows'"):
        read_expression(p, orientation="rows")  # type: ignore[arg-type]


def test_an_unknown_orientations_fix_names_the_flag(tmp_path, counts):
    """Old behaviour: `prepare --orientation foo` said "fix: pass
    orientation='genes_by_samples' or 'samples_by_genes'" (Python syntax) to a CLI user."""
    p = write_matrix(tmp_path / "m.tsv", counts.T, ENSEMBL, SAMPLES)
    with pytest.raises(InputError) as err:
        read_expression(p, orientation="foo")  # type: ignore[arg-type]
    assert str(err.value) == (
        "--orientation: unknown orientation 'foo'\n  fix: pass --orientation genes_by_samples "
        "(a row per gene) or --orientation samples_by_genes (a column per gene)")


def test_an_h5ad_read_genes_by_samples_says_the_flag_to_drop(tmp_path, counts):
    """Old behaviour: `prepare --orientation genes_by_samples` on an .h5ad said "pass
    orientation='auto'" (Python syntax) to a CLI user."""
    import anndata

    p = tmp_path / "m.h5ad"
    anndata.AnnData(X=counts.astype("float32")).write_h5ad(p)
    with pytest.raises(InputError, match=r"or drop --orientation$"):
        read_expression(p, orientation="genes_by_samples")


def test_stated_orientation_and_ambiguous_error(tmp_path, counts):
    names = [f"x{i}" for i in range(7)]
    p = write_matrix(tmp_path / "amb.tsv", counts, [f"y{i}" for i in range(5)], names)
    with pytest.raises(InputError, match="orientation") as err:
        read_expression(p)
    assert "amb.tsv" in str(err.value) and "--orientation genes_by_samples" in str(err.value)
    t = read_expression(p, orientation="samples_by_genes")
    assert t.shape == (5, 7) and t.gene_ids.tolist() == names
    t = read_expression(p, orientation="genes_by_samples")
    assert t.shape == (7, 5)
    np.testing.assert_array_equal(t.values, counts.T)


def test_htseq_summary_rows_dropped_with_note(tmp_path, counts):
    genes = ENSEMBL[:5] + ["__no_feature", "__ambiguous"]
    t = read_expression(write_matrix(tmp_path / "h.tsv", counts.T, genes, SAMPLES))
    assert t.gene_ids.tolist() == ENSEMBL[:5]
    np.testing.assert_array_equal(t.values, counts[:, :5])
    assert any("__no_feature" in n for n in t.notes)


def test_decimal_comma_semicolon_file(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text(";" + ";".join(SAMPLES[:2]) + "\nENSG00000141510;1,5;2,25\nENSG00000141511;0,5;3,0\n")
    t = read_expression(p)
    np.testing.assert_allclose(t.values, [[1.5, 0.5], [2.25, 3.0]])


@pytest.mark.parametrize("layout", ["genes_by_samples", "samples_by_genes"])
def test_chunks_assemble_in_order(tmp_path, rng, monkeypatch, layout):
    """Many small text chunks (cut mid-line) give the same matrix as one chunk; the
    samples x genes file has more than 5,000 fields per row (the wide-row parse)."""
    import genemoe.data.text_chunks as chunks_mod

    genes = [f"ENSG{i:011d}" for i in range(5200)]
    vals = rng.integers(0, 50, size=(5, 5200)).astype(np.float32)
    if layout == "genes_by_samples":
        p = write_matrix(tmp_path / "big.tsv.gz", vals.T, genes, SAMPLES, gz=True, extra_lines=[""])
    else:
        p = write_matrix(tmp_path / "big.tsv", vals, SAMPLES, genes)
    monkeypatch.setattr(chunks_mod, "CHUNK_BYTES", 997)
    t = read_expression(p)
    assert_table(t, vals, SAMPLES, genes)


# ----------------------------------------------------------------------------- parquet, h5ad


def test_parquet_index_and_first_column(tmp_path, rng):
    vals = rng.random((5, 7)).astype(np.float32)
    df = pd.DataFrame(vals, index=pd.Index(SAMPLES, name="sample"), columns=ENSEMBL)
    df.to_parquet(tmp_path / "sg.parquet")
    assert_table(read_expression(tmp_path / "sg.parquet"), vals, SAMPLES, ENSEMBL)
    df.T.rename_axis("gene_id").reset_index().to_parquet(tmp_path / "gs.parquet", index=False)
    t = read_expression(tmp_path / "gs.parquet")
    assert t.orientation == "genes_by_samples"
    assert_table(t, vals, SAMPLES, ENSEMBL)


def test_parquet_non_numeric_column(tmp_path):
    df = pd.DataFrame({"gene": ENSEMBL[:3], SAMPLES[0]: [1.0, 2.0, 3.0], SAMPLES[1]: ["1", "x", "3"]})
    df.to_parquet(tmp_path / "bad.parquet", index=False)
    with pytest.raises(InputError) as err:
        read_expression(tmp_path / "bad.parquet")
    msg = str(err.value)
    assert "bad.parquet" in msg and SAMPLES[1] in msg and ENSEMBL[1] in msg and "'x'" in msg


@pytest.mark.parametrize("sparse", [False, True])
def test_h5ad_dense_and_sparse(tmp_path, counts, sparse):
    import anndata
    import scipy.sparse as sp

    obs = pd.DataFrame({"cancer_type": ["ACC", "UVM", "ACC", "UVM", "KICH"]}, index=SAMPLES)
    X = sp.csr_matrix(counts) if sparse else counts
    anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=ENSEMBL)).write_h5ad(tmp_path / "a.h5ad")
    t = read_expression(tmp_path / "a.h5ad")
    assert_table(t, counts, SAMPLES, ENSEMBL)
    assert t.value_kind == "counts" and t.orientation == "samples_by_genes"
    assert t.sample_meta["cancer_type"].astype(str).tolist() == obs["cancer_type"].tolist()


def small_bundle(rng: np.random.Generator) -> Bundle:
    n, g = 6, 4
    obs = pd.DataFrame({
        "sample_id": [f"TCGA-AB-{i:04d}-01" for i in range(n)],
        "patient_id": [f"TCGA-AB-{i:04d}" for i in range(n)],
        "cancer_type": ["ACC", "ACC", "UVM", None, "UVM", "ACC"], "sample_type": ["01"] * n,
        "time": [10.0, 20.0, np.nan, 40.0, 50.0, 60.0], "event": [True, False, False, True, False, True],
        "has_survival": [True, True, False, True, True, True],
        "split": ["train", "train", "train", "val", "test", "test"],
    })
    var = pd.DataFrame({"gene_id": ENSEMBL[:g], "symbol": ["TP53", None, "EGFR", "MYC"]})
    X = (rng.random((n, g)) * 10).astype(np.float32)
    return Bundle(X=X, obs=obs, var=var, record={"inputs": ["x.tsv"], "synthetic": False})


def test_h5ad_round_trip(tmp_path, rng):
    import json

    import anndata

    b = small_bundle(rng)
    out = write_h5ad(b, tmp_path / "sub" / "b.h5ad")
    assert out.exists() and os.listdir(out.parent) == ["b.h5ad"]  # no temp file left
    t = read_expression(out)
    assert_table(t, b.X, b.obs["sample_id"].tolist(), b.var["gene_id"].tolist())
    meta = t.sample_meta
    assert meta.index.tolist() == b.obs["sample_id"].tolist()
    assert meta["cancer_type"].astype(object).where(meta["cancer_type"].notna(), None).tolist() == \
        b.obs["cancer_type"].tolist()
    np.testing.assert_array_equal(meta["time"].to_numpy(), b.obs["time"].to_numpy())
    has = b.obs["has_survival"].to_numpy(bool)  # the event is missing where the time is
    assert meta["event"].isna().to_numpy().tolist() == (~has).tolist()
    assert meta["event"][has].astype(bool).tolist() == b.obs["event"][has].tolist()
    uns = anndata.read_h5ad(out).uns["genemoe"]
    assert json.loads(uns["record"]) == b.record
    assert json.loads(uns["summary"])["n_samples"] == 6


def test_bundle_to_anndata_shapes(rng):
    b = small_bundle(rng)
    a = bundle_to_anndata(b)
    assert a.shape == (6, 4) and a.X.dtype == np.float32
    assert a.obs_names.tolist() == b.obs["sample_id"].tolist()
    assert a.var_names.tolist() == b.var["gene_id"].tolist() and "symbol" in a.var


# ----------------------------------------------------------------------------- bad input


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file") as err:
        read_expression(tmp_path / "nope.tsv")
    assert "nope.tsv" in str(err.value) and "fix:" in str(err.value)
    with pytest.raises(InputError, match="directory"):
        read_expression(tmp_path)


def test_wrong_delimiter_single_column(tmp_path, counts):
    p = write_matrix(tmp_path / "space.txt", counts.T.astype(int), ENSEMBL, SAMPLES, sep=" ")
    with pytest.raises(InputError, match="only one column") as err:
        read_expression(p)
    assert "space.txt" in str(err.value) and "header line" in str(err.value)


def test_non_numeric_cells_named(tmp_path, counts):
    rows = counts.T.astype(int).astype(object)
    rows[2, 1] = "abc"
    rows[4, 3] = "n.d."
    p = write_matrix(tmp_path / "bad.tsv", rows, ENSEMBL, SAMPLES)
    with pytest.raises(InputError) as err:
        read_expression(p)
    msg = str(err.value)
    assert "bad.tsv" in msg and "2 non-numeric" in msg and "'abc'" in msg
    assert f"row '{ENSEMBL[2]}'" in msg and f"column '{SAMPLES[1]}'" in msg and "line 4" in msg


def test_ragged_row(tmp_path, counts):
    p = write_matrix(tmp_path / "rag.tsv", counts.T.astype(int), ENSEMBL, SAMPLES)
    lines = p.read_text().splitlines()
    lines[3] = lines[3].rsplit("\t", 1)[0]
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="wrong number of fields") as err:
        read_expression(p)
    assert "rag.tsv" in str(err.value) and ENSEMBL[2] in str(err.value)


@pytest.mark.parametrize("layout", ["genes_by_samples", "samples_by_genes"])
def test_nan_and_inf_counted(tmp_path, rng, layout):
    vals = rng.random((7, 5)).astype(object)  # file rows x file columns
    vals[1, 2], vals[5, 0], vals[6, 4] = "NA", "inf", ""
    if layout == "genes_by_samples":
        rows, cols = ENSEMBL, SAMPLES
    else:
        rows, cols = SAMPLES + ["TCGA-B1-0001-01", "TCGA-B1-0002-01"], ["7157", "672", "1956", "4609", "3845"]
    p = write_matrix(tmp_path / "nan.tsv", vals, rows, cols)
    with pytest.raises(InputError, match="3 missing or non-finite") as err:
        read_expression(p)
    msg = str(err.value)
    assert "nan.tsv" in msg and f"line 3 (row '{rows[1]}'), column '{cols[2]}'" in msg
    assert "impute" in msg


def test_non_numeric_in_samples_by_genes(tmp_path, counts):
    vals = counts.astype(int).astype(object)
    vals[3, 5] = "1.2.3"
    p = write_matrix(tmp_path / "sg.csv", vals, SAMPLES, ENSEMBL, sep=",", corner="sample")
    with pytest.raises(InputError, match="1 non-numeric cell") as err:
        read_expression(p)
    assert f"line 5 (row '{SAMPLES[3]}'), column '{ENSEMBL[5]}'" in str(err.value)


def test_quoted_crlf_r_write_csv(tmp_path, counts):
    """R's write.csv: quoted header and ids, CRLF line ends."""
    lines = ['"",' + ",".join(f'"{s}"' for s in SAMPLES)]
    lines += [f'"{g}",' + ",".join(str(int(v)) for v in row) for g, row in zip(ENSEMBL, counts.T, strict=True)]
    p = tmp_path / "r.csv"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    assert_table(read_expression(p), counts, SAMPLES, ENSEMBL)


def test_no_trailing_newline(tmp_path):
    p = tmp_path / "m.tsv"
    p.write_text(f"\t{SAMPLES[0]}\t{SAMPLES[1]}\n{ENSEMBL[0]}\t1\t2\n{ENSEMBL[1]}\t3\t4")
    np.testing.assert_array_equal(read_expression(p).values, [[1, 3], [2, 4]])


def test_explicit_sep(tmp_path, counts):
    p = write_matrix(tmp_path / "m.txt", counts.T, ENSEMBL, SAMPLES)
    assert_table(read_expression(p, sep="tab"), counts, SAMPLES, ENSEMBL)
    with pytest.raises(InputError, match="only one column found with separator ','"):
        read_expression(p, sep=",")


def test_one_column_file_fix_names_the_layout_not_an_api_argument(tmp_path):
    """The fix said "or pass sep=", which the CLI has no option for."""
    p = tmp_path / "metrics.json"
    p.write_text('{\n  "val": {"accuracy": 0.84}\n}\n')
    with pytest.raises(InputError, match="only one column found") as err:
        read_expression(p)
    assert "ids in the first row and column" in str(err.value)
    assert "pass sep=" not in str(err.value)


def test_unsupported_binary_files(tmp_path):
    (tmp_path / "m.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(InputError, match="Excel") as err:
        read_expression(tmp_path / "m.xlsx")
    assert "m.xlsx" in str(err.value)
    import h5py

    with h5py.File(tmp_path / "x.h5ad", "w") as fh:
        fh["something"] = np.zeros(3)
    with pytest.raises(InputError, match="not a readable AnnData"):
        read_expression(tmp_path / "x.h5ad")
    (tmp_path / "x.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="not a readable parquet"):
        read_expression(tmp_path / "x.parquet")


def test_negative_counts(tmp_path, counts):
    vals = counts.T.astype(int)
    vals[3, 1] = -4
    with pytest.raises(InputError, match="negative") as err:
        read_expression(write_matrix(tmp_path / "neg.tsv", vals, ENSEMBL, SAMPLES))
    assert "neg.tsv" in str(err.value) and "-4" in str(err.value)


def test_duplicate_ids(tmp_path, counts):
    dup_s = SAMPLES[:4] + [SAMPLES[0]]
    with pytest.raises(InputError, match="duplicate sample") as err:
        read_expression(write_matrix(tmp_path / "ds.tsv", counts.T, ENSEMBL, dup_s))
    assert SAMPLES[0] in str(err.value) and "ds.tsv" in str(err.value)
    dup_g = ENSEMBL[:6] + [ENSEMBL[1]]
    with pytest.raises(InputError, match="duplicate gene") as err:
        read_expression(write_matrix(tmp_path / "dg.tsv", counts.T, dup_g, SAMPLES))
    assert ENSEMBL[1] in str(err.value)


def test_empty_matrix_and_header_mismatch(tmp_path):
    p = tmp_path / "empty.tsv"
    p.write_text("\t" + "\t".join(SAMPLES) + "\n")
    with pytest.raises(InputError, match="empty matrix") as err:
        read_expression(p)
    assert "empty.tsv" in str(err.value)
    p = tmp_path / "short.tsv"
    p.write_text("\ta\nENSG00000141510\t1\t2\t3\n")
    with pytest.raises(InputError, match="header has 2 cells"):
        read_expression(p)


# ----------------------------------------------------------------------------- labels, clinical


def test_labels_normalised_and_detected(tmp_path):
    p = tmp_path / "lab.csv"
    p.write_text("barcode,project_id,sample_type,id_for_stratification\n"
                 "TCGA-AA-0001-01, TCGA-ACC ,Primary Solid Tumor,x\n"
                 "TCGA-AA-0002-01,UVM (TCGA),Solid Tissue Normal,y\n"
                 "TCGA-AA-0002-01,UVM (TCGA),Solid Tissue Normal,y\n"
                 "TCGA-AA-0003-01,,Metastatic,z\n")
    lab = read_labels(p)
    assert lab.columns.tolist() == ["sample_id", "cancer_type", "sample_type"]
    assert lab["cancer_type"].tolist()[:2] == ["ACC", "UVM"] and pd.isna(lab["cancer_type"].iloc[2])
    assert len(lab) == 3 and lab.attrs["label_column"] == "project_id"
    assert any("collapsed" in n for n in lab.attrs["notes"])


def test_labels_ambiguous_conflicting_and_explicit(tmp_path):
    p = tmp_path / "two.tsv"
    p.write_text("sample\tcancer_type\tacronym\nTCGA-AA-0001-01\tACC\tACC\n")
    with pytest.raises(InputError, match="--label-column") as err:
        read_labels(p)
    assert "cancer_type" in str(err.value) and "acronym" in str(err.value)
    assert read_labels(p, label_column="acronym")["cancer_type"].tolist() == ["ACC"]
    with pytest.raises(InputError, match="no label column 'nope'"):
        read_labels(p, label_column="nope")
    p.write_text("sample\tcancer_type\nTCGA-AA-0001-01\tACC\nTCGA-AA-0001-01\tUVM\n")
    with pytest.raises(InputError, match="different cancer types") as err:
        read_labels(p)
    assert "TCGA-AA-0001-01" in str(err.value)


def test_labels_xena_phenotype_style(tmp_path):
    p = tmp_path / "pheno.tsv"
    p.write_text("sample\t_PATIENT\t_sample_type\t_primary_disease\n"
                 "TCGA-OR-A5J1-01\tTCGA-OR-A5J1\tPrimary Tumor\tadrenocortical cancer\n")
    lab = read_labels(p)
    # Xena's study names become the TCGA codes (they were kept as names before)
    assert lab.to_dict("records") == [{"sample_id": "TCGA-OR-A5J1-01", "cancer_type": "ACC",
                                       "sample_type": "Primary Tumor"}]


def test_labels_sample_column_by_values(tmp_path):
    p = tmp_path / "v.tsv"
    p.write_text("who\tdisease\nTCGA-AA-0001-01\tACC\nTCGA-AA-0002-01\tUVM\n")
    lab = read_labels(p)
    assert lab.attrs["sample_column"] == "who" and lab["cancer_type"].tolist() == ["ACC", "UVM"]


def test_xena_survival_file(tmp_path):
    p = tmp_path / "TCGA-UVM.survival.tsv"
    p.write_text("sample\tOS\t_PATIENT\tOS.time\n"
                 "TCGA-V4-A9E5-01A\t1\tTCGA-V4-A9E5\t500\n"
                 "TCGA-V4-A9E5-06A\t1\tTCGA-V4-A9E5\t500\n"      # same patient, same values
                 "TCGA-V4-A9E7-01A\t0\tTCGA-V4-A9E7\t-3\n"       # negative time
                 "TCGA-V4-A9E8-01A\t0\tTCGA-V4-A9E8\t100\n"
                 "TCGA-V4-A9E8-06A\t1\tTCGA-V4-A9E8\t90\n"       # conflicting duplicate
                 "TCGA-V4-A9E9-01A\t\tTCGA-V4-A9E9\t\n")
    frame, rep = read_clinical(p)
    assert frame.index.tolist() == ["TCGA-V4-A9E5", "TCGA-V4-A9E7", "TCGA-V4-A9E8", "TCGA-V4-A9E9"]
    assert frame.columns.tolist() == ["cancer_type", "os_time", "os_event"]
    assert (frame["cancer_type"] == "UVM").all() and rep["cancer_type_source"] == "file name"
    assert frame.loc["TCGA-V4-A9E8", "os_time"] == 100 and frame.loc["TCGA-V4-A9E8", "os_event"] == 0
    assert np.isnan(frame.loc["TCGA-V4-A9E7", "os_time"])
    assert rep["format"] == "xena_survival" and rep["n_duplicate_rows"] == 2
    assert rep["n_conflicting_duplicates"] == 1 and rep["endpoints_absent"] == ["DSS", "DFI", "PFI"]
    assert rep["endpoints"]["OS"] == {
        "n_missing_time": 2, "n_negative_time": 1, "n_non_numeric_time": 0, "n_missing_event": 1,
        "n_invalid_event": 0, "n_events": 1, "n_usable": 2,
    }


def test_clinical_without_endpoints(tmp_path):
    p = tmp_path / "c.tsv"
    p.write_text("bcr_patient_barcode\tacronym\nTCGA-OR-A5J1\tACC\n")
    with pytest.raises(InputError, match="none of the endpoints") as err:
        read_clinical(p)
    assert "c.tsv" in str(err.value)


# ----------------------------------------------------------------------------- real files


def test_real_gdc_counts_chol(shared_data):
    t = read_expression(shared_data / "gdc_counts_6types" / "TCGA_CHOL_Counts.exp.gz")
    assert t.shape == (36, 56537)
    assert t.orientation == "genes_by_samples" and t.value_kind == "counts" and t.id_kind == "ensembl"
    assert t.sample_ids[0] == "TCGA-W5-AA2G-01A-11R-A41I-07" and t.gene_ids[0] == "ENSG00000000003"
    assert t.values[0, 0] == 1777 and t.values[1, 0] == 11342  # first data line of the file


def test_real_pancan33_expression(shared_data):
    t = read_expression(shared_data / "pancan33_random100" / "expression.tsv.gz")
    assert t.shape == (1106, 100)
    assert t.orientation == "samples_by_genes" and t.id_kind == "entrez" and t.value_kind == "linear"
    assert t.sample_ids[0] == "TCGA-D8-A27E-01" and t.gene_ids[0] == "613037"
    assert t.values[0, 0] == np.float32(12.1) and t.values[0, 3] == np.float32(1.44)
    assert t.values.min() < 0 and any("negative values" in n for n in t.notes)


def test_real_label_files(shared_data):
    lab = read_labels(shared_data / "gdc_counts_6types" / "TCGA_CHOL_Target.txt.gz")
    assert lab.columns.tolist() == ["sample_id", "cancer_type"] and len(lab) == 43
    assert set(lab["cancer_type"]) == {"CHOL"}
    lab = read_labels(shared_data / "pancan33_random100" / "samples.tsv.gz")
    assert lab.columns.tolist() == ["sample_id", "cancer_type", "sample_type"]
    assert len(lab) == 11060 and lab["cancer_type"].nunique() == 33
    assert lab.attrs["label_column"] == "cancer_type"
    assert lab["sample_type"].iloc[0] == "Primary Solid Tumor"


def test_real_clinical_acc_events(shared_data):
    frame, rep = read_clinical(shared_data / "tcga_survival" / "clinical_survival.tsv.gz")
    assert len(frame) == 11165 and rep["format"] == "tcga_cdr" and rep["endpoints_absent"] == []
    assert frame.columns.tolist() == ["cancer_type", "os_time", "os_event", "dss_time", "dss_event",
                                      "dfi_time", "dfi_event", "pfi_time", "pfi_event"]
    with gzip.open(shared_data / "gdc_counts_6types" / "TCGA_ACC_Counts.exp.gz", "rt") as fh:
        barcodes = fh.readline().rstrip("\n").split("\t")[1:]
    patients = ["-".join(b.split("-")[:3]) for b in barcodes]
    assert len(patients) == 79
    assert frame.loc[patients, "os_event"].sum() == 28  # data README: ACC 28/79
    assert frame["cancer_type"].isna().sum() == 209  # data README: acronym empty for 209


def test_text_that_is_not_utf8_is_said_with_its_line(tmp_path):
    """A Latin-1 file (an accented sample name) ended in pyarrow's "invalid UTF8 data"
    traceback; a UTF-16 one (Excel's 'Unicode Text') in an orientation error quoting noise."""
    frame = pd.DataFrame({"TP53": [1.0, 2.0], "EGFR": [3.0, 4.0]}, index=["S1", "Patient_é2"])
    frame.to_csv(tmp_path / "latin.csv", encoding="latin-1")
    with pytest.raises(InputError, match=r"(?s)latin.csv: line 3: not UTF-8 text: byte 0xe9.*iconv"):
        read_expression(tmp_path / "latin.csv")
    # a small file's bad byte in a number of its last line: pyarrow's traceback (the head check
    # took it for a character cut at its 8 MB mark, the diagnosis read the cells as text)
    (tmp_path / "tiny.tsv").write_bytes(b"gene\tTCGA-OR-A5J1-01\tTCGA-OR-A5J2-01\n"
                                        b"ENSG00000000003\t1.5\xe9\t2\n")
    with pytest.raises(InputError, match=r"(?s)tiny.tsv: line 2: not UTF-8 text: byte 0xe9"):
        read_expression(tmp_path / "tiny.tsv")
    frame.to_csv(tmp_path / "utf16.csv", encoding="utf-16")
    with pytest.raises(InputError, match=r"(?s)UTF-16 text.*fix: save it as UTF-8"):
        read_expression(tmp_path / "utf16.csv")
    frame.to_csv(tmp_path / "utf8.csv")  # the same file as UTF-8 reads
    assert read_expression(tmp_path / "utf8.csv", orientation="samples_by_genes").shape == (2, 2)


def test_featurecounts_output_is_said_with_the_command_that_mends_it(tmp_path):
    """featureCounts' own output (a '# Program:featureCounts' line, then Geneid, Chr, Start,
    End, Strand, Length before the counts) was "only one column found (wrong delimiter?)"."""
    header = "Geneid\tChr\tStart\tEnd\tStrand\tLength\t/data/S1.bam\t/data/S2.bam\n"
    rows = "ENSG00000000003\tchrX;chrX\t100;200\t150;250\t-;-\t1500\t10\t20\n"
    (tmp_path / "fc.txt").write_text("# Program:featureCounts v2.0.1; Command:...\n" + header + rows)
    with pytest.raises(InputError, match=r"(?s)line 1: the first line is a comment.*cut -f1,7-"):
        read_expression(tmp_path / "fc.txt")
    (tmp_path / "fc2.txt").write_text(header + rows)
    with pytest.raises(InputError, match=r"(?s)featureCounts output: its columns 2-6.*cut -f1,7-"):
        read_expression(tmp_path / "fc2.txt")
    (tmp_path / "c.txt").write_text("# made by hand\n" + "gene\tS1\nENSG00000000003\t1\n")
    with pytest.raises(InputError, match=r"(?s)a comment.*grep -v '\^#' FILE > FILE.tsv"):
        read_expression(tmp_path / "c.txt")


@pytest.mark.parametrize(("text", "said"), [
    ("Name\tLength\tEffectiveLength\tTPM\tNumReads\nENST00000000233\t1000\t800.5\t12.3\t500\n",
     "a Salmon quant.sf file: the quantification of one sample"),
    ("target_id\tlength\teff_length\test_counts\ttpm\nENST00000000233\t1000\t800\t500\t12.3\n",
     "a kallisto abundance file"),
    ("gene_id\ttranscript_id(s)\tlength\teffective_length\texpected_count\tTPM\tFPKM\n"
     "ENSG00000000003\tENST1,ENST2\t2000\t1800\t500.00\t12.3\t10.1\n", "a RSEM genes.results file"),
    ("ENSG00000000003\t10\nENSG00000000005\t1\nENSG00000000419\t100\n__no_feature\t5\n",
     "no header line: the first line already holds a gene ('ENSG00000000003')"),
    ("N_unmapped\t100\t100\t100\nENSG00000000003\t10\t0\t10\n", "('N_unmapped')"),
])
def test_one_samples_quantification_is_not_read_as_a_matrix(tmp_path, text, said):
    """A Salmon quant.sf was read as 4 samples named Length, EffectiveLength, TPM and
    NumReads, an HTSeq-count file as 4 samples of 1 gene: silently."""
    (tmp_path / "q.tsv").write_text(text)
    with pytest.raises(InputError, match=r"(?s)" + re.escape(said) + r".*--quant-dir FOLDER"):
        read_expression(tmp_path / "q.tsv")


@pytest.mark.parametrize(("base", "factor"), [(None, 1 / np.log(2)), (10, np.log2(10)), (2, 1.0)])
def test_scanpy_log1p_values_are_read_as_log2(tmp_path, counts, caplog, base, factor):
    """A scanpy file (``sc.pp.normalize_total`` then ``sc.pp.log1p``: ln(CP10k + 1), marked by
    ``uns["log1p"]``) was taken as log2 values as-is: every value 0.69 of genemoe's scale,
    and the counts recovered from it by 2^x − 1 distorted. Read as log2(x + 1) now, said."""
    import anndata

    cp10k = counts / counts.sum(1, keepdims=True) * 1e4
    X = (np.log1p(cp10k) / (1.0 if base is None else np.log(base))).astype(np.float32)
    a = anndata.AnnData(X=X, var=pd.DataFrame(index=ENSEMBL), obs=pd.DataFrame(index=SAMPLES))
    a.uns["log1p"] = {"base": base}
    a.write_h5ad(tmp_path / "sc.h5ad")
    with caplog.at_level("WARNING", logger="genemoe"):
        t = read_expression(tmp_path / "sc.h5ad")
    np.testing.assert_allclose(t.values, np.log2(cp10k + 1), rtol=1e-5, atol=1e-5)
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    if base == 2:
        assert not said and not any("log1p" in n for n in t.notes)
    else:
        assert any(f"multiplied by {factor:.4f} to log2(x + 1)" in s for s in said), said
        assert any("uns['log1p']" in n for n in t.notes)


@pytest.mark.parametrize(("edit", "kind"), [
    (lambda X: (X - X.mean(0)) / X.std(0), "transformed"),  # scanpy's sc.pp.scale
    (lambda X: np.exp2(X) - 1, "linear"),                      # un-logged
])
def test_an_export_changed_since_is_not_taken_as_the_export(tmp_path, rng, caplog, edit, kind):
    """An exported `.h5ad` whose X was z-scored (or un-logged) in scanpy kept its export record
    (uns['genemoe']): `prepare` called the z-scores `fpkm_uq` and `predict` took them as the
    model's scale (every sample one type, confidence 0.99)."""
    import anndata

    b = small_bundle(rng)
    b.record["normalisation"] = "fpkm_uq"
    path = write_h5ad(b, tmp_path / "b.h5ad")
    t = read_expression(path)
    assert t.exported_normalisation == "fpkm_uq" and "a genemoe export of a fpkm_uq bundle" in t.notes
    a = anndata.read_h5ad(path)
    a.X = edit(np.asarray(a.X, np.float64)).astype(np.float32)
    a.write_h5ad(tmp_path / "edited.h5ad")
    with caplog.at_level("WARNING", logger="genemoe"):
        t = read_expression(tmp_path / "edited.h5ad")
    assert t.value_kind == kind and t.exported_normalisation is None
    assert t.from_export  # its obs survival is still read by prepare
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("a genemoe export of a fpkm_uq bundle, but its values look" in s and
               "changed since the export" in s for s in said), said


def test_scanpy_scaled_values_keep_their_scale_though_marked_log1p(tmp_path, counts, caplog):
    """`sc.pp.scale` after `sc.pp.log1p` keeps uns['log1p']: the z-scores were multiplied by
    1.44 as if they were natural-log values."""
    import anndata

    z = np.log1p(counts / counts.sum(1, keepdims=True) * 1e4)
    z = ((z - z.mean(0)) / (z.std(0) + 1e-6)).astype(np.float32)
    a = anndata.AnnData(X=z, var=pd.DataFrame(index=ENSEMBL), obs=pd.DataFrame(index=SAMPLES))
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(tmp_path / "scaled.h5ad")
    with caplog.at_level("WARNING", logger="genemoe"):
        t = read_expression(tmp_path / "scaled.h5ad")
    assert t.value_kind == "transformed"
    np.testing.assert_allclose(t.values, z, rtol=1e-6, atol=1e-6)
    assert any("not converted" in r.getMessage() for r in caplog.records)


def test_a_non_utf8_number_past_the_head_is_said_with_its_line(tmp_path):
    """Old behaviour: past the 8 MB head the layout is learnt from, a number holding a Latin-1
    byte failed the float parse, then the diagnosis (cells read as text) raised pyarrow's
    "invalid UTF8 data" traceback."""
    rows = b"".join(b"ENSG%011d\t1.5\t2\n" % i for i in range(360_000))  # 8.6 MB
    (tmp_path / "big.tsv").write_bytes(b"gene\tTCGA-OR-A5J1-01\tTCGA-OR-A5J2-01\n" + rows
                                       + b"ENSG99999999999\t1.5\xe9\t2\n")
    with pytest.raises(InputError, match=r"(?s)big.tsv: line 360002: not UTF-8 text: byte 0xe9"):
        read_expression(tmp_path / "big.tsv")
