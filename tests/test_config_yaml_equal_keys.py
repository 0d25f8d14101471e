"""The config YAML reader refuses two keys YAML reads as one value, whatever their spelling.

Old behaviour: keys were compared as written, so ``true:`` and ``True:`` (both the boolean
True), ``1:`` and ``1.0:``, ``~:`` and ``null:`` collapsed silently into one, the last kept.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genemoe.config_presets import read_config_yaml
from genemoe.config_yaml import DuplicateKeyError, yaml_load
from genemoe.errors import InputError


@pytest.mark.parametrize(("text", "first", "second"), [
    ("true: 1\nTrue: 2\n", "true", "True"),
    ("a:\n  1: x\n  1.0: y\n", "1", "1.0"),
    ("~: 1\nnull: 2\n", "~", "null"),
    ("yes: 1\non: 2\n", "yes", "on"),
    ("1: a\ntrue: b\n", "1", "true"),  # a Python dict holds 1 and True as one key
])
def test_keys_read_as_one_value_are_refused_naming_both_spellings(text: str, first: str,
                                                                  second: str) -> None:
    with pytest.raises(DuplicateKeyError) as info:
        yaml_load(text)
    err = info.value
    assert err.spellings == (first, second)
    assert err.key_path.endswith(f"{first} / {second}")
    assert f"'{first}' and '{second}' are read as one key" in str(err)


def test_the_config_file_refusal_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  epochs: 2\nmodel:\n  true: 1\n  True: 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"model\.true / True is given twice, on lines 4 and 5"):
        read_config_yaml(path)


def test_distinct_values_and_merges_are_kept() -> None:
    assert yaml_load("a: 1\n'1': 2\n1: 3\n") == {"a": 1, "1": 2, 1: 3}
    assert yaml_load("'true': 1\ntrue: 2\n") == {"true": 1, True: 2}
    assert yaml_load("x: &A {a: 1}\ny:\n  <<: *A\n  b: 2\n") == {"x": {"a": 1},
                                                                 "y": {"a": 1, "b": 2}}


@pytest.mark.parametrize(("text", "words"), [
    ("model:\n  1: 1\n  1.0: 2\n", "write the key (1 or 1.0) once"),  # was "write 0 once"
    ("model:\n  true: 1\n  True: 2\n", "write the key (true or True) once"),
    ("train:\n  epochs: 2\n  epochs: 3\n", "write epochs once"),
])
def test_the_fix_names_the_key_as_written(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(words)):
        read_config_yaml(path)
