"""summary.md's mean ± std table (evaluate/benchmark_tables.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genemoe.evaluate.benchmark_tables import summary_table


def test_log_rank_p_values_are_summarised_by_median_and_share_below_005():
    """Old behaviour: the p-values' mean ± std, "0.000 ± 0.000" for small ones."""
    results = pd.DataFrame({
        "model": ["a"] * 3 + ["b"] * 3,
        "c_index": [0.70, 0.72, 0.74, 0.60, 0.62, 0.64],
        "logrank_p": [1e-5, 2e-4, 3e-4, 0.02, 0.30, np.nan],
    })
    table = summary_table(results, "survival").set_index("model")
    assert table.loc["a", "logrank_p"] == "<0.001 median, 3/3 < 0.05"
    assert table.loc["b", "logrank_p"] == "0.160 median, 1/2 < 0.05 (2/3 folds)"
    assert table.loc["a", "c_index"] == "0.720 ± 0.020"


def test_where_choices_were_made_macro_f1_types_and_tiny_tuning_costs():
    """Probe findings: under --tune-cv the headline and the chosen-values table said
    "chosen on a validation part"; the per-type F1 columns left out a type predicted in a
    fold that lacks it, which macro_f1 counts (F1 0); a 0.34 s search showed "0" seconds and
    a saved share of 0 / 0."""
    from genemoe.evaluate.benchmark_tables import chosen_where, tuning_cost_table
    from genemoe.evaluate.metrics import classification_metrics

    assert chosen_where({"tune": 3, "tune_cv": 2, "epochs": 5}) == (
        "the best of 3 trials, each scored on 2 inner folds of the fold's training and "
        "validation parts (every row but its test part), every fit capped at 5 epochs")
    # the protocol line said "of the fold's training part", the options line "chose on each
    # fold's validation part" of the same --tune-cv search (an outside probe)
    from genemoe.evaluate.benchmark_protocol import tuning_text

    said = tuning_text({"tune": 3, "tune_cv": 2})
    assert "inner folds of the fold's training and validation parts (every row but" in said
    # the shared sampler seed (docs/benchmarks.md said it; summary.md did not: a probe found
    # trial 1 the same draw in every cell)
    assert "every model and fold of a repeat draws the same start-up values" in said
    assert "start-up" not in tuning_text({"tune": 1})
    assert chosen_where({"tune": 3, "tune_cv": 1}).startswith("the best of 3 trials, each "
                                                              "scored on the fold's validation")
    assert chosen_where({"tune": 0, "val_fraction": 0.15}) == (
        "on the fold's validation part (15% of its training part)")
    m = classification_metrics([0, 0, 1, 1], [0, 0, 1, 2], class_names=["A", "B", "C"])
    assert m["macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert m["per_class"]["C"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0,
                                   "predicted": 1}
    cost = tuning_cost_table(pd.DataFrame({
        "model": ["logreg", "logreg"], "tune_trials": [2, 2], "tune_pruned": [0, 0],
        "tune_too_big": [0, 0], "tune_seconds_per_trial": [0.09, 0.08],
        "tune_seconds": [0.18, 0.16], "tune_seconds_saved": [0.0, 0.0]}))
    assert cost["seconds_tuning"].iloc[0] == 0.3 and cost["saved_share"].iloc[0] == 0.0


def test_holm_adjusts_the_comparisons_against_the_best_peer():
    """Old behaviour: summary.md gave each model's corrected p against the best peer with no
    adjustment for how many models were tested. Reference: R's
    ``p.adjust(c(0.01, 0.04, 0.03), "holm")`` = 0.03 0.06 0.06."""
    from genemoe.evaluate.benchmark_tables import holm_adjusted

    np.testing.assert_allclose(holm_adjusted(np.array([0.01, 0.04, np.nan, 0.03])),
                               [0.03, 0.06, np.nan, 0.06])
    assert holm_adjusted(np.array([0.6, 0.7])).tolist() == [1.0, 1.0]


