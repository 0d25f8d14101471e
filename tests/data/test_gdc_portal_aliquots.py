"""The GDC portal route keeps the same file of a sample with two aliquots whichever form
the sample sheet takes (probeH).

Old behaviour: the cart's JSON metadata keyed each file by its aliquot barcode
(``associated_entities[0].entity_submitter_id``), so two aliquots of one sample were two
samples to the join; the deepest-library rule the TSV sheet route applies never saw the
repeat, and ``prepare`` later dropped one as a "duplicate profile of the same patient",
keeping the shallower (the aliquot barcode that sorts first).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_gdc_portal import SHEET_COLUMNS, write_star_file
from xena_files import gene_table

from genemoe.data.gdc_portal import STAR_SUFFIX, assemble_gdc_dir, read_sample_sheet

SAMPLE = "TCGA-OR-A5J1-01A"
# the shallow aliquot's barcode sorts first (as prepare's per-patient rule ranks them)
ALIQUOTS = {"shallow": f"{SAMPLE}-11R-A29S-07", "deep": f"{SAMPLE}-21R-A29S-07"}
OTHER = "TCGA-OR-A5J2-01A-11R-A29S-07"


def _genes() -> pd.DataFrame:
    g = gene_table(20)
    return pd.DataFrame({"gene_id": g["id"], "gene_name": g["gene"], "gene_type": "protein_coding"})


def _download(root: Path, form: str) -> Path:
    """Three files (two aliquots of SAMPLE, one of another sample) and the sheet in ``form``:
    ``tsv``, ``json`` (with cases[].samples[]) or ``json-aliquot`` (aliquot barcodes alone)."""
    genes = _genes()
    rng = np.random.default_rng(3)
    deep = rng.integers(100, 1000, len(genes))
    counts = {"deep": deep, "shallow": deep // 3, "other": rng.integers(100, 1000, len(genes))}
    rows, meta = [], []
    for k, (which, barcode) in enumerate([*ALIQUOTS.items(), ("other", OTHER)]):
        fid, fname = f"0000000{k}-aaaa-bbbb-cccc-dddddddddddd", f"f{k}{STAR_SUFFIX}"
        write_star_file(root / fid / fname, genes, counts[which])
        rows.append([fid, fname, "Transcriptome Profiling", "Gene Expression Quantification",
                     "TCGA-ACC", barcode[:12], barcode[:16], "Primary Tumor"])
        case: dict = {"project": {"project_id": "TCGA-ACC"}}
        if form == "json":
            case["samples"] = [{"submitter_id": barcode[:16]}]
        meta.append({"file_name": fname, "file_id": fid, "cases": [case],
                     "associated_entities": [{"entity_submitter_id": barcode}]})
    if form == "tsv":
        sheet = root / "gdc_sample_sheet.2026-12-01.tsv"
        pd.DataFrame(rows, columns=SHEET_COLUMNS).to_csv(sheet, sep="\t", index=False)
    else:
        sheet = root / "metadata.cart.2026-12-01.json"
        sheet.write_text(json.dumps(meta))
    return sheet


@pytest.mark.parametrize("form", ["json", "json-aliquot"])
def test_both_sheet_forms_keep_the_deepest_aliquot(tmp_path: Path, form: str) -> None:
    by_form = {}
    for f in ("tsv", form):
        sheet = _download(tmp_path / f, f)
        expr, labels, record = assemble_gdc_dir(tmp_path / f, sheet, tmp_path / f"{f}_out")
        by_form[f] = (pd.read_csv(expr, sep="\t", index_col=0), record)
    (tsv, tsv_rec), (js, js_rec) = by_form["tsv"], by_form[form]
    assert tsv_rec["repeated_samples"][SAMPLE]["kept"] == js_rec["repeated_samples"][SAMPLE]["kept"]
    assert js_rec["repeated_samples"][SAMPLE]["kept"] == f"f1{STAR_SUFFIX}"  # the deep one
    assert js_rec["repeated_files_left_out"] == [f"f0{STAR_SUFFIX}"]
    assert tsv.shape[1] == js.shape[1] == 2 + 2  # gene_name, gene_type, two samples
    np.testing.assert_array_equal(js[ALIQUOTS["deep"]].to_numpy(), tsv[SAMPLE].to_numpy())
    assert ALIQUOTS["shallow"] not in js.columns  # the column keeps the kept aliquot's barcode


def test_the_json_sheet_names_each_files_sample(tmp_path: Path) -> None:
    sheet = read_sample_sheet(_download(tmp_path / "j", "json-aliquot"))
    assert sheet["sample"].tolist() == [SAMPLE, SAMPLE, OTHER[:16]]
    assert sheet["sample_id"].tolist() == [*ALIQUOTS.values(), OTHER]
