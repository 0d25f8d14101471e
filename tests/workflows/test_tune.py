"""genemoe tune: a search on the validation split whose best.yaml trains with --config."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import numpy as np
import optuna
import pandas as pd
import pytest
import yaml

import genemoe.train.tuning as tuning
from genemoe.config_presets import load_preset
from genemoe.errors import InputError
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from genemoe.workflows.tune import sample_set_sha256, tune_run
from stop_helpers import stop_second_fit

FCN = "model:\n  fcn: {hidden: 16, latent: 8}\ntrain: {batch_size: 32, patience: null}\n"


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)


@pytest.fixture
def base_yaml(tmp_path):
    path = tmp_path / "base.yaml"
    path.write_text(FCN)
    return path


def test_tune_writes_a_best_yaml_that_trains_and_never_reads_the_test_split(
        bundle, tmp_path, base_yaml, monkeypatch, caplog):
    seen = []
    real = tuning.fit_model

    def spy(name, task, parts, **kw):
        seen.append({p: set(d.rows) for p, d in parts.items()})
        return real(name, task, parts, **kw)

    monkeypatch.setattr(tuning, "fit_model", spy)
    out = tmp_path / "tune"
    run = tune_run(bundle.path, out_dir=out, model_name="fcn", n_trials=3, config_path=base_yaml,
                   epochs=2, device="cpu", progress=False)
    test_rows = set(bundle.indices("test"))
    assert len(seen) == 3 and all(set(s) == {"train", "val"} for s in seen)
    assert not any(rows & test_rows for s in seen for rows in s.values())
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 3 and {"number", "state", "value", "seconds", "train.lr"} <= set(trials)
    assert (out / "search.png").stat().st_size > 0 and (out / "study.db").exists()
    best = yaml.safe_load((out / "best.yaml").read_text())
    assert set(best) == {"model", "train", "tuned_for", "tuned_on"} and set(best["model"]) == {"fcn"}
    assert "seed" not in best["train"] and best["train"]["epochs"] == 2
    (key, entry), = best["tuned_on"].items()
    assert "train.lr" in key and "model.dropout" in key
    assert {"value", "data", "part", "overlaps_benchmark_test_folds"} <= set(entry)
    assert sample_set_sha256(bundle) in entry["data"] and "validation split" in entry["part"]
    assert entry["n_trials"] == 3 and entry["seed"] == 0
    assert entry["best_value"] == pytest.approx(run.result.best_value, abs=1e-6)
    # old behaviour: the --epochs cap was recorded nowhere as such, and retraining with
    # best.yaml trained 2 epochs unsaid, its config.yaml keeping small's train.epochs 100
    assert entry["epochs"].startswith("2: the tune --epochs cap on every trial, not tuned")
    monkeypatch.setattr(tuning, "fit_model", real)
    with caplog.at_level("WARNING", logger="genemoe"):
        res = train_run(bundle.path, out_dir=tmp_path / "run", model_name="fcn",
                        config_path=out / "best.yaml", device="cpu", progress=False)
    assert "the tuning capped every trial at 2 epochs (tune --epochs): this run trains 2 too" in caplog.text
    said = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["tuned_on"]
    assert "train.epochs" not in said and "model.dropout" not in said and key in said
    cfg = load_model_file(tmp_path / "run")["config"]
    assert cfg["train"]["lr"] == pytest.approx(run.result.best_params["train.lr"])
    assert cfg["model_config"]["dropout"] == pytest.approx(run.result.best_params["model.dropout"])
    # the same seed retrains the best trial: its validation macro-F1 comes back
    assert res.metrics["val"]["macro_f1"] == pytest.approx(run.result.best_value, abs=1e-6)
    assert "best validation macro_f1" in run.describe()
    # old behaviour: 4 decimals ("0.8123") where the report and every other table say 3
    assert f"best validation macro_f1: {run.result.best_value:.3f}\n" in run.describe()
    # old behaviour: train printed that val score beside test with no word that a tune chose
    # the options on it
    assert "val: where the options were tuned and the model chosen, so optimistic" in res.describe()
    # another model: fcn's tuned training options and no model options of its own, unsaid
    with pytest.raises(InputError, match="options tuned for fcn, given for --model mlp"):
        train_run(bundle.path, out_dir=tmp_path / "run_mlp", model_name="mlp",
                  config_path=out / "best.yaml", device="cpu", progress=False)
    # another task: the classification recipe applied to a Cox model, unsaid before tuned_for
    assert yaml.safe_load((out / "best.yaml").read_text())["tuned_for"] == {"model": "fcn",
                                                                           "task": "classify"}
    with pytest.raises(InputError, match=r"(?s)options tuned for --task classify, given for "
                                         r"--task survival.*fix: pass --task classify"):
        train_run(bundle.path, out_dir=tmp_path / "run_cox", model_name="fcn", task="survival",
                  config_path=out / "best.yaml", device="cpu", progress=False)
    # best.yaml as --preset, or under a YAML's extends: (old behaviour: unchecked, trained)
    (tmp_path / "over.yaml").write_text(f"extends: {out / 'best.yaml'}\ntrain: {{epochs: 1}}\n")
    for how in ({"preset": str(out / "best.yaml")}, {"config_path": tmp_path / "over.yaml"}):
        with pytest.raises(InputError, match="options tuned for fcn, given for --model mlp"):
            train_run(bundle.path, out_dir=tmp_path / "run_p", model_name="mlp", device="cpu",
                      progress=False, **how)
    assert not (tmp_path / "run_p").exists()


def _fcn_opts(out, base_yaml) -> dict:
    """tune_run's options for a small fcn search into ``out``."""
    return {"out_dir": out, "model_name": "fcn", "config_path": base_yaml, "epochs": 2,
            "device": "cpu", "progress": False}


