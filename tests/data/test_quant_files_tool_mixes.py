"""``--quant-dir`` folders of other tools' files: HTSeq-count's own files beside STAR's, and
featureCounts' tables, are refused with what they are and the fix (GG probe, D2 and D6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.quant_files import find_quant_files
from genemoe.errors import InputError

GENES = [f"ENSG{i:011d}.5" for i in range(1, 41)]
HTSEQ_ROWS = ("__no_feature", "__ambiguous", "__too_low_aQual", "__not_aligned",
              "__alignment_not_unique")


def _counts(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 500, len(GENES))


def _star(path: Path, seed: int) -> None:
    """A reverse-stranded ReadsPerGene.out.tab: four N_ rows, then gene, unstranded, 1st, 2nd."""
    c = _counts(seed)
    first = np.round(c * 0.03).astype(int)
    lines = [f"{n}\t{k}\t{k}\t{k}" for n, k in (("N_unmapped", 2000), ("N_multimapping", 3000),
                                                ("N_noFeature", 1500), ("N_ambiguous", 800))]
    lines += [f"{g}\t{u}\t{f}\t{u - f}" for g, u, f in zip(GENES, c, first, strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _htseq(path: Path, seed: int, *, summary: bool = True) -> None:
    """An htseq-count output: gene, count; then its five ``__`` summary rows."""
    lines = [f"{g}\t{c}" for g, c in zip(GENES, _counts(seed), strict=True)]
    lines += [f"{n}\t{100 * (i + 1)}" for i, n in enumerate(HTSEQ_ROWS)] if summary else []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _star_and_htseq(root: Path) -> None:
    for i, s in enumerate(("S1", "S2", "S3")):
        _star(root / f"{s}ReadsPerGene.out.tab", i)
    for i, s in enumerate(("S4", "S5", "S6")):
        _htseq(root / f"{s}.counts", 10 + i)


def test_star_and_htseq_counts_files_in_one_folder_are_refused(tmp_path: Path) -> None:
    """Old behaviour: the three HTSeq-count samples were skipped as stray tables, the join
    went on with the STAR half of the cohort and no word of the samples lost."""
    _star_and_htseq(tmp_path / "mixed")
    with pytest.raises(InputError) as err:
        find_quant_files(tmp_path / "mixed")
    msg = str(err.value)
    assert "mixes 3 STAR ReadsPerGene.out.tab and 3 HTSeq-count files" in msg
    assert "S1ReadsPerGene.out.tab" in msg and "S4.counts" in msg  # an example of each
    assert "one tool's files per folder" in err.value.fix


def test_the_mix_is_one_error_on_the_command_line(tmp_path: Path) -> None:
    _star_and_htseq(tmp_path / "mixed")
    res = CliRunner().invoke(app, ["prepare", "--quant-dir", str(tmp_path / "mixed"),
                                   "--cancer-type", "ACC", "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)  # one message, no traceback (genemoe's main)
    assert "mixes 3 STAR ReadsPerGene.out.tab and 3 HTSeq-count files" in str(res.exception)
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("table", ["no_summary_rows", "fractions"])
def test_tables_that_only_look_like_htseq_beside_star_are_still_skipped(
    tmp_path: Path, table: str,
) -> None:
    """Qualimap's and DESeq2 QC's two-column tables carry no ``__`` rows (or hold
    fractions, not counts): set aside and listed, as README says."""
    root = tmp_path / "star"
    for i, s in enumerate(("S1", "S2")):
        _star(root / f"{s}ReadsPerGene.out.tab", i)
        if table == "no_summary_rows":
            _htseq(root / "qc" / f"{s}.txt", i, summary=False)
        else:
            (root / "qc").mkdir(exist_ok=True)
            (root / "qc" / f"{s}.txt").write_text(f"{s}\t1.3\n__no_feature\t4\n")
    kind, files, skipped = find_quant_files(root)
    assert kind == "star" and sorted(files) == ["S1", "S2"]
    assert sorted(p.name for p in skipped) == ["S1.txt", "S2.txt"]


def _featurecounts(path: Path, samples: list[str], seed: int = 0) -> None:
    """featureCounts' output: its program line, annotation columns, one column per BAM."""
    head = "\t".join(["Geneid", "Chr", "Start", "End", "Strand", "Length",
                      *(f"/bam/{s}.bam" for s in samples)])
    rng = np.random.default_rng(seed)
    rows = ["\t".join([g, "chr1", "1", "2", "+", "1000",
                       *(str(v) for v in rng.integers(0, 500, len(samples)))]) for g in GENES]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'# Program:featureCounts v2.0.3; Command:"featureCounts" "-o" "{path.name}"'
                    "\n" + "\n".join([head, *rows]) + "\n")


def test_featurecounts_per_sample_tables_are_named_with_the_join(tmp_path: Path) -> None:
    """Old behaviour: "no per-sample quantification files found", and the fix "point
    --quant-dir at the pipeline's output folder" (which it was)."""
    for i, s in enumerate(("S1", "S2", "S3")):
        _featurecounts(tmp_path / "fc" / f"{s}.featureCounts.txt", [s], i)
    with pytest.raises(InputError) as err:
        find_quant_files(tmp_path / "fc")
    assert "3 featureCounts tables (e.g. S1.featureCounts.txt)" in err.value.problem
    fix = err.value.fix
    assert "paste <(grep -v '^#' S1.featureCounts.txt | cut -f1,7-)" in fix
    assert "<(grep -v '^#' S2.featureCounts.txt | cut -f7-) ..." in fix
    assert "--expression" in fix


def test_a_featurecounts_matrix_in_the_folder_gets_the_cut_command(tmp_path: Path) -> None:
    _featurecounts(tmp_path / "fc" / "counts.txt", ["S1", "S2", "S3"])
    with pytest.raises(InputError) as err:
        find_quant_files(tmp_path / "fc")
    assert "a featureCounts matrix (counts.txt: 3 samples)" in err.value.problem
    assert "grep -v '^#' counts.txt | cut -f1,7- > counts.tsv" in err.value.fix
    assert "--expression" in err.value.fix
