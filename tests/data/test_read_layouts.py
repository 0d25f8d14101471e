"""Matrices as other pipelines write them: annotation columns beside the gene id (nf-core/
rnaseq's ``salmon.merged.gene_counts.tsv``: ``gene_id, gene_name, samples``), GCT 1.2 and 1.3
(GTEx, GenePattern), and estimated (non-integer) counts normalised as counts when asked.

Before: the nf-core matrix stopped on "2000 non-numeric cell(s)" in column gene_name, a GCT
on "the first line is a comment", and ``--normalisation log2cpm`` refused estimated counts
("needs raw counts"), leaving log2(x + 1) without any library-size normalisation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genemoe.data.normalise import resolve_normalisation
from genemoe.data.prep_text import step_line
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.data.values import whole_share
from genemoe.errors import InputError

GENES = [f"ENSG{i:011d}.{i % 7 + 1}" for i in range(40)]
SAMPLES = [f"S{i}" for i in range(6)]


def estimated_counts(seed: int = 0) -> np.ndarray:
    """Salmon-like gene counts (genes × samples): mostly whole, a third split by the EM."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(rng.gamma(0.8, 400, (len(GENES), 1)), (len(GENES), len(SAMPLES))).astype(float)
    split = rng.random(x.shape) < 0.3
    return np.where(split, x + rng.integers(1, 1000, x.shape) / 1000, x)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_nf_core_merged_matrix_reads_without_its_gene_name_column(tmp_path):
    x = estimated_counts()
    lines = ["gene_id\tgene_name\t" + "\t".join(SAMPLES)]
    lines += [f"{g}\tSYM{i}\t" + "\t".join(f"{v:.3f}" for v in x[i]) for i, g in enumerate(GENES)]
    t = read_expression(write(tmp_path / "salmon.merged.gene_counts.tsv", lines))
    assert list(t.sample_ids) == SAMPLES and list(t.gene_ids) == GENES
    np.testing.assert_allclose(t.values, x.T, rtol=1e-6)
    assert "annotation column(s) left out of the values: gene_name" in t.notes
    line = step_line("read", {"file": "m.tsv", "shape": [6, 40], "notes": t.notes,
                              "orientation": t.orientation, "id_kind": t.id_kind,
                              "value_kind": t.value_kind})
    assert "\n  annotation column(s) left out of the values: gene_name" in line
    assert any("whole numbers: estimated counts" in n for n in t.notes)
    assert list(t.gene_symbols[:3]) == ["SYM0", "SYM1", "SYM2"]  # kept for the bundle


def test_the_files_own_symbols_reach_the_bundle(tmp_path):
    """Without --annotation a bundle of nf-core's matrix had no gene symbols (explanations
    and reports named ENSG ids only), though the file holds them."""
    x = estimated_counts(2).round()
    lines = ["gene_id\tgene_name\t" + "\t".join(SAMPLES)]
    lines += [f"{g}\tSYM{i}\t" + "\t".join(f"{v:.0f}" for v in x[i]) for i, g in enumerate(GENES)]
    b = prepare_dataset([write(tmp_path / "m.tsv", lines)], out_path=tmp_path / "b",
                        config=PrepareConfig(cancer_type="BRCA", min_variance=0, min_mean=0,
                                             min_class_size=1, val_fraction=0.2, test_fraction=0.4))
    assert b.var["symbol"].tolist() == [f"SYM{i}" for i in range(len(GENES))]


def test_several_annotation_columns_numeric_ones_by_name(tmp_path):
    """``gene_id, gene_name, gene_type, length, samples``: ``length`` holds numbers but is
    not a sample (it was read as one); an unknown text column still stops, named."""
    rows = [f"{g}\tG{i}\tprotein_coding\t{1000 + i}\t" + "\t".join(str(i + s) for s in range(6))
            for i, g in enumerate(GENES)]
    t = read_expression(write(tmp_path / "a.tsv", ["gene_id\tgene_name\tgene_type\tlength\t"
                                                   + "\t".join(SAMPLES), *rows]))
    assert list(t.sample_ids) == SAMPLES and t.values[2, 5] == 7
    bad = [f"{g}\tfoo\t" + "\t".join(str(i) for _ in SAMPLES) for i, g in enumerate(GENES)]
    with pytest.raises(InputError, match=r"column 'comment': 40 non-numeric cell"):
        read_expression(write(tmp_path / "b.tsv", ["gene_id\tcomment\t" + "\t".join(SAMPLES),
                                                   *bad]))


