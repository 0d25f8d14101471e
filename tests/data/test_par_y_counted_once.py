"""GENCODE's ``_PAR_Y`` rows are dropped before the gene ids are mapped, so the mapping line
and the record count them once: as dropped Y copies, not also as Ensembl ids "not in the
annotation, kept without symbol or length".

Old behaviour (probe GG, D7): ``prepare --quant-dir star_par`` warned "2 _PAR_Y rows ...
dropped" and then said "2 Ensembl ids not in the annotation, kept without symbol or length"
of the same rows (record: ``ensembl_not_in_annotation`` 2, the rows gone).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.annotation import read_annotation
from genemoe.data.prep_text import PrepLog, step_line
from genemoe.data.prepare import PrepareConfig, map_table_genes, prepare_dataset
from genemoe.data.read import read_expression

S = [f"TCGA-AA-{i:04d}-01A" for i in range(6)]
G = [f"ENSG{i:011d}" for i in range(1, 9)]
LOST = "ENSG00099999999"  # an Ensembl id the annotation lacks: counted, kept


def _files(d: Path) -> tuple[Path, Path]:
    """Counts of G (versioned), LOST and two _PAR_Y copies; an annotation of G."""
    genes = [f"{g}.3" for g in G] + [f"{LOST}.1", f"{G[1]}.3_PAR_Y", f"{G[4]}.3_PAR_Y"]
    values = np.random.default_rng(0).integers(1, 500, size=(len(genes), len(S)))
    values[-1] = 0  # one empty Y copy, as GENCODE's STAR files have them
    pd.DataFrame(values, index=genes, columns=S).rename_axis("gene_id").to_csv(
        counts := d / "TCGA_ACC_counts.tsv", sep="\t")
    pd.DataFrame({"gene_id": G, "gene_name": [f"SYM{i}" for i in range(len(G))],
                  "biotype": "protein_coding", "chrom": "1", "start": range(1, 9),
                  "end": range(1001, 1009), "length": 1000}).to_csv(
        ann := d / "ann.tsv", sep="\t", index=False)
    return counts, ann


def test_par_y_rows_are_not_counted_as_ids_missing_from_the_annotation(tmp_path):
    counts, ann = _files(tmp_path)
    plog = PrepLog()
    out, _ = map_table_genes(read_expression(counts), read_annotation(ann), plog)
    assert out.gene_ids.tolist() == [*G, LOST]
    assert plog.dropped_genes == {"pseudoautosomal Y copy (_PAR_Y)": 2}
    step = next(s for s in plog.steps if s["step"] == "map_gene_ids")
    assert step["report"]["n_ids"] == 9 and step["report"]["ensembl_not_in_annotation"] == 1
    line = step_line("map_gene_ids", {k: v for k, v in step.items() if k != "step"})
    assert "1 Ensembl id not in the annotation" in line and "8 of 9 mapped" in line, line


def test_prepare_says_the_par_y_rows_once(tmp_path, caplog):
    counts, ann = _files(tmp_path)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        b = prepare_dataset([counts], out_path=tmp_path / "b", annotation_path=ann,
                            config=PrepareConfig(normalisation="log2cpm", min_variance=0,
                                                 min_mean=0, cancer_type="ACC"))
    assert b.record["dropped"]["genes"]["pseudoautosomal Y copy (_PAR_Y)"] == 2
    step = next(s for s in b.record["steps"] if s["step"] == "map_gene_ids")
    assert step["report"]["ensembl_not_in_annotation"] == 1
    said = caplog.text
    assert "2 _PAR_Y rows" in said and "1 of them had non-zero values" in said
    assert "2 Ensembl ids not in the annotation" not in said
