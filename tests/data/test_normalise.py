"""Per-sample normalisation against hand-computed reference values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genemoe.data.normalise import normalise_values, resolve_normalisation
from genemoe.data.read import ExpressionTable
from genemoe.errors import InputError

COUNTS = np.array([[10, 0, 30, 60], [5, 5, 0, 90]], dtype=np.float32)
LENGTHS = np.array([1000, 2000, 500, 3000], dtype=np.float64)


def test_log2_cpm():
    out, _ = normalise_values(COUNTS, "log2cpm")
    # sample 0: library 100 → CPM of gene 0 = 10/100 * 1e6 = 1e5
    assert out[0, 0] == pytest.approx(np.log2(1e5 + 1), rel=1e-6)
    assert out[1, 2] == 0.0


def test_log2_tpm_sums_to_a_million():
    out, _ = normalise_values(COUNTS, "log2tpm", lengths=LENGTHS)
    tpm = 2.0 ** out.astype(np.float64) - 1
    np.testing.assert_allclose(tpm.sum(1), 1e6, rtol=1e-4)
    # sample 0 rates per kb: 10, 0, 60, 20 → TPM of gene 2 = 60/90 * 1e6
    assert tpm[0, 2] == pytest.approx(60 / 90 * 1e6, rel=1e-4)


def test_fpkm_uq_matches_gdc_formula():
    out, _ = normalise_values(COUNTS, "fpkm_uq", lengths=LENGTHS)
    # GDC: FPKM-UQ = RC * 1e9 / (RC_75 * L); sample 0's non-zero counts 10, 30, 60 → 75th pct 45
    ref = 30 * 1e9 / (45 * 500)
    assert 2.0 ** float(out[0, 2]) - 1 == pytest.approx(ref, rel=1e-4)


def test_linear_values_clip_negatives_and_report():
    out, notes = normalise_values(np.array([[-0.2, 3.0]], np.float32), "log2p1")
    assert out[0, 0] == 0 and out[0, 1] == pytest.approx(2.0)
    assert notes["negative_values_clipped_to_0"] == 1


def _table(kind: str) -> ExpressionTable:
    return ExpressionTable(values=COUNTS, sample_ids=np.array(["a", "b"], dtype=object),
                           gene_ids=np.array(list("wxyz"), dtype=object), source_path=Path("f.tsv"),
                           orientation="genes_by_samples", id_kind="symbol", value_kind=kind)


def test_auto_resolution_and_refusals():
    assert resolve_normalisation("auto", _table("counts"), have_lengths=True) == "fpkm_uq"
    assert resolve_normalisation("auto", _table("counts"), have_lengths=False) == "log2cpm"
    assert resolve_normalisation("auto", _table("log"), have_lengths=False) == "none"
    assert resolve_normalisation("auto", _table("linear"), have_lengths=False) == "log2p1"
    with pytest.raises(InputError, match="needs raw counts"):
        resolve_normalisation("log2cpm", _table("log"), have_lengths=False)
    with pytest.raises(InputError, match="needs gene lengths"):
        resolve_normalisation("log2tpm", _table("counts"), have_lengths=False)


def test_auto_resolution_of_log_counts_and_transformed_values():
    assert resolve_normalisation("auto", _table("log_counts"), have_lengths=True) == "fpkm_uq"
    assert resolve_normalisation("auto", _table("log_counts"), have_lengths=False) == "log2cpm"
    assert resolve_normalisation("fpkm_uq", _table("log_counts"), have_lengths=True) == "fpkm_uq"
    assert resolve_normalisation("auto", _table("transformed"), have_lengths=True) == "none"
    with pytest.raises(InputError, match="already transformed") as err:
        resolve_normalisation("log2p1", _table("transformed"), have_lengths=False)
    assert "f.tsv" in str(err.value) and "--normalisation none" in str(err.value)


def test_log_counts_are_inverted_before_a_count_method():
    logc = np.log2(COUNTS + 1).astype(np.float32)
    ref, _ = normalise_values(COUNTS, "log2cpm")
    out, notes = normalise_values(logc, "log2cpm", value_kind="log_counts")
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    assert "inverted" in notes


def test_normalise_table_returns_a_copy_and_leaves_its_input_alone():
    """It used to overwrite the caller's table (values and, dropping length-less genes,
    gene ids) in place."""
    import pandas as pd

    from genemoe.data.annotation import GeneAnnotation
    from genemoe.data.prepare import PrepareConfig, PrepLog, normalise_table

    table = _table("counts")
    before_values, before_genes = table.values.copy(), table.gene_ids.copy()
    ann = GeneAnnotation(pd.DataFrame(
        {"symbol": list("wxyz"), "biotype": "protein_coding", "chrom": "1", "start": 1,
         "end": [100, 200, 300, 400], "length": [100.0, 200.0, np.nan, 400.0]},
        index=pd.Index(list("wxyz"), name="gene_id")))
    plog = PrepLog()
    out, method = normalise_table(table, PrepareConfig(normalisation="log2tpm"), ann, plog)
    assert method == "log2tpm" and list(out.gene_ids) == ["w", "x", "z"]  # y has no length
    assert out.values.shape == (2, 3)
    np.testing.assert_array_equal(table.values, before_values)
    np.testing.assert_array_equal(table.gene_ids, before_genes)


def test_an_unknown_normalisation_is_refused_before_reading(tmp_path):
    """``genemoe prepare --normalisation foo`` read the file, then ended in a ValueError
    traceback; ``genemoe predict --normalisation foo`` silently used ``auto``."""
    from genemoe.data.crossscale import scale_rule
    from genemoe.data.prepare import PrepareConfig
    from genemoe.errors import InputError

    with pytest.raises(InputError, match=r"(?s)--normalisation.*'foo'.*fpkm_uq"):
        PrepareConfig(normalisation="foo")
    with pytest.raises(InputError, match=r"(?s)--normalisation.*'foo'.*model, quantile or none"):
        scale_rule("counts", "fpkm_uq", "foo")
    assert scale_rule("counts", "fpkm_uq", "auto") == "same"


def test_none_asked_of_counts_is_a_warning(caplog):
    """``--normalisation none`` on raw counts stored them unlogged, unsaid; log-scale data
    keeps them as they are without a word, as before."""
    with caplog.at_level("WARNING"):
        assert resolve_normalisation("none", _table("counts"), have_lengths=False) == "none"
    assert "--normalisation none keeps raw count values as they are" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        resolve_normalisation("none", _table("log"), have_lengths=False)
    assert caplog.text == ""


@pytest.mark.parametrize("method", ["log2cpm", "log2tpm", "fpkm_uq"])
def test_normalisation_is_blockwise_identical_and_never_holds_the_matrix_in_float64(
        method, monkeypatch):
    """Old behaviour: normalise_values converted the whole matrix to float64 and kept
    several float64 temporaries: +2.3 GB (7.9x the float32 data) for 3,000 x 25,000 in a
    probe, so prepare and predict peaked at 10-13x the data. Now a block of samples at a time;
    each sample is normalised alone, so the result is the same to the bit."""
    import tracemalloc

    import genemoe.data.normalise as nm

    rng = np.random.default_rng(0)
    X = rng.negative_binomial(2, 0.01, size=(400, 2500)).astype(np.float32)
    X[3] = 0  # an empty sample, counted across blocks
    lengths = rng.integers(500, 5000, 2500).astype(float)
    monkeypatch.setattr(nm, "NORMALISE_BLOCK", 10**9, raising=False)  # one block: the whole
    whole, notes_whole = nm.normalise_values(X, method, lengths=lengths)
    monkeypatch.setattr(nm, "NORMALISE_BLOCK", 7 * 2500, raising=False)  # 7 samples a block
    tracemalloc.start()
    blocks, notes = nm.normalise_values(X, method, lengths=lengths)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_array_equal(blocks, whole)
    assert notes == notes_whole and notes["samples_with_zero_library"] == 1
    assert peak < 1.5 * X.nbytes, peak / X.nbytes  # the float32 output and a block's temporaries


def test_gene_statistics_are_blockwise_identical_without_a_float64_copy(monkeypatch):
    """Old behaviour: the gene filter, the scaler and the bundle's statistics each made a
    float64 copy of the training rows (var() another): prepare peaked at 10.8x the float32
    matrix on 1,500 x 25,000 counts (4.9x now, the same bundle to the byte)."""
    import tracemalloc

    import genemoe.data.scaling as sc
    from genemoe.data.prepare import fit_gene_filter

    rng = np.random.default_rng(1)
    X = (rng.normal(size=(300, 4000)) * rng.random(4000)).astype(np.float32)
    X[:, 5] = 0
    rows = rng.random(300) < 0.7
    monkeypatch.setattr(sc, "MOMENTS_BLOCK", 300 * 37, raising=False)  # 37 genes a block
    for part in (X, X[rows]):
        m = sc.column_moments(X, rows=None if part is X else rows)
        x64 = part.astype(np.float64)
        for key, ref in (("mean", x64.mean(0)), ("var", x64.var(0)), ("min", x64.min(0)),
                         ("max", x64.max(0)), ("nonzero", (x64 != 0).any(0))):
            np.testing.assert_array_equal(m[key], ref, err_msg=key)
    scaler = sc.fit_scaler(X[rows])
    np.testing.assert_array_equal(scaler.scale, np.where(
        X[rows].astype(np.float64).std(0) < 1e-6, 1.0, X[rows].astype(np.float64).std(0)
    ).astype(np.float32))
    tracemalloc.start()
    keep, _ = fit_gene_filter(X, min_variance=0.4, min_mean=0.8)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert not keep[5] and peak < 0.5 * X.nbytes, peak / X.nbytes


def test_empty_samples_are_counted_in_words_that_agree(caplog):
    """An outside probe: one empty sample was said as "1 samples have no counts at all"."""
    with caplog.at_level("WARNING", logger="genemoe"):
        _, notes = normalise_values(np.vstack([COUNTS, np.zeros((1, 4), np.float32)]), "log2cpm")
        normalise_values(np.zeros((2, 4), np.float32), "log2cpm")
    assert notes["samples_with_zero_library"] == 1
    assert "1 sample has no counts at all; it normalises to zeros" in caplog.text
    assert "2 samples have no counts at all; they normalise to zeros" in caplog.text
