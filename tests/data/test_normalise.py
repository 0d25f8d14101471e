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
