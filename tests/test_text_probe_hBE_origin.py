"""A refused pre-training or training value names the file (or the argument) that set it,
and its fix says where to change it.

Old behaviour: "pretrain config: invalid pre-training value(s): lr='fast'" named none of
a user's YAML files, and ``train_run(..., epochs=0)`` / ``resolve_pretrain_config(...,
epochs=0)`` from Python were told to "set epochs ... (the `train:` section of the --config
YAML or preset, or --epochs)": a YAML key they never wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.errors import InputError
from genemoe.train.fit import resolve_config
from genemoe.train.pretrain_config import resolve_pretrain_config


def _yaml(tmp_path: Path, name: str, text: str) -> Path:
    (path := tmp_path / name).write_text(text, encoding="utf-8")
    return path


def _pretrain_refusal(config: Path | None, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        resolve_pretrain_config("small", config, **kwargs)
    return info.value


def test_a_bad_pretraining_value_names_its_yaml_and_the_fix(tmp_path):
    a = _yaml(tmp_path, "a.yaml", "pretrain:\n  lr: fast\n")
    err = _pretrain_refusal(a)
    assert str(err) == (f"{a}: pretrain: invalid pre-training value(s): lr='fast'\n"
                        "  fix: set lr above 0 (in that file's `pretrain:` section)")


def test_a_value_in_the_yaml_a_config_extends_names_that_yaml(tmp_path):
    a = _yaml(tmp_path, "a.yaml", "extends: small\npretrain:\n  lambda_kl: -1\n")
    c = _yaml(tmp_path, "c.yaml", "extends: a.yaml\npretrain:\n  lr: 0.001\n")
    err = _pretrain_refusal(c)
    assert Path(err.path) == a and err.where == "pretrain"
    assert "set lambda_kl to a number of 0 or more" in err.fix


def test_values_from_several_files_name_each(tmp_path):
    a = _yaml(tmp_path, "a.yaml", "pretrain:\n  lr: fast\n")
    c = _yaml(tmp_path, "c.yaml", "extends: a.yaml\npretrain:\n  lambda_kl: -1\n")
    err = _pretrain_refusal(c)
    assert f"lr: {a}" in err.where and f"lambda_kl: {c}" in err.where
    assert err.fix == "set lr above 0 in a.yaml; set lambda_kl to a number of 0 or more in c.yaml"


def test_an_unknown_pretraining_option_names_its_yaml(tmp_path):
    b = _yaml(tmp_path, "b.yaml", "pretrain:\n  n_critc: 3\n")
    err = _pretrain_refusal(b)
    assert Path(err.path) == b and "n_critc (did you mean n_critic?)" in err.problem
    assert str(err).startswith(f"{b}: pretrain: unknown pre-training option(s) n_critc")


def test_pretraining_epochs_argument_is_told_as_the_argument():
    err = _pretrain_refusal(None, epochs=0)
    assert err.where == "the epochs argument (--epochs)" and err.path is None
    assert err.fix == "pass epochs a whole number, 1 or more (CLI: --epochs)"


def test_training_epochs_argument_is_told_as_the_argument():
    with pytest.raises(InputError) as info:
        resolve_config("small", None, "fcn", seed=0, device="cpu", epochs=0, task="classify")
    assert info.value.fix == "pass epochs a whole number, 1 or more (CLI: --epochs)"
    assert "train:" not in info.value.fix


def test_train_run_epochs_zero_is_told_as_the_argument(synthetic_bundle, tmp_path):
    import genemoe

    with pytest.raises(InputError) as info:
        genemoe.train_run(synthetic_bundle(), out_dir=tmp_path / "t", model_name="fcn",
                          epochs=0, progress=False)
    assert "`train:` section" not in str(info.value), str(info.value)
    assert "pass epochs a whole number, 1 or more (CLI: --epochs)" in info.value.fix
    assert not (tmp_path / "t").exists()


def test_a_training_value_and_the_argument_are_each_told_where(tmp_path):
    t = _yaml(tmp_path, "t.yaml", "train:\n  lr: -1\n")
    with pytest.raises(InputError) as info:
        resolve_config("small", t, "fcn", seed=0, device="cpu", epochs=0, task="classify")
    assert info.value.fix == ("pass epochs a whole number, 1 or more (CLI: --epochs); "
                              "set lr above 0 in t.yaml")
    with pytest.raises(InputError) as info:
        resolve_config("small", t, "fcn", seed=0, device="cpu", epochs=2, task="classify")
    assert Path(info.value.path) == t and info.value.fix == "set lr above 0 (in that file)"
