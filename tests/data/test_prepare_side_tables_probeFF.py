"""An outside tester's (FF's) findings with prepare_dataset from Python: a DataFrame as
``annotation_path`` or ``clinical_path`` failed inside pandas ("The truth value of a DataFrame
is ambiguous") and ``annotation_path=5`` inside pathlib; they are refused as
``label_paths=DataFrame`` is, naming the argument and the fix, before any file is read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.errors import InputError


@pytest.mark.parametrize("arg", ["annotation_path", "clinical_path"])
def test_a_dataframe_as_annotation_or_clinical_table_is_refused(arg, tmp_path):
    """Old behaviour: "The truth value of a DataFrame is ambiguous", raised inside pandas."""
    with pytest.raises(InputError, match=rf"{arg} is a DataFrame: prepare reads its tables "
                                         r"from files(?s:.*)fix: write it first"):
        prepare_dataset([tmp_path / "none.tsv"], out_path=tmp_path / "b",
                        **{arg: pd.DataFrame({"a": [1]})})
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("kwargs, said", [({"annotation_path": 5}, "annotation_path is int 5"),
                                          ({"clinical_path": ["c.tsv", 5]}, r"clinical_path\[1\] is int 5"),
                                          ({"clinical_path": 3.5}, "clinical_path is float 3.5")])
def test_a_number_as_annotation_or_clinical_path_is_refused(kwargs, said, tmp_path):
    """Old behaviour: annotation_path=5 ended in pathlib's TypeError, naming nothing."""
    with pytest.raises(InputError, match=rf"{said}, not a path(?s:.*)fix: pass a path"):
        prepare_dataset([tmp_path / "none.tsv"], out_path=tmp_path / "b", **kwargs)


def test_a_clinical_path_given_as_a_str_or_path_still_passes_the_check(tmp_path):
    """A one-path str, a Path and a list are taken (the file's absence is said by the reader
    as before)."""
    for value in ("c.tsv", Path("c.tsv"), ["c.tsv"]):
        with pytest.raises(InputError) as err:
            prepare_dataset([tmp_path / "none.tsv"], out_path=tmp_path / "b", clinical_path=value)
        assert "not a path" not in str(err.value) and "DataFrame" not in str(err.value)
