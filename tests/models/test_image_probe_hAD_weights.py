"""Probe hAD (image transfer learning on real data): what ``--weights PATH`` reads.

- A weights file holding one tensor or a list ended in ``AttributeError: 'Tensor' object
  has no attribute 'items'``, a 25-line traceback naming neither the file nor the fix.
- A training checkpoint keeping its weights under ``model_state_dict`` (PyTorch's
  tutorial convention) was read as a state dict of two unexpected keys.
- A DataParallel or Lightning file (every key under ``module.`` or ``model.``) was refused.
- The frozen-random-network warning ran to 140 characters.
"""

from __future__ import annotations

import importlib.util
import logging

import pytest
import torch
from torch import nn

from genemoe.errors import InputError
from genemoe.models.backbones import _load_state_file
from genemoe.models.registry import create_model

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm, torchvision)")


class _Tiny(nn.Module):
    """What ``_load_state_file`` reads of a timm model: its parameters and the name of its
    ImageNet classifier in its ``pretrained_cfg``."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Linear(3, 2)
        self.pretrained_cfg = {"classifier": "fc"}


@pytest.mark.parametrize("held, said", [(torch.randn(3), "holds a Tensor"),
                                        ([1, 2], "holds a list")])
def test_a_file_not_holding_a_state_dict_is_one_error_naming_it(tmp_path, held, said):
    path = tmp_path / "w.pt"
    torch.save(held, path)
    with pytest.raises(InputError) as e:  # was: AttributeError ... has no attribute 'items'
        _load_state_file(_Tiny(), path, "resnet50")
    text = str(e.value)
    assert said in text and str(path) in text and "torch.save(model.state_dict()" in text


def test_a_state_dict_with_non_tensor_entries_names_them(tmp_path):
    path = tmp_path / "w.pt"
    state = dict(_Tiny().state_dict(), epoch=3)
    torch.save(state, path)
    with pytest.raises(InputError, match=r"1 of its 3 entries are not tensors \(epoch\)"):
        _load_state_file(_Tiny(), path, "resnet50")


def test_a_checkpoints_model_state_dict_loads(tmp_path):
    source = _Tiny()
    path = tmp_path / "checkpoint.pt"
    torch.save({"epoch": 3, "model_state_dict": source.state_dict()}, path)
    target = _Tiny()
    _load_state_file(target, path, "resnet50")  # was: missing features.*; unexpected epoch, ...
    torch.testing.assert_close(target.features.weight, source.features.weight)


@needs_timm
def test_the_frozen_random_warning_lines_are_short(caplog):

    with caplog.at_level(logging.WARNING, logger="genemoe"):
        create_model("resnet50", n_genes=20, n_outputs=2, task="classify", image_size=8,
                     weights="none", finetune="last_block")
    lines = [("warning: " if i == 0 else "") + ln  # the terminal's prefix on the first line
             for r in caplog.records for i, ln in enumerate(r.getMessage().splitlines())]
    assert any("frozen *random* network" in ln for ln in lines)
    assert max(map(len, lines)) <= 100, lines


@pytest.mark.parametrize("prefix", ["module.", "model."])
def test_a_state_dict_under_one_common_prefix_loads_and_says_so(tmp_path, caplog, prefix):
    """A DataParallel (``module.``) or Lightning (``model.``) file was refused as "missing
    2: features.bias, ...; unexpected 2: module.features.bias, ...": every key there."""
    source = _Tiny()
    path = tmp_path / "dp.pt"
    torch.save({prefix + k: v for k, v in source.state_dict().items()}, path)
    target = _Tiny()
    with caplog.at_level(logging.INFO, logger="genemoe"):
        _load_state_file(target, path, "resnet50")
    torch.testing.assert_close(target.features.weight, source.features.weight)
    assert f"without their common prefix '{prefix}'" in caplog.text


def test_a_prefix_that_fits_nothing_is_still_refused(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"module.conv9.weight": torch.zeros(2)}, path)
    with pytest.raises(InputError, match="unexpected 1: module.conv9.weight"):
        _load_state_file(_Tiny(), path, "resnet50")
