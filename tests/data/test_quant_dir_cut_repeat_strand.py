"""``--quant-dir``: a gene repeated in one file, a file cut mid-number, and a ``--strand``
the data contradicts (outside test GG: D1, D1b, D3, D4).

Old behaviour: a repeated gene id was read as one more gene and another, healthy file was
blamed as "cut short" (or, in every file, refused in genemoe's own joined matrix with a fix
asking to edit it); a last row cut from ``4191`` to ``41`` was joined as 41; ``--strand
forward`` on a reverse library took the antisense column without a word.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.quant_dir import assemble_quant_dir
from genemoe.errors import InputError

GENES = [f"ENSG{g:011d}.5" for g in range(1, 9)]
RSEM_HEADER = "gene_id\ttranscript_id(s)\tlength\teffective_length\texpected_count\tTPM\tFPKM\n"
SALMON_HEADER = "Name\tLength\tEffectiveLength\tTPM\tNumReads\n"


def counts(seed: int, n: int = len(GENES)) -> np.ndarray:
    return np.random.default_rng(seed).integers(50, 5000, n)


def star_lines(c: np.ndarray, genes: list[str], read1_share: float = 0.03) -> list[str]:
    first = np.round(c * read1_share).astype(int)
    lines = [f"{n}\t{k}\t{k}\t{k}" for n, k in (("N_unmapped", 900), ("N_multimapping", 80),
                                                 ("N_noFeature", 40), ("N_ambiguous", 9))]
    return lines + [f"{g}\t{u}\t{f}\t{u - f}" for g, u, f in zip(genes, c, first, strict=True)]


def gene_file_lines(kind: str, c: np.ndarray, genes: list[str]) -> list[str]:
    """One sample's file, as its tool writes it (every line ending in a newline)."""
    if kind == "htseq":
        return [f"{g}\t{k}" for g, k in zip(genes, c, strict=True)] + [
            "__no_feature\t10", "__ambiguous\t3", "__too_low_aQual\t0", "__not_aligned\t0",
            "__alignment_not_unique\t40"]
    if kind == "star":
        return star_lines(c, genes)
    if kind == "rsem_genes":
        return [RSEM_HEADER.rstrip("\n")] + [f"{g}\tENST1\t2000\t1800.00\t{k}.00\t1.00\t1.00"
                                             for g, k in zip(genes, c, strict=True)]
    return [SALMON_HEADER.rstrip("\n")] + [f"{g}\t2000\t1800.000\t1.000000\t{k}.000"
                                           for g, k in zip(genes, c, strict=True)]


def gene_file(root: Path, kind: str, sample: str) -> Path:
    return {"htseq": root / f"{sample}.counts", "star": root / f"{sample}ReadsPerGene.out.tab",
            "rsem_genes": root / f"{sample}.genes.results",
            "salmon_genes": root / sample / "quant.genes.sf"}[kind]


def write(path: Path, lines: list[str], end: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + end)


def with_repeat(lines: list[str], header: int) -> tuple[list[str], int, int]:
    """The lines with the third gene's row repeated after the sixth; both 1-based lines."""
    row = lines[header + 2]
    return lines[:header + 6] + [row] + lines[header + 6:], header + 3, header + 7


@pytest.mark.parametrize("kind", ["htseq", "star", "rsem_genes", "salmon_genes"])
def test_a_gene_repeated_in_one_file_is_refused_in_that_file_with_both_lines(tmp_path, kind):
    """D1: the second sample's file repeats a gene; the first and third are healthy (old:
    the first file was said to be "cut short", the repeat read as a ninth gene)."""
    header = 1 if kind in ("rsem_genes", "salmon_genes") else 0
    gene_row = 4 if kind == "star" else 0  # STAR's N_* rows come first
    for i, s in enumerate(("S0", "S1", "S2")):
        lines = gene_file_lines(kind, counts(i), GENES)
        if s == "S1":
            lines, a, b = with_repeat(lines, header + gene_row)
        write(gene_file(tmp_path / "q", kind, s), lines)
    with pytest.raises(InputError) as err:
        assemble_quant_dir(tmp_path / "q", tmp_path / "o")
    said = str(err.value)
    assert str(gene_file(tmp_path / "q", kind, "S1")) in said
    assert f"gene {GENES[2]!r} appears twice (lines {a} and {b})" in said
    assert "cut short" not in said and "S0" not in said
    assert "copy or quantify this sample again" in said


