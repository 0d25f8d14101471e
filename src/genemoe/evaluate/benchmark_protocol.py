"""The words ``summary.md`` and the HTML report use for a benchmark's protocol: its folds,
its search (or none), where each fold's choices were made, and the options each model ran
with (:mod:`genemoe.evaluate.benchmark_tables` holds the tables)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.evaluate.benchmark_files import EPOCH_CAP_ADVICE
from genemoe.evaluate.benchmark_pixels import crowded_text

__all__ = ["options_lines", "grid_edge_counts", "tuning_text", "chosen_where", "protocol_text", "pretrained_text",
           "ensemble_text", "fold_members_text", "samples_words"]


def options_lines(results: pd.DataFrame) -> list[str]:
    """``- model: options`` per model whose cells ran with one set of model options (a tuned
    model's differ by fold: said so); empty for cells written before they were recorded."""
    if "options" not in results.columns or not results["options"].fillna("").any():
        return []
    lines = []
    for model, g in results.groupby("model", sort=False):
        kinds = g["options"].fillna("").unique()
        own = "chosen" in g and g["chosen"].fillna("").astype(bool).any() and not g[
            "chosen"].fillna("").str.startswith("epoch").all()  # a classical model's own grid
        tuned = "tune_trials" in g and g["tune_trials"].notna().any()  # an Optuna search's
        lines.append(f"- `{model}`: " + (kinds[0] or "its defaults" if len(kinds) == 1 else
                                          "differ by fold (tuned): `options` in results.csv")
                     + ("" if not own or len(kinds) > 1 else
                        f"; trial 0 ran alone (its own grid's choice of {grid} settings on "
                        "validation; no Optuna trial drawn), under Chosen per fold"
                        if tuned and (g["tune_trials"].dropna() <= 1).all()
                        and (grid := _grid_points(g)) > 1 else
                        "; trial 0 ran alone (the preset's values: nothing searched), under Chosen "
                        "per fold" if tuned and (g["tune_trials"].dropna() <= 1).all() else
                        "; the values Optuna's best trial chose are under Chosen per fold (its "
                        "heading says on what)" if tuned else
                        "; the values its own grid chose on each fold's validation part are "
                        "under Chosen per fold")
                     + _edge_text(g) + _epoch_cap_text(g) + crowded_text(g, str(model)))
    return lines


def _grid_points(g: pd.DataFrame) -> int:
    """The most settings a model's own grid scored for its trial 0 over its cells (results.csv's
    ``tune_grid_points``; 0 without one)."""
    points = pd.to_numeric(g.get("tune_grid_points", pd.Series(dtype=float)), errors="coerce")
    return 0 if points.dropna().empty else int(points.max())


def _epoch_cap_text(g: pd.DataFrame) -> str:
    """``; kept the last epoch allowed in 3/3 folds: ...`` or "" (a model's cells)."""
    n = int(g["at_epoch_cap"].fillna(False).astype(bool).sum()) if "at_epoch_cap" in g else 0
    return ("" if not n else f"; kept the last epoch allowed in {n}/{len(g)} folds (still "
            f"improving: {EPOCH_CAP_ADVICE})")


def grid_edge_counts(g: pd.DataFrame) -> tuple[int, dict[str, int]]:
    """A model's cells (results.csv rows) that chose a value at the end of their grid, and
    how often each such value was chosen (``(3, {"C 10 (largest)": 3})``; ``(0, {})`` for
    none or an older results.csv): what summary.md and the terminal both say."""
    edges = g["grid_edge"].fillna("").astype(str) if "grid_edge" in g else pd.Series(dtype=str)
    values = pd.Series([x for e in edges for x in e.split(", ") if x], dtype=str)
    return int(edges.astype(bool).sum()), {str(k): int(n) for k, n in values.value_counts().items()}


def _edge_text(g: pd.DataFrame) -> str:
    """`` - at its grid's end in 3/3 folds (n_top_genes 100 (largest)): ...`` or ""."""
    n, counts = grid_edge_counts(g)
    if not n:
        return ""
    seen = ", ".join(f"{e} ×{k}" for e, k in counts.items())
    return (f"; at its grid's end in {n}/{len(g)} folds ({seen}): "
            "the best value may lie beyond, so widen that axis (`grid:` under `model:` in "
            "--config)")


def tuning_text(p: dict) -> str:
    """A benchmark's search budget per model (and ensemble size) from its protocol.json:
    summary.md's and the HTML report's (which said nothing of it)."""
    trials = f"{p['tune']} Optuna trial{'s' if p.get('tune') != 1 else ''}"
    return ((f"Tuning: {trials} per model inside each fold, "
             + ("on its validation part only" if p.get("tune_cv", 1) <= 1 else
                f"each trial scored by its mean validation metric over {p['tune_cv']} inner "
                "folds of the fold's training and validation parts (every row but its test "
                "part), each with its own gene filter and scaler")
             + " (as many trials for every model, a classical model's trial 0 its own grid "
               "search on the same part; the test part is scored once, after)."
             + (" The sampler's seed is the run's seed + repeat: every model and fold of a "
                "repeat draws the same start-up values (trial 1 alike everywhere), so a small "
                "budget tries the same few configurations in every cell."
                if p.get("tune", 0) > 1 else "")
             + (" With one trial, trial 0 is the preset's values (a classical model's: its own "
                "grid's choice): nothing else was searched (--tune 2 or more draws others)."
                if p.get("tune") == 1 else "")
             if p.get("tune") else
             "No search: neural models run the preset, classical models choose from their "
             "own small grids on the validation part"
             + (" (by the criterion the neural models choose their epoch by: "
                "train: survival_selection)." if p.get("task") == "survival" else "."))
            + (ensemble_text(int(p["ensemble"]), list(p.get("models") or []),
                             str(p.get("ensemble_members") or "auto"))
               if p.get("ensemble", 1) > 1 else ""))


def ensemble_text(k: int, models: list[str], members: str = "auto") -> str:
    """How a benchmark's ``k``-member ensembles differ, per kind of model.

    Under ``members="auto"`` the deterministic models' members each fit (k − 1)/k of the
    training part, the others' every row (summary.md said only "Every model is an ensemble
    of k members"): a handicap, said with the option that removes it. Under ``"folds"``
    (``--ensemble-members folds``) every model's members fit (k − 1)/k: equal footing.
    """
    from genemoe.models.registry import members_by_seed

    share = f"{k - 1}/{k}"
    text = f" Every model is an ensemble of {k} members"
    if members == "folds":
        return (text + ": every model's members differ by inner folds, each fitted on "
                f"{share} of the training part (`--ensemble-members folds`: every model on "
                "equal footing" + ("; the seeded models' members differ by seed too"
                                   if any(map(members_by_seed, models)) else "") + ").")
    folds = [m for m in models if not members_by_seed(m)]
    if not models:  # an older protocol.json without its models
        return text + "."
    if not folds:
        return text + ", differing by seed, each fitted on every training row."
    seeded = [m for m in models if m not in folds]
    return (text + ": " + (f"{', '.join(f'`{m}`' for m in seeded)}'s differ by seed, each "
                           "fitted on every training row; " if seeded else "")
            + f"{', '.join(f'`{m}`' for m in folds)}'s (deterministic: the same rows give the "
              f"same fit) differ by inner folds, each fitted on {share} of the training part"
            + (", a handicap against the seeded members (`--ensemble-members folds` puts every "
               f"model on equal footing: each member fitted on {share})." if seeded else
               " (no model here differs by seed: every one on the same footing)."))


def fold_members_text(models: list[str], k: int, members: str = "auto") -> str:
    """The terminal header's clause on a ``k``-member benchmark's members.

    ``auto``: the deterministic models (logistic regression, SVMs, Coxnet, CoxPH), whose
    members differ by inner folds: ``logreg: members fit on 1/2 of the training part, a
    handicap``; "" where every model's differ by seed (summary.md said it, the terminal
    only "every model × 2"). ``folds``: ``every model's members fit on 1/2 of the training
    part``.
    """
    from genemoe.models.registry import members_by_seed

    if members == "folds":
        return f"every model's members fit on {k - 1}/{k} of the training part"
    folds = [m for m in models if not members_by_seed(m)]
    if not folds:
        return ""
    said = f"{', '.join(folds)}: members fit on {k - 1}/{k} of the training part"
    return said + (", a handicap" if len(folds) < len(models) else "")  # against whom


def chosen_where(p: dict) -> str:
    """Where a benchmark's per-fold choices were made, from its protocol: the headline and
    the chosen-values table said "the validation part" under ``--tune-cv`` too."""
    tune, cv = int(p.get("tune") or 0), int(p.get("tune_cv") or 1)
    cap = f", every fit capped at {p['epochs']} epochs" if p.get("epochs") else ""
    if tune and cv > 1:
        return (f"the best of {tune} trials, each scored on {cv} inner folds of the fold's "
                f"training and validation parts (every row but its test part){cap}")
    if tune == 1:  # "the best of 1 trials": trial 0, the preset's values
        return f"trial 0 alone, the preset's values (--tune 1: no search){cap}"
    if tune:
        return f"the best of {tune} trials, each scored on the fold's validation part{cap}"
    return (f"on the fold's validation part ({p.get('val_fraction', 0):.0%} of its training "
            f"part){cap}")


def pretrained_text(p: dict) -> str:
    """Where the neural models' encoders started (protocol.json ``pretrained``): an
    ablation's pretrained/ part read like a second from-scratch Gene-MOE."""
    pre = p.get("pretrained")
    if not pre:
        return ""
    if isinstance(pre, dict):  # one `genemoe pretrain` run per fold
        runs = sorted(map(str, (pre.get("runs") or {}).values()))
        where = (f"{Path(runs[0]).parent.name}/r*_f* (one `genemoe pretrain` run per fold, on "
                 "its training part; first: " + runs[0] + ")") if runs else "one run per fold"
    else:
        where = f"`{pre}` (one `genemoe pretrain` run for every fold)"
    frozen = int(p.get("freeze_encoder_epochs") or 0)
    bad = p.get("pretrained_collapsed") or {}
    n_runs = len(pre.get("runs") or {}) if isinstance(pre, dict) else 1
    first = next(iter(bad.values()), "")
    return (f" Pre-trained: every neural model's encoder starts from {where}"
            + (f", frozen for its first {frozen} epochs" if frozen else "") + "."
            + (f" The pre-training collapsed in {len(bad)} of {n_runs} run{'s' if n_runs != 1 else ''}"
               f" ({', '.join(bad)}; {'the first' if len(bad) > 1 else 'it'} said: {first})."
               if bad else ""))


def protocol_text(p: dict) -> str:
    strat = "cancer type and event" if p["task"] == "survival" else "cancer type"
    return (f"{p['n_folds']}-fold cross-validation × {p['n_repeats']} repeat(s), stratified by "
            f"{strat}; " + (f"fold seeds {p['seed']}..{p['seed'] + p['n_repeats'] - 1}" if p["n_repeats"] > 1
                           else f"fold seed {p['seed']}") + "; identical folds "
            f"for every model. Validation: {p['val_fraction']:.0%} of each fold's training part "
            "(early stopping, model selection). Gene filter and scaler fitted on each fold's "
            "training part only. " + tuning_text(p) + pretrained_text(p) + " "
            + f"Preset `{p['preset']}`"
            + (f", epochs {p['epochs']}" if p.get("epochs") else "") + f". Bundle: `{p['bundle_path']}`."
            + _samples_text(p.get("samples") or {}, p.get("task", "classify")))


def samples_words(s: dict, task: str = "classify") -> tuple[str, str]:
    """The samples a benchmark used of its bundle with those left out and why (``"980 of the
    bundle's 990 (left out: 10 ...)"``), and the types rarer than its folds (``"types with
    fewer samples than folds: ACC 2 (some test folds hold none of them; ...)"``, "" where
    none), from protocol.json's ``samples``: summary.md's protocol and the page's row say
    both (their own copies differed by a word)."""
    used = f"{s.get('n_used', 0):,} of the bundle's {s['n_bundle']:,}"
    if left := s.get("left_out"):
        used += " (left out: " + ", ".join(f"{n:,} {why}" for why, n in left.items()) + ")"
    small = s.get("types_under_folds")
    if not small:
        return used, ""
    return used, ("types with fewer samples than folds: "
                  + ", ".join(f"{t} {n}" for t, n in small.items())
                  + " (some test folds hold none of them" + ("; each fold's macro metrics "
                    "average over the types it holds and those a model predicts there: a type "
                    "predicted but absent scores F1 0)" if task == "classify" else ")"))


def _samples_text(s: dict, task: str = "classify") -> str:
    """The samples a benchmark used of its bundle, those left out, and the types rarer than
    the folds (protocol.json ``samples``; absent in benchmarks before 2026-12-03)."""
    if not s:
        return ""
    used, small = samples_words(s, task)
    return f" Samples: {used}." + (f" {small[0].upper()}{small[1:]}." if small else "")
