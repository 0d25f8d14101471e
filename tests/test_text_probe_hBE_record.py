"""A results file lacking a field the report reads is named by its file, not its folder.

Old behaviour: a run whose metrics.json had lost ``test.per_class`` was refused as
"<run folder>: a file here lacks 'per_class'": the user had to guess which of its files.
"""

from __future__ import annotations

import json
from pathlib import Path

from genemoe.errors import InputError
from genemoe.report.damaged import damaged_error

_SPLIT = {"accuracy": 0.9, "macro_f1": 0.8, "n": 40, "per_class": {"BRCA": {"f1": 0.9}}}


def _run(tmp_path: Path, test: dict) -> Path:
    (tmp_path / "metrics.json").write_text(json.dumps(
        {"val": _SPLIT, "test": test, "calibration": {"method": "temperature"}}))
    (tmp_path / "routing.json").write_text(json.dumps({"gate": {"load": [0.5, 0.5]}}))
    return tmp_path


def test_a_field_lost_beside_its_like_names_the_file_and_the_place(tmp_path):
    test = {k: v for k, v in _SPLIT.items() if k != "per_class"}
    err = damaged_error([_run(tmp_path, test)], KeyError("per_class"))
    assert isinstance(err, InputError)
    assert str(err) == (f"{tmp_path / 'metrics.json'}: test: no field 'per_class' (another "
                        "genemoe's, edited or cut short)\n  fix: copy the folder again, or "
                        "re-run the command that wrote it into a fresh --out")


def test_a_field_in_the_one_file_that_holds_it_nowhere_names_that_file(tmp_path):
    (tmp_path / "protocol.json").write_text(json.dumps({"models": ["fcn"]}))
    err = damaged_error([tmp_path], KeyError("n_repeats"))
    assert Path(err.path) == tmp_path / "protocol.json" and err.where is None


def test_several_files_that_could_lack_it_name_the_folder(tmp_path):
    _run(tmp_path, dict(_SPLIT))
    err = damaged_error([tmp_path], KeyError("n_repeats"))
    assert str(err).startswith(f"{tmp_path}: a file here lacks 'n_repeats'")
