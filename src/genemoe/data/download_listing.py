"""``genemoe download tcga --list``: what a download would fetch, with sizes where known,
fetching nothing (sizes from the cache's manifest, else a HEAD request to the hub).

A server that answers with an error (HTTP 500) is told apart from one that gives no size,
and a ``.part`` an earlier run left (which a download resumes) is counted; one larger than
the file the hub serves, or a ``.gunzip.part`` a killed decompression left, is said to be
started over or removed, as the download does."""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from genemoe.data import download as dl  # its _open: the tests replace it there
from genemoe.data.download_checks import name_some, offline_message
from genemoe.data.download_errors import is_offline
from genemoe.data.download_forms import hub_of, url_forms
from genemoe.data.download_gunzip import leftover_gunzip_parts
from genemoe.data.download_manifest import MANIFEST_NAME, load_manifest, part_validators
from genemoe.data.xena_listing import (
    GDC_HUB_URL,
    PANCAN_HUB_URL,
    DownloadItem,
    DownloadSource,
    download_command,
    plan_downloads,
)

__all__ = ["PlannedFile", "base_url_fix", "list_downloads"]

logger = logging.getLogger("genemoe.data.download")


@dataclass(frozen=True)
class PlannedFile:
    """One line of ``genemoe download tcga --list``: a planned file and its size if known.

    ``size_from`` is ``"cache"`` (complete in the output directory), ``"server"`` (the
    hub's Content-Length), ``"missing"`` (the hub answered 403/404/410 for both URL
    forms: a download would fail), ``"error"`` (the hub answered another error, e.g.
    HTTP 500, or refused the connection: ``status`` says which) or ``"unknown"``
    (offline, or the server did not say). ``part_bytes``: the bytes of a ``.part`` an
    earlier run left in the output directory, which a download resumes (None: none);
    ``stale_part``: the name of a ``.part`` a download never resumes: of the URL form the
    hub does not serve, or larger than the file it serves (the download starts that one
    over; was "would resume") (None: none, or which form is served is not known).
    """

    item: DownloadItem
    size: int | None
    size_from: str
    status: str | None = None
    part_bytes: int | None = None
    stale_part: str | None = None


def _forms(item: DownloadItem, out_dir: Path | None, gz_first: bool = False
           ) -> tuple[DownloadItem, DownloadItem]:
    """``item``'s two URL forms in the order the download tries them (:func:`url_forms`:
    the plain name first, a form with a ``.part`` here before it, the ``.gz`` first on a hub
    that served only it, ``gz_first``); --list asked for the planned form first, and named
    the other form's ``.part`` as resumed."""
    return url_forms(item, out_dir, gz_first=gz_first)


def _head_size(item: DownloadItem, timeout: float, out_dir: Path | None = None,
               gz_hubs: set[str] | None = None) -> tuple[DownloadItem, int | None | bool | str]:
    """Content-Length of the URL form of ``item`` the download fetches (the first served,
    :func:`_forms`); False when neither form is served (was "size unknown", as for a
    silent server), and the status (``"HTTP 500"``) when the server answered another
    error (was "size unknown" too). ``gz_hubs``: as the download's (its hubs that served a
    ``.gz`` only, asked for it first: one "not found" in all, not one per file); updated."""
    gz_hubs = set() if gz_hubs is None else gz_hubs
    for n, cand in enumerate(_forms(item, out_dir, hub_of(item) in gz_hubs)):
        request = urllib.request.Request(cand.url, method="HEAD",
                                         headers={"User-Agent": dl._USER_AGENT})
        try:
            with dl._open(request, timeout) as resp:
                length = resp.headers.get("Content-Length")
                if n and item.filename.endswith(".gz"):  # the second form answered
                    (gz_hubs.add if cand is item else gz_hubs.discard)(hub_of(item))
                return cand, int(length) if length and length.isdigit() else None
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code not in (403, 404, 410):
                return item, f"HTTP {exc.code}"
    return item, False


def _part_here(out_dir: Path | None, item: DownloadItem) -> Path | None:
    """The non-empty ``.part`` an earlier run left for ``item``'s own URL form, if any."""
    part = Path(out_dir) / f"{item.filename}{dl.PART_SUFFIX}" if out_dir is not None else None
    return part if part is not None and part.is_file() and part.stat().st_size else None


