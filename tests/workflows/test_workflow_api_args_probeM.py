"""Python arguments an outside reviewer (probeM) passed: result objects where their folders
go, wrong types refused naming the argument, the caller's torch thread count kept, and the
"extends no preset" warning said (and recorded) by every run."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
import torch
import yaml

from genemoe.errors import InputError
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1, clinical=False)


def test_a_pretrain_result_object_starts_a_run(tiny_pretrained, tmp_path):
    """Old behaviour: train_run(pretrained=<PretrainResult>) failed in pathlib ("expected
    str, bytes or os.PathLike object, not ...")."""
    from genemoe.workflows.train import train_run

    bundle, cfg, run_dir = tiny_pretrained
    result = SimpleNamespace(out_dir=run_dir)  # what pretrain_run returns: its out_dir
    run = train_run(bundle.path, out_dir=tmp_path / "ft", model_name="genemoe", config_path=cfg,
                    epochs=1, pretrained=result, device="cpu", progress=False)
    assert run.metrics["protocol"]["pretrained"]["run"]


def test_a_benchmark_records_a_result_object_as_its_folder(tmp_path):
    """Old behaviour: benchmark's pretrained_options(<PretrainResult>) recorded its repr."""
    from genemoe.workflows.benchmark_pretrained import pretrained_options

    assert pretrained_options(SimpleNamespace(out_dir=tmp_path / "pre"), []) == str(
        tmp_path / "pre")
    with pytest.raises(InputError, match="pretrained is int 3, not a path"):
        pretrained_options(3, [])


@pytest.mark.parametrize(("options", "match"), [
    ({"ensemble": "2"}, "ensemble: must be a whole number of members, got '2'"),
    ({"model_options": ["hidden"]}, "model_options: is a list"),
    ({"config_path": {"train": {"epochs": 1}}}, "config_path is dict"),
    ({"lazy_data": "yes"}, "lazy_data: must be True or False or None, got 'yes'"),
    ({"progress": "no"}, "progress: must be True or False, got 'no'"),
    ({"seed": "0"}, "seed: must be a whole number"),
])
def test_train_run_names_a_wrong_python_argument(bundle, tmp_path, options, match):
    """Old behaviour: a TypeError from inside (``'<' not supported``, ``'list' object is not
    a mapping``, pathlib's), or ``lazy_data="yes"`` taken as true and trained."""
    from genemoe.workflows.train import train_run

    with pytest.raises(InputError, match=match):
        train_run(bundle.path, out_dir=tmp_path / "run", model_name="logreg",
                  **{"progress": False, **options})
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("options", "match"), [
    ({"n_trials": "2"}, "n_trials: must be a whole number, got '2'"),
    ({"cv": 1.5}, "cv: must be a whole number"),
    ({"timeout": "60"}, "--timeout: must be a number of seconds"),
    ({"config_path": {"train": {}}}, "config_path is dict"),
])
def test_tune_run_names_a_wrong_python_argument(bundle, tmp_path, options, match):
    """Old behaviour: ``tune_run(n_trials="2")``: TypeError ``'<' not supported``."""
    from genemoe.workflows.tune import tune_run

    with pytest.raises(InputError, match=match):
        tune_run(bundle.path, out_dir=tmp_path / "tune", model_name="logreg",
                 **{"progress": False, **options})


def test_predict_names_a_wrong_max_missing_and_a_label_data_frame(labelled_logreg_run,
                                                                  tmp_path):
    """Old behaviour: max_missing="0.1" or None: TypeError ``'<=' not supported``; a
    DataFrame of labels: "The truth value of a DataFrame is ambiguous"."""
    from genemoe.workflows.predict import predict_file

    d, files, labels = labelled_logreg_run()
    args = dict(out_path=tmp_path / "p.csv")
    for bad in ("0.1", None):
        with pytest.raises(InputError, match="max_missing .*: must be a number"):
            predict_file(d / "run", files["counts"], max_missing=bad, **args)
    with pytest.raises(InputError, match=r"(?s)labels_path is a DataFrame.*df\.to_csv"):
        predict_file(d / "run", files["counts"], labels_path=labels, **args)
    with pytest.raises(InputError, match="labels_path is a dict"):
        predict_file(d / "run", files["counts"], labels_path={"a": "b"}, **args)
    assert not (tmp_path / "p.csv").exists()


def test_training_and_pretraining_give_back_the_callers_thread_count(bundle, tmp_path):
    """Old behaviour: ``train: {num_threads: 1}`` left the process on one thread after
    train_run (pretrain_run the same)."""
    from genemoe.workflows.pretrain import pretrain_run
    from genemoe.workflows.train import train_run

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({
        "extends": "small", "model": {"genemoe": TINY_GENEMOE},
        "train": {"num_threads": 1, "batch_size": 32, "patience": None},
        "pretrain": {"num_threads": 1, "epochs": 1, "batch_size": 32, "n_critic": 1,
                     "critic_widths": [8]}}))
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        train_run(bundle.path, out_dir=tmp_path / "run", model_name="fcn", config_path=cfg,
                  epochs=1, device="cpu", progress=False)
        assert torch.get_num_threads() == 2
        pretrain_run([bundle.path], out_dir=tmp_path / "pre", config_path=cfg, device="cpu",
                     progress=False)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_every_run_says_and_records_that_its_preset_extends_none(bundle, tmp_path, caplog):
    """Old behaviour: the warning was cached for the process (functools.cache): a second
    train_run with the same YAML was silent, an edited YAML at the same path too, and no
    metrics.json recorded it."""
    from genemoe.workflows.train import train_run

    p = tmp_path / "p.yaml"
    p.write_text("model: {resnet50: {image_size: 32, weights: none}}\n")
    said = []
    for i in range(3):  # the same file twice, then edited
        if i == 2:
            p.write_text("model: {resnet50: {image_size: 16, weights: none}}\n")
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="genemoe"):
            run = train_run(bundle.path, out_dir=tmp_path / f"r{i}", model_name="fcn",
                            preset=str(p), epochs=1, device="cpu", progress=False)
        said.append([r.getMessage() for r in caplog.records if "extends no preset" in
                     r.getMessage()])
        assert "extends no preset" in run.metrics["protocol"]["preset_gap"]
    assert [len(s) for s in said] == [1, 1, 1], said


def test_benchmark_and_ablation_take_a_result_object_and_every_benchmark_says_its_gaps(
        tiny_pretrained, tmp_path, caplog):
    """Old behaviour (h13's report): run_benchmark and run_ablation given a result object as
    ``pretrained`` failed with TypeError in pathlib; a second benchmark in one process with
    the same preset YAML said nothing of its gaps. Now the object reaches the run's checks
    (here refused: the run pre-trained on the folds' test samples), and each call warns."""
    from genemoe.workflows.ablation import run_ablation
    from genemoe.workflows.benchmark import run_benchmark

    bundle, _, run_dir = tiny_pretrained
    partial = tmp_path / "partial.yaml"
    partial.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE}}))
    result = SimpleNamespace(out_dir=run_dir)
    for i in (1, 2):
        caplog.clear()
        with caplog.at_level(logging.WARNING), pytest.raises(InputError, match="test"):
            run_benchmark(bundle.path, task="classify", models=["genemoe"], n_folds=2,
                          preset=str(partial), out_dir=tmp_path / f"b{i}", device="cpu",
                          pretrained=result)
        assert "extends no preset" in caplog.text, i
    with pytest.raises(InputError, match="test"):
        run_ablation(bundle.path, task="classify", n_folds=2, out_dir=tmp_path / "a",
                     device="cpu", pretrained=result, epochs=1)
