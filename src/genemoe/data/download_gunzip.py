"""A download's last step, once its ``.part`` is whole: checked (size, sha256, content) and
renamed into place (:func:`finish_part`), a plain-named file that arrived gzip-compressed
decompressed first into ``<name>.gunzip.part``. That file is removed on any failure or
interrupt, and one an earlier run left (killed mid-decompression) is removed and said.
Used by :mod:`genemoe.data.download` (and said by ``--list``)."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from genemoe.data.bundle import file_sha256
from genemoe.data.download_checks import content_problem
from genemoe.data.download_errors import Damaged, DownloadError, write_failure
from genemoe.data.download_manifest import drop_part
from genemoe.data.xena_listing import DownloadItem

__all__ = ["GUNZIP_SUFFIX", "decompressed", "finish_part", "gunzip_part_path", "gunzip_plain",
           "leftover_gunzip_parts", "remove_leftover_gunzip"]

logger = logging.getLogger("genemoe.data.download")  # said as the downloader's own

GUNZIP_SUFFIX = ".gunzip.part"
_CHUNK_SIZE = 1 << 20  # bytes per read


def gunzip_part_path(dest: Path) -> Path:
    """Where a plain-named ``dest`` sent gzip-compressed is decompressed to until it is
    checked: ``<dest>.gunzip.part``."""
    return dest.with_name(dest.name + GUNZIP_SUFFIX)


def gunzip_plain(part: Path, dest: Path) -> Path | None:
    """The ``.part`` of a plain-named file decompressed beside it, where it holds gzip data
    (None: it does not, and is checked as it is).

    S3 sends an object stored gzip-compressed with ``Content-Encoding: gzip`` whatever
    ``Accept-Encoding`` asked, and a mirror may serve a table's gzip under its plain name.
    The ``.part`` keeps the bytes as sent: ``Content-Length``, ``Content-Range`` and a
    resume's ``Range`` count those (the encoded ones), so a resume by byte ranges stays
    correct; the file is decompressed only once whole, to its plain name (the name the
    listing gives it; a ``.gz`` name would hide the table from the globs on its plain
    name). Damaged gzip data raises :class:`Damaged`. The ``.gunzip.part`` is removed on
    any failure, an interrupt (Ctrl-C, ``KeyboardInterrupt``) included: one was left then,
    overwritten only by the next run that decompressed the same file.
    """
    with part.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return None
    decoded = gunzip_part_path(dest)
    done = False
    try:
        with gzip.open(part, "rb") as src, decoded.open("wb") as out:
            shutil.copyfileobj(src, out, _CHUNK_SIZE)
        done = True
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise Damaged(f"damaged gzip data sent under a plain name ({exc})") from exc
    except OSError as exc:
        decoded.unlink(missing_ok=True)  # before the error says whether a partial file is kept
        raise write_failure(exc, decoded, str(dest)) from exc
    finally:
        if not done:
            decoded.unlink(missing_ok=True)
    return decoded


@contextmanager
def decompressed(part: Path, dest: Path) -> Iterator[Path | None]:
    """:func:`gunzip_plain` of a plain-named ``dest`` (None for a ``.gz`` one, kept as sent,
    or a ``.part`` without gzip data) for the ``with`` block, which checks it and renames it
    into place; a ``.gunzip.part`` still there on leaving the block (a check that failed, an
    interrupt) is removed."""
    decoded = None if dest.name.endswith(".gz") else gunzip_plain(part, dest)
    try:
        yield decoded
    finally:
        if decoded is not None:
            decoded.unlink(missing_ok=True)


def finish_part(url: str, part: Path, dest: Path, *, expected_size: int | None,
                sha256: str | None, size_checked: bool) -> bool:
    """Check the complete ``part`` against the expectations, then rename it to ``dest``
    (a plain-named one holding gzip data decompressed first, its ``.gunzip.part`` removed on
    any failure: :func:`decompressed`). Returns whether it was decompressed.

    Raises
    ------
    DownloadError
        Size or sha256 mismatch (the ``.part`` removed).
    Damaged
        Not the hub's file (an HTML page, damaged gzip, a cut table): the ``.part`` removed.
    """
    size = part.stat().st_size
    if expected_size is not None and size != expected_size:
        drop_part(part)
        raise DownloadError(f"{url}: got {size:,} bytes, expected {expected_size:,}")
    if sha256 is not None:
        digest = file_sha256(part)
        if digest != sha256.lower():
            drop_part(part)
            raise DownloadError(
                f"{url}: sha256 {digest} does not match the expected {sha256.lower()}; "
                "the corrupt file was removed. Run again to download it afresh."
            )
    checked = size_checked or sha256 is not None  # only words what a cut plain file is called
    try:
        with decompressed(part, dest) as decoded:  # a .gunzip.part is never left behind
            body = decoded or part
            if (problem := content_problem(body, dest.name, size_checked=checked)) is not None:
                raise Damaged(problem)  # the next attempt starts afresh; nothing damaged kept
            os.replace(body, dest)
    except Damaged:
        drop_part(part)
        raise
    drop_part(part)  # the validators kept beside it (and the .part, where decompressed)
    return decoded is not None


def leftover_gunzip_parts(out_dir: Path, items: Iterable[DownloadItem]) -> list[Path]:
    """The ``.gunzip.part`` files here of ``items`` (under their plain names: only those are
    decompressed), left by a run killed mid-decompression; never resumed."""
    names = dict.fromkeys(i.filename.removesuffix(".gz") for i in items)
    return [p for name in names if (p := gunzip_part_path(Path(out_dir) / name)).is_file()]


def remove_leftover_gunzip(out_dir: Path, items: Iterable[DownloadItem]) -> list[Path]:
    """Remove and say each leftover ``.gunzip.part`` of ``items`` (:func:`leftover_gunzip_parts`:
    a file is decompressed again from its whole ``.part``); returns those removed."""
    found = leftover_gunzip_parts(out_dir, items)
    for path in found:
        size = path.stat().st_size
        path.unlink(missing_ok=True)
        logger.warning("%s: %s bytes left by a decompression an earlier run did not finish: "
                       "removed (the file is decompressed again from its .part)", path,
                       f"{size:,}")
    return found
