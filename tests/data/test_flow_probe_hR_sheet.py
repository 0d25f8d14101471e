"""A GDC sample sheet row with an empty ``Project ID`` (or a sheet without the column) is
named where it is: the sheet, its column and line.

Before (a probe's portal download of 24 real ACC/UVM aliquots, one sheet cell emptied):
nothing was said of the sheet; ``prepare`` then refused with "b2_gdc_inputs/labels.tsv:
sample ids: 1 sample with no cancer-type label", naming the join's own label table, a file
the user never wrote, and a fix about cohort file names.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from xena_files import gene_table, raw_counts

from genemoe.data.gdc_portal import STAR_SUFFIX, assemble_gdc_dir

HEADER = ("gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\t"
          "tpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded")


def _portal(root: Path, *, drop_project_of: int | None = None,
            no_column: bool = False) -> Path:
    """ACC and UVM aliquot files (six or more each) under ``root`` and their sample sheet."""
    genes = gene_table(20)
    rows = []
    for k, project in enumerate(["ACC", "UVM"]):
        m = raw_counts(project, genes, 6, seed=k)
        for j, barcode in enumerate(m.columns):
            fid = f"{k:08d}-0000-0000-0000-{j:012d}"
            name = f"{k}{j}{STAR_SUFFIX}"
            lines = ["# gene-model: GENCODE v36", HEADER, "N_unmapped\t\t\t10\t5\t5\t\t\t"]
            lines += [f"{g}\tG{i}\tprotein_coding\t{c}\t{c // 2}\t{c - c // 2}\t1\t1\t1"
                      for i, (g, c) in enumerate(zip(genes["id"], m[barcode].to_numpy(np.int64),
                                                     strict=True))]
            (root / fid).mkdir(parents=True)
            (root / fid / name).write_text("\n".join(lines) + "\n")
            rows.append({"File ID": fid, "File Name": name, "Project ID": f"TCGA-{project}",
                         "Case ID": barcode[:12], "Sample ID": barcode[:16],
                         "Sample Type": "Primary Tumor"})
    sheet = pd.DataFrame(rows)
    if drop_project_of is not None:
        sheet.loc[drop_project_of, "Project ID"] = ""
    if no_column:
        sheet = sheet.drop(columns=["Project ID"])
    path = root / "gdc_sample_sheet.2026-12-06.tsv"
    sheet.to_csv(path, sep="\t", index=False)
    return path


def test_an_empty_project_id_is_named_by_sheet_column_and_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sheet = _portal(tmp_path / "dl", drop_project_of=3)
    sample = pd.read_csv(sheet, sep="\t")["Sample ID"][3]
    with caplog.at_level(logging.WARNING, logger="genemoe.data.gdc_portal"):
        _, labels, record = assemble_gdc_dir(tmp_path / "dl", sheet, tmp_path / "joined")
    said = [r.getMessage() for r in caplog.records if "Project ID" in r.getMessage()]
    assert len(said) == 1
    assert said[0].startswith(f"{sheet}: 1 sample(s) have an empty 'Project ID' (line 5; "
                              f"e.g. {sample})")
    assert "\n  fix: fill it in (TCGA-<TYPE>)" in said[0]
    assert record["sheet_samples_without_project"] == [sample]
    joined = json.loads((tmp_path / "joined" / "joined.json").read_text())
    assert joined["sheet_samples_without_project"] == [sample]
    table = pd.read_csv(labels, sep="\t", keep_default_na=False).set_index("sample_id")
    assert table.loc[sample, "cancer_type"] == ""  # not guessed
    assert (table["cancer_type"] != "").sum() == len(table) - 1


def test_a_sheet_without_the_column_is_said_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sheet = _portal(tmp_path / "dl", no_column=True)
    with caplog.at_level(logging.WARNING, logger="genemoe.data.gdc_portal"):
        _, _, record = assemble_gdc_dir(tmp_path / "dl", sheet, tmp_path / "joined")
    said = [r.getMessage() for r in caplog.records if "Project ID" in r.getMessage()]
    assert len(said) == 1
    n = len(pd.read_csv(sheet, sep="\t"))  # a normal (11A) among them
    assert said[0].startswith(f"{sheet} has no 'Project ID' column: none of its {n} sample(s)")
    assert len(record["sheet_samples_without_project"]) == n


def test_a_complete_sheet_says_nothing_of_projects(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sheet = _portal(tmp_path / "dl")
    with caplog.at_level(logging.WARNING, logger="genemoe.data.gdc_portal"):
        _, _, record = assemble_gdc_dir(tmp_path / "dl", sheet, tmp_path / "joined")
    assert not [r for r in caplog.records if "Project ID" in r.getMessage()]
    assert record["sheet_samples_without_project"] == []


def test_a_mixed_carts_other_files_are_not_an_incomplete_download(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Before (a probe's cart of 24 STAR files and 3 miRNA files, all downloaded): "3
    sample(s) of the sample sheet have no file ... (an incomplete download?)", and the
    bundle's summary.json counted 3 "sample sheet entry without its file (incomplete
    download)"."""
    sheet = _portal(tmp_path / "dl")
    table = pd.read_csv(sheet, sep="\t")
    extra = []
    for i in range(3):
        fid, name = f"aaaaaaaa-0000-0000-0000-{i:012d}", f"m{i}.mirbase21.mirnas.quantification.txt"
        (tmp_path / "dl" / fid).mkdir()
        (tmp_path / "dl" / fid / name).write_text("miRNA_ID\tread_count\nhsa-let-7a-1\t5\n")
        extra.append({"File ID": fid, "File Name": name, "Project ID": "TCGA-ACC",
                      "Case ID": f"TCGA-OR-B00{i}", "Sample ID": f"TCGA-OR-B00{i}-01A",
                      "Sample Type": "Primary Tumor"})
    pd.concat([table, pd.DataFrame(extra)]).to_csv(sheet, sep="\t", index=False)
    with caplog.at_level(logging.WARNING, logger="genemoe.data.gdc_portal"):
        _, _, record = assemble_gdc_dir(tmp_path / "dl", sheet, tmp_path / "joined")
    assert record["sheet_samples_without_file"] == []
    assert record["sheet_files_not_star"] == [e["File Name"] for e in extra]
    said = [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "incomplete download" in m]
    assert (f"{sheet.name}: 3 of its files are not STAR gene counts (e.g. "
            "m0.mirbase21.mirnas.quantification.txt): passed over") in said
    assert len(record["samples"]) == len(table)