def test_an_interrupted_tune_resumes_to_the_asked_total(bundle, tmp_path, base_yaml):
    out = tmp_path / "tune"
    opts = _fcn_opts(out, base_yaml)
    tune_run(bundle.path, n_trials=2, **opts)
    run = tune_run(bundle.path, n_trials=4, **opts)
    db = f"sqlite:///{out / 'study.db'}"
    assert len(optuna.load_study(study_name="fcn-classify", storage=db).trials) == 4  # not 6
    assert len(pd.read_csv(out / "trials.csv")) == 4 and len(run.result.trials) == 4
    # same folder, other options: said which (the old message listed every possible cause)
    with pytest.raises(InputError, match=r"another setup \(training options: epochs 2 → 3\)") as e:
        tune_run(bundle.path, n_trials=4, **{**opts, "epochs": 3})
    # a new --out shares a given --storage: the fix said "(or --out folder)" whatever the storage
    assert "or, with the default --storage, another --out folder" in e.value.fix


def test_an_interrupted_trial_a_resume_and_a_timeout_are_said(bundle, tmp_path, base_yaml,
                                                              monkeypatch):
    """Old behaviour: after Ctrl-C and a rerun, "4 trials: 3 complete, 0 pruned" (the
    interrupted trial unaccounted for), no word of the resume, and a --timeout stop said
    nothing of the trials asked; fixed options (logreg's model.tune) were listed as tuned."""
    import genemoe.train.tuning as tuning

    out = tmp_path / "tune"
    opts = _fcn_opts(out, base_yaml)
    real, calls, slow = tuning.fit_model, [], []

    def interrupted(*args, **kwargs):
        if not calls:
            calls.append(1)
            raise KeyboardInterrupt
        time.sleep(sum(slow))  # the --timeout call's one trial outlasts its timeout
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tune_run(bundle.path, n_trials=2, **opts)
    text = tune_run(bundle.path, n_trials=1, **opts).describe()
    # old behaviour (an outside probe): "(run again as trial 1)" of a trial already rerun
    # a Ctrl-C genemoe recorded is said so ("interrupted or failed" was said of it)
    assert "1 trial: 1 complete, 0 pruned; 1 interrupted, not counted (retried as " \
           "trial 1)" in text and "already in the study" not in text
    # old behaviour: best.yaml counted the interrupted trial ("best of 2 trials", n_trials 2)
    best = (out / "best.yaml").read_text()
    assert "best of 1 trial on the validation split" in best
    (entry,) = yaml.safe_load(best)["tuned_on"].values()
    assert entry["n_trials"] == 1
    # --timeout 3 and a trial of over 3 s: the call starts one trial and no other, whatever
    # the load (a 0.01 s timeout could run out before the first trial began: "ran no trial")
    slow.append(3.0)
    text = tune_run(bundle.path, n_trials=3, timeout=3, **opts).describe()
    text = text.replace("\n      ", " ")  # lines wrapped at 100 characters, joined
    # "resumed: 1 trial done by earlier calls" was said too of another worker's trials
    assert ("  already in the study as this call started: 1 trial finished by earlier calls or "
            "by other workers sharing it, kept") in text
    # was "2 s this call; every call's trials 4 s": one wall time beside a sum of trial times
    cost = re.search(r"\n  cost: this call ran 1 trial, (\d+) s \((\d+) s wall\); the study's 3 "
                     r"trials \(2 counted\) (\d+) s in all \((\d+) s in earlier calls or by "
                     r"other workers\)\n", text)  # 3 trials ran: 2 count, 1 was interrupted
    assert cost, text
    own, wall, total, earlier = map(int, cost.groups())
    assert 3 <= own <= wall and total == own + earlier  # the slow trial's seconds are this call's
    assert "  stopped at --timeout 3 s with 2 of 3 trials: the same command goes on" in text
    # old behaviour (an outside probe): nothing in the files said the timeout stopped it
    assert json.loads((out / "summary.json").read_text())["stopped_by"] == "timeout"
    assert (out / "best.yaml").read_text().startswith("# Stopped at --timeout before the budget")
    trials = (out / "trials.csv").read_text().splitlines()
    assert trials[2].startswith("1,COMPLETE,") and ",0,True," in trials[2]  # retry_of 0, not 0.0
    run = tune_run(bundle.path, out_dir=tmp_path / "lr", model_name="logreg", n_trials=1,
                   progress=False)
    assert "model.C:" in run.describe() and "model.tune" not in run.describe()


