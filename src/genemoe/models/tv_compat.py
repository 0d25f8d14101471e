"""Make ``import torchvision`` (hence ``import timm``) work on a CPU-only torch.

The only torchvision wheel on the package index for torch 2.13 is a CUDA build
(``0.28.0+cu130``). On a CPU-only torch its compiled extension (``torchvision._C``) does
not load; torchvision tolerates that (its ops then say so when called), except for two
unconditional ``torch.library.register_fake("torchvision::nms")`` / ``("torchvision::qnms")``
lines, which need the operator *schema* to exist and fail with
``RuntimeError: operator torchvision::nms does not exist``. That error breaks ``import timm``.

:func:`ensure_torchvision_importable` imports torchvision once; only if that import fails
with exactly this error does it define the missing schemas (schema only: no kernel, so a
detection op such as ``torchvision.ops.nms`` still refuses, as torchvision does without its
extension) and import again. A healthy torchvision is imported untouched; the classification
backbones genemoe uses need none of these operators.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import re
import sys
from typing import Literal

import torch

__all__ = ["ensure_torchvision_importable", "TorchvisionState", "SCHEMAS"]

log = logging.getLogger(__name__)

TorchvisionState = Literal["healthy", "patched", "absent"]

# torchvision's operator schemas (torchvision/csrc/ops/*.cpp, TORCH_LIBRARY_FRAGMENT), by name.
# Only the ones an import reports missing are defined.
SCHEMAS: dict[str, str] = {
    "nms": "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "roi_align": "(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
                 "SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor",
    "_roi_align_backward": "(Tensor grad, Tensor rois, float spatial_scale, SymInt pooled_height, "
                           "SymInt pooled_width, SymInt batch_size, SymInt channels, SymInt height, "
                           "SymInt width, int sampling_ratio, bool aligned) -> Tensor",
    "roi_pool": "(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
                "SymInt pooled_width) -> (Tensor, Tensor)",
    "ps_roi_align": "(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
                    "SymInt pooled_width, int sampling_ratio) -> (Tensor, Tensor)",
    "ps_roi_pool": "(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
                   "SymInt pooled_width) -> (Tensor, Tensor)",
    "deform_conv2d": "(Tensor input, Tensor weight, Tensor offset, Tensor mask, Tensor bias, "
                     "SymInt stride_h, SymInt stride_w, SymInt pad_h, SymInt pad_w, "
                     "SymInt dilation_h, SymInt dilation_w, SymInt groups, SymInt offset_groups, "
                     "bool use_mask) -> Tensor",
}
_MISSING = re.compile(r"operator torchvision::(\w+) does not exist")

_state: TorchvisionState | None = None
_library: torch.library.Library | None = None  # kept alive: a collected Library unregisters


def _has_op(name: str) -> bool:
    try:
        getattr(torch.ops.torchvision, name)
    except (AttributeError, RuntimeError):
        return False
    return True


def _define(name: str) -> None:
    global _library
    if _library is None:
        _library = torch.library.Library("torchvision", "FRAGMENT")
    _library.define(f"{name}{SCHEMAS[name]}")


def _forget_partial_import() -> None:
    for mod in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[mod]


def _import_patching() -> TorchvisionState:
    """Import torchvision, defining each schema the import reports missing."""
    patched: list[str] = []
    for _ in range(len(SCHEMAS) + 1):
        try:
            importlib.import_module("torchvision")
        except RuntimeError as exc:
            m = _MISSING.search(str(exc))
            name = m.group(1) if m else None
            if name is None or name not in SCHEMAS or name in patched or _has_op(name):
                raise
            _forget_partial_import()
            _define(name)
            patched.append(name)
            continue
        if patched:
            log.info("torchvision: defined missing operator schema(s) %s (CPU-only torch with a "
                     "torchvision built for CUDA)", ", ".join(patched))
            return "patched"
        return "healthy"
    raise RuntimeError("torchvision import kept failing after defining " + ", ".join(patched))


def ensure_torchvision_importable() -> TorchvisionState:
    """Import torchvision so that ``import timm`` works; idempotent.

    Returns
    -------
    str
        ``"healthy"``: torchvision imported as is; ``"patched"``: the import needed missing
        operator schemas (``torchvision::nms``, ...), now defined; ``"absent"``: torchvision
        is not installed (nothing done). Any other import failure propagates.
    """
    global _state
    if _state is not None:
        return _state
    if "torchvision" in sys.modules and hasattr(sys.modules["torchvision"], "__version__"):
        _state = "healthy"  # imported by someone else already, successfully
    elif importlib.util.find_spec("torchvision") is None:
        _state = "absent"
    else:
        _state = _import_patching()
    return _state
