"""Python-API arguments an outside probe (hF) found unchecked or worded for YAML: a quoted or
fractional seed to pretrain_run, seed and epochs to train/benchmark in the words of an
argument, and an n_boot that classification ignores (warned by benchmark as by ablation)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

import genemoe
from genemoe.errors import InputError
from genemoe.train.fit import resolve_config
from genemoe.workflows import ablation as ablation_module
from tiny_configs import TINY_ABLATION_PRESET


@pytest.mark.parametrize("seed", ["1", 1.5])
def test_pretrain_refuses_a_seed_that_is_not_a_whole_number(tmp_path: Path, seed) -> None:
    """Old behaviour: numpy's TypeError "SeedSequence expects int or sequence of ints"
    from inside the pre-training, naming no argument."""
    with pytest.raises(InputError) as err:
        genemoe.pretrain_run(tmp_path / "no_bundle", out_dir=tmp_path / "p", seed=seed,
                             epochs=1, progress=False)
    assert err.value.where == "seed" and "must be a whole number" in str(err.value)
    assert "--seed" in err.value.fix and "seed:" not in err.value.fix


def test_benchmark_seed_in_quotes_is_said_as_an_argument(tmp_path: Path) -> None:
    """Old behaviour: "seed is the text '0' (in quotes) ... fix: write it without quotes:
    seed: 0", a YAML fix, where train_run said "pass a whole number to seed"."""
    with pytest.raises(InputError) as err:
        genemoe.run_benchmark(tmp_path / "no_bundle", out_dir=tmp_path / "b", task="classify",
                              models=["logreg"], seed="0")
    assert err.value.where == "seed" and "seed: 0" not in str(err.value)
    assert "pass a whole number to seed" in err.value.fix


@pytest.mark.parametrize(("kwargs", "where"), [(dict(epochs="2"), "epochs"),
                                               (dict(seed=-1), "seed"), (dict(seed="0"), "seed")])
def test_resolve_config_says_seed_and_epochs_as_arguments(kwargs, where) -> None:
    """Old behaviour: train_run(epochs="2") was told "write it without quotes: epochs: 2";
    seed=-1 to set it "in the `train:` section of the --config YAML", which cannot."""
    args = dict(seed=0, device="cpu", epochs=None, task="classify") | kwargs
    with pytest.raises(InputError) as err:
        resolve_config("small", None, "fcn", **args)
    assert err.value.where == where
    assert "train:" not in err.value.fix and f"{where}:" not in err.value.fix
    assert f"--{where}" in err.value.fix


def test_train_run_epochs_in_quotes_is_said_as_an_argument(synthetic_bundle, tmp_path) -> None:
    """Old behaviour: "the epochs argument (--epochs): epochs is the text '2' (in quotes)
    ... fix: write it without quotes: epochs: 2"."""
    with pytest.raises(InputError) as err:
        genemoe.train_run(synthetic_bundle(), out_dir=tmp_path / "t", model_name="fcn",
                          epochs="2", progress=False)
    assert err.value.where == "epochs" and "epochs: 2" not in str(err.value)


def test_benchmark_warns_an_n_boot_classification_ignores(tmp_path: Path, caplog) -> None:
    """Old behaviour: run_benchmark(task="classify", n_boot=20) ignored it unsaid, while
    run_ablation warned "--n-boot 20 is ignored" (both refuse n_boot < 1)."""
    caplog.set_level(logging.WARNING, logger="genemoe")
    for n_boot in (20, 1000):
        with pytest.raises(InputError):  # no bundle: refused after the options' checks
            genemoe.run_benchmark(tmp_path / "no_bundle", out_dir=tmp_path / "b",
                                  task="classify", models=["logreg"], n_boot=n_boot)
    assert caplog.text.count("is ignored") == 1 and "n_boot=20 is ignored" in caplog.text


def test_ablation_says_an_ignored_n_boot_once(synthetic_bundle, tmp_path, caplog,
                                              monkeypatch) -> None:
    """The ablation says "--n-boot 7 is ignored" itself; its arms' benchmarks get the
    benchmark's default n_boot for classification, so none says it again."""
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(TINY_ABLATION_PRESET))
    seen: dict = {}

    def first_arm(*args, **kwargs):
        seen.update(kwargs)
        raise KeyboardInterrupt  # stop before anything trains

    monkeypatch.setattr(ablation_module, "run_benchmark", first_arm)
    caplog.set_level(logging.WARNING, logger="genemoe")
    with pytest.raises(KeyboardInterrupt):
        genemoe.run_ablation(synthetic_bundle().path, task="classify", out_dir=tmp_path / "a",
                             preset=str(preset), n_boot=7, n_folds=2, n_repeats=1, epochs=1,
                             device="cpu")
    assert caplog.text.count("is ignored") == 1 and "--n-boot 7 is ignored" in caplog.text
    assert seen["n_boot"] == 1000
