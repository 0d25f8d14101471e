"""Streaming pre-training rows: read from the bundles' ``X.npy`` batch by batch, ahead of use.

``genemoe pretrain`` over a corpus larger than memory (``pretrain.stream``) never holds the
training matrix: :class:`StreamingRows` stands where :class:`~genemoe.train.pretrain_data.PretrainData`
would hold ``X_train`` and reads the rows of each batch when it is needed.

* :class:`NpyRows` reads rows of a C-order float32 ``.npy`` file with positional reads
  (``os.preadv``; consecutive rows in one call). Unlike a memory map, the pages read are
  never mapped into the process, so its resident memory does not grow with the rows read
  over an epoch (a memory map's touched pages count in RSS until the kernel drops them).
  It holds only a path and a file descriptor opened per process, so DataLoader workers
  copy nothing big.
* :class:`NpyColumns` reads some columns of such a file for a list of rows, a bounded
  block at a time (the scaler's clip is counted over a streamed training split with it).
* :class:`StreamingRows` is the training split of one or more bundles: for a batch of
  global row numbers it reads each bundle's rows, keeps the shared genes (column indices
  computed once) and scales them with that bundle's training-split scaler — the very
  float32 operations of the in-memory path, so a batch is bit-identical to
  ``X_train[rows]`` of :func:`~genemoe.train.pretrain_data.load_pretrain_data`.
* :class:`BatchFeed` yields an epoch's batches (the trainer's seeded
  :func:`~genemoe.train.sampling.shuffled_batches`, so streaming changes nothing in the
  batch order) as tensors on the device, reading ahead: a background thread (``workers=0``;
  reads and numpy release the GIL) or a torch ``DataLoader`` with worker processes
  (``workers>0``), ``prefetch`` batches deep; it records the seconds spent waiting for data.
* :func:`memory_stats` (peak and current RSS) and :func:`should_stream` (the ``auto``
  rule: stream when the training matrix would take more than a share of available memory).
"""

from __future__ import annotations

import logging
import os
import queue
import resource
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genemoe.data.scaling import Scaler
from genemoe.train.memory import available_memory

__all__ = ["NpyRows", "NpyColumns", "BundleRows", "StreamingRows", "BatchFeed", "memory_stats",
           "should_stream"]

logger = logging.getLogger(__name__)


