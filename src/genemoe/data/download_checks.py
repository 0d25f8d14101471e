"""What a downloaded file must look like before it is renamed into place and cached.

A hub, mirror or proxy can answer 200 with something else than the table asked for: an
HTML error or login page, an empty body, or a gzip stream cut short with a matching
Content-Length. A ``.gz`` resumed onto a file that changed on the server since is spliced
from two versions (a plain file is resumed only with ``If-Range`` naming the version its
``.part`` began with, and otherwise fetched again from its start, :mod:`genemoe.data.download`).
Size checks miss these, and the file was then recorded as complete and "cached" on every
later run, while ``prepare`` called it truncated. :func:`content_problem` reads the file
through once (a ``.gz`` is decompressed to its end, its CRC checked) and says what is wrong.
Every table, plain or gzipped, must not be empty or its header line alone: a ``.gz`` is
checked at its decompressed head (a bounded read of its first lines, as a plain file is read;
a header-only ``.gz`` was cached as good, and ``prepare`` failed on it far from the cause).
A plain table must be text (not gzip or other binary data, not an HTML or S3 error
page, named as such with its title or code), begin with a tab-separated header, and end in a
newline with its last line as wide as its header (:func:`cut_text_problem`), whatever
Content-Length said: a Xena table (TSV, probeMap) always ends in a line end, and a cut copy
sent with a matching Content-Length was cached as whole. :func:`cached_problem` rechecks a
cached plain table cheaply (its first bytes and its last byte) for files an earlier version
cached so.

What a failed download says is here too: :func:`offline_message` (no network; the fix
echoes the user's own command) and :func:`failure_message` (the files not on the server
and those still damaged after their last attempt, each named, in one error at the end),
:func:`transfer_message` (a server that refuses or keeps failing, or a disk that is full:
the run stops there, naming the files set aside before it too).
"""

from __future__ import annotations

import gzip
import re
import urllib.parse
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

__all__ = ["cached_problem", "content_problem", "cut_text_problem", "failure_message",
           "name_some", "offline_message", "other_name_warning", "page_description",
           "plain_problem", "same_page_message", "transfer_message"]

_GZIP_MAGIC = b"\x1f\x8b"
_HEAD = 1024  # bytes read to recognise an HTML page
_TAIL = 1 << 16  # bytes read back from the end to find a plain table's last line (grown as needed)
_MAX_HEADER = 1 << 24  # the most bytes a header line is read to (a matrix of ~10,000 samples is ~300 kB)


def _is_html(head: bytes) -> bool:
    """Whether ``head`` begins an HTML or XML page (S3 answers ``<?xml ...><Error>``)."""
    text = head.lstrip().lower()
    return text.startswith((b"<!doctype", b"<html", b"<?xml", b"<error")) or (
        text.startswith(b"<") and b"<html" in text)


def content_problem(path: Path, name: str, *, size_checked: bool = True,
                    chunk: int = 1 << 20) -> str | None:
    """Why the complete download at ``path`` is not the file ``name`` (None: it looks whole).

    Parameters
    ----------
    path
        The downloaded bytes (the ``.part``; for a plain name sent gzip-encoded, the bytes
        once decompressed).
    name
        The file's name on the hub: a ``.gz`` name must hold one whole gzip stream; any
        other is a plain table (:func:`plain_problem`: text, not an error page, gzip or
        other binary data; a tab-separated header; not cut short). Either must hold a row
        below its header (a ``.gz`` checked at its decompressed head).
    size_checked
        Whether the size was checked against one announced or expected. A plain table is
        checked by its text whatever the size (a cut copy sent with a matching
        Content-Length was cached as whole); this only words what is said of a cut one.
    chunk
        Bytes decompressed per read.

    Returns
    -------
    str or None
        E.g. ``"an HTML page (an error or login page), not the table"``.
    """
    if not name.endswith(".gz"):
        return plain_problem(Path(path), size_checked=size_checked)
    try:
        with Path(path).open("rb") as raw:
            head = raw.read(_HEAD)
        if not head.startswith(_GZIP_MAGIC):
            return ("an HTML page (an error or login page), not gzip data" if _is_html(head)
                    else "not gzip data (no gzip header)")
        with gzip.open(path, "rb") as fh:
            head = fh.read(_HEAD)
            while fh.read(chunk):
                pass
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        return f"damaged gzip data ({exc})"
    if not head.strip():  # a whole gzip stream of nothing (or of blank lines)
        return "an empty file (gzip of no text), not the table"
    if _is_html(head):
        return "an HTML page (an error or login page), not the table"
    with gzip.open(path, "rb") as fh:  # its head only: the stream was read whole (CRC) above
        if (no_rows := _no_rows(fh)) is not None:  # was cached as good when a header alone
            return f"{no_rows} once decompressed, not the table"
    return None


