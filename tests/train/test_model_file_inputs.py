"""An outside probe: a file that is not a run, passed as --model, got misleading messages:
predict's output table was "cannot read the model file (unpickling stack underflow) ... the
file is damaged", and a benchmark folder "bench/model.pt: no model file  fix: train one"."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.train.model_file import load_model_file


@pytest.mark.parametrize("name", ["pred_lr.tsv", "results.csv", "table.parquet",
                                  "pred_lr.record.json"])
def test_a_table_is_named_a_table_not_a_damaged_model(tmp_path, name):
    path = tmp_path / name
    path.write_text("sample_id\tpredicted_type\nS1\tBRCA\n")
    with pytest.raises(InputError) as err:
        load_model_file(path)
    said = str(err.value)
    assert "a table or record (such as predict's output), not a model file" in said
    assert "fix: pass the `genemoe train` run folder" in said and "damaged" not in said


@pytest.mark.parametrize("made", ["results.csv", "cells"])
def test_a_benchmark_folder_is_said_to_keep_no_models(tmp_path, made):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "cells").mkdir() if made == "cells" else (bench / made).write_text("model,fold\n")
    with pytest.raises(InputError) as err:
        load_model_file(bench)
    said = str(err.value)
    assert "a benchmark folder: a benchmark keeps no models" in said
    assert "fix: pass the `genemoe train` run folder" in said and "model.pt" not in said


def test_an_empty_folder_still_has_no_model_file(tmp_path):
    with pytest.raises(InputError, match="no model file"):
        load_model_file(tmp_path)
