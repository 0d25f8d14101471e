"""An outside probe of ``genemoe prepare`` with a collaborator's own matrix (helper hAS):
gene ids that differ only in case, genes of which none has a length, the read/mapping
summary lines, the unmapped-id warning and spreadsheet marks in a label table."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError

_TYPES = ("ACC", "UVM")


def _barcodes(n: int) -> list[str]:
    return [f"TCGA-{'OR' if i % 2 else 'VD'}-{i:04d}-01A-11R-A000-07" for i in range(n)]


def _annotation(path: Path, n: int) -> Path:
    """An Ensembl annotation of ``n`` genes ``GENE0`` … with lengths."""
    pd.DataFrame({"gene_id": [f"ENSG{i:011d}" for i in range(n)],
                  "gene_name": [f"GENE{i}" for i in range(n)], "biotype": "protein_coding",
                  "chrom": "1", "start": np.arange(n) * 1000 + 1, "end": np.arange(n) * 1000 + 900,
                  "length": 900}).to_csv(path, sep="\t", index=False)
    return path


def _counts(path: Path, genes: list[str], samples: list[str], seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(len(genes), len(samples))), index=genes,
                 columns=samples).rename_axis("gene").to_csv(path, sep="\t")
    return path


def _labels(path: Path, samples: list[str], cells: dict[int, str] | None = None) -> Path:
    types = [_TYPES[i % 2] for i in range(len(samples))]
    for i, cell in (cells or {}).items():
        types[i] = cell
    path.write_text("sample\tcancer_type\n" + "".join(f"{s}\t{t}\n" for s, t in zip(samples, types, strict=True)))
    return path


def test_symbols_differing_only_in_case_are_refused_naming_both_rows(tmp_path):
    """Old behaviour: ``KRT33A`` and ``krt33a`` (two rows of different values) both mapped to
    one gene and the second was dropped ("1 duplicates dropped"), while exact and version
    repeats are refused: which row is the gene was decided silently."""
    samples = _barcodes(12)
    genes = [f"GENE{i}" for i in range(30)] + ["gene5"]
    expr = _counts(tmp_path / "expr.tsv", genes, samples)
    with pytest.raises(InputError) as err:
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[_labels(tmp_path / "l.tsv", samples)],
                        annotation_path=_annotation(tmp_path / "ann.tsv", 40))
    text = str(err.value)
    assert "'GENE5' and 'gene5'" in text and "differ only in case" in text
    assert "expr.tsv" in text and "keep one row" in text
    assert not (tmp_path / "b").exists()


def test_a_symbol_in_another_case_alone_is_still_mapped(tmp_path):
    """A symbol written in another case without its upper-case twin maps as before."""
    samples = _barcodes(12)
    genes = [f"GENE{i}" for i in range(30) if i != 5] + ["gene5"]
    expr = _counts(tmp_path / "expr.tsv", genes, samples)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[_labels(tmp_path / "l.tsv", samples)],
                        annotation_path=_annotation(tmp_path / "ann.tsv", 40),
                        config=PrepareConfig(min_variance=0, min_mean=0))
    assert "ENSG00000000005" in set(b.var["gene_id"])


def test_the_mapping_line_counts_one_gene_in_the_singular():
    """Old behaviour: "1 symbols matched ignoring case", "1 symbols of several genes
    resolved", "(1 duplicates dropped)"."""
    from genemoe.data.prep_text import step_line

    report = {"n_ids": 5, "mapped": 5, "matched_in_annotation": 5, "symbol_case_insensitive": 1,
              "ambiguous_symbol_resolved": 1, "duplicates_after_mapping": 1,
              "version_stripped": 1}
    line = step_line("map_gene_ids", {"file": "mine.tsv", "report": report, "n_genes": 4,
                                      "annotation": True})
    flat = " ".join(line.split())
    assert "1 symbol matched ignoring case" in flat and "1 symbol of several genes" in flat
    assert "(1 duplicate dropped)" in flat and "1 Ensembl version stripped" in flat
    assert "symbols" not in flat and "duplicates" not in flat


def test_the_read_line_counts_entrez_ids_written_as_decimals(tmp_path):
    """Old behaviour: ``613037.0`` read as ``613037`` was a warning only; the read line,
    where the read's other changes are counted, did not say it."""
    samples = _barcodes(12)
    expr = _counts(tmp_path / "mine.tsv", [f"{613037 + i}.0" for i in range(30)], samples)
    b = prepare_dataset([expr], out_path=tmp_path / "b",
                        label_paths=[_labels(tmp_path / "l.tsv", samples)],
                        config=PrepareConfig(min_variance=0, min_mean=0))
    from genemoe.data.prep_text import step_line

    step = next(s for s in b.record["steps"] if s["step"] == "read")
    line = step_line("read", {k: v for k, v in step.items() if k != "step"})
    assert "30 Entrez ids written as decimals read as whole numbers, e.g. 613037.0 → 613037" \
        in " ".join(line.split()), line
    assert all(len(row) <= 100 for row in line.splitlines())


def _entrez_counts(tmp_path: Path) -> tuple[Path, Path, Path]:
    samples = _barcodes(12)
    expr = _counts(tmp_path / "entrez.tsv", [str(7157 + i) for i in range(30)], samples)
    return expr, _labels(tmp_path / "l.tsv", samples), _annotation(tmp_path / "ann.tsv", 40)