def plain_problem(path: Path, *, size_checked: bool = True) -> str | None:
    """Why the plain (not ``.gz``) download at ``path`` is not a Xena table (None: it looks
    whole).

    Checked in this order, so each is named for what it is: gzip data under a plain name;
    an HTML or XML page (an error or login page, S3's ``<Error>``: named before "a header
    line and no rows", which a one-line page also is), quoting its title or code; other
    binary data (was accepted as "not a table"); an empty file or a header alone; a first
    line that is not a tab-separated header; a table cut short (:func:`cut_text_problem`:
    a Xena table, TSV or probeMap, always ends in a line end), whatever Content-Length
    said (``size_checked`` only words it).
    """
    with Path(path).open("rb") as fh:
        head = fh.read(_HEAD)
    if head.startswith(_GZIP_MAGIC):
        return "gzip-compressed data under a plain (not .gz) name, not the table"
    if _is_html(head):
        return f"{page_description(head)}, not the table"
    if _is_binary(head):
        return "binary data (not text), not the table"
    with Path(path).open("rb") as fh:
        if (no_rows := _no_rows(fh)) is not None:
            return f"{no_rows}, not the table"
    if (bad := _header_problem(path)) is not None:
        return bad
    problem = cut_text_problem(path)
    if problem is not None and size_checked:
        problem += " though its size matched the one announced: a cut copy on the server"
    return problem


def page_description(head: bytes) -> str:
    """What the page starting with ``head`` is, quoting its title, S3 error code or first
    heading: ``'an HTML page (an error or login page): "Login required"'``."""
    text = head.decode("utf-8", "replace")
    kind = ("an S3 error page" if re.search(r"<Error>", text, re.I)
            else "an HTML page (an error or login page)")
    for pattern in (r"<title[^>]*>(.*?)</title>", r"<Code>(.*?)</Code>",
                    r"<h1[^>]*>(.*?)</h1>", r"<body[^>]*>([^<]+)"):
        if (m := re.search(pattern, text, re.I | re.S)) and (said := " ".join(m[1].split())):
            return f'{kind}: "{said[:80]}"'
    return kind


def _is_binary(head: bytes) -> bool:
    """Whether ``head`` is not text: a NUL byte, or more than 1 in 100 bytes a control
    character other than a tab or line end (a table in Latin-1 is still text)."""
    controls = sum(b < 32 and b not in (9, 10, 12, 13) or b == 127 for b in head)
    return b"\0" in head or controls * 100 > len(head)


def _header_problem(path: Path) -> str | None:
    """Why the first line of the plain table at ``path`` is not a Xena header (None: it is
    one): at least two tab-separated fields, the first one named (``id`` of a probeMap,
    ``Ensembl_ID`` or ``sample`` of a matrix, ``sample`` of a phenotype or survival table)."""
    with Path(path).open("rb") as fh:
        header = fh.readline(_MAX_HEADER).rstrip(b"\r\n")
    fields = header.split(b"\t")
    if len(fields) >= 2 and fields[0].strip():
        return None
    shown = header[:40].decode("utf-8", "replace")
    return (f"not a tab-separated table (its first line, {shown!r}, is not a header of "
            "named columns)")


def _no_rows(fh: BinaryIO) -> str | None:
    """Why the table read from ``fh`` (plain or decompressed bytes) holds no table: empty,
    or its header line alone. A bounded read: the header line (up to ``_MAX_HEADER`` bytes)
    and what follows it up to its first non-blank bytes."""
    header = fh.readline(_MAX_HEADER)
    if not header:
        return "an empty file"
    if not header.strip():  # blank first line: a page of whitespace, or a table without one
        return None if _has_text(fh) else "an empty file (blank lines)"
    if not header.endswith(b"\n"):  # one line only (or a header longer than read)
        return None if fh.read(1) else "a header line and no rows"
    return None if _has_text(fh) else "a header line and no rows"


