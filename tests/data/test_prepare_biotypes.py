"""``prepare --protein-coding-only`` with nothing that gives biotypes is refused before any
expression file is read.

Old behaviour (outside probe): with Xena's ``gencode.v36.annotation.gtf.gene.probemap`` (gene
id, symbol, chrom, start, end, strand: no gene_type) the option was refused only after every
expression file had been read and normalised (minutes on real files)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from genemoe.data import prepare as prep
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError

GENES = [f"ENSG{i:011d}" for i in range(1, 41)]
SAMPLES = [f"TCGA-A1-{i:04d}-01A" for i in range(6)]
# Xena's gencode.v36 probemap columns: id, gene, chrom, chromStart, chromEnd, strand
PROBEMAP = "id\tgene\tchrom\tchromStart\tchromEnd\tstrand\n" + "".join(
    f"{g}.1\tSYM{i}\tchr1\t{1000 * i + 1}\t{1000 * i + 900}\t+\n" for i, g in enumerate(GENES))
CFG = dict(cancer_type="ACC", min_variance=0, min_mean=0, min_class_size=1, val_fraction=0.2,
           test_fraction=0.4, protein_coding_only=True)


def _matrix(path: Path, types: list[str] | None = None) -> Path:
    x = np.random.default_rng(0).poisson(50, (len(GENES), len(SAMPLES)))
    meta = "\tgene_type" if types else ""
    lines = ["gene" + meta + "\t" + "\t".join(SAMPLES)]
    lines += [g + (f"\t{types[i]}" if types else "") + "\t" + "\t".join(map(str, x[i]))
              for i, g in enumerate(GENES)]
    text = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(text) if path.suffix == ".gz" else text)
    return path


@pytest.fixture
def probemap(tmp_path: Path) -> Path:
    (path := tmp_path / "gencode.v36.annotation.gtf.gene.probemap").write_text(PROBEMAP)
    return path


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("an expression file was read before the refusal")
    monkeypatch.setattr(prep, "read_expression", refuse)


@pytest.mark.usefixtures("no_reading")
def test_a_probemap_without_biotypes_is_refused_before_any_matrix_is_read(tmp_path, probemap):
    paths = [_matrix(tmp_path / "a.tsv"), _matrix(tmp_path / "b.tsv.gz")]
    with pytest.raises(InputError) as info:
        prepare_dataset(paths, out_path=tmp_path / "out", annotation_path=probemap,
                        config=PrepareConfig(**CFG))
    err = info.value
    assert str(err).startswith(f"{probemap}: line 1 (the header): --protein-coding-only needs "
                               "gene biotypes: the annotation has no biotype column")
    assert "no expression file has its own gene_type/biotype column" in err.problem
    assert "a Xena probeMap has none" in err.fix and "drop --protein-coding-only" in err.fix
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("no_reading")
def test_no_annotation_and_no_biotype_column_is_refused_before_reading(tmp_path):
    with pytest.raises(InputError, match="no --annotation, and no expression file") as info:
        prepare_dataset([_matrix(tmp_path / "a.tsv")], out_path=tmp_path / "out",
                        config=PrepareConfig(**CFG))
    assert info.value.where == "--annotation"


def test_a_probemap_beside_a_files_own_gene_type_column_takes_the_files(tmp_path, probemap):
    """The file's own column can give the biotypes: not refused; its protein-coding genes kept."""
    types = ["protein_coding"] * 30 + ["lncRNA"] * 10
    b = prepare_dataset([_matrix(tmp_path / "m.tsv.gz", types)], out_path=tmp_path / "b",
                        annotation_path=probemap, config=PrepareConfig(**CFG))
    assert b.var["gene_id"].tolist() == GENES[:30]
    assert b.record["dropped"]["genes"]["not protein-coding"] == 10
