"""A bundle written again (a subset, a copy) keeps its dropped genes' file.

Old behaviour: ``write_bundle`` without ``dropped_genes`` kept the record's
``dropped_genes_file`` entry but wrote no file, so the bundle it wrote refused
``dropped_genes()`` ("dropped_genes.tsv.gz: missing") and explain refused it too.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import Bundle, load_bundle, write_bundle
from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

N_ZERO = 12


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory):
    """A prepared bundle with ``N_ZERO`` genes zero in every sample (dropped, listed)."""
    d = tmp_path_factory.mktemp("rewrite")
    cohort = make_synthetic_cohort(n_samples=40, n_genes=60, n_types=2, seed=5)
    files = write_synthetic_files(cohort, d / "in")
    counts = pd.DataFrame(cohort.counts.T, index=list(cohort.gene_ids),
                          columns=list(cohort.sample_ids))
    counts.iloc[:N_ZERO] = 0
    counts.to_csv(expr := d / "expr.tsv.gz", sep="\t", compression="gzip")
    prepare_dataset([expr], out_path=d / "b1", label_paths=[files["labels"]],
                    clinical_path=files["clinical"], annotation_path=files["annotation"],
                    config=PrepareConfig(synthetic=True))
    return d / "b1"


def test_a_subset_written_and_loaded_lists_the_same_dropped_genes(bundle_path, tmp_path):
    source = load_bundle(bundle_path)
    listed = source.dropped_genes()
    assert len(listed) >= N_ZERO
    sub = load_bundle(bundle_path).subset(np.arange(0, 40, 2))
    write_bundle(sub, tmp_path / "b_sub")
    back = load_bundle(tmp_path / "b_sub")
    assert back.n_samples == 20
    pd.testing.assert_frame_equal(back.dropped_genes(), listed)
    assert back.record["dropped_genes_file"] == source.record["dropped_genes_file"]
    assert "dropped_genes_left_out" not in back.record
    assert sub.dropped_genes().equals(listed)  # the subset itself reads its source's


def test_a_loaded_bundle_written_elsewhere_keeps_its_file(bundle_path, tmp_path):
    write_bundle(load_bundle(bundle_path), tmp_path / "copy")
    pd.testing.assert_frame_equal(load_bundle(tmp_path / "copy").dropped_genes(),
                                  load_bundle(bundle_path).dropped_genes())


def test_a_bundle_built_in_memory_without_a_folder_drops_the_entry_and_says_so(bundle_path,
                                                                                tmp_path):
    b = load_bundle(bundle_path)
    built = Bundle(X=np.asarray(b.X), obs=b.obs, var=b.var, record=b.record)
    write_bundle(built, tmp_path / "built")
    back = load_bundle(tmp_path / "built")
    record = json.loads((tmp_path / "built" / "record.json").read_text())
    assert "dropped_genes_file" not in record
    assert "counts only" in record["dropped_genes_left_out"]
    assert back.dropped_genes().empty  # an earlier genemoe's reading: the record's counts