def _has_text(fh: BinaryIO) -> bool:
    """Whether ``fh`` holds anything but whitespace from here (read up to its first text)."""
    while chunk := fh.read(_HEAD):
        if chunk.strip():
            return True
    return False


def _last_line(path: Path, size: int) -> bytes:
    """The file's last line with its line end (the whole tail when it holds no newline)."""
    with Path(path).open("rb") as fh:
        back = _TAIL
        while True:
            fh.seek(max(size - back, 0))
            tail = fh.read()
            cut = tail.rstrip(b"\r\n").rfind(b"\n")
            if cut >= 0 or back >= size:
                return tail[cut + 1:]
            back *= 4


def cut_text_problem(path: Path) -> str | None:
    """Why the plain (not gzipped) table at ``path`` looks cut short (None: it looks whole).

    A plain file has no end marker of its own, and a server that announces no size
    (HTTP/1.0, no Content-Length) and drops the connection leaves nothing else to check
    against: a whole table ends in a newline, and its last line has as many tab-separated
    fields as its header.

    Returns
    -------
    str or None
        E.g. ``"a table cut short (its last line ends without a newline)"``.
    """
    size = Path(path).stat().st_size
    if size == 0:
        return "an empty file, not the table"
    with Path(path).open("rb") as fh:
        header = fh.readline(_MAX_HEADER)
    last = _last_line(path, size)
    if not last.endswith(b"\n"):
        return "a table cut short (its last line ends without a newline)"
    n_head, n_last = header.count(b"\t") + 1, last.count(b"\t") + 1
    if last.strip(b"\r\n") and n_last < n_head:
        return (f"a table cut short (its last line has {n_last} of the header's {n_head} "
                "tab-separated fields)")
    return None


def cached_problem(path: Path) -> str | None:
    """Why the plain table cached at ``path`` cannot be whole (None: it may be), cheaply:
    its first bytes (gzip, an HTML page, binary) and its last byte, which must be a line
    end. For a file an earlier version cached by its size alone (a cut copy sent with a
    matching Content-Length was recorded as whole, and "cached" on every run after)."""
    size = Path(path).stat().st_size
    with Path(path).open("rb") as fh:
        head = fh.read(_HEAD)
        fh.seek(max(size - 1, 0))
        last = fh.read(1)
    if not size:
        return "an empty file"
    if head.startswith(_GZIP_MAGIC):
        return "gzip-compressed data under a plain (not .gz) name"
    if _is_html(head):
        return page_description(head)
    if _is_binary(head):
        return "binary data (not text)"
    if last not in (b"\n", b"\r"):
        return "a table cut short (its last line ends without a newline)"
    return None


def offline_message(url: str, reason: str, urls_path: Path | None = None, *,
                    command: str = "genemoe download tcga --out DIR",
                    missing: Sequence[tuple[str, str]] = (),
                    damaged: Sequence[tuple[str, str]] = (), n_files: int = 0,
                    tries: str = "", cut: Sequence[tuple[str, str]] = ()) -> str:
    """The refusal without network: where the files come from, and no fallback.

    ``command`` is the user's own download command (:func:`~genemoe.data.xena_listing.
    download_command`): the fix said ``genemoe download tcga --out DIR`` whatever was asked,
    which fetches all 33 projects as FPKM-UQ. ``missing``, ``damaged`` and ``cut`` (of ``n_files``,
    after ``tries``): the files set aside before the network went, said on a line of their
    own (were said mid-run only), as :func:`failure_message` says them.
    """
    fetch = (f"fetch the URLs listed in {urls_path}: `wget -c -i {urls_path}`"
             if urls_path is not None else f"fetch {url}")
    parts, _ = _set_aside(missing, damaged, n_files=n_files, tries=tries, command=command,
                          cut=cut)
    return (
        f"no internet access: cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); "
        "genemoe does not fall back to other data\n"
        + (f"  also not here: {'; '.join(parts)}\n" if parts else "") +
        f"  fix: on a machine with internet access run `{command}` (or "
        f"{fetch}), copy the files here and pass them to `genemoe prepare`; behind a proxy, "
        "set https_proxy"
    )


