"""Download TCGA expression, phenotype and survival tables from UCSC Xena, cached and checked.

What is fetched (file names and URLs as the hubs list them today) is planned by
:mod:`genemoe.data.xena_listing`: from the GDC hub (default) per project the STAR matrix
``TCGA-<P>.star_fpkm-uq.tsv.gz`` (or ``star_tpm``/``star_counts``/``star_fpkm`` with
``values=``), ``TCGA-<P>.clinical.tsv.gz`` and ``TCGA-<P>.survival.tsv.gz`` plus the gene map
``gencode.v36.annotation.gtf.gene.probemap``; from the Pan-Cancer Atlas hub its
batch-corrected matrix, survival and phenotype tables.

Every file is streamed into ``<name>.part`` and renamed into place only once complete, so
a file under its final name is always whole. An interrupted transfer leaves the ``.part``
behind on purpose: the next attempt (or the next run) resumes it with an HTTP Range
request. :func:`download_tcga` records every finished file in ``OUT/manifest.json`` (URL,
size, sha256, time) and skips files whose size and sha256 still match on the next run. A
file is checked before it is renamed into place: a ``.gz`` must decompress to its end and
no file may be an HTML page (:mod:`genemoe.data.download_checks`). A
file the hub answers "not found" for is tried once more under the listing's other URL form
(``.gz`` added or removed), as the listing's URL rule says.

Only the standard library speaks HTTP here (``urllib.request``); proxies set in the usual
environment variables are honoured. Without internet access the download fails with an
:class:`OfflineError` that says how to proceed; nothing ever falls back to other data.
"""

from __future__ import annotations

import errno
import http.client
import importlib.metadata
import json
import logging
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from genemoe.data.bundle import atomic_write_text, dump_json, file_sha256
from genemoe.data.download_checks import content_problem, offline_message
from genemoe.data.xena_listing import (
    GDC_HUB_URL,
    PANCAN_HUB_URL,
    DownloadItem,
    DownloadKind,
    DownloadSource,
    plan_downloads,
)
from genemoe.errors import GenemoeError, input_error

__all__ = [
    "DownloadError", "DownloadItem", "DownloadKind", "DownloadResult", "DownloadSource",
    "GDC_HUB_URL", "MANIFEST_NAME", "OfflineError", "PANCAN_HUB_URL",
    "check_retries", "download_file", "download_tcga", "plan_downloads",
]  # fmt: skip

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
PART_SUFFIX = ".part"
_RETRY_AFTER_CAP_S = 60.0  # never wait longer than this on a server's Retry-After
_RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_OFFLINE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})
try:
    _USER_AGENT = f"genemoe/{importlib.metadata.version('genemoe')}"
except importlib.metadata.PackageNotFoundError:  # running from a source tree
    _USER_AGENT = "genemoe"


class DownloadError(GenemoeError):
    """A file could not be downloaded (the message names the URL and what to do)."""


class OfflineError(DownloadError):
    """The network is unreachable: no route to the host or the host name does not resolve."""


class _Damaged(DownloadError):
    """Internal: the whole file arrived but is not what the hub serves (:func:`content_problem`)."""


class NotOnServerError(DownloadError):
    """The server answered 403/404/410: it does not serve the file under this URL."""


@dataclass
class DownloadResult:
    """What :func:`download_tcga` did.

    Attributes
    ----------
    out_dir, manifest_path
        The output directory and its ``manifest.json``.
    paths
        Every planned file, in plan order (all present and complete on return).
    downloaded, cached
        The files fetched by this call and those already complete (skipped).
    n_bytes
        Total size of the files fetched by this call (a resumed file counts whole).
    """

    out_dir: Path
    manifest_path: Path
    paths: list[Path] = field(default_factory=list)
    downloaded: list[Path] = field(default_factory=list)
    cached: list[Path] = field(default_factory=list)
    n_bytes: int = 0