@pytest.mark.parametrize("n_samples", [1, 3])
def test_a_gene_repeated_in_every_file_is_refused_at_the_source(tmp_path, n_samples):
    """D1b: the repeat in every file, or in a one-sample folder (old: joined, then refused
    in genemoe's own <out>_quant_inputs/expression.tsv.gz, with a fix to edit that file)."""
    for i in range(n_samples):
        lines, a, b = with_repeat(gene_file_lines("htseq", counts(i), GENES), 0)
        write(gene_file(tmp_path / "q", "htseq", f"S{i}"), lines)
    with pytest.raises(InputError, match=rf"S0\.counts: gene '{GENES[2]}' appears twice "
                                         rf"\(lines {a} and {b}\)"):
        assemble_quant_dir(tmp_path / "q", tmp_path / "o")
    assert not (tmp_path / "o" / "expression.tsv.gz").exists()


def test_prepare_names_the_users_file_not_its_own_joined_matrix(tmp_path):
    """D1b through the CLI: the message names the sample's file, not the intermediate."""
    lines, a, b = with_repeat(gene_file_lines("htseq", counts(0), GENES), 0)
    write(gene_file(tmp_path / "q", "htseq", "S0"), lines)
    res = CliRunner().invoke(app, ["prepare", "--quant-dir", str(tmp_path / "q"),
                                   "--cancer-type", "ACC", "--min-class-size", "1",
                                   "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)  # the CLI's main says it as one error
    said = str(res.exception)
    assert "S0.counts: gene" in said and f"(lines {a} and {b})" in said
    assert "_quant_inputs" not in said


def test_a_star_file_cut_mid_number_in_its_last_row_is_refused(tmp_path):
    """D3: the last row ``...\\t4191`` cut to ``...\\t41`` without its line end (old: 41
    joined as the gene's count); the other, complete files pass."""
    for i, s in enumerate(("S0", "S1", "S2")):
        c = counts(i)
        c[-1] = 4321
        lines = star_lines(c, GENES)
        if s == "S2":
            write(gene_file(tmp_path / "q", "star", s), lines, end="")
            path = gene_file(tmp_path / "q", "star", s)
            path.write_text(path.read_text()[:-2])
        else:
            write(gene_file(tmp_path / "q", "star", s), lines)
    with pytest.raises(InputError) as err:
        assemble_quant_dir(tmp_path / "q", tmp_path / "o")
    said = str(err.value)
    assert f"S2ReadsPerGene.out.tab: line {len(lines):,}: the last line has no line end" in said
    assert "cut mid-row" in said and "STAR ReadsPerGene.out.tab ends every line with one" in said
    assert "copy or quantify this sample again" in said


def test_a_gzipped_salmon_file_cut_in_numreads_is_refused(tmp_path):
    """D3: Salmon's last column (NumReads, the one read) ``2461.4`` cut to ``246`` in a
    gzip'd quant.sf (old: accepted, summed into its gene)."""
    names = [f"ENST{t:011d}.1|{GENES[t // 2]}|x|y|G-201|G|1500|protein_coding|"
             for t in range(2 * len(GENES))]
    reads = [f"{100 + t}.000" for t in range(len(names) - 1)] + ["2461.400"]
    for s in ("S0", "S1"):
        body = SALMON_HEADER + "".join(f"{n}\t1500\t1350.000\t10.000000\t{r}\n"
                                       for n, r in zip(names, reads, strict=True))
        if s == "S1":
            body = body[:body.rindex("2461.400") + 3]  # cut after "246"
        (tmp_path / "q" / s).mkdir(parents=True)
        with gzip.open(tmp_path / "q" / s / "quant.sf.gz", "wt") as fh:
            fh.write(body)
    with pytest.raises(InputError, match=r"S1/quant\.sf\.gz: line 17: the last line has no "
                                         r"line end \(it ends '.*\\t246'\)"):
        assemble_quant_dir(tmp_path / "q", tmp_path / "o")


def write_star_folder(root: Path, read1_share: float, n: int = 3) -> None:
    for i in range(n):
        write(gene_file(root, "star", f"S{i}"), star_lines(counts(i), GENES, read1_share))


@pytest.mark.parametrize(("share", "strand", "found", "column", "held"), [
    (0.03, "forward", "reverse", "column 3 (forward) takes the antisense counts", "3%"),
    (0.95, "reverse", "forward", "column 4 (reverse) takes the antisense counts", "5%"),
    (0.5, "forward", "unstranded", "column 3 (forward) takes one strand of an unstranded", "50%"),
    (0.03, "unstranded", "reverse", "column 2 (unstranded) counts reads of either strand", "3%"),
])
def test_a_strand_given_against_the_measured_share_is_warned_and_kept(
        tmp_path, share, strand, found, column, held):
    """D4: --strand against a clear read-1 share (old: taken silently, the share only in
    joined.json); the column is still the one asked for."""
    write_star_folder(tmp_path / "q", share)
    _, record = assemble_quant_dir(tmp_path / "q", tmp_path / "o", strand=strand)
    assert record["strand"] == {strand: 3}
    assert record["strand_against_data"] == {"S0": found, "S1": found, "S2": found}
    (said,) = [w for w in record["warnings"] if w.startswith("--strand")]
    assert f"--strand {strand} goes against the data: all 3 samples have" in said
    assert f"{share:.0%} of their stranded counts on read 1's strand" in said
    assert column in said and held in said
    assert said.endswith(f"use --strand auto (or --strand {found})")
    assert json.loads((tmp_path / "o" / "joined.json").read_text())["warnings"] == \
        record["warnings"]


@pytest.mark.parametrize(("share", "strand"), [(0.03, "reverse"), (0.03, "auto"),
                                               (0.5, "unstranded"), (0.68, "forward")])
def test_a_strand_the_data_agrees_with_or_cannot_tell_is_not_warned(tmp_path, share, strand):
    """The right --strand, auto, and an unclear share (68%: refused under auto, the given
    strand decides) say nothing."""
    write_star_folder(tmp_path / "q", share)
    _, record = assemble_quant_dir(tmp_path / "q", tmp_path / "o", strand=strand)
    assert "strand_against_data" not in record
    assert not [w for w in record["warnings"] if "--strand" in w]


def test_one_sample_against_the_others_is_named(tmp_path):
    """A folder of one reverse and two unstranded libraries given --strand reverse: one
    warning, the sample named, the other two counted out."""
    write_star_folder(tmp_path / "q", 0.03, n=3)
    write(gene_file(tmp_path / "q", "star", "S1"), star_lines(counts(1), GENES, 0.5))
    write(gene_file(tmp_path / "q", "star", "S2"), star_lines(counts(2), GENES, 0.5))
    _, record = assemble_quant_dir(tmp_path / "q", tmp_path / "o", strand="reverse")
    (said,) = [w for w in record["warnings"] if w.startswith("--strand")]
    assert "2 of 3 samples (e.g. S1) have 50% of their stranded counts" in said


def test_prepare_says_the_strand_warning_and_keeps_it_in_the_summary(tmp_path):
    """D4 through the CLI: printed, and in summary.json's warnings via joined.json."""
    genes = [f"ENSG{g:011d}.5" for g in range(1, 301)]
    for i in range(3):
        write(gene_file(tmp_path / "q", "star", f"S{i}"),
              star_lines(counts(i, len(genes)), genes, 0.03))
    res = CliRunner().invoke(app, ["prepare", "--quant-dir", str(tmp_path / "q"), "--strand",
                                   "forward", "--cancer-type", "ACC", "--min-class-size", "1",
                                   "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert "--strand forward goes against the data" in res.output
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert any(w.startswith("--strand forward goes against the data")
               for w in summary["warnings"])


def test_complete_files_are_read_as_before(tmp_path):
    """Healthy gene-level files: every gene once, every line ended (a CRLF file too)."""
    for i, s in enumerate(("S0", "S1")):
        lines = gene_file_lines("htseq", counts(i), GENES)
        gene_file(tmp_path / "q", "htseq", s).parent.mkdir(parents=True, exist_ok=True)
        gene_file(tmp_path / "q", "htseq", s).write_bytes(
            ("\r\n" if s == "S1" else "\n").join(lines + [""]).encode())
    expr, _ = assemble_quant_dir(tmp_path / "q", tmp_path / "o")
    joined = pd.read_csv(expr, sep="\t", index_col=0)
    assert joined.shape == (len(GENES), 2)
    assert joined["S0"].tolist() == counts(0).tolist()
