"""A classical model's trial 0: the values its own grid search chooses on validation.

Under ``--tune N`` a classical model's own grid search is off while the tuner draws
(``model.tune: Fixed(False)`` in its space, :mod:`genemoe.models.search_spaces`). Its trial
0, the starting configuration, was then the library's defaults (an RBF SVM's C = 1,
gamma_scale = 1), while a neural model's trial 0 is the preset, chosen on data: a small
budget ran the SVM below its untuned self on the same folds (macro-F1 0.480 at
``--tune 0``, 0.217 at ``--tune 2``; an outside audit, probeII). Trial 0 is now the point
the model's grid chooses on the same validation part, as ``--tune 0`` fits it, so every
model's search starts from its ``--tune 0`` configuration and never ends below it on
validation; the drawn trials search as before.

The grid is fitted on the parts as the starting configuration scales them (``standard``
z-scores unless it names another ``input_scaling``), and trial 0 keeps that scaling, so it
is the ``--tune 0`` fit in its input too; the drawn trials may draw ``centred`` where the
model's space searches it (:mod:`genemoe.models.search_spaces`, "Input scaling").

The grid scores many settings on the validation part to choose trial 0's one (an RBF SVM's
16), where a drawn trial scores one: under ``--tune 3`` an SVM saw 18 settings on
validation and a neural model 3, said nowhere. :class:`GridChoice` counts them
(``n_points``); the search records them as trial 0's ``grid_points``
(:mod:`genemoe.train.tuning`) and ``genemoe tune`` says them.

The grid chooses trial 0's values and so the space widened to hold them, part of the setup
a resumed study must share (:func:`~genemoe.train.study_storage.check_setup`): a resume
with a changed ``--seed`` fitted the whole grid (35 s for logreg on pancan33) before it was
refused. :func:`check_setup_but_space` refuses it first, on every other part of the setup.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

import numpy as np
import optuna

from genemoe.models.search_spaces import Fixed, SearchSpace, params_text
from genemoe.train.fit import fit_model
from genemoe.train.study_storage import recorded_setup, setup_digest, setup_refusal
from genemoe.train.task_data import Task, TaskData

__all__ = ["GridChoice", "GRID_CHOICE", "with_grid_choice", "keep_grid_choice",
           "check_setup_but_space"]

log = logging.getLogger(__name__)

GRID_CHOICE = "grid_choice"  # study user attribute: trial 0's grid choice, for a resume


class GridChoice(NamedTuple):
    """Trial 0's model options and what choosing them cost in settings.

    ``model_cfg``: the starting model options with the grid's chosen values (the very dict
    given where no grid was fitted); ``n_points``: the grid points the model's own grid
    search scored on the validation part (0: no grid fitted); ``reused_seconds``: the first
    fit's seconds where the study's recorded choice was given back; ``record``: what the
    study keeps of a grid fitted now (:func:`keep_grid_choice`, once its setup is checked).
    """

    model_cfg: dict[str, Any]
    n_points: int
    reused_seconds: float | None = None  # the study's recorded grid: its first fit's seconds
    record: dict[str, Any] | None = None  # a grid fitted now: what the study keeps of it
    #                                       (:func:`keep_grid_choice`); None: none fitted


def with_grid_choice(name: str, task: Task, data: dict[str, TaskData], space: SearchSpace,
                     start_model_cfg: dict[str, Any], train_cfg: dict[str, Any], *,
                     given: dict[str, Any], n_outputs: int,
                     gene_variance: np.ndarray | None,
                     study: optuna.Study | None = None) -> GridChoice:
    """``start_model_cfg`` with the values model ``name``'s own grid search chooses on
    ``data["val"]`` (fitted on ``data["train"]`` with ``tune: True``), for the keys
    ``space`` searches; unchanged where the space does not switch the model's grid off or
    the starting configuration has it off (``tune: false`` given).

    Parameters
    ----------
    data
        ``{"train", "val"}`` parts of the rows the tuning may read (``X`` ``(n, n_genes)``).
    space
        The search space; its ``model.tune`` is ``Fixed(False)`` for a classical model.
    start_model_cfg, train_cfg
        The starting model options (the model's defaults under the preset's) and the
        training options (seed, survival selection).
    given
        The model options the preset or config gave: the grid fit gets these only (an
        option given is fixed, not searched, by the model's grid; its defaults are not).
    study
        The study being resumed, if it exists (None: a new one, created after the grid):
        one of the same setup (:func:`check_setup_but_space` passed) that kept a choice
        (user attribute ``grid_choice``: the values, the settings scored and the seconds)
        gives it back, the grid not fitted again (a resume of an SVM study refitted its
        whole grid, minutes, counted nowhere). Nothing is written to it here: the caller
        keeps a new choice once the whole setup is checked (:func:`keep_grid_choice`).

    Returns
    -------
    GridChoice
        The options (``start_model_cfg`` itself where no grid was fitted) and the number of
        grid points scored on validation.
    """
    if not isinstance(space.get("model.tune"), Fixed) or start_model_cfg.get("tune", True) is False:
        return GridChoice(start_model_cfg, 0)
    if (study is not None and study.user_attrs.get("setup_parts")  # one of a known setup:
            and (kept := study.user_attrs.get(GRID_CHOICE))):  # an older genemoe kept it first
        log.info("trial 0: %s's own grid choice of %d settings, as the study recorded it (not "
                 "fitted again)", name, kept["n_points"])
        return GridChoice({**start_model_cfg, **kept["chosen"]}, int(kept["n_points"]),
                          float(kept["seconds"]))
    t0 = time.perf_counter()
    fit = fit_model(name, task, {"train": data["train"], "val": data["val"]},
                    model_cfg={**given, "tune": True}, train_cfg=train_cfg,
                    n_outputs=n_outputs, gene_variance=gene_variance)
    fitted = (fit.info.get("params") or {}).get("fitted") or {}
    chosen = {k: v for k, v in (fitted.get("chosen") or {}).items() if f"model.{k}" in space}
    n_points = len(fitted.get("grid_scores") or ())  # every setting scored on validation
    if chosen:
        log.info("trial 0: %s's own grid choice on the validation part of %d settings (%s)",
                 name, n_points, params_text({f"model.{k}": v for k, v in chosen.items()}))
    plain = {k: v.item() if isinstance(v, np.generic) else v for k, v in chosen.items()}
    return GridChoice({**start_model_cfg, **chosen}, n_points, record={  # JSON, as YAML keeps
        "chosen": plain, "n_points": n_points, "seconds": round(time.perf_counter() - t0, 3)})


def keep_grid_choice(study: optuna.Study, choice: GridChoice) -> float:
    """Keep ``choice``'s newly fitted grid in ``study`` (user attribute ``grid_choice``) for
    a resume to reuse; nothing where none was fitted or another worker kept one already.
    Called once the study's whole setup is checked and recorded
    (:func:`~genemoe.train.study_storage.check_setup`): kept before, a crash between the
    grid and that check left a choice in a study with no setup, which a call with another
    ``--seed`` then reused.

    Returns
    -------
    float
        The seconds of a grid this call fitted that another worker had kept first (two
        workers starting together both fit it; the other's trial 0 runs, charged its own
        grid's seconds, and this one's went unsaid); 0.0 where none was fitted or it is kept.
    """
    if choice.record is None:
        return 0.0
    if GRID_CHOICE in study.user_attrs:
        return float(choice.record["seconds"])
    study.set_user_attr(GRID_CHOICE, choice.record)
    return 0.0


def check_setup_but_space(study: optuna.Study, setup: dict[str, Any], storage: str | None,
                          older: dict[str, Any] | None = None) -> None:
    """Refuse, before a classical model's grid search, a ``setup`` whose parts other than
    the search space differ from those ``study`` recorded, naming them as
    :func:`~genemoe.train.study_storage.check_setup` does (that check, on the whole setup,
    follows the grid: the space it widens to hold trial 0's values is part of it).

    Parameters
    ----------
    study
        The opened study; one without recorded parts (new, or older) passes.
    setup
        The setup (``space`` as declared, not yet widened: not compared).
    storage
        The database URL, named in the refusal.
    older
        ``setup`` as an older genemoe keyed it, for a study it recorded
        (:func:`~genemoe.train.study_storage.recorded_setup`).
    """
    old = study.user_attrs.get("setup_parts")
    if not old:
        return
    setup = recorded_setup(study, setup, older)
    early = {k: v for k, v in setup.items() if k != "space"}
    parts = {k: setup_digest(v) for k, v in early.items()}
    if all(old.get(k) == d for k, d in parts.items()) and set(old) - {"space"} == set(parts):
        return
    parts |= {"space": old["space"]} if "space" in old else {}  # not told yet: not said
    raise setup_refusal(study, early, parts, storage)  # check_setup's very words