def test_ctrl_c_after_finished_trials_writes_their_results(bundle, tmp_path, base_yaml,
                                                          monkeypatch, caplog):
    """Old behaviour: Ctrl-C in trial 1 left no best.yaml, trials.csv or summary.json (trial
    0 had finished; the study held it) until the command was run again."""
    out = tmp_path / "tune"
    stop_second_fit(monkeypatch, KeyboardInterrupt)
    with caplog.at_level("WARNING"), pytest.raises(KeyboardInterrupt):
        tune_run(bundle.path, n_trials=3, **_fcn_opts(out, base_yaml))
    said = " ".join(caplog.text.split())  # the warning is wrapped at 100 characters
    assert "written from the 1 trial finished before it was stopped" in said
    stopped = next(r.getMessage() for r in caplog.records if "search.png written" in r.getMessage())
    assert max(len(x) for x in ("warning: " + stopped).splitlines()) <= 100, stopped  # was 135
    assert (out / "best.yaml").read_text().startswith("# Interrupted (Ctrl-C) before the budget")
    assert "run again to resume" in json.loads((out / "summary.json").read_text())["interrupted"]
    assert json.loads((out / "summary.json").read_text())["stopped_by"] == "Ctrl-C"
    assert (out / "trials.csv").exists() and (out / "search.png").exists()
    assert tune_run(bundle.path, n_trials=3, **_fcn_opts(out, base_yaml)).result.trials.shape[0] >= 3
    assert "interrupted" not in json.loads((out / "summary.json").read_text())
    assert not (out / "best.yaml").read_text().startswith("# Interrupted")


