"""What can go wrong fetching one file, as the downloader (:mod:`genemoe.data.download`)
tells it apart: the errors it raises, the internal failures it retries, and how an HTTP
status or a socket error is read (retry, give up, or no network at all)."""

from __future__ import annotations

import errno
import socket
import urllib.error
from pathlib import Path
from typing import Any

from genemoe.data.download_checks import offline_message
from genemoe.errors import GenemoeError, input_error, os_error_message

__all__ = [
    "Damaged", "DamagedError", "DownloadError", "NotOnServerError", "OfflineError", "Transient",
    "TransferError", "http_failure", "is_offline", "parse_content_range", "retry_after",
    "backoff_delay", "check_retries", "final_failure", "write_failure",
]  # fmt: skip

RETRY_AFTER_CAP_S = 60.0  # never wait longer than this on a server's Retry-After
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_OFFLINE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})


class DownloadError(GenemoeError):
    """A file could not be downloaded (the message names the URL and what to do)."""


class OfflineError(DownloadError):
    """The network is unreachable: no route to the host or the host name does not resolve."""


class Damaged(Exception):
    """The downloader's own: the whole file arrived but is not what the hub serves
    (:func:`~genemoe.data.download_checks.content_problem`); retried from the start."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


class DamagedError(DownloadError):
    """Every attempt received something else than the hub's file (an HTML page, a damaged
    gzip); nothing was cached. ``problem`` says what the last one was."""

    def __init__(self, message: str, *, problem: str):
        super().__init__(message)
        self.problem = problem


class TransferError(DownloadError):
    """Every attempt at a file failed in transfer (refused, timed out, reset, HTTP 5xx), the
    server refused the request (another HTTP error), or the file could not be written.

    ``kind`` words the fix (:func:`~genemoe.data.download_checks.transfer_message`):
    ``"server"`` (refused, timed out, HTTP 5xx: check the address and the network), ``"cut"``
    (bytes arrived and the partial file is kept: run again to resume), ``"refused"`` (HTTP
    400, 401, ...), ``"proxy"`` (HTTP 407) or ``"disk"`` (the write failed; ``fix`` says
    what to do).
    """

    def __init__(self, message: str, *, kind: str = "server", fix: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.fix = fix


class NotOnServerError(DownloadError):
    """The server answered 403/404/410: it does not serve the file under this URL."""


class Transient(Exception):
    """The downloader's own: a failure worth retrying (connection, timeout, truncation,
    5xx/429)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, offline: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.offline = offline


def retry_after(headers: Any) -> float | None:
    """The server's Retry-After in seconds (capped at 60 s); None for none or an HTTP date."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return min(max(float(value), 0.0), RETRY_AFTER_CAP_S) if value else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


def is_offline(exc: BaseException) -> bool:
    """True for DNS failures and 'network/host unreachable' (no internet), not for refusals."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in _OFFLINE_ERRNOS


def http_failure(url: str, exc: urllib.error.HTTPError) -> Exception:
    """The exception to raise for an HTTP error status: retryable or final."""
    if exc.code in RETRYABLE_STATUS:
        return Transient(f"HTTP {exc.code} {exc.reason}", retry_after=retry_after(exc.headers))
    if exc.code in (403, 404, 410):
        return NotOnServerError(f"HTTP {exc.code} {exc.reason} for {url}")  # the caller says
        # "not on the server" once, with its fix (this was ~400 characters, said twice)
    return TransferError(f"HTTP {exc.code} {exc.reason} for {url}",  # was a DownloadError
                         kind="proxy" if exc.code == 407 else "refused")  # with no fix line


def write_failure(exc: OSError, part: Path, url: str) -> TransferError:
    """The error for a ``.part`` that could not be written (disk full, file too large):
    naming the ``.part`` and the URL (was "a file: No space left on device"), with the file
    system's fix (:func:`genemoe.errors.os_error_message`)."""
    line = os_error_message(OSError(exc.errno, exc.strerror or str(exc), str(part))) or ""
    what, _, fix = line.partition("\n  fix: ")
    kept = ("; the partial file is kept for the next run"
            if part.exists() and part.stat().st_size else "")
    return TransferError(f"{what or f'{part}: {exc}'} (writing {url}){kept}", kind="disk",
                         fix=fix or "check the disk the download is written to")


def parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """``'bytes 10-99/100'`` -> ``(10, 100)``; ``'bytes */100'`` -> ``(None, 100)``."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[6:].partition("/")
    head = span.split("-")[0].strip()
    first = int(head) if head.isdigit() else None
    return first, (int(total) if total.strip().isdigit() else None)


def backoff_delay(base: float, attempt: int) -> float:
    """Seconds to wait after failed ``attempt``: doubling from ``base``, at most 60 s (as a
    server's Retry-After is; was uncapped: 10 retries waited 17 minutes before the last)."""
    return min(base * 2 ** (attempt - 1), RETRY_AFTER_CAP_S)


def final_failure(url: str, part: Path, last: Transient | Damaged,
                  attempts: int) -> DownloadError:
    """The error after a file's last attempt: damaged, offline, or a transfer that kept
    failing (``kind="cut"`` where bytes came and the partial file is kept: run again)."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(last, Damaged):
        return DamagedError(
            f"{url}: the file received is {last.problem} (still, after {tries}); it was "
            "removed, nothing cached\n  fix: the server or a proxy answers with something else "
            "than the file: run again later; if it persists, check --base-url or the proxy",
            problem=last.problem)
    if last.offline:
        return OfflineError(offline_message(url, str(last)))
    if part.exists() and part.stat().st_size:  # bytes came: the fix is to run again
        return TransferError(f"could not download {url} after {tries}: {last}; the partial "
                             f"file {part} is kept and the next run resumes it", kind="cut")
    return TransferError(f"could not download {url} after {tries}: {last}")


def check_retries(retries: int) -> None:
    """Refuse a negative ``--retries`` (the retries after a file's first attempt)."""
    if retries < 0:  # download_file's own check is a ValueError (a traceback on the CLI)
        raise input_error(f"must be 0 or more retries per file, got {retries}", where="--retries",
                          fix="pass --retries 0 (one attempt per file) or more (2 by default: "
                              "3 attempts)")
