"""An outside probe of `genemoe explain` on Gene-MOE and moe runs of three GDC cohorts
(ACC, KICH, UVM; classify and survival): what its terminal summary says, line by line."""

from __future__ import annotations

import pandas as pd

from genemoe.explain.api import ExplainResult

_CONV = {"method": "train_ig", "n_samples": 45, "n_measured": 45,
         "median_relative_delta": 0.0012, "max_relative_delta": 0.0085,
         "max_abs_delta": 0.0095, "n_samples_off_5pct": 0}
_ENSEMBLE = ("2 genemoe members: the mean of each member's attributions of its own output "
             "(logit or raw risk); completeness against the mean of their changes")
_SYMBOLS = ["SLC22A18AS", "ADAMTSL4", "LINC01234", "CYP11B1", "TMEM45B", "ST3GAL5", "PLA2G4A",
            "ZNF385D", "CDKN2A", "TOP2A"]


def _result(tmp_path, task: str, conv: dict) -> ExplainResult:
    """A hand-made explanation of 45 samples: one group of ten ranked genes."""
    rk = pd.DataFrame({"class": ["all"] * 10, "rank": range(1, 11),
                       "gene_id": [f"ENSG{i:011d}" for i in range(10)], "symbol": _SYMBOLS,
                       "mean_attribution": [0.5, -0.4, 0.3, -0.2, 0.1] * 2,
                       "mean_abs_attribution": [0.5, 0.4, 0.3, 0.2, 0.1] * 2,
                       "effect_sign": [1, -1] * 5, "n_samples": 45,
                       "expression_vs_others": 0.5})
    if task == "classify":
        rk = rk.drop(columns="effect_sign")
    return ExplainResult(out_dir=tmp_path / "x", n_samples=45, task=task, convergence=conv,
                         ranking=rk)


def _long(text: str) -> list[str]:
    """The summary's lines over 100 characters, the first (the output's path) aside."""
    return [line for line in text.splitlines()[1:] if len(line) > 100]


def test_an_ensembles_line_is_wrapped_at_100_characters(tmp_path):
    """Old behaviour: `  an ensemble of 2 genemoe members: the mean ...` on one line of 160
    characters."""
    text = _result(tmp_path, "classify", {**_CONV, "ensemble": _ENSEMBLE}).describe()
    assert not _long(text), _long(text)
    assert f"an ensemble of {_ENSEMBLE}" in " ".join(text.split())


def test_a_survival_explanations_top_genes_are_wrapped(tmp_path):
    """Old behaviour: survival's one line naming the genes raising the risk when higher and
    those lowering it ran to 154 characters (ten symbols)."""
    text = _result(tmp_path, "survival", _CONV).describe()
    assert not _long(text), _long(text)
    flat = " ".join(text.split())
    assert ("all (n=45), raising it when higher: SLC22A18AS, LINC01234, TMEM45B, PLA2G4A, "
            "CDKN2A; lowering it when higher: ADAMTSL4, CYP11B1, ST3GAL5, ZNF385D, TOP2A") in flat
