"""Plain (not .gz) Xena tables as an S3-like server sends them (outside probe HH, D1, D2, D8).

The server here answers as S3 does: ``ETag``, ``Last-Modified``, ``Content-Length``,
``Range`` / ``If-Range``, and ``Content-Encoding: gzip`` for an object stored compressed
(whatever ``Accept-Encoding`` asked; ``Range`` then counts the compressed bytes). Per file a
script of misbehaviours: ``shortlen`` (the table cut 100 bytes short, sent with a matching
Content-Length), ``gzbody`` (gzip-encoded), ``gzcut`` (gzip-encoded, the connection dropped
halfway), ``html`` (a one-line HTML page, status 200), ``binary`` (bytes that are not text).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import random
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from genemoe.data import download_checks as checks
from genemoe.data.download import DamagedError, download_tcga, plan_downloads
from local_http import serving

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
PROBEMAP = "gencode.v36.annotation.gtf.gene.probemap"
LOGIN_PAGE = (b"<!DOCTYPE html><html><head><title>Login required</title></head>"
              b"<body>Sign in</body></html>")


def _probemap(n: int) -> bytes:
    rows = ["id\tgene\tchrom\tchromStart\tchromEnd\tstrand"] + [
        f"ENSG{i:011d}.5\tG{i}\tchr1\t{1000 + i}\t{2000 + i}\t+" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


@dataclass
class S3Hub:
    """Files served; ``script[name]``: actions consumed one per GET (then ``"ok"``)."""

    files: dict[str, bytes] = field(default_factory=dict)
    script: dict[str, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    base_url: str = ""


def _handler(hub: S3Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _empty(self, code: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            name = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
            rng = self.headers.get("Range")
            hub.requests.append((name, rng))
            queue = hub.script.get(name, [])
            action = queue.pop(0) if queue else "ok"
            body = hub.files.get(name)
            if body is None:
                self._empty(404)
                return
            if action == "html":
                body = LOGIN_PAGE
            elif action == "binary":
                body = random.Random(5).randbytes(4_000)
            elif action in ("gzbody", "gzcut"):
                body = gzip.compress(body, mtime=0)
            etag = f'"{hashlib.md5(body).hexdigest()}"'
            start, match = 0, re.fullmatch(r"bytes=(\d+)-", rng or "")
            if match and self.headers.get("If-Range") in (None, etag):
                start = int(match[1])
                if start >= len(body):
                    self._empty(416, {"Content-Range": f"bytes */{len(body)}"})
                    return
            payload = body[start:]
            if action == "shortlen":
                payload = payload[:-100]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Sat, 05 Dec 2026 10:00:00 GMT")
            if action in ("gzbody", "gzcut"):
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if action == "gzcut":
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(payload)

    return Handler


@pytest.fixture
def hub() -> Iterator[S3Hub]:
    state = S3Hub()
    with serving(_handler(state)) as url:
        state.base_url = url
        yield state


def _serve_acc(hub: S3Hub) -> None:
    for item in plan_downloads(["ACC"], base_url=hub.base_url):
        hub.files[item.filename] = (_probemap(3_000) if item.filename == PROBEMAP else
                                    gzip.compress(b"sample\tx\nTCGA-OR-A5J1-01\t1\n", mtime=0))


def _get(hub: S3Hub, out: Path, **kw: object) -> object:
    return download_tcga(out, projects=["ACC"], base_url=hub.base_url, **{**FAST, **kw})


# ----------------------------------------------------------------------------- D1: cut tables


def test_a_plain_table_cut_with_a_matching_length_is_refused_and_not_cached(
        hub: S3Hub, tmp_path: Path) -> None:
    """Old behaviour: "downloaded", recorded in manifest.json, "cached" on every run after,
    and prepare's fix ("download it again") looped."""
    _serve_acc(hub)
    hub.script[PROBEMAP] = ["shortlen"] * 5
    out = tmp_path / "dl"
    with pytest.raises(DamagedError) as info:
        _get(hub, out, retries=1)
    msg = str(info.value)
    assert PROBEMAP in msg and "cut short (its last line ends without a newline)" in msg
    assert "its size matched the one announced" in msg and "run the same command again" in msg
    assert not (out / PROBEMAP).exists() and not (out / f"{PROBEMAP}.part").exists()
    assert PROBEMAP not in json.loads((out / "manifest.json").read_text())["files"]


