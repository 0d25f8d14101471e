"""The config YAML reader: a key given twice and a UTF-16 file are refused, named."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.config_presets import load_preset, read_config_yaml
from genemoe.errors import InputError


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_repeated_section_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "extends: small\ntrain:\n  epochs: 2\nmodel:\n  logreg:\n"
                            "    C: 0.5\ntrain:\n  lr: 0.01\n")
    with pytest.raises(InputError) as info:
        read_config_yaml(path)
    said = str(info.value)
    assert str(path) in said and "train is given twice, on lines 2 and 7" in said


def test_repeated_nested_key_names_its_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "model:\n  genemoe:\n    k: 2\n    n_experts: 4\n    k: 3\n")
    with pytest.raises(InputError, match=r"model\.genemoe\.k is given twice, on lines 3 and 5"):
        load_preset(path)


def test_same_key_in_two_mappings_is_fine(tmp_path: Path) -> None:
    path = _write(tmp_path, "model:\n  fcn: {dropout: 0.1}\n  mlp: {dropout: 0.2}\n"
                            "train:\n  lr: 1e-3\n")
    cfg = read_config_yaml(path)
    assert cfg["model"]["mlp"]["dropout"] == 0.2 and cfg["train"]["lr"] == 0.001


def test_utf16_config_names_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "u16.yaml"
    path.write_text("train:\n  epochs: 2\n", encoding="utf-16")
    with pytest.raises(InputError, match="saved as UTF-16 text, not UTF-8") as info:
        read_config_yaml(path)
    assert "save it as UTF-8" in str(info.value)


def test_utf8_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbftrain:\r\n  epochs: 2\r\n")
    assert read_config_yaml(path) == {"train": {"epochs": 2}}
