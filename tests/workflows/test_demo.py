"""demo: option checks before anything is written, and every task left out said."""

from __future__ import annotations

import logging

import pytest

from genemoe.errors import InputError
from genemoe.workflows.demo import NEXT, next_for_bundle, run_demo


def test_epochs_0_is_refused_before_a_run_folder_is_made(synthetic_bundle, tmp_path):
    """Old behaviour: "training genemoe ..." and a runs/genemoe_classify/ folder, then the
    trainer's refusal."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    with pytest.raises(InputError, match="--epochs: must be 1 or more, got 0"):
        run_demo(tmp_path / "demo", data=bundle.path, epochs=0, tune=0, progress=False)
    assert not (tmp_path / "demo").exists()


def test_a_bundle_without_survival_says_the_survival_task_is_left_out(synthetic_bundle, tmp_path,
                                                                      caplog):
    """Old behaviour: the survival rows were dropped from the table without a word."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        text = run_demo(tmp_path / "demo", data=bundle.path, epochs=1, tune=0, progress=False,
                        models=(("logreg", "classify"), ("coxnet", "survival")))
    assert "survival left out: the bundle has 0 events, 10 needed" in caplog.text
    assert "logreg" in text and "coxnet" not in text
    # the table and verdict are kept (they were printed only), and the demo has its own page
    summary = (tmp_path / "demo" / "summary.txt").read_text()
    assert "logreg" in summary and text.endswith(f"summary:     {(tmp_path / 'demo' / 'summary.txt').resolve()}\n"
                                                  + next_for_bundle(bundle.path))
    assert NEXT not in text  # "your own data: genemoe prepare ..." after a demo on a bundle
    from genemoe.report.html import write_report

    # (it was refused: "a `genemoe demo` folder ... genemoe report .../logreg_classify")
    page = write_report(tmp_path / "demo").read_text()
    assert 'href="runs/logreg_classify/report.html"' in page and "coxnet" not in page


def test_a_tie_is_said_as_a_tie(tmp_path):
    """Old behaviour: four models at test macro-F1 1.000 gave "Gene-MOE classified best
    (test macro-F1 1.000 vs 1.000 for logreg ...)"."""
    from genemoe.workflows.demo import DemoRow, verdict

    def row(model, task, **test):
        return DemoRow(model, task, tmp_path, test, 1.0, 1.0)

    rows = [row("genemoe", "classify", macro_f1=1.0, accuracy=1.0),
            row("logreg", "classify", macro_f1=0.99995, accuracy=1.0),
            row("fcn", "classify", macro_f1=0.9, accuracy=0.9),
            row("genemoe", "survival", c_index=0.71, c_index_ci=[0.6, 0.8]),
            row("coxnet", "survival", c_index=0.65, c_index_ci=[0.55, 0.75])]
    text = verdict(rows, synthetic=False)
    assert ("Gene-MOE and logreg classified equally well (test macro-F1 1.000 each): no "
            "model is best") in text
    assert "classified best" not in text and "ranked survival risk best" in text


def test_one_trial_is_said_in_the_singular(synthetic_bundle, tmp_path, caplog):
    """Old behaviour: "tuning logreg for classify: 1 trials on the validation split"."""
    from genemoe.workflows import demo

    with caplog.at_level("INFO", logger="genemoe.workflows.demo"):
        demo._tuned_config(synthetic_bundle(seed=3, clinical=False), tmp_path, "logreg",
                           "classify", trials=1, seed=0, epochs=1)
    assert "tuning logreg for classify: 1 trial on the validation split" in caplog.text


def test_one_epoch_is_said_in_the_singular(synthetic_bundle):
    """Old behaviour: the demo's summary said "neural models: at most 1 epochs"."""
    from genemoe.workflows import demo

    head = demo._header(synthetic_bundle(seed=3, clinical=False), 1)
    assert head.endswith("neural models: at most 1 epoch")
    assert demo._header(synthetic_bundle(seed=3, clinical=False), 2).endswith("at most 2 epochs")


