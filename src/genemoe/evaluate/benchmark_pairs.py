"""Paired comparisons of ``genemoe benchmark``'s models over identical folds.

Each model against the best peer on the primary metric: the Wilcoxon signed-rank test, the
corrected resampled t-test (folds share training rows) and Holm's adjustment over the
models tested. Pure functions of ``results.csv`` rows
(:func:`genemoe.evaluate.benchmark_tables.results_table`); they write nothing.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from genemoe.evaluate.survival_flags import is_degenerate

__all__ = ["PROPOSED_MODELS", "PRIMARY_METRIC", "FEW_PAIRS", "paired_comparisons",
           "holm_adjusted", "few_pairs_note", "fold_size_ratio", "corrected_resampled_t_p",
           "paired_metric", "left_out_note", "folds_words"]

Task = Literal["classify", "survival"]

# the method under test, and the ablation's pre-trained Gene-MOE (its paired tests were
# against it as "the best model other than Gene-MOE"); every other model (moe too) is a peer
PROPOSED_MODELS = ("genemoe", "genemoe_pretrained")
PRIMARY_METRIC = {"classify": "macro_f1", "survival": "c_index"}


def _best_peer(results: pd.DataFrame, metric: str) -> str:
    """The peer with the highest mean ``metric`` (any model when all are proposed), as the
    summary gives it: a fold's C-index of exactly 0 or 1 left out (too few pairs to rank; a
    model whose 1.000 from one fold lifted it was named best peer above a higher shown mean).
    Where no candidate has a mean (every C degenerate), the first candidate (the best peer was
    ``"nan"`` and the comparison raised a KeyError)."""
    means = paired_metric(results, metric).groupby(results["model"], sort=False).mean()
    base = means[[m for m in means.index if m not in PROPOSED_MODELS]]
    pool = base if len(base) else means
    return str(pool.idxmax() if pool.notna().any() else pool.index[0])


def paired_metric(results: pd.DataFrame, metric: str) -> pd.Series:
    """``results[metric]`` as numbers, a survival cell's C-index of exactly 0 or 1 (every
    comparable pair in one order: too few to rank; ``pooled_c_index_degenerate``) made NaN,
    as summary.md leaves it out of a mean. A C of risks all the same keeps its 0.5 (what such
    a model ranks), as in the mean. Other metrics: unchanged (a macro-F1 of 1.0 is real)."""
    values = pd.to_numeric(results[metric], errors="coerce")
    if metric == PRIMARY_METRIC["survival"]:
        values = values.mask(values.map(is_degenerate).astype(bool))
    return values


def left_out_note(n_pairs: int, n_left_out: int) -> str:
    """``"2 paired folds; 1 left out: a degenerate C (0 or 1)"``: the folds both models ran
    that a pair left out, as a C of exactly 0 or 1 is left out of the means ("" for none)."""
    if n_left_out <= 0:
        return ""
    what = "a degenerate C" if n_left_out == 1 else "degenerate Cs"
    return (f"{n_pairs} paired fold{'s' * (n_pairs != 1)}; {n_left_out} left out: {what} "
            "(0 or 1, too few pairs to rank)")


def paired_comparisons(results: pd.DataFrame, task: Task) -> tuple[str, pd.DataFrame]:
    """Each model against the best peer over paired folds: Wilcoxon signed-rank, and the
    corrected resampled t-test.

    The folds of a cross-validation share training samples (two 3-fold training parts share
    half their rows), so their differences are not independent; the Wilcoxon test treats
    them as if they were and its p is optimistic. ``corrected_p`` widens the variance of the
    mean difference for that overlap (:func:`corrected_resampled_t_p`).

    Returns
    -------
    tuple
        The best peer's name, and one row per other model: ``mean_difference`` (model −
        baseline, primary metric), ``wins``/``ties``/``losses`` over folds, ``n_pairs``,
        ``n_left_out`` (survival only: folds both models ran that were left out, either
        model's C being exactly 0 or 1, as from summary.md's means: :func:`paired_metric`),
        ``p_value`` (two-sided Wilcoxon; NaN when undefined), ``corrected_p`` (two-sided
        corrected resampled t-test; NaN when undefined), ``holm_p`` (``corrected_p``
        Holm-adjusted over this table's comparisons: several models are each tested against
        the best peer) and ``note`` (e.g. too few folds).
    """
    metric = PRIMARY_METRIC[task]
    best = _best_peer(results, metric)
    models = list(results["model"].unique())
    ran = _wide(results, pd.to_numeric(results[metric], errors="coerce"), models)
    wide = _wide(results, paired_metric(results, metric), models)
    ratio = fold_size_ratio(results)
    rows = []
    for model in models:
        if model == best:
            continue
        pair = wide[[model, best]].dropna()
        left_out = len(ran[[model, best]].dropna()) - len(pair)
        d = (pair[model] - pair[best]).to_numpy()
        wilcoxon = _wilcoxon(d)
        notes = [left_out_note(d.size, left_out), wilcoxon.pop("note"), few_pairs_note(d.size)]
        rows.append({"model": model, "mean_difference": float(d.mean()) if d.size else np.nan,
                     "wins": int((d > 0).sum()), "ties": int((d == 0).sum()),
                     "losses": int((d < 0).sum()), "n_pairs": int(d.size),
                     "n_left_out": left_out, **wilcoxon,
                     "corrected_p": corrected_resampled_t_p(d, ratio),
                     "note": "; ".join(n for n in notes if n)})
    out = pd.DataFrame(rows, columns=["model", "mean_difference", "wins", "ties", "losses",
                                      "n_pairs", "n_left_out", "p_value", "corrected_p", "note"])
    out.insert(len(out.columns) - 1, "holm_p", holm_adjusted(out["corrected_p"].to_numpy(float)))
    if task != "survival":  # nothing is left out of a classification's pairs
        out = out.drop(columns="n_left_out")
    return best, out


def _wide(results: pd.DataFrame, values: pd.Series, models: list) -> pd.DataFrame:
    """``values`` as one row per (repeat, fold), one column per model of ``models`` (NaN
    where a model has none: a model whose every value is NaN keeps its column)."""
    wide = results.assign(_v=values).pivot_table(index=["repeat", "fold"], columns="model",
                                                 values="_v")
    return wide.reindex(columns=models)


def holm_adjusted(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment (Holm 1979) of ``p`` ``(m,)``, NaN left out and kept NaN:
    ``min(1, max_{j <= i} (m - j) p_(j))`` over the ascending p-values (0-based ``j``)."""
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return out


