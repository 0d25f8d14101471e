"""The terminal summary of ``genemoe explain`` (``ExplainResult.describe``): what each gene's
mark means, what the attributions start from, and the notes under the top genes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.explain.api import ExplainResult

_CONV = {"method": "train_ig", "baseline": "training tumours", "n_draws": 8, "routing": "live",
         "median_relative_delta": 0.001, "max_relative_delta": 0.01, "max_abs_delta": 1e-3,
         "task": "classify"}


def _ranking(classes: dict[str, tuple[list[str], list[str], list[float], int]]) -> pd.DataFrame:
    """genes_by_class rows: per class its gene ids, symbols, expression_vs_others and n."""
    return pd.concat([pd.DataFrame({"class": cls, "rank": np.arange(1, len(ids) + 1), "gene_id": ids,
                                    "symbol": sym, "mean_attribution": np.linspace(1, 0.1, len(ids)),
                                    "mean_abs_attribution": np.linspace(1, 0.1, len(ids)),
                                    "n_samples": n, "expression_vs_others": evo})
                      for cls, (ids, sym, evo, n) in classes.items()], ignore_index=True)


def _describe(ranking: pd.DataFrame, **conv) -> str:
    return ExplainResult(Path("ex"), 12, conv.get("task", "classify"), {**_CONV, **conv},
                         ranking).describe()


def test_a_gene_lower_in_its_class_is_marked_with_a_legend():
    """`ACC (n=10): ENSG00000269179, CYP11B2, CDH1, ...` named CDH1, 13.8 log2 units lower in
    ACC than in the others (its absence supports ACC), as if it were an ACC marker."""
    ranking = _ranking({"ACC": (["E1", "E2", "E3", "E4"], ["E1", "CYP11B2", "CDH1", "CYP11B1"],
                                [2.0, 9.1, -13.8, np.nan], 10),
                        "KICH": (["E5", "E6"], ["KRT7", "ATP6V0D2"], [3.0, 4.0], 10)})
    text = _describe(ranking)
    assert "ACC (n=10): E1, CYP11B2, CDH1↓, CYP11B1" in text  # no value: no mark
    assert "KICH (n=10): KRT7, ATP6V0D2" in text
    assert "  ↓ lower in the class than in the others: its low expression counts for the class" in text
    no_mark = _ranking({"KICH": (["E5"], ["KRT7"], [3.0], 10)})
    assert "↓" not in _describe(no_mark)  # the legend only where a gene carries the mark


def test_the_reference_routing_and_a_linear_models_exactness_are_said():
    """The terminal named neither the reference (only the report and convergence.json did),
    nor a sparse model's frozen routing, nor that a linear model's attributions are exact."""
    ranking = _ranking({"ACC": (["E1"], ["STAR"], [5.0], 10)})
    text = _describe(ranking, routing="frozen")
    assert "  reference: 8 training tumours per sample; routing frozen at each sample's own experts" in text
    assert "routing" not in _describe(ranking)  # live routing: nothing to say
    text = _describe(ranking, method="linear", baseline="train_mean", n_draws=None)
    assert ("  exact: a linear model's attributions, coefficient x (x - reference), add up to "
            "f(x) - f(reference)") in text
    assert "  reference: the training mean (--baseline train_mean)" in text
    assert "reference: zero expression" in _describe(ranking, method="ig", baseline="zeros", n_draws=None)
    assert all(len(line) <= 100 for line in text.splitlines())


def test_ids_without_symbols_and_classes_of_one_or_two_samples_are_said():
    """pancan33's Entrez ids were listed bare (`ACC (n=2): 26112, 10276, ...`) and classes of
    one explained sample ranked as any other (`CHOL (n=1)`), without a word."""
    ranking = _ranking({"ACC": (["26112", "10276"], ["26112", "10276"], [1.0, 2.0], 2),
                        "BRCA": (["7157", "1956"], ["7157", "1956"], [1.0, 2.0], 30),
                        "CHOL": (["7157", "1956"], ["7157", "1956"], [1.0, 2.0], 1)})
    text = _describe(ranking)
    assert "  no gene symbols in the bundle: ids shown; no annotation here maps Entrez ids to symbols" in text
    assert "  n < 3 (ACC, CHOL): rankings of one or two samples, not of the class" in text
    ens = _ranking({"ACC": (["ENSG00000141510", "ENSG00000146648"],
                            ["ENSG00000141510", "ENSG00000146648"], [1.0, 2.0], 5)})
    text = _describe(ens)
    assert "  no gene symbols in the bundle: ids shown; prepare with --annotation for symbols" in text
    assert "n < 3" not in text
    many = _ranking({c: (["E1"], ["STAR"], [1.0], 1) for c in "ABCDEFGH"})
    assert "  n < 3 (A, B, C, D, E, F +2 more): rankings" in _describe(many)  # short lines
    named = _ranking({"ACC": (["ENSG00000141510", "ENSG00000146648"], ["TP53", "ENSG00000146648"],
                              [1.0, 2.0], 5)})
    assert "no gene symbols" not in _describe(named)  # some symbols: the bundle has them
