"""Label tables (read by both ``genemoe prepare --labels`` and ``genemoe predict --labels``:
:func:`genemoe.data.tables.read_labels`) after an outside probe: a file without a header
lost its first sample to the header, silently (the fix offered was to name that sample's
type as the label column); a header with no rows was "only one column found (wrong
delimiter?)", fixed by saving "the matrix".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genemoe.data.read import read_expression
from genemoe.data.tables import read_labels
from genemoe.errors import InputError
from label_cli import flat as _flat
from label_cli import predict_labels as _predict
from label_cli import prepare_labels as _prepare

IDS = ["TCGA-05-4382-01", "TCGA-05-4384-01", "TCGA-09-2056-01", "TCGA-09-2045-01"]


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=60, n_genes=50, seed=2)



def test_a_file_without_a_header_is_refused_naming_its_first_row(tmp_path):
    path = tmp_path / "nohdr.tsv"
    path.write_text("".join(f"{i}\tLUAD\n" for i in IDS))
    for given in ({}, {"label_column": "LUAD"}, {"sample_column": IDS[0], "label_column": "LUAD"}):
        with pytest.raises(InputError) as err:
            read_labels(path, **given)
        said = _flat(str(err.value))
        assert "line 1: the first row looks like data (TCGA-05-4382-01, LUAD): the file has no " \
               "header" in said
        assert "add a header line such as sample_id<TAB>cancer_type" in said
    comma = tmp_path / "nohdr.csv"
    comma.write_text("".join(f"sample_{n},BRCA\n" for n in range(1, 5)))
    with pytest.raises(InputError, match="such as sample_id,cancer_type"):
        read_labels(comma)


def test_barcode_shaped_column_names_over_other_values_are_headers(tmp_path):
    path = tmp_path / "lab.tsv"
    pd.DataFrame({"sample": IDS, "cancer_type": ["LUAD"] * 4,
                  "days-to-death": ["1", "2", "3", "4"]}).to_csv(path, sep="\t", index=False)
    assert read_labels(path)["sample_id"].tolist() == IDS


def test_the_expression_reader_still_reads_barcodes_in_its_header(tmp_path):
    path = tmp_path / "x.tsv"
    pd.DataFrame(np.arange(12).reshape(3, 4) + 1.0, columns=IDS,
                 index=pd.Index(["ENSG00000000003", "ENSG00000000005", "ENSG00000000419"],
                                name="gene_id")).to_csv(path, sep="\t")
    assert read_expression(path).values.shape == (4, 3)


def test_no_header_through_prepare_and_predict(trained, tmp_path):
    _, _, labels = trained
    path = tmp_path / "nohdr.tsv"
    labels.to_csv(path, sep="\t", index=False, header=False)
    first = f"{labels.iloc[0, 0]}, {labels.iloc[0, 1]}"
    for res in (_predict(trained, path, tmp_path / "p.csv"), _prepare(trained, path, tmp_path / "b")):
        assert isinstance(res.exception, InputError), res.output
        assert f"the first row looks like data ({first}): the file has no header" in \
            _flat(str(res.exception))


def test_a_header_and_no_rows_is_said_so(tmp_path):
    path = tmp_path / "hdronly.tsv"
    path.write_text("sample_id\tcancer_type\n")
    with pytest.raises(InputError) as err:
        read_labels(path)
    said = _flat(str(err.value))
    assert "the file holds a header (sample_id, cancer_type) and no rows" in said
    assert "matrix" not in said and "delimiter" not in said
    (empty := tmp_path / "empty.tsv").write_text("")
    with pytest.raises(InputError, match="the file is empty"):
        read_labels(empty)
    blank = tmp_path / "blank.tsv"  # a blank line under the header is no reason to refuse
    blank.write_text("sample_id\tcancer_type\n\nTCGA-05-4382-01\tLUAD\n")
    assert read_labels(blank)["cancer_type"].tolist() == ["LUAD"]


def test_a_header_and_no_rows_through_prepare_and_predict(trained, tmp_path):
    path = tmp_path / "hdronly.tsv"
    path.write_text("sample_id\tcancer_type\n")
    for res in (_predict(trained, path, tmp_path / "p.csv"), _prepare(trained, path, tmp_path / "b")):
        assert isinstance(res.exception, InputError), res.output
        assert "holds a header (sample_id, cancer_type) and no rows" in _flat(str(res.exception))
