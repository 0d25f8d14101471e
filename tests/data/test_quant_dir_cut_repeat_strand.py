"""``--quant-dir``: a gene repeated in one file, and a file cut mid-number (outside test
GG: D1, D1b, D3).

Old behaviour: a repeated gene id was read as one more gene and another, healthy file was
blamed as "cut short" (or, in every file, refused in genemoe's own joined matrix with a fix
asking to edit it); a last row cut from ``4191`` to ``41`` was joined as 41.
"""

from __future__ import annotations

import gzip
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
