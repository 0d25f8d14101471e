"""Search-space values as people read them (trial lines, summary.md, best.yaml)."""

from __future__ import annotations


def test_an_ensemble_s_chosen_values_are_rounded_in_the_summary():
    """summary.md showed a Coxnet ensemble's choices as
    ``alpha=[0.08918611116447141, 0.1027341172422685, ...]``: lists were not rounded."""
    from genemoe.evaluate.benchmark_files import chosen_settings
    from genemoe.models.search_spaces import params_text

    info = {"ensemble": {"members": [
        {"params": {"fitted": {"chosen": {"l1_ratio": 0.9, "alpha": 0.08918611116447141}}}},
        {"params": {"fitted": {"chosen": {"l1_ratio": 0.9, "alpha": 0.1027341172422685}}}}]}}
    text = params_text({"model.l1_ratio": 0.9, **chosen_settings(info)})
    assert text == "model.l1_ratio=0.9, l1_ratio=[0.9, 0.9], alpha=[0.0892, 0.103]"
    assert params_text({"epoch": [4, 3, 4], "model.hidden": None}) == "epoch=[4, 3, 4], model.hidden=None"
