"""Which matrix of an AnnData (``.h5ad``) file is read: ``X`` (the default), a layer
(``prepare --layer NAME``, ``PrepareConfig(layer=NAME)``) or ``.raw`` (``--layer raw``:
its own ``X`` and ``var``).

A scanpy file's ``X`` is often normalised, log1p'd or scaled while the counts sit in
``layers['counts']`` or ``.raw``; the user was told a Python line that rewrites the file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from genemoe.errors import InputError, input_error

__all__ = ["RAW_LAYER", "matrix_said", "is_h5ad", "check_layer_name", "refuse_layer_for",
           "h5ad_layer", "h5ad_unread_note", "layer_hint", "layer_note"]

logger = logging.getLogger(__name__)

RAW_LAYER = "raw"  # --layer raw: the file's .raw (its X and its own var), not a layer
_HDF_MAGIC = b"\x89HDF\r\n\x1a\n"


def matrix_said(layer: str | None) -> str:
    """The matrix read, as the record and the read line name it.

    >>> matrix_said(None), matrix_said("counts"), matrix_said("raw")
    ('X', "layers['counts']", '.raw')
    """
    if layer is None:
        return "X"
    return ".raw" if layer == RAW_LAYER else f"layers[{layer!r}]"


def is_h5ad(path: Path | str) -> bool:
    """Whether ``path`` is read as AnnData: named ``.h5ad`` or an HDF5 file (as
    :func:`genemoe.data.read.read_expression` dispatches it)."""
    path = Path(path)
    if path.suffix.lower() == ".h5ad":
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == _HDF_MAGIC
    except OSError:  # missing or a folder: the reader says so, naming it
        return False


def check_layer_name(layer: Any) -> None:
    """Refuse a ``layer`` that is not one non-empty name (``PrepareConfig(layer=5)``)."""
    if layer is not None and (not isinstance(layer, str) or not layer.strip()):
        raise input_error(f"must be a layer's name or 'raw', got {type(layer).__name__} "
                          f"{repr(layer)[:40]}", where="--layer / layer",
                          fix="pass e.g. --layer counts (Python: PrepareConfig(layer='counts')), "
                              "--layer raw for the file's .raw, or leave it out to read .X")


def refuse_layer_for(paths: Sequence[Path | str], layer: str | None) -> None:
    """Refuse ``--layer`` where an expression file is not an ``.h5ad`` (before any is read):
    a text or Parquet matrix has no layers."""
    if layer is None:
        return
    for p in paths:
        if not is_h5ad(p):
            raise input_error(
                "names a matrix of an AnnData file, and this file is not one (only .h5ad "
                "files have layers or .raw)", path=p, where=f"--layer {layer}",
                fix="drop --layer to read this file, or prepare the .h5ad file(s) apart from it")


def _layers_found(adata: Any) -> tuple[list[str], bool, str]:
    """The file's layer names, whether it has ``.raw``, and both in words."""
    layers = [str(k) for k in adata.layers.keys()]
    raw = adata.raw is not None
    found = f"layers {', '.join(repr(k) for k in layers)}" if layers else "no layers"
    return layers, raw, f"{found}; {'.raw present' if raw else 'no .raw'}"


def _missing(adata: Any, path: Path, layer: str) -> InputError:
    """The error for a ``--layer`` the file does not have, naming those it has."""
    layers, raw, found = _layers_found(adata)
    names = [*layers, *([RAW_LAYER] if raw else [])]
    what = ".raw" if layer == RAW_LAYER else f"layer {layer!r}"
    return input_error(
        f"the file has no {what} ({found})", path=path, where=f"--layer {layer}",
        fix=(f"pass one of: {', '.join(f'--layer {n}' for n in names)}" if names
             else "the file holds .X only") + ", or leave --layer out to read .X")


