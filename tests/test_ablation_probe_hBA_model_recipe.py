"""The ablation's one-recipe check read ``train_<task>_models`` only: a preset's
``model.genemoe.dropout`` (a regulariser, training recipe, not architecture) could differ
between the arms without a word, before training or in tables.md, and the table credited
it to the architecture. It is now said (named, not refused: a rate tuned per architecture
is a choice a reader can weigh once it is named)."""

from __future__ import annotations

import logging

import yaml

from genemoe.workflows.ablation_checks import check_one_recipe
from genemoe.workflows.ablation_recipe import recipe_line

ARMS = ["fcn", "moe", "genemoe"]
CFG = {"epochs": 3, "patience": 20, "batch_size": 64, "optimizer": "adamw", "lr": 0.001,
       "weight_decay": 0.01}


def _preset(tmp_path, model: dict) -> str:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"extends": "small", "model": model}))
    return str(path)


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_an_arms_own_dropout_is_said_before_training(tmp_path, caplog):
    preset = _preset(tmp_path, {"genemoe": {"dropout": 0.1}, "moe": {"expert_dropout": 0.2}})
    with caplog.at_level(logging.INFO):
        check_one_recipe(preset, [*ARMS, "vaecox", "coxnnet"], "survival")
    said = [t for t in _said(caplog) if "regulariser" in t]
    assert len(said) == 1, _said(caplog)
    assert "p.yaml" in said[0] and "dropout (fcn 0.5, moe 0.5, genemoe 0.1)" in said[0]
    assert "expert_dropout (moe 0.2, genemoe 0)" in said[0]


def test_architecture_keys_and_the_peers_may_differ_unsaid(tmp_path, caplog):
    preset = _preset(tmp_path, {"genemoe": {"hidden": 128, "n_experts": 4, "k": 2,
                                            "attn_dropout": 0.3},
                                "vaecox": {"dropout": 0.0}, "coxnnet": {"dropout": 0.2}})
    with caplog.at_level(logging.INFO):
        check_one_recipe(preset, [*ARMS, "vaecox", "coxnnet"], "survival")
        for packaged in ("small", "base", "paper"):
            check_one_recipe(packaged, [*ARMS, "vaecox", "coxnnet"], "survival")
    assert not [t for t in _said(caplog) if "regulariser" in t], _said(caplog)


def test_tables_recipe_line_names_an_arms_own_dropout():
    cells = [{"model": m, "info": {"train_config": CFG}, "options": {"dropout": d}}
             for m, d in (("fcn", 0.5), ("moe", 0.5), ("genemoe", 0.1))]
    cells.append({"model": "genemoe (pre-trained)", "info": {"train_config": CFG},
                  "options": {"dropout": 0.1}})
    line = recipe_line(cells, "classify", arms=ARMS)
    assert line.startswith("Every model trained under one recipe"), line
    assert "dropout (fcn 0.5, moe 0.5, genemoe 0.1)" in line, line
    same = [{**c, "options": {"dropout": 0.5}} for c in cells]
    assert "regulariser" not in recipe_line(same, "classify", arms=ARMS)
