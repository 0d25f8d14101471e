"""scanpy's default log values, ln(x + 1) of library-size-normalised values
(``sc.pp.normalize_total(target_sum=1e4)`` + ``sc.pp.log1p``; Seurat's ``NormalizeData`` is
the same), were read as log2(x + 1) when no ``uns['log1p']`` marked their base (a plain
TSV/CSV exported from scanpy, or an .h5ad whose mark was lost on concatenation): every value
1/ln 2 = 1.44 times too small on genemoe's log2 scale, silently. Their per-sample totals of
e^x − 1 are all one number (the normalisation's target) where those of 2^x − 1 are not:
read as natural log, converted to log2 as the marked path does, and said."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prep_text import step_line
from genemoe.data.read import ExpressionTable, read_expression

N_SAMPLES, N_GENES = 12, 300
GENES = [f"ENSG{i:011d}" for i in range(N_GENES)]
SAMPLES = [f"TCGA-OR-A{i:03d}-01A" for i in range(N_SAMPLES)]
SAID = "values read as natural log (per-sample totals of e^x - 1 all ≈ 10,000"


def _counts(seed: int = 0, n: int = N_SAMPLES, g: int = N_GENES) -> np.ndarray:
    """Counts of unequal library sizes (a gamma profile per gene, depth per sample)."""
    rng = np.random.default_rng(seed)
    depth = rng.uniform(2e4, 2e5, size=(n, 1))
    profile = rng.gamma(0.4, 1.0, size=(1, g))
    return rng.poisson(depth * profile / profile.sum()).astype(np.float64)


def _cp10k(counts: np.ndarray) -> np.ndarray:
    return counts / counts.sum(1, keepdims=True) * 1e4  # sc.pp.normalize_total(target_sum=1e4)


def _tsv(path: Path, values: np.ndarray, genes: list[str] = GENES,
         samples: list[str] = SAMPLES) -> Path:
    """A genes × samples TSV as pandas writes a scanpy export (full float32 precision)."""
    frame = pd.DataFrame(values.astype(np.float32).T, index=genes, columns=samples)
    frame.index.name = "gene_id"
    frame.to_csv(path, sep="\t")
    return path


def _h5ad(path: Path, values: np.ndarray, log1p: dict | None = None) -> Path:
    import anndata

    a = anndata.AnnData(X=values.astype(np.float32), obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame(index=GENES))
    if log1p is not None:
        a.uns["log1p"] = log1p
    a.write_h5ad(path)
    return path


def _said_under_read_line(table: ExpressionTable) -> str:
    return step_line("read", {"file": str(table.source_path), "shape": list(table.shape),
                              "notes": table.notes, "orientation": table.orientation,
                              "id_kind": table.id_kind, "value_kind": table.value_kind})


def _converted(table: ExpressionTable) -> bool:
    return any(n.startswith("values read as natural log") for n in table.notes)


def test_unmarked_natural_log_reads_as_the_marked_h5ad(tmp_path, caplog):
    """ln(CP10k + 1) as a TSV and as an .h5ad without uns['log1p'] read as the marked .h5ad
    does: log2(CP10k + 1), said in the notes, as a warning (prepare's read line points to it)."""
    cp10k = _cp10k(_counts())
    ln = np.log1p(cp10k)
    marked = read_expression(_h5ad(tmp_path / "marked.h5ad", ln, {"base": None}))
    np.testing.assert_allclose(marked.values, np.log2(cp10k + 1), rtol=1e-5, atol=1e-5)
    for path in (_tsv(tmp_path / "scanpy.tsv", ln), _h5ad(tmp_path / "unmarked.h5ad", ln)):
        caplog.clear()
        with caplog.at_level("WARNING", logger="genemoe"):
            t = read_expression(path)
        assert list(t.sample_ids) == SAMPLES and list(t.gene_ids) == GENES
        np.testing.assert_allclose(t.values, marked.values, rtol=1e-5, atol=1e-5)
        assert t.value_kind == "log"
        note = next(n for n in t.notes if n.startswith("values read as natural log"))
        assert note.startswith(SAID), note
        assert f"all {N_SAMPLES * N_GENES:,} multiplied by 1.4427 to log2(x + 1)" in note
        assert any(SAID in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
        line = _said_under_read_line(t)  # a pointer to the warning: the text said once
        assert "natural log: converted to log2(x + 1) (see the warning)" in line
        assert SAID not in line
    assert not _converted(marked)  # the mark's own conversion, said once (by the mark)
    assert any("uns['log1p']" in n for n in marked.notes)


def test_log2_values_of_the_same_counts_stay_log2(tmp_path):
    """log2(CP10k + 1) (2^x − 1 totals of 10,000) is log2: nothing converted or said; its
    natural-log twin is converted."""
    cp10k = _cp10k(_counts(seed=1))
    log2 = read_expression(_tsv(tmp_path / "log2.tsv", np.log2(cp10k + 1)))
    np.testing.assert_allclose(log2.values, np.log2(cp10k + 1), rtol=1e-6, atol=1e-6)
    assert not _converted(log2) and log2.value_kind == "log"
    ln = read_expression(_tsv(tmp_path / "ln.tsv", np.log1p(cp10k)))
    assert _converted(ln)
    np.testing.assert_allclose(ln.values, log2.values, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("log", [np.log1p, lambda x: np.log2(x + 1)])
def test_a_gene_subset_of_log_tpm_stays_as_read(tmp_path, log):
    """A log-TPM table of some genes (totals not one number either way): no guess, read as
    today (log2); the full table's ln values are converted."""
    counts = _counts(seed=2)
    tpm = counts / counts.sum(1, keepdims=True) * 1e6
    full = read_expression(_tsv(tmp_path / "full.tsv", np.log1p(tpm)))
    assert _converted(full)
    from genemoe.data.values import natural_log_total

    keep = np.argsort(-tpm.var(0))[:100]  # the 100 most variable genes
    values = log(tpm[:, keep]).astype(np.float32)
    assert natural_log_total(values) is None
    sub = read_expression(_tsv(tmp_path / "subset.tsv", values, genes=[GENES[i] for i in keep]))
    assert not _converted(sub) and sub.value_kind == "log"
    np.testing.assert_array_equal(sub.values, values)


def test_two_samples_or_quantile_normalised_values_are_no_evidence(tmp_path):
    """Under 3 samples, or every sample's totals one number in both bases (quantile
    normalised: every sample holds the same values), the values stay as read; 3 samples of
    ln(CP10k + 1) are converted."""
    ln = np.log1p(_cp10k(_counts(seed=3)))
    three = read_expression(_tsv(tmp_path / "three.tsv", ln[:3], samples=SAMPLES[:3]))
    assert _converted(three)
    from genemoe.data.values import natural_log_total

    two = read_expression(_tsv(tmp_path / "two.tsv", ln[:2], samples=SAMPLES[:2]))
    assert not _converted(two)
    np.testing.assert_array_equal(two.values, ln[:2].astype(np.float32))
    rng = np.random.default_rng(3)
    quantile = np.array([rng.permutation(np.sort(ln[0])) for _ in range(N_SAMPLES)])
    assert natural_log_total(quantile.astype(np.float32)) is None
    assert natural_log_total(ln.astype(np.float32))[0] == pytest.approx(1e4, rel=1e-4)


def test_a_median_target_needs_many_samples():
    """scanpy's default target (the median library size, not a round number) is taken over
    20 samples or more: three totals can agree by chance."""
    from genemoe.data.values import natural_log_total

    counts = _counts(seed=4, n=25)
    ln = np.log1p(counts / counts.sum(1, keepdims=True) * 3_217.5).astype(np.float32)
    assert natural_log_total(ln)[0] == pytest.approx(3_217.5, rel=1e-4)
    assert natural_log_total(ln[:10]) is None