def test_a_choice_at_its_grids_end_is_said_and_defaults_name_their_grid():
    """Old behaviour: CoxPH chose n_top_genes 100, its grid's largest, in 3 of 3 folds (and
    alpha 100, the largest, in one), said nowhere; the options line read "coxph: its
    defaults", though its own grid chose other values per fold."""
    from genemoe.evaluate.benchmark_files import grid_edges
    from genemoe.evaluate.benchmark_tables import options_lines

    grid = [{"n_top_genes": n, "alpha": a, "score": 0.6} for n in (20, 50, 100)
            for a in (100.0, 10.0, 1.0, 0.1)]

    def info(n, a):
        return {"params": {"fitted": {"chosen": {"n_top_genes": n, "alpha": a},
                                      "grid_scores": grid}}}

    assert grid_edges(info(100, 100.0)) == "n_top_genes 100 (largest), alpha 100 (largest)"
    assert grid_edges(info(50, 1.0)) == "" and grid_edges({}) == ""
    # Coxnet: an alpha path per l1_ratio; the end of the chosen path is its edge (a probe:
    # alpha 0.0262, the smallest of l1_ratio 0.1's path, was not said: 0.00316 of 0.9's was
    # the whole grid's smallest)
    paths = {0.1: [2.62, 0.262, 0.0262], 0.5: [0.524, 0.0524, 0.00524],
             0.9: [0.316, 0.0316, 0.00316]}
    coxnet = [{"l1_ratio": r, "alpha": a, "score": 0.6} for r, path in paths.items() for a in path]
    chosen = {"params": {"fitted": {"chosen": {"l1_ratio": 0.1, "alpha": 0.0262},
                                    "grid_scores": coxnet}}}
    assert grid_edges(chosen) == "l1_ratio 0.1 (smallest), alpha 0.0262 (smallest)"
    # an ensemble's members each, in the one list summary.md counts (it joined them with
    # "; ", which the count read as one item)
    ens = {"ensemble": {"members": [info(100, 100.0), info(50, 1.0), info(100, 10.0)]}}
    assert grid_edges(ens) == "n_top_genes 100 (largest), alpha 100 (largest), n_top_genes 100 (largest)"
    results = pd.DataFrame({"model": ["coxph"] * 3 + ["genemoe"],
                            "options": ["", "", "", "widths=[64]"],
                            "chosen": ["n_top_genes=100, alpha=100", "n_top_genes=100, alpha=10",
                                       "n_top_genes=100, alpha=1", "epoch=3"],
                            "grid_edge": [grid_edges(info(100, 100.0)), grid_edges(info(100, 10.0)),
                                          grid_edges(info(100, 1.0)), ""]})
    line = options_lines(results)[0]
    assert line.startswith("- `coxph`: its defaults; the values its own grid chose")
    assert ("at its grid's end in 3/3 folds (n_top_genes 100 (largest) ×3, alpha 100 (largest) "
            "×1): the best value may lie beyond") in line
    assert options_lines(results)[1] == "- `genemoe`: widths=[64]"  # early stopping's epoch: no grid


def test_models_worse_than_no_information_are_named():
    """Old behaviour: only the no-information integrated Brier score's mean was said; Coxnet
    above it (0.234 against 0.219, 0.331 against 0.254 in one fold) was left to the reader."""
    from genemoe.evaluate.benchmark_tables import null_brier_text

    results = pd.DataFrame({"model": ["coxnet"] * 3 + ["genemoe"] * 3, "repeat": 0,
                            "fold": [0, 1, 2] * 2, "c_index": 0.6,
                            "ibs_null_reference": [0.2, 0.2, 0.254] * 2,
                            "integrated_brier_score": [0.18, 0.19, 0.331, 0.15, 0.16, 0.2]})
    text = null_brier_text(results)
    assert text.endswith("Above it, fold by fold: coxnet in 1/3 (mean 0.234 against 0.218).")


def test_summary_gives_the_time_dependent_auc_with_its_fold_counts():
    """Old behaviour: a survival benchmark had no discrimination at fixed horizons."""
    from genemoe.evaluate.benchmark_tables import _auc_lines  # noqa: PLC2701 (the section)

    results = pd.DataFrame({"model": ["a"] * 3, "auc_1y": [0.7, 0.8, np.nan],
                            "auc_3y": [0.6, 0.7, 0.65], "auc_5y": np.nan})
    text = "\n".join(_auc_lines(results))
    assert "## Time-dependent AUC (cumulative/dynamic) at 1, 3 and 5 years" in text
    assert "| a | 3 | 0.750 ± 0.071 (2/3 folds) | 0.650 ± 0.050 |" in text
    assert "auc_5y" not in text
    assert _auc_lines(results.drop(columns=["auc_1y", "auc_3y"])) == []


