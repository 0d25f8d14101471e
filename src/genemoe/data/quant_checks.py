"""Checks of a ``--quant-dir`` folder's per-sample files, and of the options given with them.

Split from :mod:`genemoe.data.quant_dir` (the join): each check refuses a damaged file by
name, line and fix, or warns of an option the data contradicts, as the ``--gdc-dir`` route
does for the GDC portal's files (:mod:`genemoe.data.gdc_portal`).

* :func:`read_whole` — a file's bytes, refused where its last line has no line end: STAR,
  Salmon, kallisto, RSEM and HTSeq-count end every line with one, so a file without it was
  cut mid-row, and its last value, cut to its first digits (``4191`` to ``41``), would pass
  as a number.
* :func:`check_unique_genes` — a gene-level file naming one gene twice (the repeat was read
  as one more gene, and another, healthy file blamed as "cut short"), or, with
  ``what="transcript"``, a transcript-level file naming one transcript twice (the repeat
  was summed into its gene: the gene's count doubled without a word).
* :func:`genes_differ` — the error for a sample whose genes are not the first sample's.
* :func:`warn_strand_against` — ``--strand`` given against the read-1 strand share measured
  in STAR's own columns (it was taken without a word).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.textio import open_binary, reading
from genemoe.errors import InputError, input_error

__all__ = ["STAR_COLUMN", "check_unique_genes", "genes_differ", "read_whole", "strand_against",
           "warn_strand_against"]

logger = logging.getLogger(__name__)

STAR_COLUMN = {"unstranded": 1, "forward": 2, "reverse": 3}  # 0-based, after the gene id
_AGAIN = "copy or quantify this sample again, in full"


def read_whole(path: Path, tool: str) -> bytes:
    """The file's bytes (decompressed), its last line checked for its line end.

    Parameters
    ----------
    path
        A per-sample file (gzip, bzip2, xz or zip allowed).
    tool
        Its producer, for the message (e.g. ``"STAR ReadsPerGene.out.tab"``).

    Raises
    ------
    InputError
        The last line has no line end (LF, or CR for old Mac text): the file was cut mid-row.
    """
    with reading(path), open_binary(path) as fh:
        data = fh.read()
    if data and not data.endswith((b"\n", b"\r")):
        newline = b"\n" if b"\n" in data else b"\r"
        last = data.rsplit(newline, 1)[-1].decode("utf-8", "replace")
        tail = last if len(last) <= 40 else "..." + last[-37:]
        raise input_error(
            f"the last line has no line end (it ends {tail!r}): the file was cut mid-row, its "
            f"last value perhaps cut to its first digits ({tool} ends every line with one)",
            path=path, where=f"line {data.count(newline) + 1:,}",
            fix=f"{_AGAIN} (an interrupted copy or run?)")
    return data


def check_unique_genes(ids: pd.Index, lines: np.ndarray, path: Path, tool: str,
                       what: str = "gene") -> None:
    """Refuse a file that names one gene (or, ``what="transcript"``, one transcript) twice.

    Parameters
    ----------
    ids
        The file's ids (summary rows included), in file order.
    lines
        Each id's line in the file (1-based).
    path, tool
        The file and its producer, for the message.
    what
        ``"gene"`` (a gene-level file) or ``"transcript"`` (Salmon's quant.sf, kallisto's
        abundance.tsv, RSEM's isoforms.results: a repeat would be summed into its gene).

    Raises
    ------
    InputError
        A repeated id, named with both its lines.
    """
    if not ids.has_duplicates:
        return
    dup = np.flatnonzero(ids.duplicated(keep=False))
    first = int(dup[0])
    second = int(next(i for i in dup[1:] if ids[i] == ids[first]))
    raise input_error(f"{what} {ids[first]!r} appears twice (lines {int(lines[first]):,} and "
                      f"{int(lines[second]):,})", path=path,
                      fix=f"{_AGAIN}: {tool} writes each {what} once, so a repeated row is "
                      f"damage, two files run together or a later edit (if the file was edited, "
                      f"keep one row per {what})")


def genes_differ(genes: pd.Index, first: pd.Index, path: Path, first_path: Path,
                 quant_dir: Path) -> InputError:
    """The error for a sample whose genes are not the first sample's: a file cut short (its
    genes a subset of the other's) is said as such, else another annotation. The other file
    is named by its path in the folder (every Salmon sample's file is ``quant.sf``)."""
    if len(genes) < len(first) and genes.isin(first).all():
        short, full, n, m = path, first_path, len(genes), len(first)
    elif len(first) < len(genes) and first.isin(genes).all():
        short, full, n, m = first_path, path, len(first), len(genes)
    else:
        return input_error(f"its {len(genes)} genes differ from "
                           f"{first_path.relative_to(quant_dir)}'s {len(first)} (another "
                           "annotation or index?)", path=path,
                           fix="quantify every sample against the same annotation")
    return input_error(f"holds only {n:,} of {full.relative_to(quant_dir)}'s {m:,} genes and no "
                       "others: the file looks cut short (an interrupted copy or run?)",
                       path=short, fix=_AGAIN)


def _pct(shares: list[float]) -> str:
    low, high = f"{min(shares):.0%}", f"{max(shares):.0%}"
    return low if low == high else f"{low}-{high}"


def _what_it_takes(strand: str, found: str, shares: list[float]) -> str:
    """What the given column holds of a library of strandedness ``found``."""
    column = f"column {STAR_COLUMN[strand] + 1} ({strand})"
    if strand == "unstranded":
        return f"{column} counts reads of either strand, antisense ones included"
    held = _pct([s if strand == "forward" else 1 - s for s in shares])
    if found == "unstranded":
        return f"{column} takes one strand of an unstranded library, {held} of the stranded reads"
    return f"{column} takes the antisense counts, {held} of the stranded reads"


def warn_strand_against(strand: str, against: dict[str, str], shares: dict[str, float]) -> None:
    """Warn where ``--strand`` goes against the strandedness STAR's columns show.

    Parameters
    ----------
    strand
        The ``--strand`` given (``unstranded``, ``forward`` or ``reverse``).
    against
        Strandedness by sample where the shares point elsewhere than ``strand``, as
        :func:`genemoe.data.quant_dir.star_strand` tells it (share of read 1's strand at most
        0.25: reverse, at least 0.75: forward, 0.4-0.6: unstranded).
    shares
        Read 1's strand share by sample, every sample of the join.
    """
    for found in sorted(set(against.values())):
        samples = [s for s, f in against.items() if f == found]
        got = [shares[s] for s in samples]
        which = (f"all {len(samples):,} samples" if len(samples) == len(shares) else
                 f"{len(samples):,} of {len(shares):,} samples (e.g. {samples[0]})")
        logger.warning(
            "--strand %s goes against the data: %s have %s of their stranded counts on read "
            "1's strand, %s library (<= 25%%: reverse, >= 75%%: forward, 40-60%%: "
            "unstranded); %s: use --strand auto (or --strand %s)", strand, which, _pct(got),
            "an unstranded" if found == "unstranded" else f"a {found}-stranded",
            _what_it_takes(strand, found, got), found)


def strand_against(notes: dict[str, Any], sample: str, strand: str, found: str) -> None:
    """Note ``sample`` in ``notes['strand_against_data']`` where the given ``strand`` is not
    the ``found`` one (``"unclear"`` shares contradict nothing; ``auto`` takes the found)."""
    if strand != "auto" and found not in ("unclear", strand):
        notes.setdefault("strand_against_data", {})[sample] = found
