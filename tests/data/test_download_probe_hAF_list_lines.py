"""``download tcga --list`` against a server that fails says so in lines under 100
characters.

Old behaviour: "the server's answer for 4 of 4 files was HTTP 500 (TCGA-ACC.star_fpkm-uq.tsv.gz,
TCGA-ACC.clinical.tsv.gz ...): a download now would likely fail; try again later or check
--base-url" on one line of ~190 characters, and per file "no size for <full URL> (<urlopen
error [Errno 111] Connection refused>)".
"""

from __future__ import annotations

import logging
import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from genemoe.data.download_listing import list_downloads
from local_http import serving


class _Fails(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD  # noqa: N815


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [line for r in caplog.records for line in r.getMessage().splitlines()]


def test_a_failing_server_is_said_in_short_lines(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    with serving(_Fails) as base, caplog.at_level(logging.INFO, logger="genemoe.data.download"):
        listed = list_downloads(tmp_path, projects=["ACC", "UVM"], base_url=base, timeout=2.0)
    assert [p.status for p in listed] == ["HTTP 500"] * 7
    lines = _lines(caplog)
    assert "the server's answer for 7 of 7 files was HTTP 500: a download now would likely " \
           "fail" in lines
    assert "  files: TCGA-ACC.star_fpkm-uq.tsv.gz, TCGA-ACC.clinical.tsv.gz and 5 more" in lines
    assert max(map(len, lines)) <= 100


def test_a_refused_connection_names_the_file_not_its_url(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nothing listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with caplog.at_level(logging.INFO, logger="genemoe.data.download"):
        list_downloads(tmp_path, projects=["ACC"], base_url=f"http://127.0.0.1:{port}/download/",
                       timeout=2.0)
    lines = _lines(caplog)
    assert any(line.startswith("TCGA-ACC.clinical.tsv.gz: no size, no answer (") for line in lines)
    assert not any("http://" in line for line in lines if "no size" in line)
    assert max(map(len, lines)) <= 100
