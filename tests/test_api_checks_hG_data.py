"""Data-layer answers to a Python user (outside probe hF): an expression matrix given as
labels said so, its columns listed a few at a time; a bundle without survival times told
apart from one where everyone is censored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.tables import read_labels
from genemoe.errors import InputError


def _matrix(path: Path, *, genes_by_samples: bool = True) -> Path:
    rng = np.random.default_rng(0)
    samples = [f"TCGA-AB-{1000 + i:04d}-01A" for i in range(300)]
    if genes_by_samples:
        df = pd.DataFrame(rng.random((20, 300)).round(3), columns=samples)
        df.insert(0, "gene_id", [f"ENSG{i:011d}" for i in range(20)])
    else:
        df = pd.DataFrame(rng.random((20, 300)).round(3), columns=[f"G{i}" for i in range(300)])
        df.insert(0, "sample_id", samples[:20])
    df.to_csv(path, sep="\t", index=False)
    return path


@pytest.mark.parametrize("genes_by_samples", [True, False])
def test_a_matrix_given_as_labels_is_said_so_in_a_short_list(tmp_path, genes_by_samples) -> None:
    """Old behaviour: "cannot tell which column holds the sample ids (candidates: [...301
    column names])" (samples × genes: every gene as a cancer-type candidate)."""
    path = _matrix(tmp_path / "m.tsv", genes_by_samples=genes_by_samples)
    with pytest.raises(InputError) as err:
        read_labels(path)
    text = str(err.value)
    assert "this looks like an expression matrix, not a labels table" in text
    assert "and 293 more" in text and len(text) < 600
    assert "--expression" in err.value.fix


def test_a_missing_sample_column_lists_a_few_columns(tmp_path: Path) -> None:
    """Old behaviour: "no sample column 'x'; columns are [...301 names]"."""
    with pytest.raises(InputError, match="its 301 columns are 'gene_id', .* and 293 more"):
        read_labels(_matrix(tmp_path / "m.tsv"), sample_column="x")


def test_survival_of_a_bundle_without_times_can_be_refused(synthetic_bundle) -> None:
    """Old behaviour: Bundle.survival() of a bundle prepared without --clinical returned all
    NaN times and all False events ("everyone censored"), with nothing to tell it apart."""
    bare, full = synthetic_bundle(clinical=False), synthetic_bundle()
    assert not bare.has_survival_times and full.has_survival_times
    with pytest.raises(InputError, match="no survival times.*prepared without --clinical") as err:
        bare.survival(require=True)
    assert "--clinical" in err.value.fix
    time, event = bare.survival()  # callers that check has_survival themselves: as before
    assert np.isnan(time).all() and not event.any()
    assert np.isfinite(full.survival(require=True)[0]).any()
