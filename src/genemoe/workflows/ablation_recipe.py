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

__all__ = ["RECIPE_MODEL_KEYS", "model_recipe_text", "model_recipe_values", "option_names",
           "recipe_line"]

# a ``model.<arm>`` option that is training recipe (a regulariser's rate), not architecture:
# widths, expert counts, k, tokens, heads, batchnorm, gate noise and the attention's own
# dropout (MOAE's: an arm without MOAE has none) are what the ablation compares
RECIPE_MODEL_KEYS = ("dropout", "expert_dropout")

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


def model_recipe_values(options: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The :data:`RECIPE_MODEL_KEYS` whose value differs between the arms of ``options``
    (``{arm: its model options}``), each arm's value in force: its option, else its model's
    default; an arm whose model takes no such option is left out (fcn has no experts).

    Returns
    -------
    dict
        ``{key: {arm: value}}``, empty where every arm has the same values.
    """
    from genemoe.models.registry import get_spec

    out = {}
    for key in RECIPE_MODEL_KEYS:
        values = {}
        for arm, opts in options.items():
            spec = get_spec(arm)
            if key in (spec.options or spec.defaults or {}):
                values[arm] = opts.get(key, (spec.defaults or {}).get(key))
        if len({repr(v) for v in values.values()}) > 1:
            out[key] = values
    return out


def model_recipe_text(differ: Mapping[str, Mapping[str, Any]]) -> str:
    """``dropout (fcn 0.5, moe 0.5, genemoe 0.1)``: :func:`model_recipe_values`' answer."""
    return "; ".join(f"{key} (" + ", ".join(f"{m} {_fmt(v)}" for m, v in values.items()) + ")"
                     for key, values in differ.items())


def _model_recipe_line(cells: Sequence[Mapping[str, Any]], arms: Sequence[str]) -> str:
    """The sentence naming a regulariser set per arm (``model.<arm>.dropout``), from the
    cells' ``options``; "" where the arms share them (it passed unsaid: the table credited
    it to the architecture)."""
    options: dict[str, Mapping[str, Any]] = {}
    for c in cells:
        if c.get("model") in arms and isinstance(c.get("options"), dict):
            options.setdefault(str(c["model"]), c["options"])
    differ = model_recipe_values(options) if len(options) > 1 else {}
    if not differ:
        return ""
    return (f"Warning: the arms' own model options differ in a regulariser, not architecture: "
            f"{model_recipe_text(differ)}; part of the differences between them may come "
            "from it (`model.<arm>` in the preset).")


def recipe_line(cells: Sequence[Mapping[str, Any]], task: str,
                arms: Sequence[str] = ()) -> str:
    """One sentence on the recipe of ``cells`` (every part's finished cells; "" where none
    records a ``train_config``), and one more where the ``arms``' cells (the ablation's
    architectures) ran a :data:`RECIPE_MODEL_KEYS` option of their own.

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
    return " ".join(t for t in (_train_recipe_line(configs, task), _model_recipe_line(cells, arms))
                    if t)


def _train_recipe_line(configs: list[tuple[str, dict[str, Any]]], task: str) -> str:
    """:func:`recipe_line`'s sentence on the cells' training options."""
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


def option_names(entries: list[str]) -> list[str]:
    """The options of a preset's ``tuned_on:`` entries, each in its own backticks: an entry
    naming several (``train_classify, model.widths``) read as one odd key in one pair.

    Examples
    --------
    >>> option_names(["model.dropout", "train_classify, model.widths"])
    ['`model.dropout`', '`train_classify`', '`model.widths`']
    """
    return [f"`{name}`" for name in dict.fromkeys(n.strip() for k in entries
                                                  for n in str(k).split(",") if n.strip())]