def test_a_sigterm_is_written_as_a_sigterm_and_a_timeout_hint_names_the_timeout(
        bundle, tmp_path, base_yaml, monkeypatch):
    """Old behaviour (an outside probe): a tune stopped by SIGTERM wrote "Interrupted
    (Ctrl-C)" in best.yaml and summary.json; ``--trials 5`` cut to one trial by --timeout
    was told "--trials 2 or more draws others"."""
    import genemoe.train.tuning as tuning
    from genemoe.errors import Terminated

    out = tmp_path / "tune"
    real = stop_second_fit(monkeypatch, Terminated)
    with pytest.raises(KeyboardInterrupt):
        tune_run(bundle.path, n_trials=3, **_fcn_opts(out, base_yaml))
    assert (out / "best.yaml").read_text().startswith("# Interrupted (SIGTERM) before the budget")
    assert json.loads((out / "summary.json").read_text())["stopped_by"] == "SIGTERM"

    def slow(*args, **kwargs):  # trial 0 outlasts the timeout
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", slow)
    text = tune_run(bundle.path, n_trials=5, timeout=0.2,
                    **_fcn_opts(tmp_path / "t2", base_yaml)).describe()
    assert "a longer --timeout, or the same command again, draws others" in text


def test_a_smaller_budget_on_a_larger_study_reports_its_own_trials(bundle, tmp_path, base_yaml):
    # Read with --trials 2 after --trials 4, the summary counted the study's 4 trials as
    # this search's (states, pruned, cost); the 2 run after its budget was met are not.
    out = tmp_path / "tune"
    opts = _fcn_opts(out, base_yaml)
    tune_run(bundle.path, n_trials=4, **opts)
    run = tune_run(bundle.path, n_trials=2, **opts)
    summary = json.loads((out / "summary.json").read_text())
    assert sum(summary["trials_by_state"].values()) == 2
    assert summary["n_trials_after_budget_met"] == 2
    assert "2 trials:" in run.describe() and "the 2 after them are not counted" in run.describe()
    assert len(pd.read_csv(out / "trials.csv")) == 4  # the table keeps every trial


def test_classical_tune_fixes_the_chosen_value(bundle, tmp_path):
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=3,
                   device="cpu", progress=False)
    best = yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())
    assert best["model"]["logreg"]["C"] == pytest.approx(run.result.best_params["model.C"])
    assert len(set(run.result.trials["model.C"])) == 3  # three trials, three values of C
    assert np.isfinite(run.result.best_value)
    assert best["model"]["logreg"]["tune"] is False  # the model's own search stays off



def test_epochs_for_a_classical_model_are_said_ignored(bundle, tmp_path, caplog):
    """Old behaviour: `tune --model logreg --epochs 5` said nothing and wrote epochs: 5 into
    best.yaml (train warns that --epochs applies to neural models)."""
    with caplog.at_level("WARNING"):
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1,
                 device="cpu", progress=False, epochs=5)
    assert "--epochs applies to neural models; logreg is fitted to convergence" in caplog.text
    assert "train" not in yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())  # no epochs: 5


def test_bad_trials_are_refused(bundle, tmp_path):
    with pytest.raises(InputError, match="--trials"):
        tune_run(bundle.path, out_dir=tmp_path / "b", model_name="fcn", n_trials=0)
    # --timeout -5 ran no trial and then said "no completed trial ... raise --timeout"
    with pytest.raises(InputError, match="--timeout: must be a number of seconds above 0"):
        tune_run(bundle.path, out_dir=tmp_path / "b", model_name="fcn", n_trials=1, timeout=-5)


def test_a_model_without_the_task_is_refused_before_any_study(bundle, tmp_path):
    """logreg for survival failed inside trial 0: Optuna's warning and traceback, then the
    error, and a study.db holding the failed trial was left behind."""
    with pytest.raises(InputError, match="model 'logreg' does not support task 'survival'") as e:
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", task="survival",
                 n_trials=2)
    assert not (tmp_path / "t").exists()
    assert "coxnet" in e.value.fix and "ensemble" not in e.value.fix  # not a model to pick


def test_another_study_in_the_same_folder_is_said(bundle, tmp_path, caplog):
    """Tuning svm into logreg's folder replaced its best.yaml and trials table silently."""
    import logging

    tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1,
             progress=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name="svm", n_trials=1,
                 progress=False)
    assert "holds the results of study logreg-classify: this study's (svm-classify)" in caplog.text
    assert "svm" in (tmp_path / "t" / "best.yaml").read_text()


