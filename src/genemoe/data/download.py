"""Download TCGA expression, phenotype and survival tables from UCSC Xena, cached and checked.

What is fetched (file names and URLs as the hubs list them today) is planned by
:mod:`genemoe.data.xena_listing`: from the GDC hub (default) per project the STAR matrix
``TCGA-<P>.star_fpkm-uq.tsv.gz`` (or ``star_tpm``/``star_counts``/``star_fpkm`` with
``values=``), ``TCGA-<P>.clinical.tsv.gz`` and ``TCGA-<P>.survival.tsv.gz`` plus the gene map
``gencode.v36.annotation.gtf.gene.probemap``; from the Pan-Cancer Atlas hub its
batch-corrected matrix, survival and phenotype tables.

Every file is streamed into ``<name>.part`` and renamed into place only once complete, so
a file under its final name is always whole. An interrupted transfer leaves the ``.part``
(and the ETag / Last-Modified it began with, ``<name>.part.json``) behind on purpose: the
next attempt or run resumes it with ``Range`` and ``If-Range`` (a file changed since comes
whole; a plain file with neither validator is fetched again from its start, a ``.gz`` spliced
from two versions fails its CRC), and the per-file line says so: "resumed from 983,040 bytes".
:func:`download_tcga` records every finished file in ``OUT/manifest.json``
(:mod:`genemoe.data.download_manifest`: URL, size, sha256, time, where a resume began) and
skips files whose size and sha256 still match on the next run (a plain table's last byte
must also still be a line end: an earlier version cached cut ones). A file is checked
before it is renamed into place: a ``.gz`` must decompress to its end, any table (a ``.gz``
at its decompressed head) must hold a row below its header, a plain one must be text with a
tab-separated header and end in a newline with its last line as wide as its header,
whatever Content-Length said (where none was, the manifest and the per-file line say "size
not announced"), and no file may be an HTML or S3 error page
(:mod:`genemoe.data.download_checks`; what can fail, and what is retried, is
:mod:`genemoe.data.download_errors`); a damaged one is removed and downloaded again from
the start, as a failed transfer is retried. A plain-named file sent gzip-compressed (S3's
``Content-Encoding: gzip`` for an object stored so) is kept as sent in its ``.part``, so a
resume's byte ranges stay those of the compressed bytes, and saved decompressed under its
plain name once whole (:mod:`~genemoe.data.download_gunzip`). Each file is
asked for under its plain name first and with ``.gz`` appended only where the hub answers
"not found", as the listing's URL rule says (UCSCXenaTools ``XenaQuery``; a ``.part`` an
earlier run left of either form is resumed first: :func:`~genemoe.data.download_forms.
url_forms`): a hub that serves both forms gives the plain one, which a glob on ``.tsv.gz``
misses (said in a warning naming a glob on both forms); once a hub answers "not found" for a
plain name and serves its ``.gz``, the run's later ``.gz`` files there are asked for so first
(one extra request in all, not one per file). A file not on the server, still
damaged after its last attempt, or broken off mid-transfer on every attempt (its ``.part``
kept) does not stop the others: they are named together in one error at the end; but where
the first two files both came back as one and the same web page and nothing else came (a
``--base-url`` that is a web site, a proxy's login page) the run stops there, naming the
page and the hub's download folder. A server that keeps failing or refuses
(HTTP 5xx, 401, 407, ...) or a full disk stops the run, its error naming the files set
aside before it too, with a fix worded by what failed.

Only the standard library speaks HTTP here (``urllib.request``); proxies set in the usual
environment variables are honoured. Without internet access the download fails with an
:class:`OfflineError` that says how to proceed; nothing ever falls back to other data.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import logging
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from genemoe.data.bundle import atomic_write_text
from genemoe.data.download_checks import (
    failure_message,
    offline_message,
    other_name_warning,
    same_page_message,
    transfer_message,
)
from genemoe.data.download_errors import (
    Damaged,
    DamagedError,
    DownloadError,
    NotOnServerError,
    OfflineError,
    TransferError,
    Transient,
    backoff_delay,
    check_retries,
    final_failure,
    http_failure,
    is_offline,
    parse_content_range,
    write_failure,
)
from genemoe.data.download_forms import (
    PART_SUFFIX,
    Transfer,
    cached_whole,
    hub_of,
    part_path,
    record_cached,
    record_download,
    say_damaged,
    say_retry,
    url_forms,
)
from genemoe.data.download_gunzip import finish_part, remove_leftover_gunzip
from genemoe.data.download_lock import DownloadBusyError, download_lock
from genemoe.data.download_manifest import (
    MANIFEST_NAME,
    DownloadResult,
    drop_part,
    keep_part_validators,
    part_validators,
    read_manifest,
    response_validators,
)
from genemoe.data.xena_listing import (
    GDC_HUB_URL,
    PANCAN_HUB_URL,
    DownloadItem,
    DownloadKind,
    DownloadSource,
    download_command,
    plan_downloads,
)

__all__ = [
    "DamagedError", "DownloadBusyError", "DownloadError", "DownloadItem", "DownloadKind",
    "DownloadResult", "DownloadSource", "GDC_HUB_URL", "MANIFEST_NAME", "NotOnServerError", "OfflineError",
    "PANCAN_HUB_URL", "TransferError",
    "check_retries", "download_file", "download_tcga", "plan_downloads",
]  # fmt: skip

logger = logging.getLogger(__name__)

_CHUNK_SIZE = 1 << 20  # bytes per read
try:
    _USER_AGENT = f"genemoe/{importlib.metadata.version('genemoe')}"
except importlib.metadata.PackageNotFoundError:  # running from a source tree
    _USER_AGENT = "genemoe"


# ----------------------------------------------------------------------------- one file


def _open(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """Open ``request`` (one place, so tests can stand in for the network)."""
    return urllib.request.urlopen(request, timeout=timeout)


def _send(url: str, part: Path, offset: int, timeout: float,
          kept: dict[str, str]) -> http.client.HTTPResponse | int:
    """Send the GET (with ``Range`` when resuming, and ``If-Range`` naming the validator kept
    beside the ``.part``: a file changed since is then sent whole, from byte 0); an int
    means the ``.part`` is complete."""
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if if_range := kept.get("etag") or kept.get("last_modified"):
            headers["If-Range"] = if_range
    try:
        return _open(urllib.request.Request(url, headers=headers), timeout)
    except urllib.error.HTTPError as exc:
        with exc:
            if exc.code == 416 and offset:  # nothing left after `offset`
                _, total = parse_content_range(exc.headers.get("Content-Range"))
                if total == offset:
                    return offset
                drop_part(part)
                why = (f"the {offset:,} bytes here are more than the {total:,} the server has "
                       "(changed on the hub since?)" if total is not None and total < offset
                       else "server refused to resume (HTTP 416)")  # was only this
                raise Transient(f"{why}; restarting") from exc
            raise http_failure(url, exc) from exc
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise Transient(f"cannot connect: {reason}", offline=is_offline(exc)) from exc


def _extent(resp: http.client.HTTPResponse, part: Path, offset: int,
            kept: dict[str, str]) -> tuple[int, int | None]:
    """Where this response's body starts in the file, and the file's total size if known.

    A 206 whose validators differ from those ``kept`` beside the ``.part`` (a server that
    ignored ``If-Range``) would splice two versions of the file: the ``.part`` is dropped.
    """
    length = resp.headers.get("Content-Length")
    length_n = int(length) if length and length.isdigit() else None
    now = response_validators(resp.headers)
    changed = any(now.get(k) not in (None, v) for k, v in kept.items())
    if resp.status == 206:
        first, total = parse_content_range(resp.headers.get("Content-Range"))
        if changed:
            drop_part(part)
            raise Transient("the file changed on the server since its .part was begun (its "
                            "ETag or Last-Modified differ); restarting")
        if first != offset:
            drop_part(part)
            raise Transient(f"server resumed at byte {first:,}, not {offset:,}; restarting"
                             if first is not None else
                             f"server resumed elsewhere than byte {offset:,}; restarting")
        if total is None and length_n is not None:
            total = offset + length_n
        return offset, total
    if offset and changed:  # If-Range did its work: the .part was of an older version
        logger.warning("%s: the file changed on the server since the %s bytes here were "
                       "fetched: fetching it again from the start", resp.url, f"{offset:,}")
    elif offset:  # the partial file's bytes are fetched again: said (was behind -v)
        logger.warning("%s: the server does not resume (it ignored the Range request): "
                       "fetching the whole file again, though %s bytes of it were here",
                       resp.url, f"{offset:,}")
    return 0, length_n


def _stream(resp: http.client.HTTPResponse, part: Path, start: int, total: int | None, *,
            chunk_size: int, progress: bool) -> None:
    """Copy the body into ``part`` (appending at ``start``), keeping what arrived on failure."""
    show = progress and sys.stderr.isatty()
    try:
        with part.open("ab" if start else "wb") as fh, tqdm(
            total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
            desc=part.name.removesuffix(PART_SUFFIX), disable=not show, leave=False,
        ) as bar:
            while True:
                try:
                    chunk = resp.read1(chunk_size)  # what has arrived: a stall loses nothing
                except (OSError, http.client.HTTPException) as exc:  # timeout, reset, cut
                    raise Transient(f"connection lost mid-transfer: {exc!r}") from exc
                if not chunk:
                    return
                fh.write(chunk)
                bar.update(len(chunk))
    except OSError as exc:  # disk full, file too large: named (was "a file: ...", a traceback)
        raise write_failure(exc, part, resp.url) from exc


def _attempt(url: str, part: Path, resume: Transfer, *, expected_size: int | None,
             timeout: float, chunk_size: int, progress: bool) -> None:
    """One GET: resume or start ``part``; returns when it holds the whole file.

    ``resume.from_bytes`` is cleared once ``part`` is written from its start, and
    ``resume.size_checked`` says whether there was a size to check it against.
    """
    resume.size_checked = expected_size is not None
    offset = part.stat().st_size if part.exists() else 0
    kept = part_validators(part) if offset else {}
    if offset and not kept and not part.name.removesuffix(PART_SUFFIX).endswith(".gz"):
        logger.warning("%s: the %s bytes here cannot be checked to be of the file the server has "
                       "now (it gave no ETag or Last-Modified): fetching it again from the start",
                       part, f"{offset:,}")  # a plain file has no CRC to catch a splice
        drop_part(part)
        offset, resume.from_bytes = 0, None
    if expected_size is not None and offset >= expected_size:
        if offset == expected_size:
            return
        drop_part(part)
        offset = 0
    resp = _send(url, part, offset, timeout, kept)
    if isinstance(resp, int):  # the server's Content-Range total is the .part's size
        resume.size_checked = True
        return
    with resp:
        start, total = _extent(resp, part, offset, kept)
        resume.size_checked = resume.size_checked or total is not None
        if start == 0:  # the earlier run's bytes are not used (any more)
            resume.from_bytes = None
            keep_part_validators(part, resp.headers)  # what a resume must match
        if total is not None and expected_size is not None and total != expected_size:
            drop_part(part)
            raise DownloadError(f"{url}: the server has {total:,} bytes, expected "
                                f"{expected_size:,}; the file on the hub has changed")
        _stream(resp, part, start, total, chunk_size=chunk_size, progress=progress)
    size = part.stat().st_size
    if total is not None and size < total:
        raise Transient(f"transfer cut short at {size:,} of {total:,} bytes")
    if total is not None and size > total:
        drop_part(part)
        raise Transient(f"received {size:,} bytes, more than the {total:,} announced; "
                         "restarting")


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
    chunk_size: int = _CHUNK_SIZE,
) -> Path:
    """Download ``url`` to ``dest``: streamed, resumable, retried, checked, renamed atomically.

    The body goes to ``dest.part``; a ``.part`` left by an earlier attempt or run is resumed
    with ``Range: bytes=K-`` and ``If-Range`` (a server that answers 200 instead of 206 is
    read from zero; a plain file without an ETag or Last-Modified is fetched from zero).
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
        HTTP 5xx/429/408 are retried after ``backoff * 2**(attempt-1)`` seconds or the
        server's Retry-After (both capped at 60 s); so is a whole file that is not the hub's
        (an HTML page, a damaged gzip), removed and fetched again from its start. Other
        HTTP errors fail at once.
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
    NotOnServerError
        HTTP 403/404/410 (at once).
    DamagedError
        Every attempt received something else than the file (an HTML page, a damaged
        gzip; each is removed and the next attempt starts afresh): nothing is kept.
    TransferError
        Every attempt failed (the ``.part`` is kept for the next call), another HTTP error
        (at once), or the ``.part`` could not be written (disk full).
    DownloadError
        Size or sha256 mismatch (the ``.part`` is removed).
    OfflineError
        Every attempt failed because the host does not resolve or the network is unreachable.
    """
    _download(url, dest, expected_size=expected_size, sha256=sha256, attempts=attempts,
              backoff=backoff, timeout=timeout, progress=progress, chunk_size=chunk_size)
    return Path(dest)


def _download(url: str, dest: Path, *, expected_size: int | None, sha256: str | None,
              attempts: int, backoff: float, timeout: float, progress: bool,
              chunk_size: int = _CHUNK_SIZE, transfer: Transfer | None = None) -> int | None:
    """:func:`download_file`'s work; returns the bytes of the ``.part`` an earlier run left
    that the file was continued from (None: downloaded from its start). ``transfer``, when
    given, is filled with what the transfer learned (whether the size could be checked)."""
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    left = part.stat().st_size if part.exists() else 0
    resume = transfer if transfer is not None else Transfer()
    resume.from_bytes = left or None  # an empty .part resumes nothing
    last: Transient | Damaged = Transient("no attempt made")
    for attempt in range(1, attempts + 1):
        try:
            _attempt(url, part, resume, expected_size=expected_size, timeout=timeout,
                     chunk_size=chunk_size, progress=progress)
            resume.decoded = finish_part(url, part, dest, expected_size=expected_size,
                                         sha256=sha256, size_checked=resume.size_checked)
            return resume.from_bytes
        except Damaged as exc:  # removed by finish_part: the next attempt starts afresh
            spliced = " onto the .part an earlier run left (changed on the server since?)"
            what = f"the file received is {exc.problem}{spliced if resume.from_bytes else ''}"
            last, delay, resume.from_bytes = exc, backoff_delay(backoff, attempt), None
            again = "downloading it again from the start"
        except Transient as exc:
            last, what, again = exc, str(exc), "retrying"
            delay = exc.retry_after if exc.retry_after is not None else backoff_delay(backoff, attempt)
        if attempt < attempts:
            say_retry(dest.name, what, attempt, attempts, f"{again} in {delay:.2g} s")
            time.sleep(delay)
    raise final_failure(url, part, last, attempts) from last


# ----------------------------------------------------------------------------- many files
def _fetch(item: DownloadItem, out_dir: Path, manifest: dict[str, Any], *,
           unreadable: str | None = None, gz_hubs: set[str] | None = None,
           **kw: Any) -> tuple[DownloadItem, Transfer | None]:
    """Make ``item`` (under one of the listing's URL forms, :func:`~genemoe.data.download_forms.url_forms`) complete in
    ``out_dir``.

    ``unreadable``: why the manifest could not be read (None: it was, or there was none).
    ``gz_hubs``: the hubs (:func:`~genemoe.data.download_forms.hub_of`) that served a ``.gz``
    after "not found" for its plain name this run, their ``.gz`` asked for first; updated.
    Returns the item actually used and what its transfer learned (None: it was cached).
    """
    gz_hubs = set() if gz_hubs is None else gz_hubs
    first, second = url_forms(item, out_dir, gz_first=hub_of(item) in gz_hubs)
    for cand in (first, second):
        if cached_whole(cand, out_dir, manifest):
            return cand, None
    if (out_dir / item.filename).is_file() and item.filename not in manifest["files"]:
        if unreadable is not None:  # it said "not fetched by genemoe" here too: not known
            logger.warning("%s: replacing it with the hub's: %s could not be read (said above), "
                           "so it cannot be checked", out_dir / item.filename, MANIFEST_NAME)
        else:
            logger.warning("%s is not in %s (not fetched by genemoe): replacing it with the "
                           "hub's", out_dir / item.filename, MANIFEST_NAME)  # was unsaid
    transfer = Transfer()

    def fetch(cand: DownloadItem) -> None:
        known = cand is item  # the plan's size and sha256 are of its own form
        transfer.from_bytes = _download(
            cand.url, out_dir / cand.filename, transfer=transfer,
            expected_size=item.expected_size if known else None,
            sha256=item.sha256 if known else None, **kw)

    try:
        fetch(first)
        return first, transfer
    except NotOnServerError as exc:
        logger.debug("%s: not on the server; trying %s (the listing's other URL form)",
                     first.url, second.url)  # the rule's second form: the hub's usual one
        try:
            fetch(second)
        except NotOnServerError as again:  # the planned form's answer named first
            said, other = (exc, second) if first is item else (again, first)
            raise NotOnServerError(f"{said}; also tried {other.url}") from exc
        if item.filename.endswith(".gz"):  # which form the hub serves, for its next .gz files
            (gz_hubs.add if second is item else gz_hubs.discard)(hub_of(item))
        return second, transfer


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
    sha256 on disk still match (and a plain table still ends in a line end); anything else is (re-)downloaded with :func:`download_file`
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
        All paths, which were downloaded (and which of those resumed) and which cached,
        bytes fetched.

    Raises
    ------
    InputError
        Unknown project code, value set or source.
    DownloadBusyError
        Another download is writing to ``out_dir`` (it holds ``out_dir/.download.lock``:
        :mod:`genemoe.data.download_lock`); nothing is fetched.
    OfflineError
        No internet access; ``out_dir/urls.txt`` then lists the files still to fetch, and
        the fix names the command with the options given (projects, values, source, mirror).
    DownloadError
        A file could not be fetched (under either URL form) or failed its size/sha256 check.
        Files the server does not serve (:class:`NotOnServerError`), files still damaged
        after their last attempt (:class:`DamagedError`) and files whose transfer broke off
        on every attempt (:class:`TransferError`, its ``.part`` kept) do not stop the rest:
        they are raised together at the end, each named (the first used to stop the rest);
        the error is a plain :class:`DownloadError` when several kinds failed. The first
        two files both one and the same web page, nothing fetched: :class:`DamagedError`
        at once (a ``--base-url`` that is a web site, a proxy's login page). A server
        that keeps failing or refuses, or a full disk, stops the run (:class:`TransferError`,
        naming the files here, those set aside before it, and the command to run again).
    """
    out_dir = Path(out_dir)
    check_retries(retries)
    items = plan_downloads(projects, source=source, values=values, base_url=base_url)
    command = download_command(projects, source=source, values=values, base_url=base_url,
                               out=None)  # the user's own, for the fix lines
    out_dir.mkdir(parents=True, exist_ok=True)
    kw = {"attempts": retries + 1, "backoff": backoff, "timeout": timeout, "progress": progress}
    with download_lock(out_dir, command=f"{command} --out {out_dir}"):  # one run at a time
        return _fetch_all(items, out_dir, command=command, retries=retries, kw=kw,
                          base_url=base_url, source=source)


def _fetch_all(items: list[DownloadItem], out_dir: Path, *, command: str, retries: int,
               kw: dict[str, Any], base_url: str | None = None,
               source: str = "gdc") -> DownloadResult:
    """:func:`download_tcga`'s work once it holds the folder's lock: every item fetched or
    found cached, recorded, and the files set aside named at the end (with the hub's
    download folder where ``base_url`` served none of them)."""
    result = DownloadResult(out_dir=out_dir, manifest_path=out_dir / MANIFEST_NAME)
    manifest, unreadable = read_manifest(result.manifest_path)
    tries = f"{retries + 1} attempt{'s' if retries else ''}"
    missing: list[tuple[str, str]] = []  # (file, why): said together at the end
    damaged: list[tuple[str, str]] = []
    cut: list[tuple[str, str]] = []  # broke off on every attempt, the .part kept
    remove_leftover_gunzip(out_dir, items)  # a run killed mid-decompression left it, unsaid
    gz_hubs: set[str] = set()  # one "not found" for a plain name, not one per file
    for i, item in enumerate(items, start=1):
        where = f"[{i}/{len(items)}]"
        try:
            used, transfer = _fetch(item, out_dir, manifest, unreadable=unreadable,
                                    gz_hubs=gz_hubs, **kw)
        except NotOnServerError as exc:  # the others still come (the first stopped the rest)
            logger.warning("%s %s: not on the server under either URL form", where, item.filename)
            missing.append((item.filename, str(exc)))
            continue
        except DamagedError as exc:  # the others still come (the first stopped the rest)
            say_damaged(f"{where} {item.filename}", exc.problem)
            damaged.append((item.filename, exc.problem))
            if stop := same_page_message(  # a web site or a login page: for every name
                    damaged, n_done=len(result.paths), n_files=len(items), base_url=base_url,
                    hub_url=PANCAN_HUB_URL if source == "pancan" else GDC_HUB_URL):
                raise DamagedError(stop, problem=exc.problem) from exc
            continue
        except OfflineError as exc:  # urls.txt: the files set aside before it too (were left out)
            aside = {name for name, _ in [*missing, *damaged, *cut]}
            todo = [it for it in items[: i - 1] if it.filename in aside] + items[i - 1:]
            urls_path = out_dir / "urls.txt"
            atomic_write_text(urls_path, "".join(f"{it.url}\n" for it in todo))
            reason = str(exc.__cause__) if exc.__cause__ else "network unreachable"
            raise OfflineError(offline_message(
                item.url, reason, urls_path, command=f"{command} --out DIR", missing=missing,
                damaged=damaged, cut=cut, n_files=len(items), tries=tries)) from exc
        except TransferError as exc:  # the server is down, refuses, or the disk is full: stop
            if exc.kind == "cut":  # its .part is kept: the others still come (it stopped them)
                logger.warning("%s %s: broke off mid-transfer on its last attempt; its partial "
                               "file is kept, going on with the others", where, item.filename)
                cut.append((item.filename, str(exc.__cause__ or exc)))
                continue
            here = sum(any((out_dir / c.filename).is_file() for c in (it, it.alternative()))
                       for it in items)  # cached ones too, under either URL form's name
            again = f"{command}{f' --retries {retries}' if retries != 2 else ''} --out {out_dir}"
            raise TransferError(transfer_message(  # the files set aside before it named too
                str(exc), n_here=here, n_files=len(items), n_not_tried=len(items) - i,
                command=again, kind=exc.kind, fix=exc.fix, missing=missing, damaged=damaged,
                cut=cut, tries=tries, list_command=command), kind=exc.kind, fix=exc.fix) from exc
        result.paths.append(out_dir / used.filename)
        if (stale := part_path(out_dir / used.alternative().filename)).is_file():  # never resumed
            drop_part(stale)
            logger.warning("%s: a .part of the URL form not fetched: removed", stale)
        if used.filename != item.filename:
            result.other_name.append(out_dir / used.filename)
        if transfer is not None:
            record_download(result, manifest, used, transfer, where)
        else:
            record_cached(result, used, where)
    if missing or damaged or cut:
        message = failure_message(missing, damaged, n_files=len(items), out_dir=out_dir,
                                  tries=tries, command=command, cut=cut)
        from genemoe.data.download_listing import base_url_fix  # it imports this module
        if fix := base_url_fix(base_url, source, len(missing), len(items)):
            message += "; " + fix
        if bool(missing) + bool(damaged) + bool(cut) > 1:
            raise DownloadError(message)
        if missing:
            raise NotOnServerError(message)
        raise DamagedError(message, problem=damaged[0][1]) if damaged else TransferError(
            message, kind="cut")
    if result.other_name:  # a glob on the planned names (README's *.clinical.tsv.gz) misses them
        logger.warning("%s", other_name_warning(result.other_name, out_dir))
    return result
