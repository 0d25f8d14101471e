"""tables.md's recipe line read the cells' ``info.train_config`` only: a survival
ablation's ``survival_selection`` (recorded in ``info.loss``, or the fit's default where the
preset set none) was left out of the sentence that says how every arm was trained."""

from __future__ import annotations

from genemoe.workflows.ablation_recipe import recipe_line

CFG = {"epochs": 3, "patience": 20, "batch_size": 64, "optimizer": "adamw", "lr": 0.001,
       "weight_decay": 0.01, "select_window": 3}


def _cell(model: str, loss: dict | None) -> dict:
    info = {"train_config": dict(CFG), **({"loss": loss} if loss is not None else {})}
    return {"model": model, "info": info}


def test_the_recipe_line_says_the_survival_selection():
    loss = {"cox_ties": "efron", "survival_selection": "partial_likelihood"}
    line = recipe_line([_cell("fcn", loss), _cell("moe", loss)], "survival")
    assert "model selection on validation partial_likelihood" in line, line


def test_a_cell_without_it_ran_the_default_and_a_difference_is_named():
    line = recipe_line([_cell("fcn", {}), _cell("moe", {})], "survival")
    assert "model selection on validation c_index" in line, line
    line = recipe_line([_cell("fcn", {}), _cell("moe", {"survival_selection": "c_index_by_type"})],
                       "survival")
    assert line.startswith("The cells trained under different recipes: survival_selection "
                           "(fcn c_index; moe c_index_by_type)"), line
