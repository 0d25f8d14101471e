"""Expression files with different gene sets: cut to the shared genes before normalising.

Old behaviour (an outside probe): each file was normalised over its own genes and only
then cut to the shared ones ("dropped 36,834 genes: not in every cohort"). A UVM counts
file of its protein-coding genes prepared beside a full ACC file moved every UVM sample by
-1.0 to -1.25 log2 (FPKM-UQ's upper quartile over other genes) and ACC by 0, with
``"warnings": []``: a batch shift confounded with the cancer type.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset

LEFT_OUT = "not in every expression file (left out before normalising)"  # dropped.genes reason
N_GENES, N_SAMPLES = 200, 12


def _counts(path: Path, prefix: str, genes: list[str], values: np.ndarray) -> Path:
    """A genes × samples counts file of barcoded samples ``TCGA-<prefix>-000<i>-01A``."""
    cols = [f"TCGA-{prefix}-{i:04d}-01A" for i in range(values.shape[1])]
    pd.DataFrame(values, index=genes, columns=cols).rename_axis("gene_id").to_csv(path, sep="\t")
    return path


@pytest.fixture
def twin_files(tmp_path) -> tuple[Path, Path, int]:
    """ACC holds every gene; UVM the same profiles with the 60 most expressed genes left out."""
    rng = np.random.default_rng(0)
    genes = [f"ENSG{i:011d}" for i in range(N_GENES)]
    counts = rng.negative_binomial(2, 0.01, size=(N_GENES, N_SAMPLES)).astype(np.int64)
    counts[:60] *= 50  # the genes UVM lacks carry most of each library
    acc = _counts(tmp_path / "TCGA_ACC_Counts.tsv", "AA", genes, counts)
    uvm = _counts(tmp_path / "TCGA_UVM_Counts.tsv", "BB", genes[60:], counts[60:])
    return acc, uvm, 60


def _by_cohort(b) -> dict[str, np.ndarray]:
    return {t: b.X[(b.obs["cancer_type"] == t).to_numpy()] for t in ("ACC", "UVM")}


def test_files_with_other_genes_are_normalised_over_the_shared_genes(twin_files, tmp_path):
    """The same profiles in two files, one without 60 genes: the same values on the
    shared genes (were 2+ log2 apart under CPM), counted per file and warned of."""
    acc, uvm, n_lost = twin_files
    cfg = PrepareConfig(min_variance=0, min_mean=0, normalisation="log2cpm")
    b = prepare_dataset([acc, uvm], out_path=tmp_path / "b", config=cfg)
    x = _by_cohort(b)
    order = lambda c: np.argsort(b.obs.loc[b.obs["cancer_type"] == c, "sample_id"].str[8:].to_numpy())  # noqa: E731
    np.testing.assert_allclose(x["ACC"][order("ACC")], x["UVM"][order("UVM")], atol=1e-5)
    assert b.record["dropped"]["genes"][LEFT_OUT] == n_lost
    step = next(s for s in b.record["steps"] if s["step"] == "shared_genes")
    assert step["n_genes"] == N_GENES - n_lost
    assert step["files"][0] == {"file": acc.name, "n_genes": N_GENES, "n_left_out": n_lost}
    assert step["files"][1]["n_left_out"] == 0
    norm = [s for s in b.record["steps"] if s["step"] == "normalise"]
    assert [s["n_genes"] for s in norm] == [N_GENES - n_lost] * 2  # each scale over the same genes
    said = [w for w in b.record["warnings"] if "left out before normalising" in w]
    assert len(said) == 1 and said[0].startswith(f"{acc.name}: {n_lost} of its {N_GENES} genes")
    assert "log2cpm" in said[0] and f"the smallest is {uvm.name} with {N_GENES - n_lost} genes" in said[0]
    assert not any(w.startswith("only ") for w in b.record["warnings"])  # 70% kept: no alarm
    from genemoe.data.prep_text import step_line

    line = step_line("shared_genes", step)  # was "shared_genes: n_genes=..., left_out=..., why=..."
    assert line == ("left out before normalising, not in every file (each sample's scale taken "
                    f"over the same genes): {acc.name} {n_lost} of {N_GENES} (70.0% kept); the "
                    f"set is limited by {uvm.name} ({N_GENES - n_lost} genes)")


def test_a_small_file_limiting_the_shared_genes_is_named_and_warned_of_strongly(tmp_path):
    """Old behaviour (an outside probe): ACC (56,537 genes) beside a UVM file cut to 300 said
    "train_ACC.tsv.gz: 56,237 of its 56,537 genes are not in every expression file ..." and
    nothing more: the 300-gene file that limited the set was never named, and keeping 0.5%
    of ACC's genes was warned of as gently as keeping 99%. The record held the per-file
    counts as one formatted string (``left_out``), and the summary said the shared count
    twice ("genes in every file: 300", then "genes shared by the 2 files: 300")."""
    rng = np.random.default_rng(2)
    genes = [f"ENSG{i:011d}" for i in range(N_GENES)]
    counts = rng.negative_binomial(2, 0.01, size=(N_GENES, N_SAMPLES)).astype(np.int64)
    acc = _counts(tmp_path / "TCGA_ACC_Counts.tsv", "AA", genes, counts)
    uvm = _counts(tmp_path / "TCGA_UVM_Counts.tsv", "BB", genes[:30], counts[:30])
    b = prepare_dataset([acc, uvm], out_path=tmp_path / "b",
                        config=PrepareConfig(min_variance=0, min_mean=0, normalisation="log2cpm"))
    step = next(s for s in b.record["steps"] if s["step"] == "shared_genes")
    assert "left_out" not in step and step["limited_by"] == [uvm.name]
    assert step["files"] == [{"file": acc.name, "n_genes": N_GENES, "n_left_out": N_GENES - 30},
                             {"file": uvm.name, "n_genes": 30, "n_left_out": 0}]
    warned = b.record["warnings"]
    per_file = next(w for w in warned if w.startswith(f"{acc.name}: "))
    assert f"(the smallest is {uvm.name} with 30 genes)" in per_file
    assert "15.0% of its genes kept" in per_file
    strong = [w for w in warned if w.startswith("only 30 genes are in every expression file")]
    assert strong == [f"only 30 genes are in every expression file, 15.0% of {acc.name}'s 200: "
                      "the bundle holds at most these. The set is limited by "
                      f"{uvm.name} (30 genes); check that it is complete (not cut to a gene "
                      "panel), or leave it out of this bundle"]
    from genemoe.data.prep_text import step_line

    lines = [step_line(s["step"], s) for s in b.record["steps"]]
    assert "genes shared by the 2 files: 30" in lines  # the count, said once
    assert not any("genes in every file" in ln for ln in lines)


def test_the_strong_warning_is_said_under_gene_by_gene_normalisation_too(tmp_path):
    from genemoe.data.shared_genes import gene_set_warnings

    said = gene_set_warnings({"/d/a.tsv": 900, "/d/b.tsv": 0}, {"/d/a.tsv": "log2p1",
                                                              "/d/b.tsv": "log2p1"}, 100)
    assert said == ["only 100 genes are in every expression file, 10.0% of a.tsv's 1,000: the "
                    "bundle holds at most these. The set is limited by b.tsv (100 genes); check "
                    "that it is complete (not cut to a gene panel), or leave it out of this bundle"]
    assert gene_set_warnings({"/d/a.tsv": 40, "/d/b.tsv": 0}, {"/d/a.tsv": "log2p1"}, 100) == []


def test_an_old_records_shared_genes_step_still_reads(tmp_path):
    from genemoe.data.prep_text import step_line

    old = {"n_genes": 19546, "left_out": "a.tsv 36,991 of 56,537", "why": "...",
           "files": [{"file": "a.tsv", "n_genes": 56537, "n_left_out": 36991},
                     {"file": "b.tsv", "n_genes": 19546, "n_left_out": 0}]}
    assert step_line("shared_genes", old).endswith(
        "a.tsv 36,991 of 56,537 (34.6% kept); the set is limited by b.tsv (19,546 genes)")


def test_same_gene_sets_record_no_shared_genes_step(twin_files, tmp_path):
    acc, _, _ = twin_files
    uvm = tmp_path / "TCGA_UVM_Counts.tsv"
    _counts(uvm, "BB", pd.read_csv(acc, sep="\t", index_col=0).index.tolist(),
            pd.read_csv(acc, sep="\t", index_col=0).to_numpy())
    b = prepare_dataset([acc, uvm], out_path=tmp_path / "c",
                        config=PrepareConfig(min_variance=0, min_mean=0))
    assert not any(s["step"] == "shared_genes" for s in b.record["steps"])
    assert not any("left out before normalising" in w for w in b.record["warnings"])


def test_gene_by_gene_normalisation_is_cut_but_not_warned(tmp_path):
    """log2(x + 1) works gene by gene: the cut changes no value, so it is counted, not warned."""
    rng = np.random.default_rng(1)
    genes = [f"ENSG{i:011d}" for i in range(50)]
    vals = rng.gamma(2.0, 300.0, size=(50, N_SAMPLES)) + 0.37  # linear (TPM-like)
    a = _counts(tmp_path / "TCGA_ACC_tpm.tsv", "AA", genes, vals)
    u = _counts(tmp_path / "TCGA_UVM_tpm.tsv", "BB", genes[10:], vals[10:])
    b = prepare_dataset([a, u], out_path=tmp_path / "b",
                        config=PrepareConfig(min_variance=0, min_mean=0, normalisation="log2p1"))
    assert b.record["normalisation"] == "log2p1"
    assert b.record["dropped"]["genes"][LEFT_OUT] == 10
    assert not any("left out before normalising" in w for w in b.record["warnings"])


def _pc_counts(shared: Path, cohort: str, out: Path) -> Path:
    """A cohort's GDC counts cut to the protein-coding genes of the annotation."""
    ann = pd.read_csv(shared / "annotation/ensembl105_genes.tsv.gz", sep="\t", usecols=["gene_id", "biotype"])
    df = pd.read_csv(shared / f"gdc_counts_6types/TCGA_{cohort}_Counts.exp.gz", sep="\t", index_col=0)
    path = out / f"TCGA_{cohort}_pc_Counts.tsv.gz"
    df[df.index.isin(set(ann.loc[ann["biotype"] == "protein_coding", "gene_id"]))].to_csv(path, sep="\t")
    return path


