"""A YAML's unknown `extends:` is refused naming the YAML (a probe: "warning: c7.yaml extends
nope: its values override --preset small's", then "--preset: unknown preset 'nope'")."""

from __future__ import annotations

import logging

import pytest

from genemoe.errors import InputError
from genemoe.train.fit import resolve_config
from genemoe.train.pretrain_config import resolve_pretrain_config


@pytest.mark.parametrize("resolve", ["train", "pretrain"])
def test_an_unknown_extends_names_the_yaml_and_no_override_is_warned(tmp_path, caplog, resolve):
    cfg = tmp_path / "c7.yaml"
    cfg.write_text("extends: nope\n")
    with caplog.at_level(logging.WARNING), pytest.raises(InputError) as err:
        if resolve == "train":
            resolve_config("small", cfg, "fcn", seed=0, device="cpu", epochs=None, task="classify")
        else:
            resolve_pretrain_config("small", cfg)
    assert str(err.value).startswith(f"{cfg}: extends: unknown preset 'nope'")
    assert "--preset:" not in str(err.value) and "override" not in caplog.text