def test_a_plain_table_cut_once_is_fetched_whole_on_the_next_attempt(
        hub: S3Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _serve_acc(hub)
    hub.script[PROBEMAP] = ["shortlen"]
    out = tmp_path / "dl"
    with caplog.at_level(logging.WARNING, logger="genemoe.data.download"):
        _get(hub, out)
    assert (out / PROBEMAP).read_bytes() == hub.files[PROBEMAP]
    assert "downloading it again from the start" in caplog.text


def test_a_cut_table_an_earlier_version_cached_is_fetched_again(
        hub: S3Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old behaviour: the manifest's size and sha256 matched the cut copy: "cached" for good."""
    _serve_acc(hub)
    out = tmp_path / "dl"
    _get(hub, out)
    cut = hub.files[PROBEMAP][:-100]  # as an earlier version cached it, manifest and all
    (out / PROBEMAP).write_bytes(cut)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"][PROBEMAP].update(size=len(cut), sha256=hashlib.sha256(cut).hexdigest())
    (out / "manifest.json").write_text(json.dumps(manifest))
    with caplog.at_level(logging.WARNING, logger="genemoe.data.download"):
        result = _get(hub, out)
    assert (out / PROBEMAP).read_bytes() == hub.files[PROBEMAP]
    assert out / PROBEMAP in result.downloaded  # type: ignore[attr-defined]
    assert f"{out / PROBEMAP}: the cached file is a table cut short" in caplog.text
    assert "fetching it again" in caplog.text
    again = _get(hub, out)
    assert out / PROBEMAP in again.cached  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- D2: gzip


def test_a_plain_table_sent_gzip_encoded_is_saved_decompressed(
        hub: S3Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old behaviour: the gzip bytes were cached under the plain name; prepare failed on
    them with "give Xena's gencode probeMap", and download said "cached" after."""
    _serve_acc(hub)
    hub.script[PROBEMAP] = ["gzbody"]
    out = tmp_path / "dl"
    with caplog.at_level(logging.INFO, logger="genemoe.data.download"):
        _get(hub, out)
    plain = hub.files[PROBEMAP]
    assert (out / PROBEMAP).read_bytes() == plain
    assert "sent gzip-compressed, saved decompressed" in caplog.text
    entry = json.loads((out / "manifest.json").read_text())["files"][PROBEMAP]
    assert entry["size"] == len(plain) and entry["sha256"] == hashlib.sha256(plain).hexdigest()
    assert not list(out.glob("*.part*"))


def test_a_gzip_encoded_plain_table_resumes_by_its_compressed_bytes(
        hub: S3Hub, tmp_path: Path) -> None:
    """The .part keeps the bytes as sent: Range counts the compressed ones, as S3's do."""
    _serve_acc(hub)
    hub.script[PROBEMAP] = ["gzcut", "gzbody"]
    out = tmp_path / "dl"
    _get(hub, out)
    sent = gzip.compress(hub.files[PROBEMAP], mtime=0)
    ranges = [rng for name, rng in hub.requests if name == PROBEMAP]
    assert ranges == [None, f"bytes={len(sent) // 2}-"]
    assert (out / PROBEMAP).read_bytes() == hub.files[PROBEMAP]


def test_binary_data_under_a_plain_name_is_refused(hub: S3Hub, tmp_path: Path) -> None:
    """Old behaviour: any body with a NUL byte passed as "binary: not a table" and was cached."""
    _serve_acc(hub)
    hub.script[PROBEMAP] = ["binary"]
    out = tmp_path / "dl"
    with pytest.raises(DamagedError, match=f"{re.escape(PROBEMAP)}: binary data \\(not text\\)"):
        _get(hub, out, retries=0)
    assert not (out / PROBEMAP).exists()


# ----------------------------------------------------------------------------- D8: pages


def test_a_one_line_html_page_under_a_plain_name_is_called_a_page(
        hub: S3Hub, tmp_path: Path) -> None:
    """Old behaviour: "a header line and no rows, not the table"."""
    _serve_acc(hub)
    hub.script[PROBEMAP] = ["html"]
    with pytest.raises(DamagedError) as info:
        _get(hub, tmp_path / "dl", retries=0)
    assert ('an HTML page (an error or login page): "Login required", not the table'
            in str(info.value))
    assert "header line" not in str(info.value)


@pytest.mark.parametrize(("body", "says"), [
    (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
     b"<Message>Access Denied</Message></Error>", 'an S3 error page: "AccessDenied"'),
    (b"<Error><Code>NoSuchKey</Code></Error>", 'an S3 error page: "NoSuchKey"'),
    (b"<html><body><h1>502 Bad Gateway</h1></body></html>\n", '"502 Bad Gateway"'),
])
def test_error_pages_are_named_with_their_code(tmp_path: Path, body: bytes, says: str) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(body)
    assert says in (checks.content_problem(path, PROBEMAP) or "")


def test_a_first_line_that_is_not_a_header_is_refused(tmp_path: Path) -> None:
    """A plain file of text lines without a tab is not a Xena table, whatever its size."""
    path = tmp_path / "t.tsv"
    path.write_bytes(b"Service temporarily unavailable\nplease retry\n")
    assert "not a tab-separated table" in (checks.content_problem(path, PROBEMAP) or "")