def _median_shift(b, ref) -> pd.Series:
    """Per cohort: the median over samples of each sample's median change against ``ref``
    on the genes both hold."""
    genes = sorted(set(b.var["gene_id"]) & set(ref.var["gene_id"]))
    x = pd.DataFrame(b.X, index=b.obs["sample_id"], columns=b.var["gene_id"])[genes]
    y = pd.DataFrame(ref.X, index=ref.obs["sample_id"], columns=ref.var["gene_id"]).loc[x.index, genes]
    return (x - y).median(1).groupby(b.obs["cancer_type"].to_numpy()).median()


def test_real_protein_coding_uvm_beside_full_acc_sits_on_acc_scale(shared_data, tmp_path):
    """The probe's case on the real files: UVM's protein-coding genes beside the full ACC
    counts. Both cohorts now take FPKM-UQ over the same genes: the bundle equals the one
    of both files cut to those genes, and against the full files' bundle both cohorts move
    alike (were UVM -1.1, ACC 0.0)."""
    d, ann = shared_data / "gdc_counts_6types", shared_data / "annotation/ensembl105_genes.tsv.gz"
    acc, uvm_pc = d / "TCGA_ACC_Counts.exp.gz", _pc_counts(shared_data, "UVM", tmp_path)
    cfg = dict(min_variance=0, min_mean=0)
    sub = prepare_dataset([acc, uvm_pc], out_path=tmp_path / "sub", annotation_path=ann,
                          config=PrepareConfig(**cfg))
    same = prepare_dataset([_pc_counts(shared_data, "ACC", tmp_path), uvm_pc], out_path=tmp_path / "same",
                           annotation_path=ann, config=PrepareConfig(**cfg))
    full = prepare_dataset([acc, d / "TCGA_UVM_Counts.exp.gz"], out_path=tmp_path / "full",
                           annotation_path=ann, config=PrepareConfig(protein_coding_only=True, **cfg))
    assert np.abs(_median_shift(sub, same)).max() < 1e-4
    shift = _median_shift(sub, full)
    assert abs(shift["UVM"] - shift["ACC"]) < 0.1, shift  # no cohort-confounded shift
    assert any(w.startswith("TCGA_ACC_Counts.exp.gz: ") and "fpkm_uq" in w for w in sub.record["warnings"])