def test_a_tuned_benchmark_says_optuna_chose_and_one_trial_searched_nothing():
    """Probe findings (benchmark --tune 1): summary.md said "the values its own grid chose"
    of neural models Optuna tuned, listed "tune=false" (the grid switch the search turns
    off) as an option, "1 Optuna trials", and "the best of 1 trials" where trial 0, the
    preset itself, was all that ran."""
    from genemoe.evaluate.benchmark_tables import (
        chosen_where,
        options_lines,
        results_table,
        tuning_text,
    )

    results = pd.DataFrame({"model": ["logreg", "logreg", "fcn", "fcn"],
                            "options": ["C=1", "C=1", "hidden=256", "hidden=256"],
                            "chosen": ["model.C=1", "model.C=1", "model.hidden=256, epoch=2",
                                       "model.hidden=256, epoch=1"],
                            "tune_trials": [1, 1, 1, 1]})
    for line in options_lines(results):  # a verification probe: "Optuna's best trial chose"
        assert "own grid" not in line  # beside "nothing was searched"
        assert line.endswith("; trial 0 ran alone (the preset's values: nothing searched), under "
                             "Chosen per fold")
    for line in options_lines(results.assign(tune_trials=3)):
        assert line.endswith("; the values Optuna's best trial chose are under Chosen per "
                             "fold (its heading says on what)")  # --tune-cv: not validation
    untuned = results.drop(columns="tune_trials").assign(chosen=["C=1", "C=0.1", "epoch=2", "epoch=1"])
    assert "the values its own grid chose" in options_lines(untuned)[0]
    said = tuning_text({"tune": 1})
    assert "1 Optuna trial per model" in said and "trials" not in said.split(" per model")[0]
    assert ("trial 0 is the preset's values (a classical model's: its own grid's choice): "
            "nothing else was searched") in said
    assert "nothing was searched" not in tuning_text({"tune": 3})
    assert "a classical model's trial 0 its own grid search" in tuning_text({"tune": 3})  # was
    # "the same budget for every model", an SVM's 16 grid settings beside fcn's 1 unsaid
    assert chosen_where({"tune": 1}) == "trial 0 alone, the preset's values (--tune 1: no search)"
    cell = {"model": "logreg", "task": "classify", "repeat": 0, "fold": 0, "seed": 0,
            "n": {"train": 8, "val": 2, "test": 4}, "n_genes": 5, "seconds": 1.0,
            "options": {"C": 1.0, "tune": False}, "chosen": {"model.C": 1.0},
            "metrics": {k: 0.5 for k in ("accuracy", "macro_precision", "macro_recall",
                                         "macro_f1", "weighted_f1")} | {"per_class": {}}}
    assert results_table([cell])["options"].tolist() == ["C=1"]  # was "C=1, tune=false"


def test_a_benchmark_of_pretrained_encoders_says_so_in_its_protocol():
    """Probe finding: an ablation's pretrained/ part (a benchmark folder) read like a second
    from-scratch Gene-MOE: summary.md never said its encoders were pre-trained, nor where."""
    from genemoe.evaluate.benchmark_protocol import pretrained_text, protocol_text

    p = {"task": "classify", "n_folds": 2, "n_repeats": 1, "seed": 0, "val_fraction": 0.15,
         "preset": "small", "bundle_path": "b", "tune": 0,
         "pretrained": {"per_fold": {}, "runs": {"r0_f0": "abl/pretrain/r0_f0",
                                                 "r0_f1": "abl/pretrain/r0_f1"}}}
    said = protocol_text(p)
    assert ("Pre-trained: every neural model's encoder starts from pretrain/r*_f* (one `genemoe "
            "pretrain` run per fold, on its training part; first: abl/pretrain/r0_f0).") in said
    assert pretrained_text({**p, "pretrained": None}) == ""
    assert pretrained_text({"pretrained": "pre/run", "freeze_encoder_epochs": 2}) == (
        " Pre-trained: every neural model's encoder starts from `pre/run` (one `genemoe "
        "pretrain` run for every fold), frozen for its first 2 epochs.")