def _cli(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "genemoe.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_workers_share_one_study_through_the_cli(bundle, tmp_path, base_yaml):
    """Two processes, one database URL and study name: together they run the total."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    common = ["tune", "--data", bundle.path, "--model", "fcn", "--trials", 6, "--epochs", 2,
              "--config", base_yaml, "--device", "cpu", "--storage", db, "--study", "shared",
              "--no-progress"]
    workers = [_cli(*common, "--out", tmp_path / f"w{i}") for i in range(2)]
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    trials = optuna.load_study(study_name="shared", storage=db).trials
    assert 6 <= len(trials) <= 7  # each worker stops at the total (a race may add one ...
    done = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) == 6 and all(t.user_attrs.get("not_run") for t in trials if t not in done)
    # ... that gives way before it trains: it counted finished trials only, and a worker
    # started one while the other ran the last one needed (7 complete of 6)
    assert len({t.number for t in trials}) == len(trials)
    best = yaml.safe_load((tmp_path / "w1" / "best.yaml").read_text())
    assert load_preset(tmp_path / "w1" / "best.yaml")["model"]["fcn"] == best["model"]["fcn"]


def test_tune_cv_scores_trials_on_inner_folds_of_train_and_val_never_test(
        bundle, tmp_path, base_yaml, monkeypatch):
    """`genemoe tune --cv K`: each trial fits K times, on inner folds of the training and
    validation splits (each validating once), never on a test row; its value is their mean;
    best.yaml's tuned_on and the terminal line say so."""
    seen, real = [], tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda name, task, parts, **kw: (
        seen.append({p: np.asarray(d.rows) for p, d in parts.items()}),
        real(name, task, parts, **kw))[1])
    out = tmp_path / "tune"
    run = tune_run(bundle.path, out_dir=out, model_name="fcn", n_trials=2, config_path=base_yaml,
                   epochs=2, device="cpu", progress=False, cv=3)
    test_rows = set(bundle.indices("test"))
    assert len(seen) == 6 and not any(set(r) & test_rows for s in seen for r in s.values())
    vals = np.concatenate([s["val"] for s in seen[:3]])
    assert len(vals) == len(set(vals)) and set(vals) >= set(bundle.indices("val")) - test_rows
    trials = pd.read_csv(out / "trials.csv")
    for _, t in trials.iterrows():
        assert t["value"] == pytest.approx(np.mean(json.loads(t["split_values"])), abs=1e-5)
    (entry,) = yaml.safe_load((out / "best.yaml").read_text())["tuned_on"].values()
    assert "3 inner folds" in entry["part"] and "over 3 inner folds" in entry["metric"]
    assert "best of 2 trials on the mean of 3 inner folds" in (out / "best.yaml").read_text()
    assert json.loads((out / "summary.json").read_text())["inner_folds"] == 3
    assert "mean of 3 inner folds" in run.describe()
    with pytest.raises(InputError, match="--cv"):
        tune_run(bundle.path, out_dir=tmp_path / "x", model_name="fcn", n_trials=1, cv=0)


HYBRID = ("model:\n  hybrid_cnn: {n_filters: 4, hidden: 16, layout: similarity, image_size: 8}\n"
          "train: {batch_size: 32, patience: null}\n")


def test_tune_cv_fits_an_image_models_layout_on_each_inner_folds_own_rows(bundle, tmp_path,
                                                                          monkeypatch):
    """Image models tune too (issue 11, item 1). With --cv K each inner fold's model gets the
    gene layout fitted on that fold's own genes and training rows; the split's layout (the
    starting configuration's) saw the inner validation rows. best.yaml keeps no layout."""
    from genemoe.workflows.common import with_fitted_layout
    from genemoe.workflows.folds import FoldPlan, fold_data, inner_plans

    cfg = tmp_path / "hybrid.yaml"
    cfg.write_text(HYBRID)
    seen, real = [], tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda name, task, parts, **kw: (
        seen.append((tuple(parts["train"].rows), kw["model_cfg"].get("layout_state"))),
        real(name, task, parts, **kw))[1])
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="hybrid_cnn", n_trials=2,
                   config_path=cfg, epochs=1, device="cpu", progress=False, cv=2)
    layout = {"layout": "similarity", "image_size": 8}
    train, val = bundle.indices("train"), bundle.indices("val")
    outer = with_fitted_layout("hybrid_cnn", layout, bundle, bundle.gene_mask(), train)
    expected = {}
    for p in inner_plans(bundle, FoldPlan(0, 0, train, val, np.zeros(0, np.int64)),
                         "classify", n_folds=2, seed=0):
        keep = fold_data(bundle, p, "classify", bundle.class_names, "centred",
                         parts=("train", "val")).keep
        expected[tuple(p.train)] = with_fitted_layout("hybrid_cnn", layout, bundle, keep,
                                                      p.train)["layout_state"]
    assert len(seen) == 4 and {rows for rows, _ in seen} == set(expected)
    assert all(state == expected[rows] for rows, state in seen)
    assert any(state != outer["layout_state"] for state in expected.values())
    assert run.result.best_params["model.input_scaling"] in ("centred", "standard")
    best = yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())
    assert best["model"]["hybrid_cnn"]["layout"] == "similarity"
    assert "layout_state" not in best["model"]["hybrid_cnn"]


