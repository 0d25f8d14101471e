"""ImageNet CNN backbones (timm) on gene images: the transfer-learning family.

``resnet50``, ``densenet169``, ``vgg19`` and ``xception`` (timm's ``legacy_xception``) take
the scaled gene vector ``(B, n_genes)`` like every genemoe model:

gene vector → :class:`~genemoe.models.image.GeneToImage` (a fixed gene → pixel layout, the
same layouts as ``hybrid_cnn``) → one channel replicated to 3 → bilinear resize to
``image_size`` (64 by default, on any device; 224 is the paper's) → normalised with the backbone's
own mean/std (timm ``pretrained_cfg``) → timm ``forward_features`` → global average pool →
dropout → the linear head.

Pixel values: the scaled genes (``input_scaling``, fitted on the training rows: about −2.4
to 3.3 under the default ``global``) are not the [0, 1] pixels ImageNet's mean/std and
layers expect; fed as they are they became images of about −12 to 7, 4.4 times the
contrast the pretrained early layers and their frozen BatchNorm statistics were fitted on.
A backbone with pretrained weights (``imagenet`` or a file) therefore first maps the window
of ±3 training standard deviations onto [0, 1] (:data:`PIXEL_WINDOW`; values beyond it are
kept, not clipped, so attributions still add up), then applies the mean/std. A random-init
backbone (``weights: none``) keeps the scaled values as they are (its numbers unchanged:
it learns its own early layers). The window is a buffer saved with the weights, so predict
and explain apply the run's own mapping; a model saved before the window existed loads
without it (the identity, as it was trained), and the run's image record says which
mapping was used (``pixel_mapping``).

Options (YAML ``model: {resnet50: {...}}``): ``layout`` (reshape | genomic | similarity),
``embedding`` (pca | tsne: how ``similarity`` places genes; pca by default),
``grid_size`` (layout grid side; default the smallest square holding every gene, or the
image size where that square is larger: genes then share pixels instead of being skipped by
the resize),
``layout_state`` / ``gene_order`` (as for ``hybrid_cnn``), ``image_size``,
``weights`` (``imagenet`` | ``none`` | a state-dict file with timm key names), ``finetune``
(``auto`` (default: ``last_block``, as in the paper, on pretrained weights; ``all`` on
``weights: none``) | ``head`` | ``last_block`` | ``all``) and ``dropout``.

timm is optional (``pip install 'genemoe[image]'``); it is imported when a backbone is
built, after :func:`~genemoe.models.tv_compat.ensure_torchvision_importable`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genemoe.config_presets import check_config_keys
from genemoe.errors import InputError, input_error
from genemoe.models.base import GeneModel, Task
from genemoe.models.image import (
    GeneToImage,
    Layout,
    _model_layout,
    check_image_sides,
    fit_layout,
    has_positions,
    input_scaling,
    layout_embedding,
)
from genemoe.models.registry import register_model, signature_defaults
from genemoe.models.tv_compat import ensure_torchvision_importable
from genemoe.text_wrap import wrapped

__all__ = ["BACKBONES", "BACKBONE_KEYS", "Backbone", "ImageBackbone", "create_backbone", "finetune_depth",
           "import_timm", "fit_image_layout", "PIXEL_WINDOW", "check_weights", "said_name"]

log = logging.getLogger(__name__)

Finetune = Literal["head", "last_block", "all"]
BACKBONE_KEYS = ("layout", "embedding", "grid_size", "gene_order", "layout_state",
                 "image_size", "weights", "finetune", "dropout", "input_scaling")
# scaled values (training standard deviations) a pretrained backbone maps onto [0, 1]
PIXEL_WINDOW = (-3.0, 3.0)
_IDENTITY = (0.0, 1.0)  # (x - 0) / (1 - 0): the scaled values as they are


@dataclass(frozen=True)
class Backbone:
    """A timm architecture and what ``finetune: last_block`` leaves trainable."""

    timm_name: str
    last_block: tuple[str, ...]  # module name prefixes inside the timm model
    kwargs: tuple[tuple[str, Any], ...] = ()  # extra timm.create_model arguments
    min_image_size: int = 1  # below it a pooling step leaves no pixel (measured, timm 1.0.31)


BACKBONES: dict[str, Backbone] = {
    # timm zero-initialises each block's last BN scale, so a random-init residual branch gets
    # no gradient on the first step; genemoe's contract (every trainable weight learns from
    # step one) wants it off. Loaded weights overwrite the init either way.
    "resnet50": Backbone("resnet50", ("layer4",), (("zero_init_last", False),)),
    "densenet169": Backbone("densenet169", ("features.denseblock4", "features.norm5"),
                            min_image_size=29),
    # conv5_1 .. conv5_4 (features 28, 30, 32, 34; the ReLUs and pool have no weights)
    "vgg19": Backbone("vgg19", ("features.28", "features.30", "features.32", "features.34"),
                      min_image_size=32),
    # the exit flow: block12 and the two separable convs after it
    "xception": Backbone("legacy_xception", ("block12", "conv3", "bn3", "conv4", "bn4"),
                         min_image_size=7),
}


def import_timm() -> Any:
    """``timm``, importable on a CPU-only torch (see :mod:`genemoe.models.tv_compat`)."""
    try:
        ensure_torchvision_importable()
        import timm
    except ImportError as exc:
        raise input_error(f"the image backbones need timm and torchvision ({exc})", where="--model",
                          fix="pip install 'genemoe[image]' (README: Image transfer learning)") from exc
    return timm


def _in_block(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class ImageBackbone(GeneModel):
    """A timm CNN reading a gene image; see the module docstring.

    Parameters
    ----------
    layout, fitted
        The gene → pixel map (as :class:`~genemoe.models.image.HybridCnn`).
    backbone
        A timm model built with ``num_classes=0`` (its ``forward_features`` is used).
    spec
        Which blocks ``finetune: last_block`` trains.
    image_size
        Side of the square image the backbone sees.
    finetune
        ``head``: only the head trains; ``last_block``: the last block and the head;
        ``all``: everything. Frozen BatchNorm layers keep their running statistics.
    pixel_window
        ``(lo, hi)``: the scaled values mapped onto [0, 1] before the backbone's mean/std
        (:data:`PIXEL_WINDOW` for pretrained weights); None: none (random init).
    """

    def __init__(self, n_genes: int, n_outputs: int, *, task: Task, layout: Layout, fitted: bool,
                 backbone: nn.Module, spec: Backbone, image_size: int = 64,
                 finetune: Finetune = "last_block", dropout: float = 0.5,
                 pixel_window: tuple[float, float] | None = None) -> None:
        super().__init__(n_genes, n_outputs, task=task, n_features=int(backbone.num_features))
        if layout.n_genes != n_genes:
            raise input_error(f"layout covers {layout.n_genes} genes, the model {n_genes}", where="layout")
        self.to_image = GeneToImage(layout, fitted=fitted)
        self.backbone = backbone
        self.spec = spec
        self.image_size = int(image_size)
        cfg = backbone.pretrained_cfg
        self.register_buffer("mean", torch.tensor(cfg.get("mean", (0.5,) * 3)).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(cfg.get("std", (0.5,) * 3)).view(1, 3, 1, 1))
        self.register_buffer("pixel_window", torch.tensor(pixel_window or _IDENTITY))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(dropout)
        self.set_finetune(finetune)

    def set_finetune(self, finetune: Finetune) -> None:
        """Freeze the backbone according to ``finetune``; the head always trains."""
        if finetune not in ("head", "last_block", "all"):
            raise input_error(f"unknown finetune policy {finetune!r}", where="finetune",
                              fix="use auto, head, last_block or all")
        self.finetune = finetune
        for name, p in self.backbone.named_parameters():
            p.requires_grad_(finetune == "all"
                             or (finetune == "last_block" and _in_block(name, self.spec.last_block)))
        self.train(self.training)

    @property
    def pixel_mapping(self) -> str:
        """The mapping of scaled values to pixels, in words (the run's image record)."""
        lo, hi = (float(v) for v in self.pixel_window)
        if (lo, hi) == _IDENTITY:
            return "none: the scaled values as they are, then the backbone's mean/std"
        return (f"scaled values {lo:g}..{hi:g} (training standard deviations) onto 0..1, "
                "then the backbone's ImageNet mean/std")

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args: Any, **kwargs: Any) -> None:
        # a model saved before the window existed was trained without one: the identity
        state_dict.setdefault(prefix + "pixel_window", torch.tensor(_IDENTITY))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def train(self, mode: bool = True) -> ImageBackbone:
        super().train(mode)
        if mode:  # frozen BatchNorm: keep the (pre-trained) running statistics
            for m in self.backbone.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm) and not any(
                        p.requires_grad for p in m.parameters()):
                    m.eval()
        return self

    def images(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, 3, S, S)
        img = self.to_image(x)  # (B, 1, H, W)
        if img.shape[-2:] != (self.image_size, self.image_size):
            # antialias: a downsized grid averages its pixels instead of skipping most of them
            img = F.interpolate(img, size=(self.image_size, self.image_size), mode="bilinear",
                                align_corners=False,
                                antialias=img.shape[-1] > self.image_size)
        lo, hi = self.pixel_window[0], self.pixel_window[1]
        img = (img - lo) / (hi - lo)  # pretrained: onto [0, 1], as ImageNet's pixels
        return (img.expand(-1, 3, -1, -1) - self.mean) / self.std

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, d)
        return self.pool(self.backbone.forward_features(self.images(x))).flatten(1)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:  # (B, d) -> (B, n_out)
        return self.head(self.drop(features))


