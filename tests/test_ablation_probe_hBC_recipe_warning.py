"""An arm's own regulariser (``model.genemoe.dropout`` beside the others') was said as an
INFO line, which no terminal shows at the CLI's default level, and not in ``ablation.json``;
the tests' own TINY_ABLATION_PRESET gave genemoe dropout 0.1 beside fcn's and moe's 0.5,
the very confound. It is now a warning, recorded in the run's ``ablation.json``, and the
shared preset gives every arm one dropout (so its quiet reruns stay quiet)."""

from __future__ import annotations

import json
import logging

import yaml

from genemoe.workflows.ablation import run_ablation
from genemoe.workflows.ablation_checks import check_one_recipe
from tiny_configs import TINY_ABLATION_PRESET

ARMS = ["fcn", "moe", "genemoe"]


def _preset(tmp_path, data: dict) -> str:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def _warned(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_tests_ablation_preset_gives_every_arm_one_recipe(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        note = check_one_recipe(_preset(tmp_path, TINY_ABLATION_PRESET),
                                [*ARMS, "vaecox", "coxnnet"], "survival")
    assert note == "" and not [t for t in caplog.messages if "regulariser" in t], caplog.text


def test_an_arms_own_dropout_is_a_warning_naming_the_fix(tmp_path, caplog):
    preset = _preset(tmp_path, {**TINY_ABLATION_PRESET, "model": {"genemoe": {"dropout": 0.1}}})
    with caplog.at_level(logging.INFO):
        note = check_one_recipe(preset, ARMS, "classify")
    warned = [t for t in _warned(caplog) if "regulariser" in t]
    assert warned == [note], caplog.text
    assert "p.yaml" in note and "dropout (fcn 0.5, moe 0.5, genemoe 0.1)" in note
    assert "give fcn, moe, genemoe one value" in note


def test_the_warning_is_in_the_runs_record(synthetic_bundle, tmp_path, caplog):
    ablation_bundle = synthetic_bundle(seed=1, clinical=False)
    preset = _preset(tmp_path, {**TINY_ABLATION_PRESET, "model": {"genemoe": {"dropout": 0.1}}})
    out = tmp_path / "abl"
    with caplog.at_level(logging.WARNING):
        res = run_ablation(ablation_bundle.path, task="classify", out_dir=out, preset=preset,
                     n_folds=2, n_repeats=1, epochs=1, device="cpu")
    record = json.loads((out / "ablation.json").read_text())
    assert any("dropout (fcn 0.5, moe 0.5, genemoe 0.1)" in w for w in record["warnings"])
    assert "Warning: the arms' own model options differ in a regulariser" in (
        out / "tables.md").read_text()
    said = res.describe()  # the end of the run says it again, under the rows
    assert "  warning: " in said and "genemoe 0.1)" in said, said
    assert all(len(line) <= 100 for line in said.splitlines()), said