def test_trial_0_trains_the_starting_configuration(bundle, tmp_path, base_yaml):
    """Trial 0 is the config the search starts from: options left to the model and trainer
    take their defaults (mixup off, no batch norm), not random draws."""
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="fcn", n_trials=1,
                   config_path=base_yaml, epochs=1, device="cpu", progress=False)
    first = run.result.trials.iloc[0]
    assert first["train.mixup_alpha"] == 0.0 and not bool(first["model.batchnorm"])
    assert first["train.noise_std"] == load_preset("small")["train_classify"]["noise_std"]


def test_a_survival_tune_says_its_value_is_the_runs_scaled_partial_likelihood(bundle, tmp_path):
    """Old behaviour: tune printed "best validation partial_likelihood: -1.7775" and the run
    retrained from best.yaml recorded -1.7934 (before the risk scale) as its selection value:
    two numbers under similar names. The line now says which one it is, and it is the run's
    ``val_pll_per_event_after``."""
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="coxnet", task="survival",
                   n_trials=2, progress=False)
    text = run.describe()
    # old behaviour (an outside probe): "a run's val_pll_per_event_after", a key not in
    # metrics.json: it is the run's config.yaml calibration entry
    assert ("after the validation risk scale; a run keeps it in\n    config.yaml: "
            "calibration.val_pll_per_event_after)") in text
    # old behaviour: n_top_genes drawn among 500-10000 on 60 genes, a draw shown as tuned
    assert "model.n_top_genes" not in text and run.result.trials["model.n_top_genes"].nunique() <= 1
    again = train_run(bundle.path, out_dir=tmp_path / "r", task="survival", model_name="coxnet",
                      config_path=tmp_path / "t" / "best.yaml", progress=False)
    saved = yaml.safe_load((again.out_dir / "config.yaml").read_text())
    assert saved["calibration"]["val_pll_per_event_after"] == pytest.approx(run.result.best_value, abs=1e-6)