def test_the_demo_gives_a_classical_model_no_epochs_to_be_warned_about(synthetic_bundle,
                                                                       tmp_path, caplog):
    """Old behaviour: `make demo` printed "warning: --epochs applies to neural models; logreg
    is fitted to convergence: ignored", for epochs the demo itself had passed."""
    from genemoe.workflows import demo

    with caplog.at_level("WARNING", logger="genemoe"):
        demo._train_all(synthetic_bundle(seed=3, clinical=False), tmp_path, [("logreg", "classify")],
                        seed=0, epochs=1, progress=False, tune=1)
    assert "--epochs applies to neural models" not in caplog.text


def _classifier_row(tmp_path, model: str, n_per_class: int, right: int):
    """A demo row of a classifier that gets the first ``right`` of 2 x ``n_per_class`` test
    samples right (its predictions.tsv written)."""
    import pandas as pd

    from genemoe.workflows.demo import DemoRow

    truth = ["A"] * n_per_class + ["B"] * n_per_class
    d = tmp_path / model
    d.mkdir()
    pred = [t if i < right else ("B" if t == "A" else "A") for i, t in enumerate(truth)]
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(len(truth))], "split": "test",
                  "cancer_type": truth, "predicted_type": pred}).to_csv(d / "predictions.tsv",
                                                                    sep="\t", index=False)
    acc = right / len(truth)
    return DemoRow(model, "classify", d, {"macro_f1": acc, "accuracy": acc}, 1.0, 1.0)


def test_peers_the_best_classifier_is_not_told_apart_from_are_named(tmp_path):
    """Old behaviour (a probe of `make demo`): "fcn classified best (... vs 0.441 for
    Gene-MOE, McNemar p = 0.0051)", though logreg had the higher accuracy and McNemar's test
    between fcn and logreg (and mlp) gave p 0.69 (0.56): they were not named."""
    from genemoe.workflows.demo import verdict

    rows = [_classifier_row(tmp_path, m, 30, r)
            for m, r in (("genemoe", 30), ("fcn", 55), ("logreg", 53), ("mlp", 40))]
    text = verdict(rows, synthetic=True)
    assert "fcn classified best" in text
    assert "though logreg (p = 0.50) is not told apart from it by McNemar's test" in text
    assert "mlp (p" not in text  # 40 of 60 against 55: told apart


def test_a_tiny_mcnemar_p_reads_as_one_relation(tmp_path):
    """Old behaviour: "McNemar p = < 1e-16"."""
    from genemoe.workflows.demo import verdict

    rows = [_classifier_row(tmp_path, m, 300, r) for m, r in (("genemoe", 100), ("fcn", 590))]
    text = verdict(rows, synthetic=True)
    assert "McNemar p < 1e-16" in text and "p = <" not in text


def test_models_that_kept_their_last_allowed_epoch_are_named_under_the_verdict(tmp_path):
    """A probe's demo at --epochs 3 declared "logreg classified best ... McNemar p < 1e-16"
    while Gene-MOE and mlp kept their third and last epoch: still improving, unsaid."""
    import yaml

    from genemoe.workflows import demo

    rows = []
    for model, best in (("genemoe", 3), ("logreg", None), ("mlp", 3), ("fcn", 2)):
        d = tmp_path / model
        d.mkdir()
        cfg = {"train_config": {"epochs": 3}, "stopped_early": False, "ensemble": 1}
        (d / "config.yaml").write_text(yaml.safe_dump(
            cfg if best is None else {**cfg, "best_epoch": best}))
        rows.append(demo.DemoRow(model, "classify", d, {}, 1.0, 1.0))
    assert demo._at_epoch_cap(rows) == "Gene-MOE (classify) and mlp (classify)"
    assert demo._at_epoch_cap(rows[1:2]) == ""