def _part_bytes(out_dir: Path | None, item: DownloadItem, served: bool) -> int | None:
    """Bytes of the ``.part`` a download resumes for ``item``, and said: the ``.part`` of
    the URL form the hub serves (``served``: found by HEAD) or, not known, of the form the
    download tries first (the other form's was "would resume" under the planned form's
    name: the download fetched the served form from zero and left it, :func:`_say_stale`).
    Not a plain file's kept without an ETag or Last-Modified to check it by (the download
    fetches that one from its start)."""
    part = _part_here(out_dir, item)
    if part is None:
        return None
    size = part.stat().st_size
    if not item.filename.endswith(".gz") and not part_validators(part):
        logger.info("%s: %s bytes here from an earlier run, without an ETag or Last-Modified "
                    "to check them by: a download fetches it from the start", part.name,
                    f"{size:,}")
        return None
    logger.info("%s: %s bytes here from an earlier run (%s); a download resumes it%s",
                item.filename, f"{size:,}", part.name, "" if served else " if the hub serves it")
    return size


def _too_long(out_dir: Path | None, item: DownloadItem, served: int | None) -> str | None:
    """Say ``item``'s ``.part`` here where it is longer than the ``served`` bytes the hub has
    now: never resumed, the download starts it over (HTTP 416, its total below the bytes
    here; --list said "would resume"); its name (None: none, or not longer)."""
    part = _part_here(out_dir, item)
    if part is None or served is None or part.stat().st_size <= served:
        return None
    logger.warning("%s: %s bytes here from an earlier run, more than the %s the hub serves now "
                   "(changed on the hub since?): a download starts it over", part.name,
                   f"{part.stat().st_size:,}", f"{served:,}")
    return part.name


def _say_leftovers(out_dir: Path | None, items: Sequence[DownloadItem]) -> None:
    """Say each ``.gunzip.part`` a killed decompression left here (a download removes it,
    :func:`~genemoe.data.download_gunzip.remove_leftover_gunzip`; was unsaid)."""
    for path in leftover_gunzip_parts(Path(out_dir), items) if out_dir is not None else []:
        logger.warning("%s: %s bytes left by a decompression an earlier run did not finish: "
                       "a download removes it", path.name, f"{path.stat().st_size:,}")


def _say_stale(out_dir: Path | None, used: DownloadItem, served: bool) -> str | None:
    """Say the ``.part`` of the URL form a download does not fetch (the hub serves
    ``used``): stale, never resumed; its name (None: none, or the served form unknown)."""
    other = used.alternative()
    if (part := _part_here(out_dir, other)) is None:
        return None
    if not served:  # which form the hub serves is not known: neither is what becomes of it
        logger.info("%s: %s bytes of %s here; a download resumes it only if the hub serves "
                    "that form and not %s", part.name, f"{part.stat().st_size:,}",
                    other.filename, used.filename)
        return None
    logger.warning("%s: %s bytes of %s, which the hub does not serve here: stale, a download "
                   "fetches %s instead (delete the .part)", part.name,
                   f"{part.stat().st_size:,}", other.filename, used.filename)
    return part.name


def _in_cache(out_dir: Path | None, manifest: dict, item: DownloadItem) -> PlannedFile | None:
    """``item`` as complete in ``out_dir`` by the manifest, under either URL form's name (as
    the download looks; the other form was listed as to be fetched), else None."""
    if out_dir is None:
        return None
    for cand in (item, item.alternative()):
        entry, cached = manifest["files"].get(cand.filename), Path(out_dir) / cand.filename
        if entry is None or not cached.is_file():
            continue
        if cached.stat().st_size == entry["size"]:  # sha256 is the download's check
            return PlannedFile(cand, entry["size"], "cache")
        logger.warning("%s: size %s bytes differs from the manifest's %s: a download fetches "
                       "it again", cached, f"{cached.stat().st_size:,}",
                       f"{entry['size']:,}")  # was "in cache"
    return None


def _say_errors(planned: Sequence[PlannedFile]) -> None:
    """One warning per error status the server answered (was "size unknown", as for a
    server that gives no sizes), the files named on a line of their own (it was one line
    of ~190 characters)."""
    by_status: dict[str, list[str]] = {}
    for p in planned:
        if p.size_from == "error" and p.status:
            by_status.setdefault(p.status, []).append(p.item.filename)
    for status, names in by_status.items():
        logger.warning("the server's answer for %d of %d files was %s: a download now would "
                       "likely fail\n  %s: %s\n  fix: try again later, or check --base-url",
                       len(names), len(planned), status, "file" if len(names) == 1 else "files",
                       name_some(names, 2))