def test_a_collapsed_pre_training_is_said_beside_where_the_encoders_started():
    """Old behaviour (an outside probe): both pre-trainings of an ablation's pretrained/
    part had collapsed, said only in their own folders."""
    from genemoe.evaluate.benchmark_protocol import pretrained_text

    p = {"pretrained": {"per_fold": {}, "runs": {"r0_f0": "a/pretrain/r0_f0", "r0_f1": "a/pretrain/r0_f1"}},
         "pretrained_collapsed": {"r0_f1": "KL per latent dimension 0.001 < 0.01: ..."}}
    assert pretrained_text(p).endswith(
        "The pre-training collapsed in 1 of 2 runs (r0_f1; it said: KL per latent dimension 0.001 "
        "< 0.01: ...).")
    both = {**p, "pretrained_collapsed": {"r0_f0": "a", "r0_f1": "b"}}  # the second was unnamed
    assert pretrained_text(both).endswith("collapsed in 2 of 2 runs (r0_f0, r0_f1; the first said: a).")
    assert "collapsed" not in pretrained_text({**p, "pretrained_collapsed": {}})


def test_summary_md_writes_small_p_values_in_e_notation():
    """Old behaviour: summary.md rounded p-values to 4 decimals, a Wilcoxon p of 4.2e-5 read
    ``0`` (the terminal and the report said 4.2e-5)."""
    from genemoe.evaluate.benchmark_tables import paired_comparisons, summary_markdown
    from genemoe.report.text import fmt_p

    rng = np.random.default_rng(0)
    n = 20
    base = rng.normal(0.70, 0.01, n)
    results = pd.DataFrame({"model": ["genemoe"] * n + ["fcn"] * n,
                            "repeat": list(range(n)) * 2, "fold": [0] * (2 * n),
                            "c_index": np.r_[base + 0.2, base], "n_test": 50, "n_train": 50})
    _, comp = paired_comparisons(results, "survival")
    p = float(comp["p_value"].iloc[0])
    assert p < 5e-5
    md = summary_markdown(results, {"task": "survival", "n_folds": 1, "n_repeats": n,
                                    "seed": 0, "val_fraction": 0.15, "tune": 0,
                                    "preset": "small", "bundle_path": "b"})
    row = next(ln for ln in md.splitlines() if ln.startswith("| genemoe |") and "0.2" in ln)
    assert fmt_p(p) in row and "e-" in fmt_p(p)


def test_an_ensembles_genes_used_are_its_members_selection():
    """An outside probe: Coxnet with --ensemble 2 read "n_genes_used 19396" (every gene)
    though each member chose 2,000 (single Coxnet cells said 2000)."""
    from genemoe.evaluate.benchmark_tables import results_table

    member = {"params": {"fitted": {"n_selected_genes": 2000, "n_nonzero": 206}}}
    cell = {"model": "coxnet", "repeat": 0, "fold": 0, "seed": 0, "task": "survival",
            "n": {"train": 200, "val": 40, "test": 120}, "n_genes": 19396, "seconds": 1.0,
            "info": {"ensemble": {"k": 2, "members": [member, member]}},
            "metrics": {"c_index": 0.7, "c_index_ci": [0.6, 0.8], "logrank_p": 0.01, "n_events": 1,
                        "c_index_by_type": {}}}
    single = {**cell, "info": {"params": {"fitted": {"n_selected_genes": 2000}}}}
    plain = {**cell, "model": "fcn", "info": {}}
    table = results_table([cell, single, plain])
    assert table["n_genes_used"].tolist() == [2000, 2000, 19396]
    assert table["ensemble"].tolist() == [2, 1, 1]


