"""A refused config value names the file that set it (or the argument), not ``--config``
whatever it was: a ``--preset`` file's ``class_alpha: inverse_sqr`` read "c.yaml: ...", so
did one in a file ``--config`` extends, and ``epochs=0`` passed to resolve_config too."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.errors import InputError
from genemoe.train.fit import resolve_config

BAD = "extends: small\ntrain:\n  class_alpha: inverse_sqr\n"


def _write(tmp_path: Path, **files: str) -> dict[str, Path]:
    out = {}
    for name, body in files.items():
        (path := tmp_path / f"{name}.yaml").write_text(body, encoding="utf-8")
        out[name] = path
    return out


def _refusal(preset: str | Path, config: Path | None, *, epochs: int | None = 2,
             model: str = "logreg", task: str = "classify") -> InputError:
    with pytest.raises(InputError) as info:
        resolve_config(str(preset), config, model, seed=0, device="cpu", epochs=epochs, task=task)
    return info.value


def test_a_bad_value_in_the_preset_file_names_the_preset(tmp_path: Path) -> None:
    f = _write(tmp_path, p=BAD, c="train:\n  lr: 0.01\n")
    err = _refusal(f["p"], f["c"])
    assert Path(err.path) == f["p"] and err.where == "train.class_alpha"


def test_a_bad_value_in_a_file_the_config_extends_names_that_file(tmp_path: Path) -> None:
    f = _write(tmp_path, p=BAD, c2="extends: p.yaml\ntrain:\n  lr: 0.01\n")
    err = _refusal("small", f["c2"])
    assert Path(err.path) == f["p"] and err.where == "train.class_alpha"


def test_the_config_that_sets_it_last_is_named(tmp_path: Path) -> None:
    f = _write(tmp_path, p="extends: small\ntrain:\n  class_alpha: inverse\n",
               c="train:\n  class_alpha: invers\n")
    assert Path(_refusal(f["p"], f["c"]).path) == f["c"]


def test_an_argument_is_named_as_the_argument_not_a_file(tmp_path: Path) -> None:
    f = _write(tmp_path, c="train:\n  lr: 0.01\n")
    err = _refusal("small", f["c"], epochs=0)
    assert err.path is None and "epochs" in err.where and "--epochs" in err.where
    assert "epochs=0" in err.problem


def test_a_misspelt_option_in_the_preset_file_names_it(tmp_path: Path) -> None:
    f = _write(tmp_path, p="extends: small\ntrain:\n  label_smothing: 0.1\n",
               c="train:\n  lr: 0.01\n")
    err = _refusal(f["p"], f["c"])
    assert Path(err.path) == f["p"] and "label_smothing" in err.problem


def test_a_model_value_in_an_extended_file_names_it(tmp_path: Path) -> None:
    f = _write(tmp_path, k="extends: small\nmodel:\n  genemoe:\n    k: 9\n    n_experts: 4\n",
               c="extends: k.yaml\ntrain:\n  lr: 0.01\n")
    err = _refusal("small", f["c"], model="genemoe")
    assert Path(err.path) == f["k"] and err.where == "model.genemoe.k"


def test_several_bad_values_name_each_ones_source(tmp_path: Path) -> None:
    """``epochs=0, lr=-1.0``: only the first key's source was named (the argument), and
    the preset file that wrote ``lr: -1`` went unsaid."""
    f = _write(tmp_path, p="extends: small\ntrain:\n  lr: -1.0\n", c="train:\n  lr: -1.0\n")
    err = _refusal(f["p"], None, epochs=0)
    assert "epochs=0" in err.problem and "lr=-1.0" in err.problem
    assert "epochs: the epochs argument (--epochs)" in err.where and f"lr: {f['p']}" in err.where
    err = _refusal("small", f["c"], epochs=0)
    assert f"lr: {f['c']}" in err.where
