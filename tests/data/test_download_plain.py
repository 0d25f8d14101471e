"""Plain (not gzipped) files served without a size: a cut one must not be cached as whole.

The server here speaks HTTP/1.0 and sends no Content-Length for the plain probemap, as a
simple mirror does; the end of the body is then only the connection closing, so a dropped
connection looks like a complete file. Before the fix such a file (half the probemap, its
last row cut mid-line) was renamed into place, recorded in manifest.json and called
"cached" on every later run, and ``prepare`` then failed on its last row.
"""

from __future__ import annotations

import gzip
import json
import logging
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


def _probemap(n: int) -> bytes:
    rows = ["id\tgene\tchrom\tchromStart\tchromEnd\tstrand"] + [
        f"ENSG{i:011d}.5\tG{i}\tchr1\t{1000 + i}\t{2000 + i}\t+" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


@dataclass
class PlainHub:
    """Files served; ``cuts[name]``: how many more requests for it are cut short."""

    files: dict[str, bytes] = field(default_factory=dict)
    cuts: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base_url: str = ""


def _handler(hub: PlainHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends where the connection closes

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            name = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
            hub.requests.append(name)
            body = hub.files.get(name)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            cut = hub.cuts.get(name, 0) > 0
            if name.endswith(".gz"):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if cut:
                hub.cuts[name] -= 1
                body = body[: len(body) // 2 + 7]  # mid-line, as the probe's server did
            self.wfile.write(body)

    return Handler


@pytest.fixture
def hub() -> Iterator[PlainHub]:
    state = PlainHub()
    with serving(_handler(state)) as url:
        state.base_url = url
        yield state


def _serve_acc(hub: PlainHub) -> None:
    for item in plan_downloads(["ACC"], base_url=hub.base_url):
        hub.files[item.filename] = (_probemap(4_000) if item.filename == PROBEMAP else
                                    gzip.compress(b"sample\tx\nTCGA-OR-A5J1-01\t1\n", mtime=0))


def test_a_cut_plain_file_without_a_size_is_fetched_again(
        hub: PlainHub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _serve_acc(hub)
    hub.cuts[PROBEMAP] = 1
    out = tmp_path / "dl"
    with caplog.at_level(logging.INFO, logger="genemoe.data.download"):
        result = download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert (out / PROBEMAP).read_bytes() == hub.files[PROBEMAP]  # whole, not the cut half
    assert hub.requests.count(PROBEMAP) == 2
    assert "a table cut short (its last line ends without a newline)" in caplog.text
    assert "downloading it again from the start" in caplog.text
    size = len(hub.files[PROBEMAP])
    assert f"[4/4] {PROBEMAP}: downloaded ({size:,} bytes; size not announced)" in caplog.text
    assert len(result.downloaded) == 4
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert manifest[PROBEMAP]["size_check"] == "not announced"
    assert manifest["TCGA-ACC.clinical.tsv.gz"]["size_check"] == "announced"


def test_a_plain_file_cut_on_every_attempt_is_not_cached(hub: PlainHub, tmp_path: Path) -> None:
    _serve_acc(hub)
    hub.cuts[PROBEMAP] = 99
    out = tmp_path / "dl"
    with pytest.raises(DamagedError, match="cut short") as info:
        download_tcga(out, projects=["ACC"], base_url=hub.base_url, retries=1, **FAST)
    assert PROBEMAP in str(info.value)
    assert not (out / PROBEMAP).exists() and not (out / f"{PROBEMAP}.part").exists()
    assert PROBEMAP not in json.loads((out / "manifest.json").read_text())["files"]


@pytest.mark.parametrize(("text", "problem"), [
    (b"a\tb\tc\n1\t2\t3\n4\t5", "its last line ends without a newline"),
    (b"a\tb\tc\n1\t2\t3\n4\t5\n", "its last line has 2 of the header's 3 tab-separated fields"),
    (b"", "an empty file, not the table"),
])
def test_cut_text_is_named(tmp_path: Path, text: bytes, problem: str) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(text)
    assert problem in (checks.cut_text_problem(path) or "")
    assert checks.content_problem(path, "t.tsv", size_checked=False) == checks.cut_text_problem(path)


@pytest.mark.parametrize("text", [b"a\tb\n1\t2\n", b"a\tb\r\n1\t2\r\n\r\n", b"a\tb\n"])
def test_whole_text_passes(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(text)
    assert checks.cut_text_problem(path) is None


def test_a_last_line_longer_than_the_tail_read_is_found(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b"a\tb\tc\n" + b"x" * 300_000 + b"\t1\t2\n")
    assert checks.cut_text_problem(path) is None
    path.write_bytes(b"a\tb\tc\n" + b"x" * 300_000 + b"\t1\n")
    assert "2 of the header's 3" in (checks.cut_text_problem(path) or "")


def test_a_plain_file_whose_size_was_checked_is_still_checked_by_its_text(tmp_path: Path) -> None:
    """Outside probe HH D1: a Xena table always ends in a line end; a cut copy sent with a
    matching Content-Length was trusted (cached as whole) for its size alone."""
    path = tmp_path / "t.tsv"
    path.write_bytes(b"a\tb\n1\t2")
    assert "cut short" in (checks.content_problem(path, "t.tsv") or "")