def test_a_misspelt_model_option_is_refused_before_a_study_exists(bundle, tmp_path):
    """Old behaviour: trial 0 failed inside Optuna ("Trial 0 failed with value None."), and
    the error came after --out and its study.db had been made."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  fcn:\n    hiden: 8\n")
    with pytest.raises(InputError, match=r"model 'fcn' has no option hiden \(did you mean hidden\?\)"):
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name="fcn", config_path=bad,
                 n_trials=2, epochs=1, progress=False)
    assert not (tmp_path / "t").exists()


def test_training_on_tuned_options_says_so_and_warns_of_a_test_split_tuned_on(
        bundle, tmp_path, caplog):
    """Old behaviour: `train --config best.yaml` never said the options were tuned, kept no
    tuned_on in config.yaml, and trained without a word on a re-split of the same samples
    whose test split the tuning had trained and chosen on (24 of 32 in a probe)."""
    from genemoe.data.bundle import load_bundle, write_bundle

    tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=2,
             device="cpu", progress=False)
    best = tmp_path / "t" / "best.yaml"
    with caplog.at_level("INFO", logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "same", model_name="logreg", config_path=best,
                  device="cpu", progress=False)
    # 2 values: logreg's C and its input scaling (searched as the neural models' is)
    assert f"options tuned by `genemoe tune` on {bundle.path.name} (2 values" in caplog.text
    assert "tuned_on in config.yaml)" in caplog.text
    assert "train" not in yaml.safe_load(best.read_text())  # logreg reads none (was written)
    said = yaml.safe_load((tmp_path / "same" / "config.yaml").read_text())["tuned_on"][
        "model.C, model.input_scaling"]
    n_test = len(bundle.indices("test"))
    assert said["test_overlap"] == (f"0 of this bundle's {n_test} test samples were in the "
                                    "tuning's train/val parts")
    resplit = load_bundle(bundle.path)
    order = {"train": "test", "test": "val", "val": "train"}
    resplit.obs = resplit.obs.assign(split=resplit.obs["split"].map(order))
    write_bundle(resplit, tmp_path / "resplit")
    caplog.clear()
    train_run(tmp_path / "resplit", out_dir=tmp_path / "other", model_name="logreg",
              config_path=best, device="cpu", progress=False)
    n = len(bundle.indices("train"))
    assert f"{n} of the {n} test samples were in the training or validation part" in caplog.text


def test_a_yaml_extending_another_preset_than_preset_is_said_and_recorded(
        bundle, tmp_path, caplog):
    """Old behaviour: `--preset base --config x.yaml` with `extends: paper` trained with
    paper's values and recorded `preset: base` alone, unsaid."""
    (tmp_path / "x.yaml").write_text("extends: small\n")
    with caplog.at_level("WARNING"):
        train_run(bundle.path, out_dir=tmp_path / "run", model_name="logreg", preset="base",
                  config_path=tmp_path / "x.yaml", device="cpu", progress=False)
    assert "x.yaml extends small: its values override --preset base's" in caplog.text
    cfg = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())
    assert cfg["preset"] == "base" and cfg["extends"] == "small"


def test_options_of_another_model_in_config_are_said_unused(bundle, tmp_path, caplog):
    """Old behaviour: `--model logreg --config x.yaml` holding only `model: {svm: {C: 2}}`
    trained logreg with its defaults without a word."""
    (tmp_path / "x.yaml").write_text("model:\n  svm: {C: 2.0}\n")
    with caplog.at_level("WARNING"):
        train_run(bundle.path, out_dir=tmp_path / "run", model_name="logreg",
                  config_path=tmp_path / "x.yaml", device="cpu", progress=False)
    assert "x.yaml: options of model.svm not used by --model logreg (it has none here)" in (
        caplog.text)


def test_train_says_its_tuned_options_without_v():
    """Old behaviour: train's "options tuned by `genemoe tune`" line was an INFO line of a
    logger the terminal showed only with -v."""
    import logging

    from genemoe.cli_logging import TerminalHandler

    rec = logging.LogRecord("genemoe.workflows.train", logging.INFO, __file__, 1,
                            "options tuned by `genemoe tune` (model.C) on B", None, None)
    assert TerminalHandler().filter(rec) and not TerminalHandler(quiet=True).filter(rec)


def test_a_classify_runs_config_for_survival_is_refused_naming_it(bundle, tmp_path):
    """Old behaviour: a classification run's config.yaml trained a survival model with the
    classification recipe without a word (or, with label smoothing in it, failed on
    "train.label_smoothing ... applies to classification only", naming no file)."""
    train_run(bundle.path, out_dir=tmp_path / "cls", model_name="fcn", epochs=1, device="cpu",
              progress=False, config_path=None)
    cfg = tmp_path / "cls" / "config.yaml"
    with pytest.raises(InputError, match=r"(?s)cls/config\.yaml: a classify run's config\.yaml "
                                         r"given for --task survival.*fix: pass --task classify"):
        train_run(bundle.path, out_dir=tmp_path / "surv", model_name="fcn", task="survival",
                  epochs=1, device="cpu", progress=False, config_path=cfg)
    assert not (tmp_path / "surv").exists()


def test_a_device_for_a_classical_model_is_said_ignored(bundle, tmp_path, caplog):
    """Old behaviour: `--model svm --device cuda` on a CPU-only machine trained and tuned
    without a word (a neural model is refused there)."""
    with caplog.at_level("WARNING"):
        train_run(bundle.path, out_dir=tmp_path / "r", model_name="logreg", device="cuda",
                  progress=False)
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1,
                 device="cuda", progress=False)
    said = "--device cuda applies to neural models; logreg is fitted by scikit-learn on the CPU"
    assert caplog.text.count(said) == 2