FEW_PAIRS = 5  # below this many paired folds the t-test's p is a rough guide


def few_pairs_note(n_pairs: int) -> str:
    """A caveat for the corrected t-test's p over ``n_pairs`` paired folds ("" from
    :data:`FEW_PAIRS` on): with 2 folds it rests on 1 degree of freedom and on normal
    differences it has no way to check (a benchmark said "corrected p 0.026" unqualified)."""
    if not 2 <= n_pairs < FEW_PAIRS:
        return ""
    return (f"corrected_p from only {n_pairs} paired folds ({n_pairs - 1} degree"
            f"{'s' if n_pairs > 2 else ''} of freedom): a rough guide; use more folds or repeats")


def folds_words(n_pairs: int) -> str:
    """``these 3 folds``, or ``this one fold`` (a page said "over these 1 folds")."""
    return "this one fold" if n_pairs == 1 else f"these {n_pairs} folds"


def fold_size_ratio(results: pd.DataFrame) -> float:
    """Mean ``n_test / (n_train + n_val)`` over the cells: test rows per row a model learned
    from (the validation part chose its epoch and options); NaN without size columns."""
    if not {"n_train", "n_val", "n_test"} <= set(results.columns) or results.empty:
        return float("nan")
    return float((results["n_test"] / (results["n_train"] + results["n_val"])).mean())


def corrected_resampled_t_p(d: np.ndarray, test_train_ratio: float) -> float:
    """Two-sided p of the corrected resampled t-test over paired fold differences ``d``.

    Nadeau & Bengio (Machine Learning 52, 2003), in the form Bouckaert & Frank (PAKDD
    2004) recommend for repeated k-fold cross-validation: with J = ``d.size`` differences
    and n2/n1 = ``test_train_ratio``, ``t = mean(d) / sqrt((1/J + n2/n1) * var(d))``
    (``var`` with ddof 1) on J − 1 degrees of freedom. ``test_train_ratio = 0`` gives the
    ordinary paired t-test (:func:`scipy.stats.ttest_rel`).

    Parameters
    ----------
    d
        ``(J,)`` differences of one metric between two models on the same folds.
    test_train_ratio
        Test rows per training row of a fold.

    Returns
    -------
    float
        The p value; NaN for fewer than two differences, no spread, or an unknown ratio.
    """
    d = np.asarray(d, float)
    if d.size < 2 or not np.isfinite(test_train_ratio):
        return float("nan")
    var = float(d.var(ddof=1))
    if var == 0.0:
        return float("nan")
    t = float(d.mean()) / np.sqrt((1.0 / d.size + test_train_ratio) * var)
    return float(2.0 * stats.t.sf(abs(t), d.size - 1))


def _wilcoxon(d: np.ndarray) -> dict:
    """Two-sided Wilcoxon signed-rank p of paired differences ``d``, and a note."""
    n = int((d != 0).sum())
    if n == 0:
        return {"p_value": np.nan, "note": "no non-zero difference: test undefined"}
    p = float(stats.wilcoxon(d).pvalue)
    min_p = 2.0 ** (1 - n)  # exact two-sided test: the most extreme of 2^n sign patterns, twice
    note = (f"only {n} non-zero pair{'s' * (n != 1)}: the smallest possible p is {min_p:.3g}, so p < 0.05 "
            "cannot be reached; use more folds or repeats" if min_p >= 0.05 else "")
    return {"p_value": p, "note": note}
