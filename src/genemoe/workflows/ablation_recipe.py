"""The training recipe every arm of an ablation ran under, read from its cells, for
``tables.md``: the tables said the preset and the epoch cap, not that (nor which) one recipe
trained every model, the claim the ablation rests on.

The cells' ``info.train_config`` (the options each fit ran with) are compared across every
arm; the values a reader weighs are said, and any option that differs is named with its
values per model (:func:`~genemoe.workflows.ablation_checks.check_one_recipe` refuses a
preset that would do that, so it should never show).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genemoe.train.fit import LOSS_DEFAULTS

__all__ = ["recipe_line"]

# options that do not change what is learnt (where, how fast, how often it is logged); the
# seed is the fold's (seed + repeat), the same for every arm of a fold
_NOT_RECIPE = ("seed", "device", "progress", "num_threads", "eval_batch_size", "amp", "fused",
               "checkpoint_every", "log_every")
_SAID = {"classify": {"noise_std": "input noise", "label_smoothing": "label smoothing"},
         "survival": {"survival_selection": "model selection on validation",
                      "select_window": "model selection over a window of epochs"}}
# the loss and selection options a cell records apart (``info.loss``: those the preset set;
# the fit ran the others at their defaults): survival_selection was left out of the line
_LOSS_KEYS = {"classify": ("focal_gamma", "class_alpha"),
              "survival": ("cox_ties", "survival_selection")}


def _cell_recipe(info: Mapping[str, Any], task: str) -> dict[str, Any] | None:
    """A cell's recipe: its ``train_config`` and, where it records ``loss``, its loss and
    selection options (a default where the preset set none, as the fit ran it)."""
    cfg = info.get("train_config")
    if not isinstance(cfg, dict):
        return None
    cfg = {k: v for k, v in cfg.items() if k not in _NOT_RECIPE}
    if isinstance(loss := info.get("loss"), dict):
        cfg.update({k: loss.get(k, LOSS_DEFAULTS[k]) for k in _LOSS_KEYS.get(task, ())})
    return cfg


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def recipe_line(cells: Sequence[Mapping[str, Any]], task: str) -> str:
    """One sentence on the recipe of ``cells`` (every part's finished cells; "" where none
    records a ``train_config``).

    Examples
    --------
    >>> cfg = {"epochs": 3, "patience": 20, "batch_size": 64, "optimizer": "adamw", "lr": 0.001,
    ...        "weight_decay": 0.01, "noise_std": 0.3, "label_smoothing": 0.1}
    >>> recipe_line([{"model": "fcn", "info": {"train_config": cfg}},
    ...              {"model": "moe", "info": {"train_config": {**cfg, "lr": 0.01}}}],
    ...             "classify")
    'The cells trained under different recipes: lr (fcn 0.001; moe 0.01).'
    """
    configs = [(str(c.get("model")), cfg) for c in cells
               if (cfg := _cell_recipe(c.get("info") or {}, task)) is not None]
    if not configs:
        return ""
    keys = dict.fromkeys(k for _, cfg in configs for k in cfg)
    differ = [k for k in keys if len({repr(cfg.get(k)) for _, cfg in configs}) > 1]
    if differ:
        said = [f"{k} (" + "; ".join(dict.fromkeys(f"{m} {_fmt(cfg.get(k))}"
                                                   for m, cfg in configs)) + ")" for k in differ]
        return f"The cells trained under different recipes: {', '.join(said)}."
    cfg = configs[0][1]
    epochs = cfg.get("epochs")
    parts = [f"up to {epochs} epoch{'' if epochs == 1 else 's'}, early stopping after "
             f"{cfg.get('patience')} without improvement", f"batch {cfg.get('batch_size')}",
             f"{cfg.get('optimizer')} lr {_fmt(cfg.get('lr'))}",
             f"weight decay {_fmt(cfg.get('weight_decay'))}",
             *(f"{words} {_fmt(cfg[k])}" for k, words in _SAID.get(task, {}).items()
               if k in cfg)]
    return ("Every model trained under one recipe, as its cells record it "
            f"(`info.train_config`): {', '.join(parts)}.")