def _backed(node: Any) -> Any:
    """An HDF5 node of the file as a row-sliceable matrix, read on demand as ``X`` is: a
    sparse group as anndata's backed sparse dataset, a dense dataset as it is."""
    import h5py

    if isinstance(node, h5py.Group):
        try:
            from anndata.io import sparse_dataset
        except ImportError:  # anndata < 0.11
            from anndata.experimental import sparse_dataset
        return sparse_dataset(node)
    return node


def h5ad_layer(adata: Any, path: Path, layer: str) -> tuple[Any, Any, Any, str]:
    """The matrix ``layer`` names in an opened, backed ``.h5ad``: ``layers[layer]``, or for
    ``raw`` the file's ``.raw`` (its ``X`` and its own ``var``, which may hold more genes
    than ``.X``); a layer named ``raw`` is read where the file has no ``.raw``.

    Returns
    -------
    tuple
        ``(matrix, var_names, var, note)``: the matrix read on demand like ``X`` (sparse or
        dense, ``(n_obs, n_vars)``), the genes' names and table, and the note saying which
        matrix was read.

    Raises
    ------
    InputError
        The file has no such layer (or no ``.raw``): the error names those it has.
    """
    layers, raw, _ = _layers_found(adata)
    if layer == RAW_LAYER and raw:
        try:
            node = _backed(adata.file["raw/X"])
        except KeyError:  # an old layout (raw.X): anndata's own reading of it
            node = adata.raw.X
        names, var = adata.raw.var_names, adata.raw.var
        more = (f"its own var, {len(names):,} genes (.X has {adata.n_vars:,})"
                if len(names) != adata.n_vars else f"its own var, {len(names):,} genes")
        return node, names, var, f"read .raw (--layer raw), not .X: {more}"
    if layer not in layers:
        raise _missing(adata, path, layer)
    node = _backed(adata.file["layers"][layer])
    return node, adata.var_names, adata.var, f"read layers[{layer!r}] (--layer {layer}), not .X"


def layer_note(notes: list[str]) -> str | None:
    """The note of a table read from a layer or ``.raw`` (:func:`h5ad_layer`'s), else None.

    >>> layer_note(["orientation: ...", "read layers['counts'] (--layer counts), not .X"])
    "read layers['counts'] (--layer counts), not .X"
    """
    return next((n for n in notes if n.startswith(("read layers[", "read .raw (--layer"))), None)


def layer_hint(layers: list[str], raw: bool) -> str:
    """The ``--layer`` that reads a file's values beside ``X``: ``counts`` where a layer
    is so named, else its first layer, else ``raw``.

    >>> layer_hint(["norm", "counts"], True), layer_hint([], True)
    ('--layer counts', '--layer raw')
    """
    return f"--layer {'counts' if 'counts' in layers else layers[0] if layers else RAW_LAYER}"


def h5ad_unread_note(adata: Any) -> str | None:
    """The note for an ``.h5ad`` whose layers or ``.raw`` hold values beside ``X`` (``X``
    alone read), with ``prepare``'s ``--layer`` and the Python line that read one instead;
    None without either.

    >>> class A:
    ...     layers, raw = {"counts": 0}, object()
    >>> print(h5ad_unread_note(A()))
    read .X only, not layers ['counts'] or .raw: to read one, prepare --layer counts (or \
--layer raw; Python: PrepareConfig(layer='counts')), or in Python adata.X = \
adata.layers['counts']; adata.write_h5ad(...)
    """
    layers = [str(k) for k in adata.layers.keys()]
    raw = adata.raw is not None
    if not layers and not raw:
        return None
    use = (f"adata.X = adata.layers[{('counts' if 'counts' in layers else layers[0])!r}]"
           if layers else "adata = adata.raw.to_adata()")
    unread = " or ".join([f"layers {layers}"] * bool(layers) + [".raw"] * raw)
    flag = layer_hint(layers, raw)
    also = f"--layer {RAW_LAYER}; " if layers and raw else ""
    return (f"read .X only, not {unread}: to read one, prepare {flag} ({'or ' * bool(also)}"
            f"{also}Python: PrepareConfig(layer={flag.split()[-1]!r})), or in Python {use}; "
            "adata.write_h5ad(...)")
