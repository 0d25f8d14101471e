"""A config path that is not there (or is a folder) is named as a path, not as --preset.

Old behaviour: ``genemoe pretrain --config runs/r1`` (a folder) or ``--config mine.txt``
(no such file) read "--preset: unknown preset 'runs/r1'": the wrong option, no file.
"""

from __future__ import annotations

import pytest

from genemoe.config_presets import load_preset
from genemoe.errors import InputError
from genemoe.train.pretrain_config import resolve_pretrain_config


def test_a_folder_given_as_the_config_is_named_as_a_folder(tmp_path):
    with pytest.raises(InputError) as err:
        resolve_pretrain_config("small", tmp_path)
    assert str(err.value) == (f"{tmp_path}: a folder, not a config YAML\n  fix: give a YAML "
                              "file (a run folder holds config.yaml) or a preset name (base, "
                              "paper, small)")


def test_a_missing_config_path_is_named_as_a_path(tmp_path):
    with pytest.raises(InputError) as err:
        load_preset(tmp_path / "mine.txt")
    assert err.value.path == tmp_path / "mine.txt" and "--preset" not in str(err.value)
    assert err.value.problem == "config file not found"


def test_a_misspelt_preset_is_said_with_the_nearest():
    with pytest.raises(InputError) as err:
        load_preset("smal")
    assert str(err.value).startswith("--preset: unknown preset 'smal' (did you mean small?)")
