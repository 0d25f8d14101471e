"""What can go wrong fetching one file, as the downloader (:mod:`genemoe.data.download`)
tells it apart: the errors it raises, the internal failures it retries, and how an HTTP
status or a socket error is read (retry, give up, or no network at all)."""

from __future__ import annotations

import errno
import socket
import urllib.error
from typing import Any

from genemoe.errors import GenemoeError

__all__ = [
    "Damaged", "DamagedError", "DownloadError", "NotOnServerError", "OfflineError", "Transient",
    "TransferError", "http_failure", "is_offline", "parse_content_range", "retry_after",
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
    """Every attempt at a file failed in transfer (refused, timed out, reset, HTTP 5xx)."""


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
    return DownloadError(f"HTTP {exc.code} {exc.reason} for {url}")


def parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """``'bytes 10-99/100'`` -> ``(10, 100)``; ``'bytes */100'`` -> ``(None, 100)``."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[6:].partition("/")
    head = span.split("-")[0].strip()
    first = int(head) if head.isdigit() else None
    return first, (int(total) if total.strip().isdigit() else None)