_GENEMOE_RUN_FIX = "pass a timm state dict (timm key names), or weights: none | imagenet"


def _genemoe_model_file(path: Path) -> bool:
    """Whether ``path`` is a genemoe model file (a run's ``model.pt``), read without
    unpickling: torch's zip archive whose pickle names the format ``genemoe-model``."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            return bool(pickles) and b"genemoe-model" in archive.read(pickles[0])
    except (OSError, zipfile.BadZipFile, KeyError):
        return False


def _not_a_weights_file(path: Path) -> tuple[str, str] | None:
    """``(what, fix)`` where ``path`` is a folder or a genemoe model file, not a weights file
    (a run's ``model.pt`` was "weights file not found" as a folder, and as a file 13 lines of
    torch's unpickling advice, 370 characters wide); None otherwise."""
    if path.is_dir():
        if (path / "model.pt").is_file():
            return "a genemoe run folder, not a weights file", _GENEMOE_RUN_FIX
        return "a folder, not a weights file", "pass a state-dict file, or weights: none | imagenet"
    if path.is_file() and _genemoe_model_file(path):
        return "a genemoe run's model file, not a timm state dict", _GENEMOE_RUN_FIX
    return None


def _first_line(exc: Exception, width: int = 120) -> str:
    """``Type: first line of the message``, cut to ``width`` characters."""
    text = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
    return text if len(text) <= width else text[:width - 3] + "..."


_WRAPPERS = ("state_dict", "model", "model_state_dict")  # a training checkpoint's weights key
_STATE_FIX = "pass a state dict file: torch.save(model.state_dict(), path), or weights: none"


def _tensor_state(state: Any, path: Path) -> dict[str, torch.Tensor]:
    """The ``name → tensor`` state dict a weights file holds: the file's object itself or,
    in a training checkpoint, the one under ``state_dict``, ``model`` or
    ``model_state_dict``. Anything else is refused naming what the file holds (a file of
    one tensor or a list ended in ``AttributeError: 'Tensor' object has no attribute
    'items'``, a 25-line traceback)."""
    for key in _WRAPPERS:
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
            break
    if not isinstance(state, dict):
        raise input_error(f"holds a {type(state).__name__}, not a state dict", path=path,
                          where="weights", fix=_STATE_FIX)
    other = sorted(str(k) for k, v in state.items() if not isinstance(v, torch.Tensor))
    if other:
        few = ", ".join(other[:4]) + (f" (+{len(other) - 4} more)" if len(other) > 4 else "")
        raise input_error(f"not a state dict: {len(other)} of its {len(state)} entries are not "
                          f"tensors ({few})", path=path, where="weights", fix=_STATE_FIX)
    return state


def _unprefixed(state: dict[str, torch.Tensor], own: set[str], path: Path) -> dict[str, torch.Tensor]:
    """``state`` without the one prefix every key carries where the keys fit only without
    it (``module.`` of a DataParallel, ``model.`` of a Lightning checkpoint), said on the
    terminal; ``state`` as it is otherwise. Such a file was refused as "missing 320 ...;
    unexpected 322: module.bn1.bias, ...", its keys all there under the prefix."""
    heads = {k.split(".", 1)[0] for k in state}
    if len(heads) != 1 or not all("." in k for k in state) or own & set(state):
        return state
    prefix = f"{heads.pop()}."
    bare = {k[len(prefix):]: v for k, v in state.items()}
    if not own & set(bare):
        return state
    log.info("weights %s: keys read without their common prefix %r", path.name, prefix)
    return bare


def _load_state_file(model: nn.Module, path: Path, arch: str, *, said: str | None = None) -> None:
    """Load a timm-keyed state dict file into ``model`` (timm's ``arch``; ``said``: the
    backbone as the error names it, :func:`said_name`); the ImageNet head's keys (the
    classifier and VGG's ``pre_logits``, unused by genemoe) are ignored in the file and in
    the model alike (the model's were counted missing: no VGG-19 file could load). Keys that
    do not fit are said a kind a line (one line of 291 characters)."""
    if (bad := _not_a_weights_file(path)) is not None:
        raise input_error(bad[0], path=path, where="weights", fix=bad[1])
    if not path.is_file():
        raise input_error("weights file not found", path=path, where="weights",
                          fix="pass an existing state-dict file, or weights: none | imagenet")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # unreadable / not a tensor file
        raise input_error(f"not a PyTorch or timm weights file: reading it gave "
                          f"{_first_line(exc)}", path=path, where="weights",
                          fix="pass a state dict saved with torch.save(model.state_dict(), path) "
                              "or a .safetensors file, or weights: none | imagenet") from exc
    state = _unprefixed(_tensor_state(state, path), set(model.state_dict()), path)
    classifier = model.pretrained_cfg.get("classifier", "fc")
    ignored = (classifier, "pre_logits")  # ImageNet heads: genemoe has its own
    state = {k: v for k, v in state.items() if not _in_block(k, ignored)}
    own = {k: v for k, v in model.state_dict().items() if not _in_block(k, ignored)}
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = sorted(k for k in set(own) & set(state) if own[k].shape != state[k].shape)
    if missing or unexpected or wrong:
        def few(keys: list[str]) -> str:
            return ", ".join(keys[:4]) + (f" (+{len(keys) - 4} more)" if len(keys) > 4 else "")

        problems = [f"    {what} {len(k)}: {few(k)}" for what, k in
                    (("missing", missing), ("unexpected", unexpected), ("shape mismatch", wrong)) if k]
        raise input_error(wrapped("\n".join([f"weights do not fit {said or arch}:", *problems])),
                          path=path,
                          where="weights", fix=f"use a state dict of timm.create_model({arch!r}) "
                                               "(timm key names), or weights: none")
    model.load_state_dict(state, strict=False)


def _offline_fix(where: str) -> str:
    """The fix for ImageNet weights that cannot be had: the train flags, or (``where`` a
    preset key, ``model.resnet50.weights``: a benchmark, which has no ``--weights``) the key;
    on two lines of at most 100 characters (the flags' ran to 160)."""
    if where.startswith("model."):
        return (f"set {where}: none in the preset (train from scratch), or download the\n"
                f"      weights elsewhere and set {where}: PATH (a timm state-dict file)")
    return ("train from scratch with --weights none (weights: none), or download the weights\n"
            "      elsewhere and pass --weights PATH (weights: PATH, a timm state-dict file)")


def check_weights(name: str, weights: Any, *, preset: Path | None = None) -> None:
    """Refuse, before any training, backbone ``name``'s ``weights`` that cannot be read: a
    missing file, or ImageNet's offline and not cached. For a benchmark (its preset file,
    ``preset``): ``weights: imagenet`` offline failed in the model's first cell, after the
    other models' cells ran, its fix naming ``--weights``, a flag benchmark lacks."""
    where = f"model.{name}.weights"
    if name not in BACKBONES or weights is None or str(weights) == "none":
        return
    if str(weights) != "imagenet":
        if (said := _not_a_weights_file(Path(str(weights)).expanduser())) is not None:
            raise input_error(f"{said[0]}: {weights}", path=preset, where=where, fix=said[1])
        if not Path(str(weights)).expanduser().is_file():
            raise input_error(f"weights file not found: {weights}", path=preset, where=where,
                              fix=f"set {where} to an existing state-dict file, or none | imagenet")
        return
    _cached_offline(import_timm(), BACKBONES[name].timm_name, where=where, preset=preset,
                    said=said_name(name))


def said_name(name: str) -> str:
    """Backbone ``name`` as the user typed it, with timm's architecture in brackets where it
    differs: ``xception (timm: legacy_xception)`` (an offline error named ``legacy_xception``
    alone, where ``--model xception`` was typed)."""
    arch = BACKBONES[name].timm_name if name in BACKBONES else name
    return name if arch == name else f"{name} (timm: {arch})"


def _timm_backbone(spec: Backbone, weights: str, name: str) -> nn.Module:
    """Backbone ``name``'s timm network (``spec``) with ``weights``: imagenet, none or a file."""
    timm = import_timm()
    kwargs = dict(spec.kwargs, num_classes=0)
    if weights == "imagenet":
        try:
            overlay = _cached_offline(timm, spec.timm_name, said=said_name(name))
            model = timm.create_model(spec.timm_name, pretrained=True, **kwargs,
                                      **({"pretrained_cfg_overlay": overlay} if overlay else {}))
        except InputError:
            raise
        except Exception as exc:  # offline: huggingface / urllib errors, missing cache
            raise input_error(wrapped(f"ImageNet weights of {said_name(name)}:\n    cannot fetch "
                                      f"them: {type(exc).__name__}: {str(exc)[:200]}"),
                              where="weights",
                              fix=_offline_fix("weights")) from exc
    else:
        model = timm.create_model(spec.timm_name, pretrained=False, **kwargs)
        if weights != "none":
            _load_state_file(model, Path(weights).expanduser(), spec.timm_name,
                             said=said_name(name))
    if hasattr(model, "pre_logits"):  # VGG's 120M-parameter ConvMlp: unused by forward_features
        model.pre_logits = nn.Identity()
    return model


def _cached_offline(timm: Any, timm_name: str, *, where: str = "weights",
                    preset: Path | None = None, said: str | None = None) -> dict[str, str] | None:
    """Without a network (the weights' host does not resolve): the cached weights file, as
    timm's ``pretrained_cfg_overlay``, or one error at once (offline, timm retried for about
    a minute, every message twice, before failing). None: online, timm downloads.
    ``where``/``preset``: the option the error names (a benchmark's preset key and file);
    ``said``: the backbone as the error names it (:func:`said_name`; timm's name without)."""
    import socket
    from urllib.parse import urlparse

    cfg = timm.models.get_pretrained_cfg(timm_name)
    hub = getattr(cfg, "hf_hub_id", None)
    host = "huggingface.co" if hub else urlparse(getattr(cfg, "url", "") or "").hostname
    try:
        socket.getaddrinfo(host or "huggingface.co", 443)
        return None
    except OSError:
        pass
    if hub:
        from huggingface_hub import try_to_load_from_cache

        found = [try_to_load_from_cache(hub, f) for f in ("model.safetensors", "pytorch_model.bin")]
        cached = next((f for f in found if isinstance(f, str)), None)
    else:
        import torch.hub

        path = Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(cfg.url).path).name
        cached = str(path) if path.is_file() else None
    if cached is None:
        raise input_error(f"ImageNet weights of {said or timm_name}:\n    unavailable: no "
                          f"network ({host} does not resolve) and they are not in the local "
                          "cache", where=where, path=preset, fix=_offline_fix(where))
    log.info("offline: ImageNet weights of %s read from the cache (%s)", said or timm_name, cached)
    return {"file": cached}