_TRANSFER_FIXES = {  # by what failed (TransferError.kind); {command}: the user's own
    "server": "check the server address (--base-url, or the hub's own without it) and your "
              "network, then run `{command}` again: files already here are not fetched again",
    "cut": "the connection broke mid-transfer: run `{command}` again; it resumes the partial "
           "file, and files already here are not fetched again",
    "refused": "the server refused the request (a login needed, or --base-url is not a hub's "
               "download folder?): check --base-url, then run `{command}` again",
    "proxy": "your proxy asks for a login: set HTTPS_PROXY (and HTTP_PROXY) to "
             "http://USER:PASSWORD@PROXY:PORT, then run `{command}` again",
}


def transfer_message(error: str, *, n_here: int, n_files: int, n_not_tried: int,
                     command: str, kind: str = "server", fix: str | None = None,
                     missing: Sequence[tuple[str, str]] = (),
                     damaged: Sequence[tuple[str, str]] = (), tries: str = "",
                     list_command: str = "genemoe download tcga",
                     cut: Sequence[tuple[str, str]] = ()) -> str:
    """The stop after a file's transfer failed for good: the server is down or refuses, the
    address is wrong, the connection keeps breaking, or the disk is full, so the files after
    it are not tried.

    ``error`` names the URL and the last failure; ``n_here`` of the ``n_files`` are in the
    folder (fetched or cached, before or after the failed one: they stay); ``n_not_tried``
    come after it; ``command`` is the user's own download command. ``kind`` and ``fix``
    (:class:`~genemoe.data.download_errors.TransferError`'s) word the fix by what failed (a
    broken transfer said "check the server address"). ``missing`` and ``damaged``: the files
    set aside before it (as in :func:`failure_message`, with ``tries``, ``list_command`` and
    ``cut``; they were left out, said mid-run only).
    """
    head = (f"{error}\n  {n_here} of {n_files} file{'s' if n_files != 1 else ''} "
            f"{'is' if n_here == 1 else 'are'} here"
            + (f"; the {n_not_tried} after it {'was' if n_not_tried == 1 else 'were'} not tried"
               if n_not_tried else "") + "\n")
    if fix is not None:  # e.g. the file system's: free disk space
        todo = f"{fix}, then run `{command}` again: it resumes the partial file"
    else:
        todo = _TRANSFER_FIXES.get(kind, _TRANSFER_FIXES["server"]).format(command=command)
    parts, fixes = _set_aside(missing, damaged, n_files=n_files, tries=tries,
                              command=list_command, cut=cut)
    aside = f"  also not here: {'; '.join(parts)}\n" if parts else ""
    return head + aside + "  fix: " + "; ".join([todo, *fixes])


def _set_aside(missing: Sequence[tuple[str, str]], damaged: Sequence[tuple[str, str]], *,
               n_files: int, tries: str, command: str,
               cut: Sequence[tuple[str, str]] = ()) -> tuple[list[str], list[str]]:
    """What is said of the files set aside (not on the server, still damaged, broken off
    mid-transfer), and the fixes."""
    parts: list[str] = []
    if missing:
        rest = [name for name, _ in missing[1:]]
        more = f"; and {len(rest)} more: {', '.join(rest)}" if rest else ""
        parts.append(f"{len(missing)} of {n_files} files {'is' if len(missing) == 1 else 'are'} "
                     f"not on the server ({missing[0][1]}{more})")
    if damaged:
        listed = "; ".join(f"{name}: {problem}" for name, problem in damaged)
        parts.append(f"{len(damaged)} of {n_files} files {'was' if len(damaged) == 1 else 'were'} "
                     f"still damaged after {tries}, not cached ({listed})")
    if cut:
        listed = "; ".join(f"{name}: {why}" for name, why in cut)
        parts.append(f"{len(cut)} of {n_files} files broke off mid-transfer after {tries}, "
                     f"{'its' if len(cut) == 1 else 'their'} partial file kept ({listed})")
    fixes = []
    if cut:
        fixes.append("run the same command again: it resumes the partial "
                     f"file{'s' if len(cut) != 1 else ''}")
    if missing:
        fixes.append(f"check what the hub serves with `{command} --list`")
    if damaged:
        fixes.append("the server or a proxy sent an error page, a cut file or a table without "
                     "rows instead: run the same command again later (the files already here "
                     "are kept); if it persists, check --base-url or the proxy")
    return parts, fixes


