"""A text matrix's parsed chunks, copied into one samples x genes float32 array.

:func:`chunk_pieces` turns each parsed chunk into float32 pieces (one per sample group
when file rows are genes) in memory that goes back to the OS when freed;
:func:`assemble` copies them into the result one region at a time, freeing each piece as
it goes, so reading peaks near one copy of the matrix (see ``benchmarks/bench_read.py``).
"""

from __future__ import annotations

import mmap
from itertools import pairwise

import numpy as np
import pyarrow as pa

__all__ = ["assemble", "chunk_pieces"]


def _anon_array(shape: tuple[int, int]) -> np.ndarray:
    """A float32 array that goes back to the OS as soon as it is freed: large ones get
    their own anonymous mapping (malloc's heap may keep freed blocks, defeating
    :func:`assemble`)."""
    n_bytes = shape[0] * shape[1] * 4
    if n_bytes < (1 << 20):
        return np.empty(shape, dtype=np.float32)
    return np.frombuffer(mmap.mmap(-1, n_bytes), dtype=np.float32).reshape(shape)


def chunk_pieces(tbl: pa.Table, gxs: bool, groups: np.ndarray) -> list[np.ndarray]:
    """A parsed chunk's values as samples × genes pieces.

    File rows are samples (``gxs`` False): one piece ``(n_rows, n_genes)``. File rows are
    genes: one piece ``(n_s_k, n_rows)`` per sample group ``groups[k]:groups[k+1]``, so
    that :func:`assemble` can fill ``out`` one sample group at a time.
    """
    vals = tbl.drop_columns([tbl.column_names[0]])
    if gxs:
        pieces = [_anon_array((int(s1 - s0), vals.num_rows)) for s0, s1 in pairwise(groups)]
    else:
        pieces = [_anon_array((vals.num_rows, vals.num_columns))]
    r0 = 0
    for batch in vals.to_batches():
        t = np.asarray(batch.to_tensor(null_to_nan=True, row_major=not gxs))
        r1 = r0 + batch.num_rows
        if gxs:
            for piece, (s0, s1) in zip(pieces, pairwise(groups), strict=True):
                piece[:, r0:r1] = t[:, s0:s1].T
        else:
            pieces[0][r0:r1] = t
        r0 = r1
    return pieces


def assemble(parts: list[list[np.ndarray]], shape: tuple[int, int], gxs: bool, groups: np.ndarray,
              keep: np.ndarray) -> np.ndarray:
    """Copy the chunks' pieces into one ``(n_samples, n_genes)`` array, freeing each piece
    once copied.

    ``np.empty`` pages are committed only when written, and ``out`` is filled one
    contiguous region (a chunk of samples, or one sample group) at a time, so the peak
    stays near one copy of the matrix plus one region.
    """
    out = np.empty(shape, dtype=np.float32)
    if not gxs:
        pos = 0
        for c, (piece,) in enumerate(parts):
            out[pos:pos + len(piece)] = piece if keep.all() else piece[:, keep]
            pos += len(piece)
            parts[c] = []
        return out
    for k, (s0, s1) in enumerate(pairwise(groups)):
        pos = raw = 0
        for pieces in parts:
            piece = pieces[k]
            kk = keep[raw:raw + piece.shape[1]]
            n = int(kk.sum())
            out[s0:s1, pos:pos + n] = piece if kk.all() else piece[:, kk]
            pos, raw = pos + n, raw + piece.shape[1]
            pieces[k] = None  # type: ignore[call-overload]
    return out
