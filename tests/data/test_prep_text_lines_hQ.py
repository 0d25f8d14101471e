"""prepare's summary lines as a user reads them (outside probe on the GDC counts, helper hQ):
lines of 130-230 characters, a gene-ids line saying "kept" for genes log2tpm then dropped,
and "kept 1 samples" (see also ``_bundle`` and ``_types``)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from genemoe.data.prep_text import PrepLog, step_line
from genemoe.data.prepare_config import PrepareConfig

DATA = Path("/work/shared/data")
GDC = DATA / "gdc_counts_6types"

MAP = {"file": "TCGA_ACC_Counts.exp.gz", "n_genes": 56537, "annotation": True,
       "report": {"n_ids": 56537, "mapped": 56537, "ensembl_not_in_annotation": 157}}
LABELS = {"sources": {"label table": 158, "cohort name": 1},
          "respelt": {"ACC (TCGA) -> ACC": 79, "UVM (TCGA) -> UVM": 79}}
GENES = {"n_in_bundle": 51340, "rule": "non-zero in at least one sample of the bundle",
         "n_default_mask": 20323}


def _said(caplog: pytest.LogCaptureFixture, name: str, info: dict) -> str:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="genemoe"):
        PrepLog().step(name, **info)
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.INFO)


@pytest.mark.parametrize("name, info", [("map_gene_ids", MAP), ("labels", LABELS),
                                        ("gene_filter", GENES)])
def test_summary_lines_are_wrapped_to_100_keeping_every_word(caplog, name, info):
    """Old behaviour: one line of 143 (gene ids), 193 (cancer types), 147 (gene filter)."""
    said = _said(caplog, name, info)
    assert max(len(line) for line in said.splitlines()) <= 100, said
    assert said.split() == step_line(name, info).split()  # every number and word kept
    assert all(line.startswith("    ") for line in said.splitlines()[1:]), said


def test_the_gene_ids_line_says_genes_without_a_length_are_dropped_where_needed():
    """Old behaviour: "157 Ensembl ids not in the annotation, kept without symbol or length",
    and log2tpm then dropped the 157 (said only in the bundle's summary)."""
    line = step_line("map_gene_ids", MAP)  # prepare maps before it knows the normalisation
    assert "kept without symbol or length: dropped, and counted, under log2tpm or fpkm_uq" \
        in line, line
    tpm = step_line("map_gene_ids", {**MAP, "normalisation": "log2tpm"})
    assert "157 Ensembl ids not in the annotation, dropped: no length for log2tpm" in tpm, tpm
    cpm = step_line("map_gene_ids", {**MAP, "normalisation": "log2cpm"})
    assert "157 Ensembl ids not in the annotation, kept without symbol or length)" in cpm, cpm


def test_one_sample_kept_is_said_in_the_singular():
    """Old behaviour: "sample types 01: kept 1 samples"."""
    assert "kept 1 sample " in step_line("select_samples", {"sample_types": ["01"], "kept": 1,
                                                            "one_per_patient": True})
    assert "kept 2 samples" in step_line("select_samples", {"sample_types": ["01"], "kept": 2})


@pytest.mark.skipif(not (GDC / "TCGA_ACC_Counts.exp.gz").exists()
                    or not (DATA / "annotation/ensembl105_genes.tsv.gz").exists(),
                    reason="the GDC counts and Ensembl 105 annotation are not in /work/shared/data")
def test_every_prepare_line_on_gdc_counts_is_at_most_100(tmp_path, caplog):
    """The probe's run (ACC, log2tpm, Ensembl 105): its lines ran to 193 characters."""
    from genemoe.data.prepare import prepare_dataset

    with caplog.at_level(logging.INFO, logger="genemoe"):
        prepare_dataset([GDC / "TCGA_ACC_Counts.exp.gz"], out_path=tmp_path / "b",
                        label_paths=[GDC / "TCGA_ACC_Target.txt.gz"],
                        annotation_path=DATA / "annotation/ensembl105_genes.tsv.gz",
                        config=PrepareConfig(normalisation="log2tpm"))
    lines = [line for r in caplog.records if r.filename == "prep_text.py"  # the step lines
             for line in r.getMessage().splitlines()]
    assert lines and max(map(len, lines)) <= 100, "\n".join(lines)


def test_a_word_longer_than_the_line_stays_whole_and_sub_lines_keep_their_indent():
    from genemoe.data.prep_text import wrapped

    path = "/tmp/" + "a" * 120
    assert f"{path}:" in wrapped(f"wrote bundle {path}: 5 samples").split()
    note = "  " + "; ".join(f"note {i} of a read" for i in range(12))
    rows = wrapped(f"read x.tsv: 5 genes\n{note}").splitlines()
    assert rows[1].startswith("  note 0") and all(r.startswith("      note") for r in rows[2:])
    assert max(map(len, rows)) <= 100