def test_gct_1_2_as_gtex_writes_it(tmp_path):
    """GTEx's gene reads: ``#1.2``, dimensions, ``Name, Description, samples``."""
    samples = ["GTEX-1117F-0226-SM-5GZZ7", "GTEX-111CU-1826-SM-5GZYN", "GTEX-111FC-0226-SM-5N9B8"]
    lines = ["#1.2", f"{len(GENES)}\t3", "Name\tDescription\t" + "\t".join(samples)]
    lines += [f"{g}\tDDX11L{i}\t{i}\t{2 * i}\t{3 * i}" for i, g in enumerate(GENES)]
    t = read_expression(write(tmp_path / "gene_reads.gct", lines))
    assert list(t.sample_ids) == samples and t.value_kind == "counts"
    assert t.values[2, 10] == 30
    assert any(n.startswith("GCT 1.2") for n in t.notes)
    assert t.gene_symbols[3] == "DDX11L3"  # GTEx's Description column holds the symbol


def test_gct_1_3_with_row_and_column_metadata(tmp_path):
    lines = ["#1.3", f"{len(GENES)}\t3\t2\t1", "id\tsymbol\tbiotype\tA\tB\tC",
             "tissue\tna\tna\tlung\tliver\tlung"]
    lines += [f"{g}\tG{i}\tlncRNA\t{i}.5\t{i}.25\t{i}.125" for i, g in enumerate(GENES)]
    t = read_expression(write(tmp_path / "m.gct", lines))
    assert list(t.sample_ids) == ["A", "B", "C"] and t.values.shape == (3, len(GENES))
    assert t.values[1, 3] == pytest.approx(3.25)
    with pytest.raises(InputError, match="GCT 1.3 file whose second line is not its dimensions"):
        read_expression(write(tmp_path / "bad.gct", ["#1.3", "40 3", *lines[2:]]))


def test_estimated_counts_take_a_count_normalisation_when_asked(tmp_path):
    x = estimated_counts(1)
    lines = ["gene_id\t" + "\t".join(SAMPLES)]
    lines += [f"{g}\t" + "\t".join(f"{v:.3f}" for v in x[i]) for i, g in enumerate(GENES)]
    path = write(tmp_path / "counts.tsv", lines)
    t = read_expression(path)
    assert t.value_kind == "linear"
    assert resolve_normalisation("auto", t, have_lengths=False) == "log2p1"
    assert resolve_normalisation("log2cpm", t, have_lengths=False) == "log2cpm"
    b = prepare_dataset([path], out_path=tmp_path / "b", config=PrepareConfig(
        normalisation="log2cpm", cancer_type="BRCA", min_variance=0, min_mean=0,
        min_class_size=1, val_fraction=0.2, test_fraction=0.4))
    cpm = x / x.sum(0) * 1e6
    i = list(b.obs["sample_id"]).index("S2")
    assert b.X.shape[1] == len(GENES)  # no gene filtered: the columns are the file's
    np.testing.assert_allclose(b.X[i], np.log2(cpm[:, 2] + 1), rtol=1e-5)


def test_negative_linear_values_still_refuse_a_count_method(shared_data):
    """PanCanAtlas EB++ (real): batch-corrected, small negatives: not counts; its 3
    significant digits make large values whole but only 6% of those in [1, 100)."""
    t = read_expression(shared_data / "pancan33_random100" / "expression.tsv.gz")
    assert whole_share(t.values) < 0.1
    assert not any("whole numbers" in n for n in t.notes)
    with pytest.raises(InputError, match="needs raw counts"):
        resolve_normalisation("log2cpm", t, have_lengths=False)


def test_geo_series_matrix_is_refused_and_geo_counts_are_read(tmp_path):
    """A GEO series matrix stopped on "the header has 2 cells but the first data row has 1"
    (its ``!Series_`` lines); GEO's own RNA-seq counts (``GeneID`` Entrez × GSM) read."""
    geo = write(tmp_path / "GSE1_series_matrix.txt", [
        '!Series_title\t"Expression data"', '!Series_geo_accession\t"GSE1"',
        "!series_matrix_table_begin", '"ID_REF"\t"GSM1"\t"GSM2"', '"1007_s_at"\t7.1\t7.3',
        "!series_matrix_table_end"])
    with pytest.raises(InputError, match=r"(?s)a GEO series matrix.*raw_counts_GRCh38"):
        read_expression(geo)
    counts = write(tmp_path / "GSE1_raw_counts_GRCh38.p13_NCBI.tsv", [
        "GeneID\tGSM100\tGSM101\tGSM102", *[f"{g}\t{g}\t{2 * g}\t0" for g in (1, 2, 9, 10, 12)]])
    t = read_expression(counts)
    assert t.id_kind == "entrez" and t.value_kind == "counts" and t.values[1, 2] == 18


