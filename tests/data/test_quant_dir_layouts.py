"""``--quant-dir`` folders laid out as the tools and pipelines write them.

A Salmon sample folder holds, beside ``quant.sf``: ``cmd_info.json``,
``lib_format_counts.json``, ``aux_info/`` (``ambig_info.tsv``: header ``UniqueCount
AmbigCount``, two integer columns, one row per transcript; ``meta_info.json``; ``fld.gz``,
``expected_bias.gz``, ``observed_bias.gz``, ``observed_bias_3p.gz``), ``libParams/flenDist.txt``
(one line of tab-separated fragment-length probabilities) and ``logs/salmon_quant.log``.
nf-core/rnaseq's ``star_salmon/`` adds Qualimap's per-sample
``qualimap/<sample>/raw_data_qualimapReport/coverage_profile_along_genes_(total|high|low).txt``
(a ``#Transcript position  Transcript coverage profile`` header, two numeric columns).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from genemoe.data.quant_dir import assemble_quant_dir, find_quant_files, join_dropped, joined_lines
from genemoe.data.quant_files import samples_without_file
from genemoe.errors import InputError


def gencode_names(n_genes: int = 5) -> list[str]:
    """GENCODE-style transcript names (``ENST...|ENSG...|...|``), two per gene."""
    return [f"ENST{g * 10 + t:011d}.1|ENSG{g:011d}.4|OTTHUMG1|OTTHUMT1|G{g}-20{t}|G{g}|1500|"
            "protein_coding|" for g in range(n_genes) for t in range(2)]


def write_salmon_sample(folder: Path, names: list[str], reads: np.ndarray) -> None:
    """One sample folder as ``salmon quant -o folder`` leaves it."""
    (folder / "aux_info").mkdir(parents=True)
    (folder / "libParams").mkdir()
    (folder / "logs").mkdir()
    tpm = reads / reads.sum() * 1e6
    (folder / "quant.sf").write_text("Name\tLength\tEffectiveLength\tTPM\tNumReads\n" + "".join(
        f"{n}\t1500\t1350.000\t{t:.6f}\t{r:.3f}\n" for n, t, r in zip(names, tpm, reads,
                                                                    strict=True)))
    (folder / "cmd_info.json").write_text(json.dumps({"salmon_version": "1.10.1",
                                                      "index": "idx", "libType": "A"}))
    (folder / "lib_format_counts.json").write_text(json.dumps({"expected_format": "ISR"}))
    (folder / "aux_info" / "ambig_info.tsv").write_text("UniqueCount\tAmbigCount\n" + "".join(
        f"{int(r * 0.8)}\t{int(r * 0.3)}\n" for r in reads))
    (folder / "aux_info" / "meta_info.json").write_text(json.dumps(
        {"salmon_version": "1.10.1", "num_processed": 1000, "percent_mapped": 91.2}))
    for gz in ("fld.gz", "expected_bias.gz", "observed_bias.gz", "observed_bias_3p.gz"):
        (folder / "aux_info" / gz).write_bytes(gzip.compress(b"\x00\x01\x02\x03"))
    (folder / "libParams" / "flenDist.txt").write_text(
        "\t".join(f"{x:.6g}" for x in np.full(1001, 1 / 1001)) + "\n")
    (folder / "logs" / "salmon_quant.log").write_text(
        "[2024-01-01 10:00:00.000] [jointLog] [info] Mapping rate = 91.2%\n")


def salmon_run(root: Path, n_samples: int = 3) -> np.ndarray:
    names = gencode_names()
    reads = np.random.default_rng(1).gamma(2.0, 50.0, (len(names), n_samples)).round(3)
    for s in range(n_samples):
        write_salmon_sample(root / f"S{s}", names, reads[:, s])
    return reads


def test_a_real_salmon_folder_is_read(tmp_path):
    """Old behaviour: "aux_info/ambig_info.tsv: two files name sample 'ambig_info'" (the
    table taken for HTSeq-count's, refused before such stray tables were set aside)."""
    salmon_run(tmp_path / "salmon")
    kind, files, skipped = find_quant_files(tmp_path / "salmon")
    assert kind == "salmon" and sorted(files) == ["S0", "S1", "S2"]
    assert skipped == []  # Salmon's side folders are not read, nor listed
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")
    assert record["genes"] == 5 and record["warnings"] == []


def test_nf_core_star_salmon_with_qualimap_tables_is_read(tmp_path):
    """Qualimap's coverage_profile_along_genes_(*).txt repeat one name in every sample:
    they were refused as "two files name sample ...", now set aside (and listed)."""
    root = tmp_path / "star_salmon"
    salmon_run(root)
    for s in ("S0", "S1", "S2"):
        report = root / "qualimap" / s / "raw_data_qualimapReport"
        report.mkdir(parents=True)
        for part in ("total", "high", "low"):
            (report / f"coverage_profile_along_genes_({part}).txt").write_text(
                "#Transcript position\tTranscript coverage profile\n0.0\t12.5\n1.0\t13.25\n")
    kind, files, skipped = find_quant_files(root)
    assert kind == "salmon" and sorted(files) == ["S0", "S1", "S2"]
    assert len(skipped) == 9 and all("qualimap" in p.parts for p in skipped)


def test_two_quant_files_of_one_sample_are_still_refused(tmp_path):
    salmon_run(tmp_path / "salmon")
    (tmp_path / "salmon" / "copy" / "S1").mkdir(parents=True)
    (tmp_path / "salmon" / "copy" / "S1" / "quant.sf").write_text(
        (tmp_path / "salmon" / "S1" / "quant.sf").read_text())
    with pytest.raises(InputError, match=r"(?s)two files name sample 'S1'.*fix: keep one file"):
        find_quant_files(tmp_path / "salmon")


def test_a_sample_folder_without_its_quant_sf_is_said_and_counted(tmp_path):
    """Old behaviour: "joined 2 Salmon quant.sf files", the third sample named nowhere."""
    salmon_run(tmp_path / "salmon")
    (tmp_path / "salmon" / "S1" / "quant.sf").unlink()  # salmon failed: its traces are left
    (tmp_path / "salmon" / "S3").mkdir()  # an empty sample folder
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")
    assert sorted(record["samples"]) == ["S0", "S2"]
    assert record["samples_without_file"] == ["S1", "S3"]
    assert any("2 sample folder(s)" in w and "hold no Salmon quant.sf file (e.g. S1)" in w
               for w in record["warnings"])
    assert "2 sample folder(s) without their file left out (all in joined.json)" in (
        joined_lines(record))
    assert join_dropped([{"joined": record}]) == {
        "sample folder without its quantification file (failed run?)": 2}


def test_pipeline_folders_beside_the_samples_are_not_taken_for_samples(tmp_path):
    """nf-core's star_salmon/ holds qualimap/, deseq2_qc/... beside the samples' folders."""
    salmon_run(tmp_path / "star_salmon")
    (tmp_path / "star_salmon" / "qualimap" / "S0").mkdir(parents=True)
    (tmp_path / "star_salmon" / "deseq2_qc").mkdir()
    (tmp_path / "star_salmon" / "deseq2_qc" / "deseq2.plots.pdf").write_bytes(b"%PDF")
    kind, files, _ = find_quant_files(tmp_path / "star_salmon")
    assert samples_without_file(tmp_path / "star_salmon", kind, files) == []


def test_flat_star_and_rsem_runs_name_a_sample_without_its_file(tmp_path):
    """STAR's <sample>Log.out and RSEM's <sample>.stat/ are written whether or not the run
    finished; a sample with one but not the other's file is named."""
    for s in ("A", "B", "C"):
        (tmp_path / "star" / f"{s}_Log.out").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "star" / f"{s}_Log.out").write_text("STAR version=2.7.10a\n")
        (tmp_path / "rsem" / f"{s}.stat").mkdir(parents=True)
        (tmp_path / "rsem" / f"{s}.stat" / f"{s}.cnt").write_text("0 10 0 10\n")
        if s == "B":
            continue
        (tmp_path / "star" / f"{s}_ReadsPerGene.out.tab").write_text(
            "N_unmapped\t1\t1\t1\nN_multimapping\t1\t1\t1\nN_noFeature\t1\t1\t1\n"
            "N_ambiguous\t1\t1\t1\nENSG01\t10\t5\t5\nENSG02\t20\t10\t10\n")
        (tmp_path / "rsem" / f"{s}.genes.results").write_text(
            "gene_id\ttranscript_id(s)\tlength\teffective_length\texpected_count\tTPM\tFPKM\n"
            "ENSG01\tENST1\t2000\t1800.00\t500.40\t12.30\t10.10\n")
    for tool in ("star", "rsem"):
        kind, files, skipped = find_quant_files(tmp_path / tool)
        assert sorted(files) == ["A", "C"] and skipped == []
        assert samples_without_file(tmp_path / tool, kind, files) == ["B"]
