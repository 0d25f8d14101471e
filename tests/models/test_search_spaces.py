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
    assert params_text({"epoch": [4, 3, 4], "model.hidden": None}) == "epoch=[4, 3, 4], model.hidden=null"


def test_booleans_and_none_are_spelt_as_in_best_yaml():
    """Old behaviour: tune's lines printed Python's ``model.tune: False`` beside best.yaml's
    ``tune: false``."""
    from genemoe.models.search_spaces import value_text

    assert [value_text(v) for v in (True, False, None, 1, 0.5)] == ["true", "false", "null", "1", "0.5"]


def test_a_tuned_value_is_not_repeated_by_the_fitted_choice():
    """Old behaviour: a tuned Coxnet cell read ``model.l1_ratio=0.9, l1_ratio=0.9, alpha=...``."""
    from genemoe.evaluate.benchmark_files import chosen_settings

    one = {"params": {"fitted": {"chosen": {"l1_ratio": 0.9, "alpha": 0.05}}}}
    tuned = {"model.l1_ratio": 0.9, "model.tune": False, "model.n_top_genes": 1000}
    assert chosen_settings(one, tuned) == {"model.l1_ratio": 0.9, "model.n_top_genes": 1000,
                                           "alpha": 0.05}
    ens = {"ensemble": {"members": [one, {"params": {"fitted": {"chosen": {"l1_ratio": 0.9, "alpha": 0.1}}}}]}}
    assert chosen_settings(ens, tuned)["alpha"] == [0.05, 0.1] and "l1_ratio" not in chosen_settings(ens, tuned)
    assert chosen_settings(one) == {"l1_ratio": 0.9, "alpha": 0.05}  # untuned: as fitted
