"""What a downloaded file must look like before it is renamed into place and cached.

A hub, mirror or proxy can answer 200 with something else than the table asked for: an
HTML error or login page, or a gzip stream cut short with a matching Content-Length. A
``.part`` resumed onto a file that changed on the server since is spliced from two
versions. Size checks miss all three, and the file was then recorded as complete and
"cached" on every later run, while ``prepare`` called it truncated. :func:`content_problem`
reads the file through once (a ``.gz`` is decompressed to its end) and says what is wrong.
"""

from __future__ import annotations

import gzip
import urllib.parse
import zlib
from pathlib import Path

__all__ = ["content_problem", "offline_message"]

_GZIP_MAGIC = b"\x1f\x8b"
_HEAD = 1024  # bytes read to recognise an HTML page


def _is_html(head: bytes) -> bool:
    text = head.lstrip().lower()
    return text.startswith((b"<!doctype html", b"<html", b"<?xml")) or (
        text.startswith(b"<") and b"<html" in text)


def content_problem(path: Path, name: str, *, chunk: int = 1 << 20) -> str | None:
    """Why the complete download at ``path`` is not the file ``name`` (None: it looks whole).

    Parameters
    ----------
    path
        The downloaded bytes (the ``.part``).
    name
        The file's name on the hub: a ``.gz`` name must hold one whole gzip stream.
    chunk
        Bytes decompressed per read.

    Returns
    -------
    str or None
        E.g. ``"an HTML page (an error or login page), not the table"``.
    """
    try:
        with Path(path).open("rb") as raw:
            head = raw.read(_HEAD)
        if name.endswith(".gz"):
            if not head.startswith(_GZIP_MAGIC):
                return ("an HTML page (an error or login page), not gzip data" if _is_html(head)
                        else "not gzip data (no gzip header)")
            with gzip.open(path, "rb") as fh:
                head = fh.read(_HEAD)
                while fh.read(chunk):
                    pass
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        return f"damaged gzip data ({exc})"
    if _is_html(head):
        return "an HTML page (an error or login page), not the table"
    return None


def offline_message(url: str, reason: str, urls_path: Path | None = None) -> str:
    """The refusal without network: where the files come from, and no fallback."""
    fetch = (f"fetch the URLs listed in {urls_path}: `wget -c -i {urls_path}`"
             if urls_path is not None else f"fetch {url}")
    return (
        f"no internet access: cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); "
        "genemoe does not fall back to other data\n"
        "  fix: on a machine with internet access run `genemoe download tcga --out DIR` (or "
        f"{fetch}), copy the files here and pass them to `genemoe prepare`; behind a proxy, "
        "set https_proxy"
    )