def test_a_bad_cell_beside_a_symbol_column_names_its_own_column(tmp_path):
    rows = [f"{g}\tSYM{i}\t" + "\t".join(str(i) for _ in SAMPLES) for i, g in enumerate(GENES)]
    rows[3] = rows[3].rsplit("\t", 1)[0] + "\tn.d."
    with pytest.raises(InputError, match=r"line 5 \(row '.*'\), column 'S5': 1 non-numeric"):
        read_expression(write(tmp_path / "m.tsv", ["gene_id\tgene_name\t" + "\t".join(SAMPLES),
                                                   *rows]))


def test_a_bad_cell_beside_symbol_entrez_and_biotype_names_its_own_column(tmp_path):
    """Old behaviour: the diagnosis skipped one kept annotation column whatever their number:
    with an Entrez id column too, a bad cell was put in the column to its left."""
    rows = [f"{g}\tSYM{i}\t{100 + i}\tprotein_coding\t" + "\t".join(str(i) for _ in SAMPLES)
            for i, g in enumerate(GENES)]
    rows[3] = rows[3].rsplit("\t", 1)[0] + "\tn.d."
    with pytest.raises(InputError, match=r"line 5 \(row '.*'\), column 'S5': 1 non-numeric"):
        read_expression(write(tmp_path / "m.tsv", ["gene_id\tgene_name\tentrez_id\tgene_biotype\t"
                                                   + "\t".join(SAMPLES), *rows]))


def test_the_files_own_biotypes_choose_protein_coding_genes(tmp_path):
    """Old behaviour: ``--protein-coding-only`` needed --annotation although the matrix
    (nf-core with biotypes, a GDC portal join) names each gene's type; the column was
    read past. Genes of no stated type are not protein-coding, counted in the record."""
    x = estimated_counts(3).round() + 1
    types = ["protein_coding"] * 25 + ["lncRNA"] * 14 + [""]
    lines = ["gene_id\tgene_name\tgene_biotype\t" + "\t".join(SAMPLES)]
    lines += [f"{g}\tSYM{i}\t{types[i]}\t" + "\t".join(f"{v:.0f}" for v in x[i])
              for i, g in enumerate(GENES)]
    t = read_expression(write(tmp_path / "m.tsv", lines))
    assert t.gene_biotypes[0] == "protein_coding" and t.gene_biotypes[-1] is None
    b = prepare_dataset([tmp_path / "m.tsv"], out_path=tmp_path / "b", config=PrepareConfig(
        cancer_type="BRCA", min_variance=0, min_mean=0, min_class_size=1, val_fraction=0.2,
        test_fraction=0.4, protein_coding_only=True))
    assert b.var["gene_id"].tolist() == [g.split(".")[0] for g in GENES[:25]]
    assert b.var["symbol"].tolist() == [f"SYM{i}" for i in range(25)]
    assert set(b.var["biotype"]) == {"protein_coding"}  # explain --genes protein_coding reads it
    assert b.record["dropped"]["genes"]["not protein-coding"] == 15
    step = next(s for s in b.record["steps"] if s["step"] == "biotypes")
    assert step_line("biotypes", step) == ("biotypes: the expression file's gene_type/biotype "
                                           "column (25 protein-coding, 1 gene without a type)")


