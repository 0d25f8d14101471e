"""Config values refused when the config is resolved, naming the file and the key path:
before any fit (a benchmark trained its first cell before refusing ``class_alpha``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.errors import InputError
from genemoe.train.fit import resolve_config


def _resolve(tmp_path: Path, body: str, model: str = "logreg") -> None:
    path = tmp_path / "p.yaml"
    path.write_text("extends: small\n" + body, encoding="utf-8")
    resolve_config(str(path), None, model, seed=0, device="cpu", epochs=2, task="classify")


def test_unknown_class_alpha_names_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        _resolve(tmp_path, "train:\n  class_alpha: inverse_sqr\n")
    said = str(info.value)
    assert said.startswith(f"{tmp_path / 'p.yaml'}: train.class_alpha: unknown class_alpha")
    assert "inverse, inverse_sqrt, none" in said


def test_k_above_n_experts_names_model_genemoe_k(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"p\.yaml: model\.genemoe\.k: k is 10"):
        _resolve(tmp_path, "model:\n  genemoe:\n    k: 10\n    n_experts: 6\n", "genemoe")


def test_quoted_lr_is_said_to_be_text(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"train\.lr: lr is the text '1e-3' \(in quotes\)") as info:
        _resolve(tmp_path, 'train:\n  lr: "1e-3"\n')
    assert "write it without quotes: lr: 1e-3" in str(info.value)


def test_unquoted_lr_1e_3_is_a_number(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("extends: small\ntrain:\n  lr: 1e-3\n", encoding="utf-8")
    _, _, train = resolve_config(str(path), None, "fcn", seed=0, device="cpu", epochs=2,
                                 task="classify")
    assert train["lr"] == 0.001


def test_bad_model_option_of_a_preset_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"p\.yaml: model\.logreg: C is 'big'"):
        _resolve(tmp_path, "model:\n  logreg:\n    C: big\n")


def test_unknown_train_option_of_a_preset_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"p\.yaml: unknown training option epoch"):
        _resolve(tmp_path, "train:\n  epoch: 2\n")
