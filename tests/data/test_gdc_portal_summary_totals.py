"""``--gdc-dir``: the join keeps each ``N_*`` row's reads summed over the samples (as the
``--quant-dir`` join does; it kept their names only), and says its matrix once (GG probe,
D8 and D9)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.gdc_portal import STAR_SUFFIX, assemble_gdc_dir
from genemoe.data.quant_dir import joined_lines
from genemoe.errors import InputError

HEADER = ("gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\t"
          "tpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded")
N_GENES = 1_200
N_ROWS = ("N_unmapped", "N_multimapping", "N_noFeature", "N_ambiguous")


def _portal_file(path: Path, k: int, seed: int) -> None:
    """One aliquot's file as the GDC writes it; its N_ rows hold k, 2k, 3k, 4k reads (TPM and
    FPKM cells empty)."""
    counts = np.random.default_rng(seed).integers(0, 300, N_GENES)
    tpm = counts / counts.sum() * 1e6
    lines = ["# gene-model: GENCODE v36", HEADER]
    lines += [f"{n}\t\t\t{k * (i + 1)}\t{k}\t{k * i}\t\t\t" for i, n in enumerate(N_ROWS)]
    lines += [f"ENSG{g:011d}.3\tG{g}\tprotein_coding\t{c}\t{c // 2}\t{c - c // 2}\t{t:.4f}\t"
              f"{t / 3:.4f}\t{t * 2:.4f}" for g, (c, t) in enumerate(zip(counts, tpm, strict=True))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _download(root: Path) -> Path:
    """Three samples' files in gdc-client's ``<File ID>/`` folders, and the sample sheet."""
    rows = []
    for i, k in enumerate((1000, 2000, 4000)):
        fid, name = f"0000000{i}-aaaa-bbbb-cccc-dddddddddddd", f"f{i}{STAR_SUFFIX}"
        _portal_file(root / fid / name, k, i)
        rows.append([fid, name, "TCGA-ACC", f"TCGA-OR-A5J{i}", f"TCGA-OR-A5J{i}-01A"])
    sheet = root / "gdc_sample_sheet.2026-12-05.tsv"
    pd.DataFrame(rows, columns=["File ID", "File Name", "Project ID", "Case ID", "Sample ID"]
                 ).to_csv(sheet, sep="\t", index=False)
    return sheet


@pytest.mark.parametrize("values", ["counts", "tpm"])
def test_summary_rows_keep_their_reads_summed_over_the_samples(tmp_path: Path, values) -> None:
    """Old: ``summary_rows: ["N_unmapped", ...]``, the names only."""
    sheet = _download(tmp_path / "gdc")
    _, _, record = assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o", values=values)
    expected = {n: 7000.0 * (i + 1) for i, n in enumerate(N_ROWS)}  # (1000+2000+4000) x row
    assert record["summary_rows"] == expected
    assert record["summary_rows_column"] == "unstranded"  # TPM's N_ cells are empty
    assert json.loads((tmp_path / "o" / "joined.json").read_text())["summary_rows"] == expected
    assert "4 summary rows left out (N_unmapped, N_multimapping, N_noFeature, N_ambiguous)" in (
        joined_lines(record))


def test_a_damaged_summary_row_is_refused_with_its_line(tmp_path: Path) -> None:
    sheet = _download(tmp_path / "gdc")
    p = next((tmp_path / "gdc").rglob(f"f1{STAR_SUFFIX}"))
    p.write_text(p.read_text().replace("N_noFeature\t\t\t6000", "N_noFeature\t\t\t6x00"))
    with pytest.raises(InputError, match=r"line 5 \(N_noFeature\): non-numeric unstranded value "
                                         r"'6x00' in a summary row"):
        assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")


def test_the_joined_matrix_is_said_once_its_detail_at_debug_level(tmp_path: Path, caplog) -> None:
    """Old: ``assembled 3 STAR files (counts) into ...: 1200 genes x 3 samples`` at INFO,
    printed right before the formatted ``joined 3 GDC portal STAR files ...`` line."""
    sheet = _download(tmp_path / "gdc")
    with caplog.at_level(logging.DEBUG, logger="genemoe"):
        assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    said = [r for r in caplog.records if r.name == "genemoe.data.gdc_portal"
            and "assembled" in r.getMessage()]
    assert [r.levelno for r in said] == [logging.DEBUG]
    assert "1,200 genes × 3 samples" in said[0].getMessage()