class _Transient(Exception):
    """Internal: a failure worth retrying (connection, timeout, truncation, 5xx/429)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, offline: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.offline = offline


# ----------------------------------------------------------------------------- one file


def _part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + PART_SUFFIX)


def _open(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """Open ``request`` (one place, so tests can stand in for the network)."""
    return urllib.request.urlopen(request, timeout=timeout)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return min(max(float(value), 0.0), _RETRY_AFTER_CAP_S) if value else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


def _is_offline(exc: BaseException) -> bool:
    """True for DNS failures and 'network/host unreachable' (no internet), not for refusals."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in _OFFLINE_ERRNOS


def _http_failure(url: str, exc: urllib.error.HTTPError) -> Exception:
    """The exception to raise for an HTTP error status: retryable or final."""
    if exc.code in _RETRYABLE_STATUS:
        return _Transient(f"HTTP {exc.code} {exc.reason}", retry_after=_retry_after(exc.headers))
    if exc.code in (403, 404, 410):
        return NotOnServerError(f"HTTP {exc.code} {exc.reason} for {url}")  # the caller says
        # "not on the server" once, with its fix (this was ~400 characters, said twice)
    return DownloadError(f"HTTP {exc.code} {exc.reason} for {url}")


def _parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """``'bytes 10-99/100'`` -> ``(10, 100)``; ``'bytes */100'`` -> ``(None, 100)``."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[6:].partition("/")
    head = span.split("-")[0].strip()
    first = int(head) if head.isdigit() else None
    return first, (int(total) if total.strip().isdigit() else None)


def _send(url: str, part: Path, offset: int, timeout: float) -> http.client.HTTPResponse | int:
    """Send the GET (with ``Range`` when resuming); an int means the ``.part`` is complete."""
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return _open(urllib.request.Request(url, headers=headers), timeout)
    except urllib.error.HTTPError as exc:
        with exc:
            if exc.code == 416 and offset:  # nothing left after `offset`
                _, total = _parse_content_range(exc.headers.get("Content-Range"))
                if total == offset:
                    return offset
                part.unlink(missing_ok=True)
                raise _Transient("server refused to resume (HTTP 416); restarting") from exc
            raise _http_failure(url, exc) from exc
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise _Transient(f"cannot connect: {reason}", offline=_is_offline(exc)) from exc


def _extent(resp: http.client.HTTPResponse, part: Path, offset: int) -> tuple[int, int | None]:
    """Where this response's body starts in the file, and the file's total size if known."""
    length = resp.headers.get("Content-Length")
    length_n = int(length) if length and length.isdigit() else None
    if resp.status == 206:
        first, total = _parse_content_range(resp.headers.get("Content-Range"))
        if first != offset:
            part.unlink(missing_ok=True)
            raise _Transient(f"server resumed at byte {first}, not {offset}; restarting")
        if total is None and length_n is not None:
            total = offset + length_n
        return offset, total
    if offset:  # the partial file's bytes are fetched again: said (was behind -v)
        logger.warning("%s: the server does not resume (it ignored the Range request): "
                       "fetching the whole file again, though %s bytes of it were here",
                       resp.url, f"{offset:,}")
    return 0, length_n


def _stream(resp: http.client.HTTPResponse, part: Path, start: int, total: int | None, *,
            chunk_size: int, progress: bool) -> None:
    """Copy the body into ``part`` (appending at ``start``), keeping what arrived on failure."""
    show = progress and sys.stderr.isatty()
    with part.open("ab" if start else "wb") as fh, tqdm(
        total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
        desc=part.name.removesuffix(PART_SUFFIX), disable=not show, leave=False,
    ) as bar:
        while True:
            try:
                chunk = resp.read1(chunk_size)  # what has arrived, so a stall loses nothing
            except (OSError, http.client.HTTPException) as exc:  # timeout, reset, IncompleteRead
                raise _Transient(f"connection lost mid-transfer: {exc!r}") from exc
            if not chunk:
                return
            fh.write(chunk)
            bar.update(len(chunk))


def _attempt(url: str, part: Path, *, expected_size: int | None, timeout: float,
             chunk_size: int, progress: bool) -> None:
    """One GET: resume or start ``part``; returns when it holds the whole file."""
    offset = part.stat().st_size if part.exists() else 0
    if expected_size is not None and offset >= expected_size:
        if offset == expected_size:
            return
        part.unlink()
        offset = 0
    resp = _send(url, part, offset, timeout)
    if isinstance(resp, int):
        return
    with resp:
        start, total = _extent(resp, part, offset)
        if total is not None and expected_size is not None and total != expected_size:
            part.unlink(missing_ok=True)
            raise DownloadError(f"{url}: the server has {total} bytes, expected "
                                f"{expected_size}; the file on the hub has changed")
        _stream(resp, part, start, total, chunk_size=chunk_size, progress=progress)
    size = part.stat().st_size
    if total is not None and size < total:
        raise _Transient(f"transfer cut short at {size} of {total} bytes")
    if total is not None and size > total:
        part.unlink()
        raise _Transient(f"received {size} bytes, more than the {total} announced; restarting")


def _finish(url: str, part: Path, dest: Path, *, expected_size: int | None,
            sha256: str | None) -> None:
    """Check the complete ``part`` against the expectations, then rename it to ``dest``."""
    size = part.stat().st_size
    if expected_size is not None and size != expected_size:
        part.unlink()
        raise DownloadError(f"{url}: got {size} bytes, expected {expected_size}")
    if sha256 is not None:
        digest = file_sha256(part)
        if digest != sha256.lower():
            part.unlink()
            raise DownloadError(
                f"{url}: sha256 {digest} does not match the expected {sha256.lower()}; "
                "the corrupt file was removed. Run again to download it afresh."
            )
    if (problem := content_problem(part, dest.name)) is not None:
        part.unlink()
        raise _Damaged(f"{url}: the file received is {problem}; it was removed, nothing cached")
    os.replace(part, dest)


def download_file(
    url: str,
    dest: Path,
    *,
    expected_size: int | None = None,
    sha256: str | None = None,
    attempts: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
    progress: bool = True,
    chunk_size: int = 1 << 20,
) -> Path:
    """Download ``url`` to ``dest``: streamed, resumable, retried, checked, renamed atomically.

    The body goes to ``dest.part``; a ``.part`` left by an earlier attempt or run is resumed
    with ``Range: bytes=K-`` (a server that answers 200 instead of 206 is read from zero).
    The result is checked against the size the server announced (Content-Length or the
    Content-Range total), ``expected_size`` and ``sha256``, then renamed to ``dest``
    (``os.replace``), so ``dest`` never holds a partial file.

    Parameters
    ----------
    url
        http(s) URL.
    dest
        Final path; its directory is created.
    expected_size, sha256
        Known size in bytes and hex digest, checked when given.
    attempts
        Attempts in all (1 = no retry). Connection errors, timeouts, truncated bodies and
        HTTP 5xx/429/408 are retried after ``backoff * 2**(attempt-1)`` seconds (or the
        server's Retry-After, capped at 60 s); other HTTP errors fail at once.
    backoff
        Base delay in seconds.
    timeout
        Socket timeout in seconds (connect and every read).
    progress
        Show a tqdm bar (only when stderr is a terminal).
    chunk_size
        Bytes per read.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    DownloadError
        HTTP 403/404/410 (at once), size or sha256 mismatch or a file that is not what
        the hub serves (an HTML page, damaged gzip; the ``.part`` is removed), or every
        attempt failed (the ``.part`` is kept so the next call resumes it).
    OfflineError
        Every attempt failed because the host does not resolve or the network is unreachable.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = _part_path(dest)
    last = _Transient("no attempt made")
    earlier = part.exists() and part.stat().st_size > 0  # a .part left by an earlier run
    for attempt in range(1, attempts + 1):
        try:
            _attempt(url, part, expected_size=expected_size, timeout=timeout,
                     chunk_size=chunk_size, progress=progress)
            _finish(url, part, dest, expected_size=expected_size, sha256=sha256)
            return dest
        except _Damaged as exc:  # spliced onto an older version of the file: once afresh
            if not earlier or attempt == attempts:
                raise DownloadError(f"{exc}. Run again; if it persists, the server or a proxy "
                                    "answers with something else (check --base-url)") from exc
            logger.warning("%s; the .part resumed from an earlier run (the file changed on "
                           "the server since?): downloading it from the start", exc)
            earlier = False
        except _Transient as exc:
            last = exc
            if attempt < attempts:
                delay = exc.retry_after if exc.retry_after is not None else backoff * 2 ** (attempt - 1)
                logger.warning("%s: %s (attempt %d of %d); retrying in %.2g s",
                               url, exc, attempt, attempts, delay)
                time.sleep(delay)
            continue
    if last.offline:
        raise OfflineError(offline_message(url, str(last))) from last
    kept = f"; the partial file {part} is kept and the next run resumes it" if part.exists() else ""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    raise DownloadError(f"could not download {url} after {tries}: {last}{kept}") from last


# ----------------------------------------------------------------------------- many files
def check_retries(retries: int) -> None:
    """Refuse a negative ``--retries`` (the retries after a file's first attempt)."""
    if retries < 0:  # download_file's own check is a ValueError (a traceback on the CLI)
        raise input_error(f"must be 0 or more retries per file, got {retries}", where="--retries",
                          fix="pass --retries 0 (one attempt per file) or more (2 by default: "
                              "3 attempts)")




def _load_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``, or a fresh one (an unreadable one is logged and replaced)."""
    fresh: dict[str, Any] = {"format_version": MANIFEST_VERSION, "files": {}}
    if not path.exists():
        return fresh
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        logger.warning("%s is unreadable (%s): every file will be checked by downloading again",
                       path, exc)
        return fresh
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        logger.warning("%s is not a genemoe download manifest; starting a new one", path)
        return fresh
    return manifest


def _is_cached(dest: Path, entry: dict[str, Any] | None, item: DownloadItem) -> bool:
    """True when ``dest`` is complete: size and sha256 match the manifest (and the item)."""
    if entry is None or not dest.is_file():
        return False
    size = dest.stat().st_size
    want_sha = item.sha256.lower() if item.sha256 else entry.get("sha256")
    if size != entry.get("size") or (item.expected_size not in (None, size)):
        logger.warning("%s: size %d differs from the manifest's %s; downloading again",
                       dest, size, entry.get("size"))
        return False
    if want_sha is None or file_sha256(dest) != want_sha:
        logger.warning("%s: sha256 differs from the manifest; downloading again", dest)
        return False
    return True


def _manifest_entry(item: DownloadItem, dest: Path) -> dict[str, Any]:
    return {
        "url": item.url, "kind": item.kind, "project": item.project,
        "size": dest.stat().st_size, "sha256": file_sha256(dest),
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }



def _fetch(item: DownloadItem, out_dir: Path, manifest: dict[str, Any],
           **kw: Any) -> tuple[DownloadItem, bool]:
    """Make ``item`` (or the listing's other URL form of it) complete in ``out_dir``.

    Returns the item actually used and whether it was downloaded (False: cached).
    """
    alt = item.alternative()
    for cand in (item, alt):
        entry = manifest["files"].get(cand.filename)
        if entry is not None and _is_cached(out_dir / cand.filename, entry, cand):
            return cand, False
    if (out_dir / item.filename).is_file() and item.filename not in manifest["files"]:
        logger.warning("%s is not in %s (not fetched by genemoe): replacing it with the hub's",
                       out_dir / item.filename, MANIFEST_NAME)  # was replaced unsaid
    try:
        download_file(item.url, out_dir / item.filename, expected_size=item.expected_size,
                      sha256=item.sha256, **kw)
        return item, True
    except NotOnServerError as exc:
        logger.warning("%s: not on the server; trying %s (the listing's other URL form)",
                       item.url, alt.url)
        try:
            download_file(alt.url, out_dir / alt.filename, **kw)
        except NotOnServerError:
            raise NotOnServerError(f"{exc}; also tried {alt.url}") from exc
        return alt, True


def download_tcga(
    out_dir: Path,
    *,
    projects: Sequence[str] | None = None,
    source: DownloadSource = "gdc",
    values: str = "fpkm_uq",
    base_url: str | None = None,
    retries: int = 2,
    backoff: float = 1.0,
    timeout: float = 60.0,
    progress: bool = True,
) -> DownloadResult:
    """Download TCGA tables from UCSC Xena into ``out_dir``, skipping files already there.

    A file counts as cached when ``out_dir/manifest.json`` records it and its size and
    sha256 on disk still match; anything else is (re-)downloaded with :func:`download_file`
    and recorded. The manifest is rewritten atomically after every file, so an interrupted
    run loses at most the file in flight (whose ``.part`` the next run resumes).

    Parameters
    ----------
    out_dir
        Output directory (created).
    projects, source, values, base_url
        What to fetch and from where: see :func:`genemoe.data.xena_listing.plan_downloads`.
    retries
        Attempts per file after the first failed one (:func:`check_retries`; 2: up to 3
        attempts in all, 0: no retry).
    backoff, timeout, progress
        Passed to :func:`download_file`.

    Returns
    -------
    DownloadResult
        All paths, which were downloaded and which cached, bytes fetched.

    Raises
    ------
    InputError
        Unknown project code, value set or source.
    OfflineError
        No internet access; ``out_dir/urls.txt`` then lists the files still to fetch.
    DownloadError
        A file could not be fetched (under either URL form) or failed its checks; files the
        server does not serve (:class:`NotOnServerError`) are raised together at the end,
        after every other file was fetched (the first used to stop the rest).
    """
    out_dir = Path(out_dir)
    check_retries(retries)
    items = plan_downloads(projects, source=source, values=values, base_url=base_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = DownloadResult(out_dir=out_dir, manifest_path=out_dir / MANIFEST_NAME)
    manifest = _load_manifest(result.manifest_path)
    kw = {"attempts": retries + 1, "backoff": backoff, "timeout": timeout, "progress": progress}
    missing: list[NotOnServerError] = []
    for i, item in enumerate(items, start=1):
        try:
            used, fetched = _fetch(item, out_dir, manifest, **kw)
        except NotOnServerError as exc:  # the others still come (the first stopped the rest)
            logger.warning("[%d/%d] %s: not on the server under either URL form", i, len(items),
                           item.filename)
            missing.append(exc)
            continue
        except OfflineError as exc:
            urls_path = out_dir / "urls.txt"
            atomic_write_text(urls_path, "".join(f"{it.url}\n" for it in items[i - 1:]))
            reason = str(exc.__cause__) if exc.__cause__ else "network unreachable"
            raise OfflineError(offline_message(item.url, reason, urls_path)) from exc
        dest = out_dir / used.filename
        result.paths.append(dest)
        if not fetched:
            logger.info("[%d/%d] %s: cached", i, len(items), used.filename)
            result.cached.append(dest)
            continue
        entry = manifest["files"][used.filename] = _manifest_entry(used, dest)
        atomic_write_text(result.manifest_path, dump_json(manifest))
        result.downloaded.append(dest)
        result.n_bytes += entry["size"]
        logger.info("[%d/%d] %s: downloaded (%d bytes)", i, len(items), used.filename, entry["size"])
    if missing:
        raise NotOnServerError(
            f"{len(missing)} of {len(items)} files {'is' if len(missing) == 1 else 'are'} not "
            f"on the server ({missing[0]}"
            + (f"; and {len(missing) - 1} more, each warned above" if len(missing) > 1 else "")
            + f"); the other {len(result.paths)} are in {out_dir}: check the project codes "
              "and --values against the hub's listing (genemoe download tcga --list)")
    return result
