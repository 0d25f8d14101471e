"""Cross-pipeline scaling (issue 12): rules, quantile alignment, distance to training."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.data.crossscale import (
    distribution_shift,
    quantile_align,
    reference_profile,
    scale_rule,
)


@pytest.mark.parametrize(("kind", "model", "rule"), [
    ("counts", "fpkm_uq", "same"), ("log_counts", "fpkm_uq", "same"),
    ("linear", "fpkm_uq", "quantile"), ("log", "fpkm_uq", "quantile"),
    ("transformed", "fpkm_uq", "refuse"), ("linear", "log2p1", "same"),
    ("counts", "log2p1", "quantile"), ("log", "none", "same"),
])
def test_scale_rules(kind, model, rule):
    assert scale_rule(kind, model) == rule
    assert scale_rule(kind, model, "quantile") == "quantile"


def test_log_values_on_a_log2p1_models_own_scale_are_taken_as_given():
    """log2(x + 1) values for a model of log2(x + 1) of linear values were aligned whatever
    their distance (the old rule had no way to tell): as given at most OWN_SCALE_SHIFT off,
    aligned farther (another unit), and only under auto."""
    from genemoe.data.crossscale import OWN_SCALE_SHIFT

    assert scale_rule("log", "log2p1", own_log_shift=0.6) == "given"
    assert scale_rule("log", "log2p1", own_log_shift=OWN_SCALE_SHIFT + 0.1) == "quantile"
    assert scale_rule("log", "log2p1") == "quantile"  # not measured
    assert scale_rule("log", "log2p1", "quantile", own_log_shift=0.6) == "quantile"
    # that pinned the old rule (log2p1 only): a log2tpm/log2cpm/fpkm_uq model is log2(unit + 1)
    # too, and log2(TPM + 1) for a log2tpm model was aligned (a probe's risks moved 0.43)
    for model in ("fpkm_uq", "log2tpm", "log2cpm"):
        assert scale_rule("log", model, own_log_shift=0.6) == "given"
        assert scale_rule("log", model, own_log_shift=OWN_SCALE_SHIFT + 0.1) == "quantile"
    assert scale_rule("log", "log2tpm", own_log_shift=0.6,  # an export of another: known
                      exported_normalisation="fpkm_uq") == "quantile"
    assert scale_rule("log", "none", own_log_shift=0.6) == "same"  # its log input as prepared


def test_none_takes_log_values_as_the_models_scale_and_refuses_linear_ones():
    """`--normalisation none` (values already on the model's scale) did not exist."""
    from genemoe.errors import InputError

    assert scale_rule("log", "fpkm_uq", "none") == "given"
    assert scale_rule("transformed", "none", "none") == "given"
    with pytest.raises(InputError, match="look like counts"):
        scale_rule("counts", "fpkm_uq", "none")
    # a model of log2(x + 1) inputs: linear values (EB++) were scored as they were, 1,170
    # log2 units from its training distribution
    with pytest.raises(InputError, match=r"look linear \(not log\) and the model's input is log2"):
        scale_rule("linear", "log2p1", "none")


def test_quantile_alignment_gives_each_sample_the_training_distribution(rng):
    train = rng.normal(5, 2, size=(30, 50))
    ref = reference_profile(train)
    new = np.exp(rng.normal(0, 1, size=(4, 50))) * 1000  # another scale entirely, monotone
    aligned = quantile_align(new, ref)
    np.testing.assert_allclose(np.sort(aligned, axis=1), np.tile(ref, (4, 1)))
    np.testing.assert_array_equal(np.argsort(aligned, 1), np.argsort(new, 1))  # order kept
    assert (distribution_shift(new, ref) > distribution_shift(train[:4], ref)).all()


def test_ties_share_a_value_and_missing_genes_stay_missing():
    ref = np.arange(6, dtype=float)
    row = np.array([[1.0, 1.0, np.nan, 3.0, 0.0, 7.0]])
    out = quantile_align(row, ref)
    assert np.isnan(out[0, 2]) and out[0, 0] == out[0, 1]
    assert out[0, 4] < out[0, 0] < out[0, 3] < out[0, 5]


def test_reference_profile_sorts_in_chunks_without_a_float64_copy(rng, tmp_path):
    # The old code sorted a float64 copy of the whole training matrix (10k samples x 60k
    # genes: 4.8 GB); a chunk at a time holds one chunk.
    import tracemalloc

    X = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(2000, 500))
    X[:] = rng.normal(5, 2, size=X.shape)
    tracemalloc.start()
    ref = reference_profile(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < X.size * 8 / 4  # well under one float64 copy (8 MB)
    np.testing.assert_allclose(ref, np.sort(np.asarray(X, np.float64), axis=1).mean(0), rtol=1e-12)
    assert np.all(np.diff(ref) >= 0) and ref.shape == (500,)
