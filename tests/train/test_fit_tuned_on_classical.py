"""Coxnet and CoxPH choose their grid point by the run's ``survival_selection`` (the small
preset's partial likelihood, tuned on data): their runs' ``tuned_on`` keeps that entry (it
said "Coxnet reads none of small's" and dropped it), a classifier's does not."""

from __future__ import annotations

from genemoe.train.fit import resolve_config, train_options_read

ENTRY = "train_survival.survival_selection, train_survival.select_window"


def test_a_classical_survival_run_keeps_the_selection_entry_it_reads():
    cfg, _, train_cfg = resolve_config("small", None, "coxnet", seed=0, device="cpu", epochs=None,
                                          task="survival")
    assert train_cfg["survival_selection"] == "partial_likelihood"
    assert ENTRY in (cfg.get("tuned_on") or {})
    assert train_options_read("coxnet", "survival", train_cfg) == {
        "survival_selection": "partial_likelihood", "cox_ties": train_cfg["cox_ties"]}


def test_a_classifier_reads_no_train_option():
    cfg, _, train_cfg = resolve_config("small", None, "logreg", seed=0, device="cpu", epochs=None,
                                          task="classify")
    assert train_options_read("logreg", "classify", train_cfg) == {}
    assert not any("train" in k for k in (cfg.get("tuned_on") or {}))