class NpyRows:
    """Rows of a 2-D float32 ``.npy`` file read on demand, without a memory map.

    Parameters
    ----------
    path
        The ``.npy`` file (a bundle's ``X.npy``).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        with self.path.open("rb") as fh:
            version = np.lib.format.read_magic(fh)
            shape, fortran, dtype = (np.lib.format.read_array_header_1_0(fh) if version == (1, 0)
                                     else np.lib.format.read_array_header_2_0(fh))
            self.offset = fh.tell()
        if len(shape) != 2:
            raise ValueError(f"{self.path}: expected a 2-D matrix, got shape {shape}")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        # anything but native C-order float32 is read through a memory map instead
        self.direct = not fortran and dtype == np.dtype(np.float32) and dtype.isnative
        self.row_bytes = self.shape[1] * 4
        self._fd: int | None = None
        self._pid = -1

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_fd": None, "_pid": -1}  # workers open their own descriptor

    def __del__(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd, self._pid = os.open(self.path, os.O_RDONLY), os.getpid()
        return self._fd

    def read(self, rows: np.ndarray) -> np.ndarray:
        """Rows ``rows`` (sorted, unique) of the file, ``(len(rows), n_cols)`` float32."""
        rows = np.asarray(rows, dtype=np.int64)
        if not self.direct:
            return np.asarray(np.load(self.path, mmap_mode="r")[rows], dtype=np.float32)
        out = np.empty((len(rows), self.shape[1]), dtype=np.float32)
        flat = memoryview(out.reshape(-1)).cast("B")
        starts = np.flatnonzero(np.diff(rows, prepend=-2) != 1)  # runs of consecutive rows
        ends = np.append(starts[1:], len(rows))
        fd = self._descriptor()
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            view, pos = flat[s * self.row_bytes : e * self.row_bytes], 0
            offset = self.offset + int(rows[s]) * self.row_bytes
            while pos < len(view):
                got = os.preadv(fd, [view[pos:]], offset + pos)
                if got <= 0:
                    raise OSError(f"{self.path}: unexpected end of file at byte {offset + pos}")
                pos += got
        return out


READ_BLOCK_VALUES = 2**22  # values of one positional read of NpyColumns (16 MB of float32)


@dataclass
class NpyColumns:
    """Some columns of an :class:`NpyRows` file, indexable by row numbers (``X[rows]``):
    rows are read a bounded block at a time (at most :data:`READ_BLOCK_VALUES` values of
    the file's full width), so a pass over a whole training split, e.g.
    :func:`~genemoe.data.scaling.clip_report`'s, holds no more than its own block."""

    reader: NpyRows
    cols: np.ndarray

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        step = max(1, READ_BLOCK_VALUES // max(self.reader.shape[1], 1))
        blocks = [self.reader.read(rows[i:i + step])[:, self.cols]
                  for i in range(0, len(rows), step)]
        return np.concatenate(blocks) if blocks else np.empty((0, len(self.cols)), np.float32)


@dataclass
class BundleRows:
    """One bundle's training rows as a stream: ``rows`` ``(n,)`` file rows in training order,
    ``cols`` ``(n_genes,)`` file columns of the shared genes, its ``scaler`` over them."""

    reader: NpyRows
    rows: np.ndarray
    cols: np.ndarray
    scaler: Scaler


class StreamingRows:
    """The scaled training rows of several bundles, read when asked for.

    Global row ``i`` is row ``i - offset_k`` of bundle ``k``'s ``rows`` (bundles in order),
    as in the concatenated ``X_train`` of the in-memory path.

    Parameters
    ----------
    sources
        One :class:`BundleRows` per bundle, all with the same number of genes.
    """

    def __init__(self, sources: Sequence[BundleRows]) -> None:
        self.sources = list(sources)
        widths = {len(s.cols) for s in self.sources}
        if len(widths) != 1:
            raise ValueError(f"bundles stream different numbers of genes: {sorted(widths)}")
        self.offsets = np.cumsum([0] + [len(s.rows) for s in self.sources])
        self.shape: tuple[int, int] = (int(self.offsets[-1]), widths.pop())
        self._every_column = [np.array_equal(s.cols, np.arange(s.reader.shape[1]))
                              for s in self.sources]  # no column gather needed

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        """Bytes the training matrix would take in memory (float32)."""
        return self.shape[0] * self.shape[1] * 4

    def read(self, idx: np.ndarray) -> np.ndarray:
        """Scaled rows ``idx`` (global row numbers, any order), ``(len(idx), n_genes)`` float32."""
        idx = np.asarray(idx, dtype=np.int64)
        out = np.empty((len(idx), self.shape[1]), dtype=np.float32)
        which = np.searchsorted(self.offsets, idx, side="right") - 1
        for k in np.unique(which).tolist():
            src, pos = self.sources[k], np.flatnonzero(which == k)
            file_rows = src.rows[idx[pos] - self.offsets[k]]
            order = np.argsort(file_rows, kind="stable")
            raw = src.reader.read(file_rows[order])  # sorted: consecutive rows read at once
            out[pos[order]] = src.scaler.transform(raw if self._every_column[k] else raw[:, src.cols])
        return out

    def __getitem__(self, idx: np.ndarray) -> torch.Tensor:
        """A batch as a tensor (the map-style dataset protocol a DataLoader uses)."""
        return torch.from_numpy(self.read(idx))


class BatchFeed:
    """An epoch's batches as tensors on ``device``, read ahead of use.

    Parameters
    ----------
    X
        ``(n, n_genes)`` in-memory tensor (batches indexed from it) or :class:`StreamingRows`.
    batches
        Row numbers of each batch, in order (e.g. :func:`~genemoe.train.sampling.shuffled_batches`).
    device
        Where the batches go.
    workers, prefetch
        Streaming only: ``workers=0`` reads in one background thread, ``>0`` in that many
        DataLoader processes; ``prefetch`` batches are read ahead (per worker); ``prefetch=0``
        with ``workers=0`` reads each batch when it is needed (no overlap).

    Attributes
    ----------
    wait_seconds
        Seconds the consumer spent waiting for batches (reading not hidden by compute).
    n_rows
        Rows delivered so far.
    """

    def __init__(self, X: torch.Tensor | StreamingRows, batches: Sequence[np.ndarray], *,
                 device: torch.device, workers: int = 0, prefetch: int = 4) -> None:
        self.X, self.batches, self.device = X, list(batches), device
        self.workers, self.prefetch = workers, prefetch
        self.wait_seconds, self.n_rows = 0.0, 0

    def __iter__(self) -> Iterator[torch.Tensor]:
        if isinstance(self.X, torch.Tensor):
            source: Iterator[torch.Tensor] = (self.X[torch.from_numpy(b)] for b in self.batches)
        elif self.workers > 0:
            source = iter(self._loader())
        elif self.prefetch > 0:
            source = self._threaded()
        else:
            source = (self.X[b] for b in self.batches)
        while True:
            t0 = time.perf_counter()
            try:
                xb = next(source)
            except StopIteration:
                return
            xb = xb.to(self.device, non_blocking=self.device.type == "cuda")
            self.wait_seconds += time.perf_counter() - t0
            self.n_rows += xb.shape[0]
            yield xb

    def _loader(self) -> torch.utils.data.DataLoader:
        # an own generator: the workers' base seed must not draw from torch's global RNG,
        # which the training step's noise and dropout use (streaming must not change them)
        return torch.utils.data.DataLoader(
            self.X, batch_size=None, sampler=self.batches, num_workers=self.workers,
            prefetch_factor=max(1, self.prefetch), pin_memory=self.device.type == "cuda",
            generator=torch.Generator().manual_seed(0))

    def _threaded(self) -> Iterator[torch.Tensor]:
        q: queue.Queue = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()
        pin = self.device.type == "cuda"

        def produce() -> None:
            try:
                for b in self.batches:
                    xb = self.X[b]
                    item: Any = xb.pin_memory() if pin else xb
                    while not stop.is_set():
                        try:
                            q.put(item, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                q.put(None)
            except BaseException as exc:  # re-raised in the consumer
                q.put(exc)

        thread = threading.Thread(target=produce, name="pretrain-prefetch", daemon=True)
        thread.start()
        try:
            while (item := q.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while thread.is_alive():  # unblock a producer waiting on a full queue
                try:
                    q.get_nowait()
                except queue.Empty:
                    thread.join(0.05)

    def stats(self, seconds: float) -> dict[str, float]:
        """Throughput of an epoch that took ``seconds`` (training only): samples/s, data wait."""
        return {"throughput/samples_per_s": self.n_rows / seconds if seconds > 0 else float("nan"),
                "throughput/data_wait_s": self.wait_seconds,
                "throughput/data_wait_fraction": self.wait_seconds / seconds if seconds > 0 else 0.0}


def memory_stats() -> dict[str, float]:
    """``memory/rss_peak_mib`` (this process's high-water mark so far) and ``memory/rss_mib``
    (now), in MiB; worker processes are not included."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    try:
        with open("/proc/self/statm") as fh:
            now = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        now = float("nan")
    return {"memory/rss_peak_mib": round(peak, 1), "memory/rss_mib": round(now, 1)}


def should_stream(n_rows: int, n_genes: int, *, memory_fraction: float,
                  available: int | None = None) -> bool:
    """The ``auto`` rule: stream when the float32 training matrix ``(n_rows, n_genes)`` would
    take more than ``memory_fraction`` of the available memory (loading it in memory needs
    about three times its size at the peak: read, gene selection, scaled copy)."""
    avail = available_memory() if available is None else available
    need = n_rows * n_genes * 4
    decision = need > memory_fraction * avail
    logger.info("training matrix %.2f GiB, available memory %.2f GiB: %s", need / 2**30,
                avail / 2**30, "streaming it" if decision else "loading it in memory")
    return decision
