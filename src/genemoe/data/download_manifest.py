"""The download cache's record, ``OUT/manifest.json``: what :func:`~genemoe.data.download.
download_tcga` fetched (URL, size, sha256, time, where a resume began) and what counts as cached.

A file counts as cached when the manifest records it and its size and sha256 on disk still
match; anything else is downloaded again.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genemoe.data.bundle import file_sha256
from genemoe.data.xena_listing import DownloadItem

__all__ = ["MANIFEST_NAME", "MANIFEST_VERSION", "is_cached", "load_manifest", "manifest_entry",
           "read_manifest"]

logger = logging.getLogger("genemoe.data.download")  # said as the downloader's own

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``, or a fresh one (an unreadable one is logged and replaced)."""
    return read_manifest(path)[0]


def read_manifest(path: Path) -> tuple[dict[str, Any], str | None]:
    """The manifest at ``path`` (a fresh one when there is none or it cannot be read), and
    why it could not be read (None: read, or there was none).

    The reason lets the downloader say why a file here is not in the manifest: it said
    "not fetched by genemoe" of every file beside an unreadable manifest too.
    """
    fresh: dict[str, Any] = {"format_version": MANIFEST_VERSION, "files": {}}
    if not path.exists():
        return fresh, None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        logger.warning("%s is unreadable (%s): every file will be checked by downloading again",
                       path, exc)
        return fresh, str(exc)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        logger.warning("%s is not a genemoe download manifest; starting a new one", path)
        return fresh, "not a genemoe download manifest"
    return manifest, None


def is_cached(dest: Path, entry: dict[str, Any] | None, item: DownloadItem) -> bool:
    """True when ``dest`` is complete: size and sha256 match the manifest (and the item)."""
    if entry is None or not dest.is_file():
        return False
    size = dest.stat().st_size
    want_sha = item.sha256.lower() if item.sha256 else entry.get("sha256")
    if size != entry.get("size") or (item.expected_size not in (None, size)):
        recorded = entry.get("size")
        logger.warning("%s: size %s bytes differs from the manifest's %s; downloading again",
                       dest, f"{size:,}", f"{recorded:,}" if isinstance(recorded, int) else recorded)
        return False
    if want_sha is None or file_sha256(dest) != want_sha:
        logger.warning("%s: sha256 differs from the manifest; downloading again", dest)
        return False
    return True


def manifest_entry(item: DownloadItem, dest: Path, *, resumed_from: int | None = None,
                   size_checked: bool = True) -> dict[str, Any]:
    """The manifest's record of ``item``, complete at ``dest``.

    Parameters
    ----------
    item, dest
        The file as planned, and where it now lies whole.
    resumed_from
        Bytes of it an earlier run had left in its ``.part`` and this run continued from
        (``None``: downloaded from the start).
    size_checked
        False when the server announced no size (no Content-Length) and none was expected:
        the file was checked by its content alone (recorded as ``size_check``: ``"not
        announced"``, else ``"announced"``).
    """
    return {
        "url": item.url, "kind": item.kind, "project": item.project,
        "size": dest.stat().st_size, "sha256": file_sha256(dest),
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "resumed_from": resumed_from,
        "size_check": "announced" if size_checked else "not announced",
    }