def _default_grid(n_genes: int, image_size: int) -> int | None:
    """Layout grid side when ``grid_size`` is not given.

    The smallest square holding every gene once (``None``), resized to ``image_size``; but
    when that square is larger than the image, the image itself: contiguous genes share a
    pixel (their mean), so every gene reaches the network once and maps back to one pixel,
    where a resize would interpolate between a few pixels and skip the rest.
    """
    return image_size if math.isqrt(n_genes - 1) + 1 > image_size else None


# what a backbone runs with where its config is silent (the constructor's, and no weights)
_BACKBONE_DEFAULTS: dict[str, Any] = {**signature_defaults(ImageBackbone, keys=BACKBONE_KEYS),
                                      "weights": "none", "finetune": "auto"}


def finetune_depth(finetune: str, weights: str) -> str:
    """``auto`` (the default): ``last_block`` on pretrained weights (the paper's), ``all``
    without (``weights: none``): any other depth trains on a frozen random network, which
    the default was."""
    if finetune not in ("auto", "head", "last_block", "all"):  # before the frozen-random warning
        raise input_error(f"unknown finetune policy {finetune!r}", where="finetune",
                          fix="use auto, head, last_block or all")
    if finetune != "auto":
        return finetune
    return "all" if weights == "none" else "last_block"


