"""A bundle of one cancer type: prepare says it serves survival only, and classification
on it is refused naming the bundle (a probe: an fcn reported test accuracy 1.000 [0.342,
1.000]; logreg ended in "n_outputs >= 2 classes", naming neither bundle nor fix)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError
from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def one_type(tmp_path_factory):
    d = tmp_path_factory.mktemp("one_type")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=90, n_genes=50, n_types=3,
                                                        seed=4), d / "in")
    labels = pd.read_csv(files["labels"], sep="\t")
    first = labels.iloc[:, 1].iloc[0]
    labels[labels.iloc[:, 1] == first].to_csv(d / "one.tsv", sep="\t", index=False)
    return prepare_dataset([files["counts"]], out_path=d / "b", label_paths=[d / "one.tsv"],
                           config=PrepareConfig(synthetic=True, drop_unlabelled=True))


def test_prepare_says_a_one_type_bundle_serves_survival_only(one_type):
    warnings = json.loads((one_type.path / "record.json").read_text())["warnings"]
    assert any("the bundle holds one cancer type" in str(w) for w in warnings)


@pytest.mark.parametrize("model", ["logreg", "fcn"])
def test_classification_on_one_type_is_refused_naming_the_bundle(one_type, tmp_path, model):
    with pytest.raises(InputError, match=r"holds one cancer type .*nothing to classify"):
        train_run(one_type.path, out_dir=tmp_path / "r", model_name=model, epochs=1,
                  device="cpu", progress=False)
    assert not (tmp_path / "r").exists()
