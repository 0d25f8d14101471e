"""A file the hub serves only under its other URL form is named at the end of the run;
files beside an unreadable manifest are not said to be "not fetched by genemoe".

Before (a probe's hub serving ``TCGA-ACC.clinical.tsv``, plain, not ``.tsv.gz``): the file
was saved under that name with only a warning mid-run, and the run ended "4 files in dl8
(4 downloaded, 0 from cache)", so README's next step (a glob on ``*.clinical.tsv.gz``)
missed it.
"""

from __future__ import annotations

import gzip
import logging
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from genemoe.data.download import download_tcga, plan_downloads
from local_http import serving

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


def _handler(files: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = files.get(urllib.parse.unquote(self.path.rsplit("/", 1)[-1]))
            self.send_response(404 if body is None else 200)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    return Handler


@pytest.fixture
def files() -> dict[str, bytes]:
    return {}


@pytest.fixture
def base_url(files: dict[str, bytes]) -> Iterator[str]:
    with serving(_handler(files)) as url:
        yield url


def _serve_clinical_plain(files: dict[str, bytes], base_url: str) -> None:
    for item in plan_downloads(["ACC"], base_url=base_url):
        table = b"sample\tx\nTCGA-OR-A5J1-01\t1\n"
        if item.filename == "TCGA-ACC.clinical.tsv.gz":
            files["TCGA-ACC.clinical.tsv"] = table
        else:
            files[item.filename] = (table if not item.filename.endswith(".gz")
                                    else gzip.compress(table, mtime=0))


def test_the_last_line_names_a_file_saved_under_its_other_name(
        files: dict[str, bytes], base_url: str, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    _serve_clinical_plain(files, base_url)
    out = tmp_path / "dl8"
    with caplog.at_level(logging.WARNING, logger="genemoe.data.download"):
        result = download_tcga(out, projects=["ACC"], base_url=base_url, **FAST)
    assert result.other_name == [out / "TCGA-ACC.clinical.tsv"]
    assert result.summary() == (f"4 files in {out} (4 downloaded, 0 from cache; "
                                f"{result.sizes()}); 1 saved under its other name: "
                                "TCGA-ACC.clinical.tsv")
    assert ("1 file saved under the other name the hub serves: TCGA-ACC.clinical.tsv; match "
            f"both forms (e.g. {out / 'TCGA-*.clinical.tsv*'})") in caplog.text
    again = download_tcga(out, projects=["ACC"], base_url=base_url, **FAST)  # cached: still said
    assert again.summary().endswith(f"(0 downloaded, 4 from cache; {again.sizes()}); 1 saved "
                                    "under its other name: TCGA-ACC.clinical.tsv")


def test_nothing_is_said_when_every_file_has_its_planned_name(
        files: dict[str, bytes], base_url: str, tmp_path: Path) -> None:
    for item in plan_downloads(["ACC"], base_url=base_url):
        files[item.filename] = (b"a\tb\n1\t2\n" if not item.filename.endswith(".gz")
                                else gzip.compress(b"a\tb\n1\t2\n", mtime=0))
    result = download_tcga(tmp_path / "x", projects=["ACC"], base_url=base_url, **FAST)
    assert result.other_name == []
    assert result.summary() == (f"4 files in {tmp_path / 'x'} (4 downloaded, 0 from cache; "
                                f"{result.sizes()})")


def test_an_unreadable_manifest_is_named_not_called_files_genemoe_did_not_fetch(
        files: dict[str, bytes], base_url: str, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Before: with ``manifest.json`` holding ``{not json``, every file genemoe had fetched
    was said to be "not in manifest.json (not fetched by genemoe)"."""
    for item in plan_downloads(["ACC"], base_url=base_url):
        files[item.filename] = (b"a\tb\n1\t2\n" if not item.filename.endswith(".gz")
                                else gzip.compress(b"a\tb\n1\t2\n", mtime=0))
    out = tmp_path / "x"
    download_tcga(out, projects=["ACC"], base_url=base_url, **FAST)
    (out / "manifest.json").write_text("{not json")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="genemoe.data.download"):
        again = download_tcga(out, projects=["ACC"], base_url=base_url, **FAST)
    assert len(again.downloaded) == 4
    assert "not fetched by genemoe" not in caplog.text
    first = out / "TCGA-ACC.star_fpkm-uq.tsv.gz"
    assert (f"{first}: replacing it with the hub's: manifest.json could not be read (said "
            "above), so it cannot be checked") in caplog.text
    assert "manifest.json is unreadable (Expecting property name" in caplog.text  # said first