def test_a_pruned_trials_line_says_it_was_pruned_and_after_what(caplog):
    """Old behaviour: "trial 9 (8/8): validation -2.6920 (best -2.7681)": a trial pruned after
    its first inner fold of three read as better than the best, which did not change."""
    import optuna

    from genemoe.workflows.tune import TrialLine

    study = optuna.create_study(direction="maximize")
    study.add_trial(optuna.trial.create_trial(value=-2.7681, params={}, distributions={}))
    pruned = optuna.trial.create_trial(state=optuna.trial.TrialState.PRUNED, value=-2.692,
                                       intermediate_values={0: -2.692},
                                       user_attrs={"split_values": [-2.692]})
    epoch = optuna.trial.create_trial(state=optuna.trial.TrialState.PRUNED, value=0.5,
                                      intermediate_values={3: 0.5})
    with caplog.at_level("INFO", logger="genemoe"):
        TrialLine(8, cv=3, metric="partial_likelihood")(study, pruned)
        TrialLine(8, metric="macro_f1")(study, epoch)
    assert ("pruned after inner fold 1 of 3 (mean so far -2.6920) (higher is better; best "
            "-2.7681)") in " ".join(caplog.text.split())  # wrapped at 100 characters
    assert "pruned at epoch 3 (validation macro_f1 0.5000)" in caplog.text


def test_a_study_won_by_its_starting_values_says_so(bundle, tmp_path, base_yaml, caplog):
    """When trial 0 (the preset's and given values) won, tune listed its values as "best"
    and train said "options tuned by `genemoe tune` (7 values)", as if tuning had moved them;
    both say now that no drawn trial beat the starting values."""
    out = tmp_path / "tune"
    run = tune_run(bundle.path, out_dir=out, model_name="fcn", n_trials=1, config_path=base_yaml,
                   epochs=1, device="cpu", progress=False)
    assert run.result.best_is_start
    # one trial: none was drawn ("no drawn trial beat them" said before, and "best of 1 trials")
    assert ("only trial 0 ran, the starting values: nothing was searched (--trials 2 or more "
            "draws others)") in run.describe()
    (entry,) = yaml.safe_load((out / "best.yaml").read_text())["tuned_on"].values()
    assert entry["best_trial"] == "0: the starting values; no other trial was drawn"
    assert "best of 1 trial on the" in (out / "best.yaml").read_text()
    with caplog.at_level("INFO", logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "run", model_name="fcn", epochs=1,
                  config_path=out / "best.yaml", device="cpu", progress=False)
    assert "the starting ones: no other trial was drawn" in caplog.text
    more = tune_run(bundle.path, out_dir=out, model_name="fcn", n_trials=4, config_path=base_yaml,
                    epochs=1, device="cpu", progress=False)
    drawn_won = more.result.best_value > run.result.best_value
    assert more.result.best_is_start is not drawn_won
    if not drawn_won:
        assert ("the starting values (trial 0) were best: no drawn trial beat them"
                in more.describe())


def test_tune_run_from_python_keeps_optunas_own_lines_back(bundle, tmp_path, monkeypatch):
    """A notebook probe: ``tune_run`` let Optuna's "[I ...] A new study created in RDB" line
    through (the CLI quiets Optuna for good; Python callers got its INFO lines). Optuna's
    handler writes to the stderr of its import, which pytest's capture does not see: the
    verbosity at the study's creation is checked instead."""
    import optuna

    seen, create = [], optuna.create_study

    def creating(*args, **kwargs):
        seen.append(optuna.logging.get_verbosity())
        return create(*args, **kwargs)

    monkeypatch.setattr(optuna, "create_study", creating)
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO)  # as in a fresh Python session
    try:
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1,
                 progress=False)
        assert optuna.logging.get_verbosity() == optuna.logging.INFO  # restored
    finally:
        optuna.logging.set_verbosity(before)
    assert seen == [optuna.logging.WARNING]