def test_without_a_tuning_budget_the_classical_grids_are_said(synthetic_bundle, tmp_path):
    """An outside probe: `demo --tune 0` said "the small preset as it is" and "logreg
    classified best" while logreg had chosen C from a validation grid of 5 and the neural
    models had searched nothing: not an equal search, unsaid."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    text = run_demo(tmp_path / "demo", data=bundle.path, epochs=1, tune=0, progress=False,
                    models=(("logreg", "classify"), ("fcn", "classify")))
    notes = [ln for ln in text.splitlines() if ln.startswith(("On this", "--tune 0"))]
    assert len(notes) == 2 and max(map(len, notes)) <= 100  # wrapped (were ~400 characters)
    text = " ".join(text.split())  # the notes are wrapped to 100 characters
    assert "the small preset as it is" not in text and "no tuning budget (--tune 0)" in text
    assert ("--tune 0: logreg chose from 5 settings of C on the validation split, the neural "
            "models none: not an equal search (--tune N gives every model N trials)") in text


def test_three_tied_models_are_listed_with_commas(tmp_path):
    """An outside probe: "Gene-MOE and logreg and mlp and fcn classified equally well"."""
    from genemoe.workflows.demo import DemoRow, verdict

    rows = [DemoRow(m, "classify", tmp_path, {"macro_f1": 1.0, "accuracy": 1.0}, 1.0, 1.0)
            for m in ("genemoe", "logreg", "mlp")]
    assert "Gene-MOE, logreg and mlp classified equally well" in verdict(rows, synthetic=False)



def test_a_rerun_removes_only_the_demos_own_runs_and_studies(synthetic_bundle, tmp_path):
    """Old behaviour: `genemoe demo --out .` in a project folder removed the whole of its
    runs/ and tuning/ folders (README's commands train into runs/), said in one INFO line."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    out = tmp_path / "project"
    (out / "runs" / "gm_cox").mkdir(parents=True)
    (out / "runs" / "gm_cox" / "notes.txt").write_text("mine\n")
    (out / "tuning" / "mlp").mkdir(parents=True)
    (out / "runs" / "logreg_classify").mkdir()
    (out / "runs" / "logreg_classify" / "stale.txt").write_text("an earlier demo's\n")
    run_demo(out, data=bundle.path, epochs=1, tune=0, progress=False,
             models=(("logreg", "classify"),))
    assert (out / "runs" / "gm_cox" / "notes.txt").read_text() == "mine\n"
    assert (out / "tuning" / "mlp").is_dir()
    assert not (out / "runs" / "logreg_classify" / "stale.txt").exists()  # replaced
    assert (out / "runs" / "logreg_classify" / "metrics.json").exists()


def test_a_folder_holding_another_commands_results_is_refused(synthetic_bundle, tmp_path):
    """Old behaviour: a demo into a benchmark's folder mixed its files with it."""
    bundle = synthetic_bundle(seed=3, clinical=False)
    out = tmp_path / "bench"
    out.mkdir()
    (out / "results.csv").write_text("model\n")
    with pytest.raises(InputError, match="the --out folder holds a benchmark"):
        run_demo(out, data=bundle.path, epochs=1, tune=0, progress=False,
                 models=(("logreg", "classify"),))
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]


def test_a_stopped_demo_says_a_rerun_starts_afresh():
    """An outside probe: after SIGTERM the demo said "run it again to finish"; a rerun
    replaces its own runs and studies and starts over."""
    from genemoe.errors import resume_line

    assert "starts afresh, replacing its own runs and studies" in resume_line("demo")
    assert "to finish" not in resume_line("demo")


def test_the_widest_train_test_gap_is_not_called_overfitting(tmp_path):
    """An outside probe: at --epochs 5 the verdict said Gene-MOE "overfits this small cohort
    the most" beside "kept the last epoch allowed (5): still improving"."""
    from genemoe.workflows import demo

    rows = [demo.DemoRow("genemoe", "classify", tmp_path, {"accuracy": 0.6}, 1.0, 1.0),
            demo.DemoRow("logreg", "classify", tmp_path, {"accuracy": 0.7}, 0.99, 1.0)]
    text = demo._overfit_sentence(rows) + demo._overfit_sentence(rows[:1])
    assert "overfits" not in text and "the widest gap between training and test" in text