def test_a_length_normalisation_of_genes_without_any_length_is_refused_saying_why(tmp_path):
    """Old behaviour: Entrez ids under --normalisation fpkm_uq with an Ensembl annotation:
    every gene dropped for "no gene length", then "12 samples have no counts at all; they
    normalise to zeros", then "the expression files share no gene identifier"."""
    expr, labels, ann = _entrez_counts(tmp_path)
    with pytest.raises(InputError) as err:
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels], annotation_path=ann,
                        config=PrepareConfig(normalisation="fpkm_uq"))
    text = str(err.value)
    assert "entrez.tsv" in text and "none of its 30 genes has a length in ann.tsv" in text
    assert "Entrez ids" in text and "--normalisation log2cpm" in text
    assert "no counts" not in text


def test_auto_takes_log2cpm_when_no_gene_has_a_length_and_says_why(tmp_path, caplog):
    """Old behaviour: ``auto`` chose fpkm_uq (an annotation was given), every gene was
    dropped and the samples were said to have no counts at all."""
    expr, labels, ann = _entrez_counts(tmp_path)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels], annotation_path=ann,
                        config=PrepareConfig(min_variance=0, min_mean=0))
    assert b.n_genes == 30 and b.record["normalisation"] == "log2cpm"
    said = [w for w in b.record["warnings"] if "has a length" in w]
    assert said and "log2cpm used" in said[0] and "Entrez ids" in said[0]
    assert not any("no counts at all" in w for w in b.record["warnings"])


def test_normalising_a_table_of_no_genes_is_refused_naming_the_file():
    """Old behaviour: a table with no gene left normalised every sample "to zeros", said as
    "N samples have no counts at all"."""
    from genemoe.data.normalise import normalise_values

    with pytest.raises(InputError, match="no gene is left to normalise") as err:
        normalise_values(np.zeros((3, 0), np.float32), "fpkm_uq", lengths=np.zeros(0),
                         source=Path("mine.tsv"))
    assert "mine.tsv" in str(err.value)


def test_the_unmapped_ids_warning_names_the_files_and_lists_ids_as_text(tmp_path, caplog):
    """Old behaviour: "3 of 33 gene IDs unmapped, e.g. ['NOTAGENE0', 'NOTAGENE1', ...]": a
    Python list, and neither the expression file nor the annotation named."""
    samples = _barcodes(12)
    genes = [f"GENE{i}" for i in range(30)] + [f"NOTAGENE{i}" for i in range(7)]
    expr = _counts(tmp_path / "mine.tsv", genes, samples)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[_labels(tmp_path / "l.tsv", samples)],
                        annotation_path=_annotation(tmp_path / "ann.tsv", 40),
                        config=PrepareConfig(min_variance=0, min_mean=0))
    said = [r.getMessage() for r in caplog.records if "NOTAGENE0" in r.getMessage()]
    assert said == ["mine.tsv: 7 of 37 gene ids not in ann.tsv: NOTAGENE0, NOTAGENE1, NOTAGENE2, "
                    "NOTAGENE3, NOTAGENE4 and 2 more"]


def test_a_label_cell_of_hash_na_is_said_as_a_spreadsheets_missing_value_mark(tmp_path, caplog):
    """Old behaviour: a label cell ``#N/A`` (Excel's mark of a lookup that found nothing)
    was said as "1 of its 12 rows have an empty cancer type", and the refusal listed the
    unlabelled samples as a Python list (``['TCGA-…']``)."""
    samples = _barcodes(12)
    expr = _counts(tmp_path / "mine.tsv", [f"GENE{i}" for i in range(30)], samples)
    labels = _labels(tmp_path / "labels.tsv", samples, {3: "#N/A"})
    with caplog.at_level(logging.WARNING, logger="genemoe"), pytest.raises(InputError) as err:
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels],
                        annotation_path=_annotation(tmp_path / "ann.tsv", 40))
    said = [r.getMessage() for r in caplog.records if "labels.tsv" in r.getMessage()]
    assert said and said[0].startswith("labels.tsv: 1 of its 12 rows has an empty cancer type "
                                       "('#N/A' in 1 row: a spreadsheet's missing-value mark")
    assert f"(e.g. {samples[3]})" in str(err.value)


def test_other_ids_matching_the_models_samples_are_said_to_match_by_name_only(caplog):
    """Old behaviour: another lab's samples named ``S0000``… against a model trained on
    ``S0000``… were only called "training and validation samples of the model itself: not
    independent"; a non-TCGA id matches by name alone, which is now said, with the fix."""
    from genemoe.workflows.model_split import model_splits

    splits = {"train": ["S0000", "S0001"], "val": ["S0002"], "test": ["TCGA-OR-A5J1-01"]}
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        found = model_splits(["S0000", "S0001", "S0002", "S0009", "TCGA-OR-A5J1-01A"], splits)
    assert found == ["train", "train", "val", "new", "test"]
    said = [r.getMessage() for r in caplog.records if "by name only" in r.getMessage()]
    assert said == ["3 sample id(s) (e.g. 'S0000') are not TCGA barcodes and match the model's "
                    "own samples by name only (2 train, 1 val): the same samples, or another "
                    "lab's that share their names; if another lab's, rename them (e.g. add a "
                    "prefix) to score them as new"]
