"""``genemoe tune``'s up-front checks of an image model's start: its weights and image size.

A trial builds the network, so a weights file not there, ImageNet weights offline and not
cached, or an image too small for the backbone's pooling failed inside trial 0: Optuna
printed the trial's traceback, then the error twice, left a study database holding the
failed trial, and the fix named ``--weights`` / ``--image-size``, flags tune does not
have. :func:`check_image_start` refuses them before the study exists, naming the preset or
config key (``model.resnet50.weights``), as ``genemoe benchmark`` does before any cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genemoe.errors import input_error
from genemoe.models.backbones import BACKBONES, check_weights

__all__ = ["check_image_start", "options_file"]

_IMAGE_MODELS = ("hybrid_cnn", *BACKBONES)


def options_file(preset: str | Path, config_path: Path | str | None) -> Path | None:
    """The file whose options a tune starts from, to name in an error: ``--config`` where
    given, else ``--preset`` where it is a file (a built-in preset's name: None)."""
    if config_path is not None:
        return Path(config_path)
    path = Path(str(preset)).expanduser()
    return path if path.is_file() else None


def check_image_start(model_name: str, model_cfg: dict[str, Any], source: Path | None) -> None:
    """Refuse, before any trial, an image model's options that cannot build its network.

    Parameters
    ----------
    model_name
        The model tuned; any other than an image model is let through.
    model_cfg
        Its resolved options (the preset's, the config's).
    source
        The options file named in the error (:func:`options_file`), or None.

    Raises
    ------
    InputError
        A ``grid_size`` / ``image_size`` that is no whole number of pixels 1 or more, an
        ``image_size`` below the backbone's least, a weights file not there, or ImageNet
        weights offline and not in the local cache; each naming ``model.NAME.KEY``.
    """
    if model_name not in _IMAGE_MODELS:
        return
    for key in ("image_size", "grid_size"):
        _check_side(model_name, key, model_cfg.get(key), source)
    if model_name not in BACKBONES:
        return
    size = model_cfg.get("image_size", 64)
    least = BACKBONES[model_name].min_image_size
    if size < least:
        where = f"model.{model_name}.image_size"
        raise input_error(
            f"{model_name} needs an image of at least {least} x {least} pixels (its pooling "
            f"halves it to nothing below), got {size}", path=source, where=where,
            fix=f"set {where}: {max(least, 32)} or more in the preset or --config YAML "
                "(64 on CPU; 224 is the paper's)")
    check_weights(model_name, model_cfg.get("weights"), preset=source)


def _check_side(model_name: str, key: str, value: Any, source: Path | None) -> None:
    """Refuse a side that is not a whole number of pixels, 1 or more (None: the default)."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if value is None or (whole and not isinstance(value, bool) and value >= 1):
        return
    where = f"model.{model_name}.{key}"
    raise input_error(f"must be a whole number >= 1, got {value!r}",  # the key named once
                      #   (it read "model.X.image_size: image_size must be ...", as train did)
                      path=source, where=where,
                      fix=f"set {where} to a whole number in the preset or --config YAML, "
                          "or leave it out")