def test_a_counts_file_of_fractional_values_is_questioned(tmp_path):
    """nf-core's salmon.merged.gene_counts.tsv holds EM estimates, mostly not whole when
    reads multi-map: read as linear and taken by log2(x + 1) with no depth normalisation,
    without a word (the whole-number hint needs most values whole)."""
    x = np.random.default_rng(1).gamma(0.6, 30.0, (len(GENES), len(SAMPLES))).round(3) + 0.001
    lines = ["gene_id\tgene_name\t" + "\t".join(SAMPLES)]
    lines += [f"{g}\tSYM{i}\t" + "\t".join(f"{v:.3f}" for v in x[i]) for i, g in enumerate(GENES)]
    t = read_expression(write(tmp_path / "salmon.merged.gene_counts.tsv", lines))
    assert t.value_kind == "linear" and whole_share(t.values) < 0.5
    hint = [n for n in t.notes if n.startswith("named counts, values not whole")]
    assert hint and hint[0].endswith("then prepare them with --normalisation log2cpm")
    line = step_line("read", {"file": "m.tsv", "shape": [6, 40], "notes": t.notes,
                              "orientation": t.orientation, "id_kind": t.id_kind,
                              "value_kind": t.value_kind})
    assert "\n  named counts, values not whole" in line
    t = read_expression(write(tmp_path / "salmon.merged.gene_tpm.tsv", lines))
    assert not any("estimated counts" in n for n in t.notes)


def test_prepare_warns_when_estimated_counts_are_only_log2p1_ed(tmp_path):
    """The defect: prepare took nf-core's estimated counts by log2(x + 1), no library-size
    normalisation, said only by an indented note of the read step (no warning in summary.json)."""
    x = np.random.default_rng(1).gamma(0.6, 30.0, (len(GENES), len(SAMPLES))).round(3) + 0.001
    lines = ["gene_id\tgene_name\t" + "\t".join(SAMPLES)]
    lines += [f"{g}\tSYM{i}\t" + "\t".join(f"{v:.3f}" for v in x[i]) for i, g in enumerate(GENES)]
    cfg = PrepareConfig(cancer_type="BRCA", min_variance=0, min_mean=0, min_class_size=1,
                        val_fraction=0.2, test_fraction=0.4)
    b = prepare_dataset([write(tmp_path / "salmon.merged.gene_counts.tsv", lines)],
                        out_path=tmp_path / "b", config=cfg)
    assert b.summary["normalisation"] == "log2p1"
    assert any("estimated counts" in w and "--normalisation log2cpm" in w
               for w in b.summary["warnings"])
    b = prepare_dataset([write(tmp_path / "salmon.merged.gene_tpm.tsv", lines)],
                        out_path=tmp_path / "c", config=cfg)  # TPM: no such warning
    assert not any("estimated counts" in w for w in b.summary["warnings"])


def test_the_read_note_on_negatives_does_not_contradict_the_clipping(shared_data):
    """The read step said EB++'s negatives were "kept as they are" while normalisation then
    clipped them to 0: both lines stood in record.json and the report."""
    t = read_expression(shared_data / "pancan33_random100" / "expression.tsv.gz")
    note = next(n for n in t.notes if "negative values" in n)
    assert "kept as they are" not in note and "clips them to 0" in note


def test_the_read_line_counts_one_sample_in_the_singular():
    """Old behaviour: "100 genes × 1 samples"."""
    assert step_line("read", {"file": "one.tsv", "shape": [1, 2994]}).startswith(
        "read one.tsv: 2,994 genes × 1 sample (")
    assert "× 5 samples" in step_line("read", {"file": "f.tsv", "shape": [5, 1]})
    assert ": 1 gene ×" in step_line("read", {"file": "f.tsv", "shape": [5, 1]})


def test_clinical_fields_beside_the_genes_are_refused_by_name(tmp_path):
    """A samples × genes export with ``age`` and ``OS.time`` beside the genes: both were read
    as genes (numbers), their values counted into each sample's library size. Refused now,
    named, with where they belong."""
    header = "sample\tage\tOS.time\tdays_to_death\t" + "\t".join(GENES)
    rows = [f"TCGA-AB-{i:04d}-01\t{40 + i}\t{100 * i}\t{i}\t" + "\t".join(str(i + g) for g in range(len(GENES)))
            for i in range(6)]
    with pytest.raises(InputError, match=r"3 of the 43 genes are clinical fields, not genes: "
                                         r"age, OS.time, days_to_death") as err:
        read_expression(write(tmp_path / "pheno_expr.tsv", [header, *rows]))
    assert "--clinical" in err.value.fix and "pheno_expr.tsv" in str(err.value)


