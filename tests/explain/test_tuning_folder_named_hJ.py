"""A `genemoe tune` folder passed as a run is named, with the command that trains one
(probeJJ nit 12).

Old behaviour: ``explain --model tune/gm`` (and predict) said ``tune/gm/model.pt: no model
file``, with the generic fix to train one.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.train.model_file import load_model_file


def _tuning_folder(d, *, best: bool = True):
    d.mkdir()
    (d / "study.db").write_bytes(b"")
    if best:
        (d / "best.yaml").write_text("model:\n  coxnet: {}\n")
        (d / "summary.json").write_text(json.dumps(
            {"model": "coxnet", "task": "survival", "bundle": "/data/bundles/surv"}))
    return d


def test_a_tuning_folder_says_what_it_is_and_how_to_train_from_it(tmp_path):
    tune = _tuning_folder(tmp_path / "gm")
    with pytest.raises(InputError) as err:
        load_model_file(tune)
    text = str(err.value)
    assert "a tuning folder (genemoe tune)" in text and "no model file" not in text
    assert (f"genemoe train --config {tune / 'best.yaml'} --model coxnet --task survival "
            "--data /data/bundles/surv --out RUN, then pass RUN") in err.value.fix
    bare = _tuning_folder(tmp_path / "early", best=False)  # a search stopped before a trial
    with pytest.raises(InputError, match="a tuning folder") as err:
        load_model_file(bare)
    assert "finish the search first" in err.value.fix


def test_explain_and_predict_say_it_on_the_command_line(tmp_path):
    tune = _tuning_folder(tmp_path / "gm")
    runner = CliRunner()
    for args in (["explain", "--model", str(tune), "--data", str(tmp_path), "--out",
                  str(tmp_path / "ex")],
                 ["predict", "--model", str(tune), "--expression", str(tmp_path / "x.tsv"),
                  "--out", str(tmp_path / "p.csv")]):
        r = runner.invoke(app, args)
        assert isinstance(r.exception, InputError), r.output  # the CLI's main prints it
        said = f"{r.exception}"
        flat = " ".join(said.split())
        assert "a tuning folder (genemoe tune)" in flat, (args[0], said)
        assert "genemoe train --config" in flat