def create_backbone(name: str, *, n_genes: int, n_outputs: int, task: Task,
                    restored: bool = False, **config: Any) -> ImageBackbone:
    """Build backbone ``name`` (a key of :data:`BACKBONES`); config keys: :data:`BACKBONE_KEYS`.

    ``restored``: the network is rebuilt from a saved run, whose state dict replaces every
    weight (:func:`~genemoe.train.model_file.rebuild_model`), so ``weights: none`` with a
    frozen depth is no frozen *random* network: that warning is for a fresh training only
    (an older model file rebuilds with ``weights: none`` and the run's ``finetune: head``,
    and predict and explain said it of a network fine-tuned from pretrained weights).
    """
    check_config_keys(name, config, BACKBONE_KEYS)
    check_image_sides(name, config, n_genes)
    input_scaling(name, config)  # checked here; applied by the data pipeline
    config = _BACKBONE_DEFAULTS | config
    image_size = int(config["image_size"])
    if image_size < (least := BACKBONES[name].min_image_size):  # was torch's "Output size is
        raise input_error(  # too small" traceback from inside the network
            f"{name} needs an image of at least {least} x {least} pixels (its pooling halves "
            f"it to nothing below), got {image_size}", where=f"model.{name}.image_size",
            fix=f"pass --image-size {max(least, 32)} or more (64 on CPU; 224 is the paper's)")
    layout_cfg = {k: config[k] for k in ("layout", "gene_order", "layout_state")
                  if k in config} | {"image_size": config.get("grid_size", _default_grid(n_genes, image_size))}
    embedding = layout_embedding(name, config)
    layout, fitted = _model_layout(n_genes, layout_cfg, name)
    layout.kind = config.get("layout", layout.kind)
    layout.embedding = layout.embedding or embedding
    layout.least_image_size = BACKBONES[name].min_image_size  # for one_gene_a_pixel's advice
    layout.backbone = True  # its advice keeps the image size (ResNet-50 was told to shrink it)
    weights = str(config["weights"])
    backbone = _timm_backbone(BACKBONES[name], weights, name)
    finetune = finetune_depth(str(config["finetune"]), weights)
    if weights == "none" and finetune != "all" and not restored:
        log.warning("%s: weights none, finetune %s: the backbone is a frozen *random* network"
                    "\n  (finetune: all, or auto, trains it from scratch)", name, finetune)
    return ImageBackbone(n_genes, n_outputs, task=task, layout=layout, fitted=fitted,
                         backbone=backbone, spec=BACKBONES[name],
                         image_size=image_size, finetune=finetune,
                         dropout=float(config["dropout"]),
                         pixel_window=None if weights == "none" else PIXEL_WINDOW)