def test_tuned_on_says_which_models_used_each_value_and_what_replaced_part_of_it():
    """summary.md listed every tuned_on entry of the preset, used or not; a value --epochs
    replaced in part is said beside the entry."""
    from genemoe.evaluate.benchmark_tables import summary_markdown, tuned_on_used_by

    preset = {"train_survival": {"value": "lr 1e-4, epochs 40", "data": "gdc6", "part": "val"},
              "model.dropout": {"value": 0.5, "data": "pancan", "part": "val"},
              "pretrain.lr": {"value": 1e-3, "data": "gdc6", "part": "val"}}
    over = {**preset["train_survival"], "overridden": "epochs 40 -> 2 (--epochs)"}
    tuned = tuned_on_used_by(preset, {"coxph": {}, "genemoe": {"train_survival": over,
                                                               "model.dropout": {}}})
    assert [k for k, v in tuned.items() if v["used_by"]] == ["train_survival", "model.dropout"]
    assert tuned["train_survival"]["overridden"] == "epochs 40 -> 2 (--epochs)"
    assert tuned["pretrain.lr"]["used_by"] == [] and "overridden" not in tuned["model.dropout"]
    results = pd.DataFrame({"model": ["coxph"], "repeat": [0], "fold": [0], "c_index": [0.6]})
    md = summary_markdown(results, {"task": "survival", "preset": "small", "epochs": 2,
                                    "n_folds": 2, "n_repeats": 1, "seed": 0, "bundle_path": "b",
                                    "val_fraction": 0.15, "tune": 0, "preset_tuned_on": tuned})
    section = md.split("## Preset values chosen on data (`small`)")[1]
    assert "| replaced here |" in section and "epochs 40 -> 2 (--epochs)" in section
    assert "| pretrain.lr |" not in section and "`pretrain.lr`." in section
    assert "every neural model of this benchmark" not in section  # the column says it
    tuned_md = summary_markdown(results, {
        "task": "survival", "preset": "small", "epochs": None, "n_folds": 2, "n_repeats": 1,
        "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 2, "preset_tuned_on": tuned})
    assert "With `--tune` each search started from these values" in tuned_md


def test_a_model_reading_part_of_an_entry_is_named_with_the_part_it_reads():
    """Old behaviour: "used by coxnet, coxph, genemoe" beside `survival_selection,
    select_window`, though the Cox models read no window; with --tune the note said the best
    trial may have replaced the values, and no search draws survival_selection."""
    from genemoe.evaluate.benchmark_tables import summary_markdown, tuned_on_used_by

    key = "train_survival.survival_selection, train_survival.select_window"
    entry = {"value": "partial_likelihood, 3", "data": "gdc6", "part": "val"}
    tuned = tuned_on_used_by({key: entry}, {
        "coxnet": {key: {**entry, "reads_only": "survival_selection"}}, "genemoe": {key: entry}})
    assert tuned[key]["used_by"] == ["coxnet", "genemoe"]
    assert tuned[key]["reads_only"] == {"coxnet": "survival_selection"}
    results = pd.DataFrame({"model": ["coxnet", "genemoe"], "repeat": [0, 0], "fold": [0, 0],
                            "c_index": [0.6, 0.7]})
    md = summary_markdown(results, {"task": "survival", "preset": "small", "epochs": None,
                                    "n_folds": 2, "n_repeats": 1, "seed": 0, "bundle_path": "b",
                                    "val_fraction": 0.15, "tune": 2, "preset_tuned_on": tuned})
    section = md.split("## Preset values chosen on data (`small`)")[1].split("\n## ")[0]
    assert "coxnet (survival_selection only), genemoe |" in section
    assert "No search draws `survival_selection`: it held in every fold." in section


def test_summary_md_writes_every_mean_difference_to_three_decimals():
    """Old behaviour (a probe): summary.md's paired table showed -0.103 and -0.3543 side by
    side (rounded to 4 decimals, then written to 4 significant digits); the terminal -0.354."""
    from genemoe.evaluate.benchmark_tables import summary_markdown

    folds = range(4)
    f1 = {"fcn": [0.80, 0.82, 0.81, 0.83], "genemoe": [0.697, 0.717, 0.707, 0.727],
          "logreg": [0.44568, 0.46568, 0.45568, 0.47568]}
    results = pd.DataFrame([{"model": m, "repeat": 0, "fold": i, "accuracy": v[i],
                             "macro_f1": v[i], "n_test": 30, "n_train": 60}
                            for m, v in f1.items() for i in folds])
    md = summary_markdown(results, {"task": "classify", "n_folds": 4, "n_repeats": 1,
                                    "seed": 0, "val_fraction": 0.15, "tune": 0,
                                    "preset": "small", "bundle_path": "b"})
    table = md.split("## Paired comparisons against the best peer: fcn")[1].split("\n## ")[0]
    cells = {ln.split("|")[1].strip(): ln.split("|")[2].strip()
             for ln in table.splitlines() if ln.startswith("| genemoe |")
             or ln.startswith("| logreg |")}
    assert cells == {"genemoe": "-0.103", "logreg": "-0.354"}



def test_one_non_zero_pair_is_said_in_the_singular():
    """A verification probe: "only 1 non-zero pairs"."""
    import numpy as np

    from genemoe.evaluate.benchmark_pairs import _wilcoxon  # noqa: PLC2701 (the note under test)

    assert _wilcoxon(np.array([0.0, 0.0, 0.1]))["note"].startswith("only 1 non-zero pair: ")
    assert _wilcoxon(np.array([0.1, 0.2, 0.1]))["note"].startswith("only 3 non-zero pairs: ")