def base_url_fix(base_url: str | None, source: str, n_missing: int, n_files: int) -> str:
    """The fix for a ``--base-url`` that serves none of the files: it names the hub's
    download folder (``https://gdc.xenahubs.net``, the listing's host, lacks ``/download/``:
    4 of 4 files "not on the server", and only ``--list`` as the fix). ``""`` where some
    file is there, or the base is the hub's own."""
    hub = PANCAN_HUB_URL if source == "pancan" else GDC_HUB_URL
    if not base_url or not n_files or n_missing < n_files or base_url.rstrip("/") == hub.rstrip("/"):
        return ""
    path = urllib.parse.urlsplit(base_url).path.rstrip("/")
    lacks = "" if path.endswith("/download") else " (no /download/ folder)"
    return (f"--base-url looks wrong{lacks}: none of the {n_files} files is there; "
            f"it is the hub's download folder, e.g. {hub}")


def list_downloads(
    out_dir: Path | None = None,
    *,
    projects: Sequence[str] | None = None,
    source: DownloadSource = "gdc",
    values: str = "fpkm_uq",
    base_url: str | None = None,
    probe: bool = True,
    timeout: float = 10.0,
) -> list[PlannedFile]:
    """What :func:`download_tcga` would fetch, with sizes where known; downloads nothing.

    Sizes come from ``out_dir``'s manifest for complete files (under either URL form's
    name; an entry that does not record a file is dropped, said once), else from a HEAD request
    to the hub (``probe``); once the network proves unreachable the rest are "unknown".
    An error the server answers is kept (``status``, said once per status), as are the
    bytes of a ``.part`` a download would resume (``part_bytes``, said per file); a
    ``.part`` it starts over (longer than the hub's file) or a ``.gunzip.part`` it removes
    is said. On a hub that answers "not found" for a plain name and serves the ``.gz``, the
    later ``.gz`` files are asked for so first, as the download does.
    """
    items = plan_downloads(projects, source=source, values=values, base_url=base_url)
    manifest = load_manifest(Path(out_dir) / MANIFEST_NAME) if out_dir else {"files": {}}
    planned: list[PlannedFile] = []
    _say_leftovers(out_dir, items)
    gz_hubs: set[str] = set()  # as the download's: one "not found" in all, not one per file
    for item in items:
        if (found := _in_cache(out_dir, manifest, item)) is not None:
            planned.append(found)
            continue
        size: int | None | bool | str = None
        served = False
        if probe:
            try:
                item, size = _head_size(item, timeout, out_dir, gz_hubs)
            except (OSError, http.client.HTTPException) as exc:
                if not (probe := not is_offline(exc)):  # said once (was "size unknown" x 10)
                    command = download_command(projects, source=source, values=values,
                                               base_url=base_url)
                    logger.warning("%s", offline_message(
                        item.url, str(getattr(exc, "reason", exc)), command=command))
                else:
                    logger.info("%s: no size, no answer (%s)", item.filename,
                                getattr(exc, "reason", exc))  # was the URL, ~120 characters
                    size = "no answer"
            else:
                served = size is None or type(size) is int
        fetched = item if served else _forms(item, out_dir, hub_of(item) in gz_hubs)[0]
        long = _too_long(out_dir, fetched, size if served and type(size) is int else None)
        part = None if long else _part_bytes(out_dir, fetched, served)  # the served form's
        stale = _say_stale(out_dir, fetched, served) or long
        if size is False:
            planned.append(PlannedFile(item, None, "missing", part_bytes=part, stale_part=stale))
        elif isinstance(size, str):
            planned.append(PlannedFile(item, None, "error", status=size, part_bytes=part,
                                       stale_part=stale))
        else:
            planned.append(PlannedFile(item, size, "server" if size is not None else "unknown",
                                       part_bytes=part, stale_part=stale))
    _say_errors(planned)
    missing = sum(p.size_from == "missing" for p in planned)
    if fix := base_url_fix(base_url, source, missing, len(planned)):
        logger.warning("%s", fix)
    return planned