def fit_image_layout(model_name: str, n_genes: int, config: dict[str, Any], *,
                     X_train: np.ndarray | None, chrom: np.ndarray | None,
                     start: np.ndarray | None) -> Layout | None:
    """The data-fitted gene → pixel layout an image model's config asks for, or None.

    ``genomic`` (gene positions) and ``similarity`` (the ``embedding``, pca or tsne, of the
    genes over the training rows) layouts are fitted on data; a config that already holds one (``layout_state``,
    ``gene_order``), asks for ``reshape`` or belongs to a vector model needs none.

    Parameters
    ----------
    model_name, n_genes, config
        The registered model and its resolved options.
    X_train
        ``(n_train, n_genes)`` training rows (``similarity`` only; never other parts).
    chrom, start
        ``(n_genes,)`` gene positions (``genomic`` only).
    """
    if model_name not in (*BACKBONES, "hybrid_cnn") or config.get("layout") not in (
            "genomic", "similarity"):
        return None
    if any(config.get(k) is not None for k in ("layout_state", "gene_order")):
        return None
    check_image_sides(model_name, config, n_genes)
    if model_name == "hybrid_cnn":
        grid = config.get("image_size")
    else:
        size = int(config.get("image_size", _BACKBONE_DEFAULTS["image_size"]))
        grid = config.get("grid_size", _default_grid(n_genes, size))
    embedding = layout_embedding(model_name, config) or "pca"
    train_rows = None if X_train is None else np.arange(len(X_train))
    layout = fit_layout(config["layout"], n_genes, X=X_train, train_rows=train_rows, chrom=chrom,
                        start=start, image_size=grid, embedding=embedding)
    layout.positions = has_positions(chrom, start)  # whose advice may name --layout genomic
    return layout


def _register(name: str, description: str) -> None:
    @register_model(name, kind="torch", tasks=("classify", "survival"), description=description,
                    defaults=_BACKBONE_DEFAULTS, options=BACKBONE_KEYS)
    def factory(*, n_genes: int, n_outputs: int, task: Task, restored: bool = False,
                **config: Any) -> ImageBackbone:
        return create_backbone(name, n_genes=n_genes, n_outputs=n_outputs, task=task,
                               restored=restored, **config)


_register("resnet50", "ResNet-50 (timm) on a gene image; ImageNet transfer with --weights imagenet (default: random init)")
_register("densenet169", "DenseNet-169 (timm) on a gene image; ImageNet transfer with --weights imagenet (default: random init)")
_register("vgg19", "VGG-19 (timm) on a gene image; ImageNet transfer (the paper's) with --weights imagenet (default: random init)")
_register("xception", "Xception (timm legacy_xception) on a gene image; ImageNet transfer with --weights imagenet (default: random init)")
