"""One benchmark cell's Optuna search (``genemoe benchmark --tune N``), on its fold's
training and validation parts only (:mod:`genemoe.workflows.benchmark`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from genemoe.models.image import input_scaling
from genemoe.train.study_budget import optuna_quiet
from genemoe.workflows.folds import FoldData, FoldPlan, InnerSplits
from genemoe.workflows.tune_text import genes_used, used_params

__all__ = ["tune_cell"]


@optuna_quiet()  # Optuna's "A new study created" line per cell, from Python
def tune_cell(model: str, plan: FoldPlan, fold_for: Callable[[str], FoldData], model_cfg: dict,
               train_cfg: dict, *, n_out: int, seed: int, opts: dict, out_dir: Path,
               inner: InnerSplits | None = None,
               ) -> tuple[dict, dict, dict]:
    """``opts["tune"]`` Optuna trials for one cell on its fold's train/validation parts
    (``opts["tune_cv"]`` K > 1: each trial scored on ``inner(scaling)``, the K inner folds
    of the fold's training part, :func:`~genemoe.workflows.folds.inner_splits`).

    The study lives in ``OUT/tuning.db`` under a name without the budget or the ensemble
    size, so raising ``--tune`` later resumes each study, and ``--ensemble K`` in the same
    directory reuses the trials (the cells are refitted: their fingerprint holds both).
    Returns the best options and what the search did (for the cell and summary.md), with
    ``n_top_genes`` as the fit used it on the fold's genes (:func:`genes_used`: coxnet's 2000
    of a 78-gene bundle is 78, as best.yaml writes it; the cell's ``options`` and
    ``tuning.params`` said 2000); for a
    classical model whose own grid search chose trial 0's values, ``grid_points`` (the
    settings that grid scored on the validation part, where a drawn trial scores one) and
    ``grid_seconds`` (its cost, in trial 0's seconds).
    """
    from genemoe.models.search_spaces import Fixed
    from genemoe.train.tuning import space_key, tune_model, tuning_cost

    def train_val(scaling: str) -> dict:
        return {part: fold_for(scaling).parts[part] for part in ("train", "val")}

    cv = int(opts.get("tune_cv") or 1)
    fold = fold_for(scaling := input_scaling(model, model_cfg))
    res = tune_model(model, opts["task"], train_val(scaling),
                     inner=None if inner is None else inner.for_model(model, model_cfg),
                     base_model_cfg=model_cfg, base_train_cfg=train_cfg, n_outputs=n_out,
                     n_trials=int(opts["tune"]), seed=seed,
                     storage=f"sqlite:///{(out_dir / 'tuning.db').resolve()}",
                     study_name=f"{opts['study_key'][:12]}-{model}-r{plan.repeat}-f{plan.fold}"
                                + (f"-cv{cv}" if cv > 1 else ""),
                     gene_variance=fold.gene_variance, rescaled=train_val)
    cost = tuning_cost(res.trials)  # what reaching this budget cost (resumed: every call)
    n_genes = int(fold.parts["train"].X.shape[1])
    model_cfg = dict(res.best_model_cfg)
    if "n_top_genes" in model_cfg:  # the same fit: a model keeps at most the genes it has
        model_cfg["n_top_genes"] = genes_used(model_cfg["n_top_genes"], n_genes)
    info = {"n_trials": cost["n_trials"], "n_pruned": int(res.n_pruned),
            "n_too_big": cost["n_too_big"],
            "best_val": res.best_value, "params": used_params(res.best_params, n_genes),
            "seconds": res.seconds,
            "seconds_per_trial": cost["seconds_per_trial"],
            "seconds_in_trials": cost["seconds"], "seconds_pruned": cost["seconds_pruned"],
            "seconds_saved_by_pruning": cost["seconds_saved"],
            "space_key": space_key(model, opts["task"]), **({"inner_folds": cv} if cv > 1 else {}),
            "n_trials_this_call": len(res.this_call),  # 0: the study was reused
            "seconds_this_call": float(res.trials.loc[res.trials["number"].isin(
                res.this_call), "seconds"].fillna(0).sum()),  # the rest: earlier calls'
            "held": [k for k, p in res.space.items() if isinstance(p, Fixed)],  # not searched
            # a classical model's trial 0: its own grid search's settings scored on validation
            **({"grid_points": int(res.grid_points), "grid_seconds": float(res.grid_seconds)}
               if res.grid_points else {})}  # (a drawn trial scores one; said nowhere)
    return model_cfg, res.best_train_cfg, info
