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
    assert "log2cpm" in said[0]
    from genemoe.data.prep_text import step_line

    line = step_line("shared_genes", step)  # was "shared_genes: n_genes=..., left_out=..., why=..."
    assert line == (f"genes in every file: {N_GENES - n_lost}; left out before normalising (each "
                    f"sample's scale taken over the same genes): {acc.name} {n_lost} of {N_GENES}")


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