def failure_message(missing: Sequence[tuple[str, str]], damaged: Sequence[tuple[str, str]], *,
                    n_files: int, out_dir: Path, tries: str,
                    command: str = "genemoe download tcga",
                    cut: Sequence[tuple[str, str]] = ()) -> str:
    """The one error that ends a download whose failed files were set aside: each named.

    Parameters
    ----------
    missing
        ``(file name, what the server answered)`` for files not on the server.
    damaged
        ``(file name, what was wrong)`` for files that arrived damaged on every attempt
        (an HTML page, a damaged gzip: :func:`content_problem`); removed, never cached.
    n_files
        Files planned in all; the others are said to be in ``out_dir`` (and nothing is said
        of "the other 0", in a folder that may not exist).
    out_dir
        The download's output directory.
    tries
        The attempts each file had, e.g. ``"3 attempts"``.
    command
        The user's download command without ``--out`` (:func:`~genemoe.data.xena_listing.
        download_command`): ``--list`` is suggested with the same projects and mirror.
    cut
        ``(file name, the last failure)`` for files whose transfer broke off on every
        attempt (their ``.part`` kept: the next run resumes it); they stopped the run.
    """
    parts, fixes = _set_aside(missing, damaged, n_files=n_files, tries=tries, command=command,
                              cut=cut)
    n_ok = n_files - len(missing) - len(damaged) - len(cut)
    where = f"; the other {n_ok} {'is' if n_ok == 1 else 'are'} in {out_dir}" if n_ok else ""
    return "; ".join(parts) + where + "\n  fix: " + "; ".join(fixes)


def other_name_warning(paths: Sequence[Path], out_dir: Path) -> str:
    """The warning for files saved under the other name the hub serves (``.gz`` added or
    removed), with a glob that matches both forms (one on the planned names misses them)."""
    names = name_some([p.name for p in paths])
    first = paths[0].name.removesuffix(".gz")
    glob = ("TCGA-*." + first.split(".", 1)[1] if first.startswith("TCGA-") else first) + "*"
    return (f"{len(paths)} file{'s' if len(paths) != 1 else ''} saved under the other name the "
            f"hub serves: {names}; match both forms (e.g. {out_dir / glob})")


def name_some(names: Sequence[str], limit: int = 3) -> str:
    """``names`` joined by commas, the first ``limit`` only and the rest counted
    (``"a, b, c and 96 more"``): a hub that serves every file under its other name made the
    warning and the run's last line name all 99 files of 33 projects, twice, on two lines of
    several thousand characters."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def same_page_message(damaged: Sequence[tuple[str, str]], *, n_done: int, n_files: int,
                      base_url: str | None, hub_url: str) -> str | None:
    """The error that stops a run whose first files all came back as one and the same web
    page (a ``--base-url`` that is a web site, not the hub's download folder, or a proxy's
    login page), or None to go on.

    Such a server answers every name with its page: each file was fetched three times
    (with 1 s and 2 s waits), said on three lines, and only then set aside, so 33 projects
    took five minutes and 300 warnings to end in "still damaged", with no word on the URL.

    Parameters
    ----------
    damaged
        ``(file name, what was wrong)`` of the files set aside as damaged so far.
    n_done
        Files fetched or found cached so far (any: the server serves files, go on).
    n_files
        Files planned in all.
    base_url, hub_url
        The ``--base-url`` given (None: the hub's own) and the hub's download folder.
    """
    problems = {problem for _, problem in damaged}
    if n_done or len(damaged) < 2 or len(problems) != 1:
        return None
    page = problems.pop()
    if not page.startswith(("an HTML page", "an S3 error page")):
        return None
    n_left = n_files - len(damaged)
    if base_url:
        fix = (f"--base-url {base_url} answers any name with a web page: give the hub's "
               f"download folder,\n       e.g. --base-url {hub_url}, or leave --base-url out")
    else:
        fix = ("a proxy or network login answers in the hub's place: log in (or set "
               "HTTPS_PROXY),\n       then run the same command again")
    return (f"the first {len(damaged)} files all came back as the same page ({page}); "
            f"stopped, the other {n_left} not tried\n  fix: {fix}")
