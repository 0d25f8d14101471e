"""Label tables after an outside probe: a sample typed in one row and empty in another was
"listed with different cancer types". As an empty type elsewhere, the empty row names no
type: it is left out (whichever row comes first), warned and counted, in ``prepare
--labels`` and ``predict --labels`` alike.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from genemoe.data.tables import read_labels
from label_cli import flat as _flat
from label_cli import predict_labels as _predict
from label_cli import prepare_labels as _prepare


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=60, n_genes=50, seed=2)



@pytest.mark.parametrize("order", [["OV", ""], ["", "OV"]])
def test_an_empty_row_beside_a_typed_row_is_left_out_and_said(tmp_path, caplog, order):
    path = tmp_path / "lab.tsv"
    path.write_text("sample_id\tcancer_type\n" + "".join(f"TCGA-09-2056-01\t{t}\n" for t in order)
                    + "TCGA-09-2045-01\tOV\n")
    with caplog.at_level(logging.WARNING, logger="genemoe.data.tables"):
        got = read_labels(path)
    assert got["cancer_type"].tolist() == ["OV", "OV"]
    assert got.attrs["empty_rows_beside_typed"] == 1
    assert "1 row with an empty cancer type for a sample another row types (e.g. " \
           "TCGA-09-2056-01): the typed row kept" in _flat(caplog.text)


def test_an_empty_row_beside_a_typed_row_through_prepare_and_predict(trained, tmp_path):
    _, _, labels = trained
    path = tmp_path / "lab.tsv"
    pd.concat([labels.iloc[[0]].assign(Target=""), labels]).to_csv(path, sep="\t", index=False)
    res = _predict(trained, path, tmp_path / "p.csv")
    assert res.exit_code == 0, res.output
    assert f"{len(labels)} of {len(labels)} samples labelled" in _flat(res.output)
    res = _prepare(trained, path, tmp_path / "b")
    assert res.exit_code == 0, res.output
    assert f"samples: {len(labels)}" in _flat(res.output)
