"""``genemoe predict`` on profiles of other pipelines (helper hN's probe).

Quantile alignment of a file holding only part of the model's genes: the target is where
those genes sat in training, not the whole training distribution.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genemoe.data.crossscale import reference_profile, subset_reference
from genemoe.data.prep_text import PrepLog
from genemoe.data.read import ExpressionTable
from genemoe.data.scaling import Scaler, fit_scaler
from genemoe.workflows.predict_align import given_shift, quantile_aligned


def _model(n_genes: int = 400, seed: int = 0) -> tuple[dict, np.ndarray]:
    """A payload of a model of log values, its genes at levels 0-12, and those levels."""
    rng = np.random.default_rng(seed)
    levels = np.linspace(0.0, 12.0, n_genes)
    X_train = levels + rng.normal(0, 0.3, (60, n_genes))
    scaler = fit_scaler(X_train)
    payload = {"gene_ids": [f"ENSG{i:011d}" for i in range(n_genes)],
               "reference_profile": reference_profile(X_train).astype(np.float32),
               "scaler": scaler.to_dict(), "normalisation": "fpkm_uq"}
    return payload, levels


def _table(values: np.ndarray, gene_ids: list[str]) -> ExpressionTable:
    return ExpressionTable(values=values, sample_ids=np.array([f"s{i}" for i in range(len(values))]),
                           gene_ids=np.asarray(gene_ids, dtype=object), source_path=Path("x.tsv"),
                           orientation="genes_by_samples", id_kind="ensembl", value_kind="log")


def test_file_of_the_highly_expressed_genes_keeps_their_training_levels():
    """Old behaviour: a file of the upper half of the model's genes (a protein-coding table
    for a model of every gene) was aligned to the whole training distribution, every value
    pulled down ~3 log2 units (an FCN's calls changed 3 of 24 on real gdc counts)."""
    payload, levels = _model()
    keep = np.arange(200, 400)  # the higher-expressed half
    rng = np.random.default_rng(1)
    values = 2.0 + 0.5 * (levels[keep] + rng.normal(0, 0.3, (5, len(keep))))  # another scale
    table = _table(values, [payload["gene_ids"][i] for i in keep])
    plog = PrepLog()
    X, n_missing, _ = quantile_aligned(payload, table, Scaler.from_dict(payload["scaler"]),
                                       max_missing=0.6, plog=plog)
    assert np.abs(X[:, keep].mean(0) - levels[keep]).mean() < 0.3
    assert (n_missing == 200).all()
    step = plog.steps[-1]
    assert step["step"] == "cross_pipeline" and step["reference_genes"] == 200
    assert "to its 200 genes' training levels" in step["rule"]


def test_distance_of_a_gene_subset_is_to_its_genes_training_levels():
    """Old behaviour: the model's own values for only its upper half of genes sat ~3 log2
    units from the whole training distribution (beyond the 1.5 of its own scale)."""
    payload, levels = _model()
    keep = np.arange(200, 400)
    table = _table(levels[keep][None, :] + 0.0, [payload["gene_ids"][i] for i in keep])
    assert given_shift(payload, table, "fpkm_uq")[0] < 0.3


def test_subset_reference_unchanged_for_every_gene_or_no_levels():
    ref = np.array([3.0, 1.0, 2.0, 0.0])
    assert np.array_equal(subset_reference(ref, np.arange(4.0), np.ones(4, bool)), np.sort(ref))
    assert np.array_equal(subset_reference(ref, np.zeros(4), np.array([1, 0, 1, 0], bool)),
                          np.sort(ref))  # levels all alike (a global scaler): no ordering
    assert np.array_equal(subset_reference(ref, np.array([0.0, 5, 1, 7]),
                                           np.array([0, 1, 0, 1], bool)), [2.0, 3.0])


@pytest.mark.parametrize("present", [np.arange(0, 400, 2), np.arange(0, 400, 3)])
def test_random_gene_subset_aligned_as_before(present):
    """A subset spread over every level gets about the old target (the whole distribution)."""
    payload, _ = _model()
    ref = np.sort(payload["reference_profile"].astype(np.float64))
    levels = np.asarray(payload["scaler"]["shift"])
    mask = np.zeros(400, bool)
    mask[present] = True
    sub = subset_reference(ref, levels, mask)
    full = np.interp((np.arange(len(sub)) + 0.5) / len(sub), (np.arange(400) + 0.5) / 400, ref)
    assert np.abs(sub - full).max() < 0.2


def test_symbol_file_lacking_genes_is_not_told_its_ids_are_the_models():
    """Old behaviour: a file of gene symbols (mapped to the model's Ensembl ids) lacking 30%
    of the model's genes (those without a symbol) was refused with "the file's identifiers
    are the model's, but it lacks these genes"."""
    from genemoe.errors import InputError
    from genemoe.workflows.predict_align import align_to_model

    model = [f"ENSG{i:011d}" for i in range(100)]
    table = ExpressionTable(values=np.ones((2, 60), np.float32), sample_ids=np.array(["a", "b"]),
                            gene_ids=np.asarray(model[:60], dtype=object),
                            source_path=Path("sym.tsv"), orientation="genes_by_samples",
                            id_kind="symbol", value_kind="counts")  # as read; ids now mapped
    with pytest.raises(InputError) as err:
        align_to_model(table, model, fill=np.zeros(100), max_missing=0.2)
    fix = err.value.fix
    assert "identifiers are the model's" not in fix
    assert "names genes by gene symbols, mapped to the model's Ensembl ids" in fix
    assert "--max-missing" in fix


def test_empty_profile_has_no_distance_and_is_not_counted_beyond():
    """Old behaviour: a sample of zeros among log2(TPM + 1) profiles taken as given (left
    unscored) got a distance (the reference's mean) and was said as "1 of 24 samples sit
    beyond it (input_shift)"."""
    from genemoe.workflows.predict_align import own_log_notes

    payload, levels = _model()
    values = np.vstack([levels, levels + 0.1, np.zeros_like(levels)])
    shift = given_shift(payload, _table(values, payload["gene_ids"]), "fpkm_uq")
    assert np.isfinite(shift[:2]).all() and np.isnan(shift[2])
    note = own_log_notes(shift, "fpkm_uq")[0]
    assert note["n_samples_beyond"] == 0 and note["n_samples"] == 2
    assert "sit beyond it" not in note["text"]
