"""A probe (helper hAV) of the ablation's tables: they named the preset and the epoch cap,
never that one training recipe trained every arm (the claim the ablation rests on), nor
which. tables.md now says it from the cells' own ``train_config``, and names an option that
differs, with its values per model."""

from __future__ import annotations

from genemoe.workflows.ablation import run_ablation
from genemoe.workflows.ablation_recipe import recipe_line

CFG = {"epochs": 30, "patience": 8, "batch_size": 64, "optimizer": "adamw", "lr": 0.001,
       "weight_decay": 0.01, "noise_std": 0.3, "label_smoothing": 0.1, "seed": 0,
       "device": "cpu"}


def _cell(model: str, **over) -> dict:
    return {"model": model, "info": {"train_config": {**CFG, **over}}}


def test_the_recipe_is_said_and_a_difference_named_per_model():
    same = recipe_line([_cell("fcn"), _cell("moe", seed=1, device="cuda")], "classify")
    assert same == ("Every model trained under one recipe, as its cells record it "
                    "(`info.train_config`): up to 30 epochs, early stopping after 8 without "
                    "improvement, batch 64, adamw lr 0.001, weight decay 0.01, input noise 0.3, "
                    "label smoothing 0.1.")  # the seed and device are not the recipe
    differ = recipe_line([_cell("fcn"), _cell("genemoe", lr=0.01, patience=3)], "classify")
    assert differ == ("The cells trained under different recipes: patience (fcn 8; genemoe 3), "
                      "lr (fcn 0.001; genemoe 0.01).")
    assert recipe_line([{"model": "svm", "info": {}}], "classify") == ""


def test_tables_md_says_the_recipe_every_arm_ran_under(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=1)
    res = run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl", n_folds=2,
                       n_repeats=1, epochs=1, device="cpu")
    assert ("Every model trained under one recipe, as its cells record it (`info.train_config`): "
            "up to 1 epoch, early stopping after 20 without improvement, batch 64, adamw lr "
            "0.001") in res.tables, res.tables