def test_an_entrez_column_beside_the_symbols_is_not_a_sample(tmp_path):
    """``Hugo_Symbol, Entrez, samples``: the Entrez ids column was read as a sample."""
    samples = [f"TCGA-AB-{i:04d}-01" for i in range(6)]
    rows = [f"SYM{i}\t{1000 + i}\t" + "\t".join(str(i + s) for s in range(6)) for i in range(40)]
    t = read_expression(write(tmp_path / "e.tsv", ["Hugo_Symbol\tEntrez\t" + "\t".join(samples), *rows]))
    assert list(t.sample_ids) == samples
    assert "annotation column(s) left out of the values: Entrez" in t.notes


def test_a_spreadsheets_trailing_empty_columns_get_the_command_that_cuts_them(tmp_path):
    """Trailing separators on every line: refused as "2 empty sample identifier(s)", fix "give
    every sample a name", though the samples had names."""
    samples = [f"TCGA-AB-{i:04d}-01" for i in range(6)]
    rows = [f"SYM{i}," + ",".join(str(i + s) for s in range(6)) + ",," for i in range(40)]
    with pytest.raises(InputError, match=r"line 1: the last 2 column\(s\) have no header and no "
                                         r"values") as err:
        read_expression(write(tmp_path / "sheet.csv", ["gene," + ",".join(samples) + ",,", *rows]))
    # the path as given (the name alone, run in another folder, found no file)
    assert err.value.fix.startswith(f"cut them off: cut -d ',' -f 1-7 {tmp_path / 'sheet.csv'} > "
                                    "fixed.csv")
    header_only = ["gene," + ",".join(samples) + ",x", *[r[:-1] + "7" for r in rows]]
    assert read_expression(write(tmp_path / "ok.csv", header_only)).values.shape == (7, 40)


def test_cbioportal_genes_without_a_symbol_are_named_by_their_entrez_id(tmp_path):
    """cBioPortal's ``data_mrna_seq_v2_rsem.txt`` leaves ``Hugo_Symbol`` empty for some genes
    and gives their ``Entrez_Gene_Id``: refused as "empty gene identifier(s)", the fix "give
    every gene a name", though the file names them."""
    samples = [f"TCGA-AB-{i:04d}-01" for i in range(6)]
    rows = [f"{'' if i in (0, 7) else f'SYM{i}'}\t{1000 + i}\t" + "\t".join(str(i + s) for s in range(6))
            for i in range(40)]
    t = read_expression(write(tmp_path / "data_mrna_seq_v2_rsem.txt",
                              ["Hugo_Symbol\tEntrez_Gene_Id\t" + "\t".join(samples), *rows]))
    assert list(t.gene_ids[:2]) == ["1000", "SYM1"] and t.gene_ids[7] == "1007"
    assert t.values[0, 7] == 7
    note = "named by their Entrez id: 2 gene(s) with an empty identifier (e.g. 1000, line 2)"
    assert note in t.notes
    line = step_line("read", {"file": "m.tsv", "shape": [6, 40], "notes": t.notes,
                              "orientation": t.orientation, "id_kind": t.id_kind,
                              "value_kind": t.value_kind})
    assert "\n  " + note in line


def test_a_non_gene_column_among_ensembl_ids_is_said(tmp_path, caplog):
    """A samples × Ensembl-genes export with a `score` and a `qc_flag` column: both were read as
    genes (their values counted into each sample's library size), unsaid. Said now, by name,
    and kept in the read's notes (the record); a clean matrix says nothing."""
    genes = [f"ENSG{i:011d}.{i % 3 + 1}" for i in range(40)]
    header = "sample\tscore\tqc_flag\t" + "\t".join(genes)
    rows = [f"TCGA-AB-{i:04d}-01\t{i / 10}\t{i % 2}\t" + "\t".join(str(i + g) for g in range(40))
            for i in range(6)]
    with caplog.at_level("WARNING", logger="genemoe"):
        t = read_expression(write(tmp_path / "x.tsv", [header, *rows]))
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert t.id_kind == "ensembl_versioned" and "score" in list(t.gene_ids)
    assert any("2 gene identifier(s) are not ensembl_versioned ids like the rest, e.g. score, "
               "qc_flag: read as genes" in s for s in said), said
    assert any("e.g. score, qc_flag" in n for n in t.notes)
    caplog.clear()
    with caplog.at_level("WARNING", logger="genemoe"):
        read_expression(write(tmp_path / "y.tsv", ["sample\t" + "\t".join(genes),
                                                   *[r.split("\t", 3)[0] + "\t" + r.split("\t", 3)[3]
                                                     for r in rows]]))
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
