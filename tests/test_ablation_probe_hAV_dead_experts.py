"""A probe (helper hAV) of a real per-fold ablation's page: pretrain/summary.csv left
`dead_experts` empty both for a Gene-MOE run none of whose experts died and for VAE-Cox,
which has no experts; the page showed "–" for both."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from genemoe.workflows.ablation_pretrain import _summary_row


def _row(collapse: dict) -> dict:
    res = SimpleNamespace(summary={"final": {}, "collapse": collapse, "n_train": 10,
                                   "n_val": 3, "n_genes": 5}, history=[{"seconds": 1.0}])
    plan = SimpleNamespace(repeat=0, fold=1, test=[7, 8])
    return _summary_row("genemoe", plan, Path("r0_f1"), res)


def test_a_gated_run_with_no_dead_expert_says_none_and_a_run_without_experts_nothing():
    assert _row({"collapsed": False, "dead_experts": {}})["dead_experts"] == "none"
    assert _row({"collapsed": False, "dead_experts": {"moe": [2]}})["dead_experts"] == "moe: [2]"
    assert _row({"collapsed": False})["dead_experts"] == ""  # VAE-Cox: no experts
