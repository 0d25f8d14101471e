"""Inference: a model's outputs for every row of a matrix, in eval mode, in batches.

:func:`predict_outputs` is the public entry point (re-exported by
:mod:`genemoe.train.loop`); :func:`predict_tensor` is the tensor-level loop the trainer's
validation shares with it, and :func:`autocast_dtype` the AMP dtype both use.
"""

from __future__ import annotations

import copy
import logging
from typing import Literal

import numpy as np
import torch
from torch import nn

from genemoe.errors import input_error
from genemoe.train import distributed as ddp
from genemoe.train import sampling
from genemoe.train.scaled_rows import ScaledRows

__all__ = ["predict_outputs", "predict_tensor", "autocast_dtype"]

logger = logging.getLogger(__name__)

Device = Literal["auto", "cpu", "cuda"]


def autocast_dtype(device: torch.device, amp: bool) -> torch.dtype | None:
    """The autocast dtype of ``amp`` on ``device``.

    Parameters
    ----------
    device
        Where the forward runs.
    amp
        Whether autocast is wanted.

    Returns
    -------
    torch.dtype or None
        bf16 on CUDA where supported, else fp16 on CUDA; None (no autocast) on CPU or
        when ``amp`` is off.
    """
    if not amp or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def predict_outputs(model: nn.Module, X: np.ndarray | torch.Tensor | ScaledRows, *,
                    batch_size: int = 1024, device: Device | str | torch.device = "auto",
                    amp: bool = False, precision: Literal["fp32", "bf16"] = "fp32") -> np.ndarray:
    """Model outputs for every row of ``X``, in eval mode, in batches.

    Parameters
    ----------
    model
        A ``GeneModel`` (moved to ``device``; its train/eval mode is restored afterwards;
        its dtype is never changed).
    X
        ``(n_samples, n_genes)`` float32, or a lazy
        :class:`~genemoe.train.scaled_rows.ScaledRows` view (read one batch at a time).
    batch_size
        Rows per forward pass.
    device
        ``"auto"``, ``"cpu"``, ``"cuda"`` or a ``torch.device``.
    amp
        Autocast (CUDA only; ignored on CPU). Applies to ``precision="fp32"``.
    precision
        ``"fp32"`` (default): the model as it is. ``"bf16"``: the forward runs in bfloat16
        (~2x faster on CPUs with bf16 matmuls, ~3 significant digits): on CPU a bfloat16
        copy of the model (floating parameters and buffers cast; integer and bool buffers
        kept) reads bfloat16 inputs; on CUDA bf16 autocast. Gates that route in float32
        still do. Outputs are returned in float32 either way.

    Returns
    -------
    np.ndarray
        ``(n_samples, n_outputs)`` float32: logits (classify) or risk (survival).

    Raises
    ------
    InputError
        Unknown ``precision``; ``"bf16"`` on a GPU without bfloat16, or a model whose
        forward fails or gives non-finite outputs in bfloat16 (the fix: ``precision="fp32"``).
    """
    if precision not in ("fp32", "bf16"):
        raise input_error(f"unknown precision {precision!r}", where="precision",
                          fix="use fp32 (default) or bf16")
    dev = ddp.resolve_device(device)
    model = ddp.unwrap_model(model).to(dev)
    X = X if isinstance(X, torch.Tensor) else sampling.as_matrix(X, "X")
    if precision == "fp32":
        return predict_tensor(model, X, batch_size, dev, autocast_dtype(dev, amp)).cpu().numpy()
    name = type(model).__name__
    if dev.type == "cuda":
        if not torch.cuda.is_bf16_supported():
            raise input_error(f"this GPU ({torch.cuda.get_device_name(dev)}) has no bfloat16",
                              where="precision bf16", fix="use fp32 (omit --precision)")
        net, amp_dtype, input_dtype = model, torch.bfloat16, None
    else:  # a bf16 copy: the caller's model stays as it is
        with torch.no_grad():
            net = copy.deepcopy(model).to(torch.bfloat16)  # .to(dtype) skips int/bool buffers
        amp_dtype, input_dtype = None, torch.bfloat16
    try:
        out = predict_tensor(net, X, batch_size, dev, amp_dtype, input_dtype=input_dtype)
    except (RuntimeError, NotImplementedError, TypeError) as exc:
        if not any(s in str(exc).lower() for s in ("bfloat16", "dtype", "scalar type")):
            raise
        raise input_error(f"{name} cannot run in bfloat16 ({exc})", where="precision bf16",
                          fix="use fp32 (omit --precision, or precision='fp32')") from exc
    finite = torch.isfinite(out).all(1)
    if not bool(finite.all()):
        raise input_error(f"{name} gave non-finite outputs in bfloat16 for "
                          f"{int((~finite).sum())} of {len(finite)} samples",
                          where="precision bf16", fix="use fp32 (omit --precision, or precision='fp32')")
    return out.cpu().numpy()


def predict_tensor(model: nn.Module, X: torch.Tensor | ScaledRows, batch_size: int,
                   device: torch.device, amp_dtype: torch.dtype | None, *,
                   input_dtype: torch.dtype | None = None) -> torch.Tensor:
    """All outputs of ``model`` on ``X``, grad off, in eval mode (its mode restored).

    Parameters
    ----------
    model
        On ``device``.
    X
        ``(n, n_genes)`` float32, on any device, or a lazy
        :class:`~genemoe.train.scaled_rows.ScaledRows` view (read one batch at a time).
    batch_size
        Rows per forward pass.
    device
        Where the forward runs.
    amp_dtype
        Autocast dtype, or None for no autocast.
    input_dtype
        Cast each batch to this dtype (``torch.bfloat16`` for a bf16 model), or None to
        keep float32.

    Returns
    -------
    torch.Tensor
        ``(n, n_outputs)`` float32 on ``device``.
    """
    was_training = model.training
    model.eval()
    try:
        outs = []
        autocast = torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None)
        with torch.no_grad(), autocast:
            for i in range(0, X.shape[0], batch_size):
                xb = torch.as_tensor(X[i : i + batch_size]).to(device, non_blocking=True)
                if input_dtype is not None:
                    xb = xb.to(input_dtype)
                outs.append(model(xb).out.float())
        if not outs:  # an empty shard of the validation split
            return torch.empty((0, getattr(model, "n_outputs", 1)), device=device)
        return torch.cat(outs)
    finally:
        model.train(was_training)
