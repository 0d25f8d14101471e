"""``--device cuda:0`` (one GPU of several, as torch names it) passed the commands' device
check (``resolve_device``) and was then refused by the config's as "unknown device
'cuda:0'" (fix: "use auto, cpu or cuda"), and by ``TrainConfig``; every check now takes
``auto``, ``cpu``, ``cuda`` and ``cuda:N`` alike."""

from __future__ import annotations

import pytest
import torch

from genemoe.errors import InputError
from genemoe.train.distributed import is_device_name, resolve_device
from genemoe.train.fit import resolve_config
from genemoe.train.train_config import TrainConfig


@pytest.mark.parametrize("name", ["auto", "cpu", "cuda", "cuda:0", "cuda:12"])
def test_device_names_are_taken_by_every_check(name):
    assert is_device_name(name)
    _, _, train_cfg = resolve_config("small", None, "fcn", seed=0, device=name, epochs=1,
                                     task="classify")
    assert train_cfg["device"] == name
    TrainConfig(device=name)  # __post_init__ checks it


@pytest.mark.parametrize("name", ["gpu", "cuda:", "cuda0", "CUDA", "cpu:0"])
def test_other_names_are_refused_naming_cuda_n(name):
    assert not is_device_name(name)
    with pytest.raises(InputError, match=r"--device: unknown device(.|\n)*cuda:N"):
        resolve_config("small", None, "fcn", seed=0, device=name, epochs=1, task="classify")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_0_without_a_gpu_is_refused_as_missing_not_unknown():
    with pytest.raises(InputError, match="cuda:0 was asked for, but this machine's torch sees "
                                         "no CUDA GPU"):
        resolve_device("cuda:0")
