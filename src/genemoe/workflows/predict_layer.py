"""``genemoe predict --layer NAME|raw``: which matrix of an AnnData (``.h5ad``) input is
scored, read by :func:`genemoe.data.read.read_expression` as ``prepare --layer`` reads it
(:mod:`genemoe.data.anndata_layers`), named in predict's record and said in predict's words.

Before: predict read ``.X`` only, and its note told the user ``prepare --layer counts``,
which does not reach predict.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genemoe.data.anndata_layers import (
    check_layer_name,
    is_h5ad,
    layer_note,
    matrix_said,
    refuse_layer_for,
)

if TYPE_CHECKING:
    from genemoe.data.read import ExpressionTable

__all__ = ["check_predict_layer", "matrix_read", "predict_read_notes"]

_PREPARE_LAYER = re.compile(r"prepare (--layer \S+) \(")  # h5ad_unread_note's option
_PREPARE_CONFIG = "Python: PrepareConfig(layer="  # ... and its Python spelling


def check_predict_layer(expression_path: Path | str, layer: Any) -> None:
    """Refuse, before the model or any file is read, a ``layer`` that is not one name
    and ``--layer`` for an input that is not an ``.h5ad`` (prepare's checks and words)."""
    check_layer_name(layer)
    refuse_layer_for([Path(expression_path)], layer)


def matrix_read(table: ExpressionTable) -> dict[str, str]:
    """``{"matrix": ...}`` for the read step of an ``.h5ad`` input, as ``prepare``'s record
    names it (``X``, ``layers['counts']`` or ``.raw``); empty for any other file.

    The layer's note (:func:`~genemoe.data.anndata_layers.layer_note`) names the matrix a
    layer or ``.raw`` was read from; without one, ``X`` was read.
    """
    if not is_h5ad(table.source_path):
        return {}
    said = layer_note(list(table.notes))
    return {"matrix": said[len("read "):said.index(" (--layer")] if said else matrix_said(None)}


def predict_read_notes(notes: list[str]) -> list[str]:
    """The read notes in predict's words: the note of an ``.h5ad`` read at ``.X`` only,
    whose layers or ``.raw`` hold other values, names ``predict --layer`` and
    ``predict_file(..., layer=...)`` (it named ``prepare``'s option); others as they are.

    >>> predict_read_notes(["read .X only, not .raw: to read one, prepare --layer raw "
    ...                     "(Python: PrepareConfig(layer='raw')), or in Python ..."])[0]
    "read .X only, not .raw: to read one, predict --layer raw (Python: predict_file(..., \
layer='raw')), or in Python ..."
    """
    return [_PREPARE_LAYER.sub(r"predict \1 (", n, count=1).replace(
                _PREPARE_CONFIG, "Python: predict_file(..., layer=")
            if n.startswith("read .X only") else n for n in notes]
