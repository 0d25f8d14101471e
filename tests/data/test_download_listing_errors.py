"""``download tcga --list`` against a server that answers errors, and with a ``.part`` here.

Before: with every request answering HTTP 500, ``--list`` said "size unknown" for each file
and "total unknown (4 sizes unknown)", as for a server that gives no sizes; and a 500,000-byte
``.part`` in --out (which the next download resumes) was not mentioned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from genemoe.data.download import plan_downloads
from genemoe.data.download_listing import list_downloads
from local_http import serving as local_server


def _handler(status: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(status)
            self.send_header("Content-Length", "0" if status >= 400 else "1234")
            self.end_headers()

    return Handler


def _serve(status: int) -> Iterator[str]:
    with local_server(_handler(status)) as url:
        yield url


@pytest.fixture
def failing() -> Iterator[str]:
    yield from _serve(500)


@pytest.fixture
def serving() -> Iterator[str]:
    yield from _serve(200)


def test_a_server_error_is_not_an_unknown_size(
        failing: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="genemoe.data.download"):
        listed = list_downloads(tmp_path, projects=["ACC"], base_url=failing, timeout=2.0)
    assert [p.size_from for p in listed] == ["error"] * 4
    assert [p.status for p in listed] == ["HTTP 500"] * 4
    assert "the server's answer for 4 of 4 files was HTTP 500" in caplog.text
    assert "a download now would likely fail" in caplog.text
    assert caplog.text.count("HTTP 500") == 1  # said once, not per file


def test_a_part_here_is_counted_and_said(
        serving: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    plan = plan_downloads(["ACC"], base_url=serving)
    (tmp_path / f"{plan[0].filename}.part").write_bytes(b"x" * 1_000)  # < the 1,234 served
    with caplog.at_level(logging.INFO, logger="genemoe.data.download"):
        listed = list_downloads(tmp_path, projects=["ACC"], base_url=serving, timeout=2.0)
    assert [p.part_bytes for p in listed] == [1_000, None, None, None]
    assert [p.size for p in listed] == [1234] * 4 and listed[0].size_from == "server"
    assert (f"{plan[0].filename}: 1,000 bytes here from an earlier run "
            f"({plan[0].filename}.part); a download resumes it") in caplog.text
    assert "server's answer" not in caplog.text


def test_the_listing_table_shows_the_status_and_the_part_left():
    """The table itself read "size unknown" for an HTTP 500 and named no .part."""
    from genemoe.data.download_listing import PlannedFile
    from genemoe.report.text import download_listing_lines

    items = plan_downloads(["KICH"], base_url="http://127.0.0.1:9")
    planned = [PlannedFile(items[0], None, "error", status="HTTP 500", part_bytes=500_000),
               *(PlannedFile(i, None, "error", status="HTTP 500") for i in items[1:])]
    lines = download_listing_lines(planned, "dl5")
    assert "HTTP 500" in lines[1] and "(500,000 bytes here; would resume)" in lines[1]
    assert f"{len(items)} answered HTTP 500: a download would likely fail" in lines[-1]
    assert "sizes unknown" not in lines[-1] and "size unknown" not in lines[-1]


def test_the_last_line_names_a_file_saved_under_its_other_name(tmp_path):
    """The CLI's last line said only "4 files in dl8 (4 downloaded, 0 from cache)"."""
    from typer.testing import CliRunner

    import genemoe.data.download as dl
    from genemoe.cli import app

    other = tmp_path / "TCGA-ACC.clinical.tsv"
    result = dl.DownloadResult(out_dir=tmp_path, paths=[other], downloaded=[other], cached=[],
                               manifest_path=tmp_path / "manifest.json",
                               other_name=[other])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dl, "download_tcga", lambda *a, **k: result)
        res = CliRunner().invoke(app, ["download", "tcga", "--projects", "ACC", "--out",
                                       str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "1 saved under its other name: TCGA-ACC.clinical.tsv" in " ".join(res.output.split())
