"""``--base-url`` given as the Xena listing's host (probe HH, D6): ``https://gdc.xenahubs.net``
has no ``/download/`` folder, so every file is "not on the server"; the only fix offered was
``--list``, which showed NOT ON SERVER for all. Now the base URL is said to look wrong and the
hub's download folder is named."""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from genemoe.data.download_listing import base_url_fix, list_downloads
from genemoe.data.xena_listing import GDC_HUB_URL, PANCAN_HUB_URL, plan_downloads
from local_http import serving

_NAMES = {i.filename for i in plan_downloads(["ACC"])}


class _Hub(BaseHTTPRequestHandler):
    """As the hub's bucket: the files under /download/ only, 404 elsewhere."""

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        folder, _, name = urllib.parse.unquote(self.path).rpartition("/")
        found = folder == "/download" and name in _NAMES
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", "1234" if found else "0")
        self.end_headers()


@pytest.fixture
def host() -> Iterator[str]:
    with serving(_Hub, path="") as url:
        yield url


def test_list_says_a_base_url_without_the_download_folder_looks_wrong(
        host: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        listed = list_downloads(None, projects=["ACC"], base_url=host, timeout=2.0)
    assert [p.size_from for p in listed] == ["missing"] * 4
    assert "--base-url looks wrong (no /download/ folder)" in caplog.text
    assert GDC_HUB_URL in caplog.text


def test_list_with_the_download_folder_says_nothing_of_it(
        host: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        listed = list_downloads(None, projects=["ACC"], base_url=host + "/download/", timeout=2.0)
    assert [p.size_from for p in listed] == ["server"] * 4
    assert "looks wrong" not in caplog.text


def test_the_fix_only_when_every_file_is_missing() -> None:
    assert base_url_fix("https://gdc.xenahubs.net", "gdc", 3, 4) == ""
    assert base_url_fix(None, "gdc", 4, 4) == ""
    assert base_url_fix(GDC_HUB_URL, "gdc", 4, 4) == ""  # the hub's own: not "wrong"
    fix = base_url_fix("https://tcga.xenahubs.net/download/", "pancan", 3, 3)
    assert "(no /download/" not in fix and fix.endswith(PANCAN_HUB_URL)


class _HubGet(_Hub):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name): every file 404 off /download/
        self.do_HEAD()


def test_the_download_error_names_the_hubs_folder_too(tmp_path) -> None:
    """The download itself ended "4 of 4 files not on the server" with --list as the fix."""
    from genemoe.data.download import download_tcga
    from genemoe.data.download_errors import DownloadError

    with serving(_HubGet, path="") as url, pytest.raises(DownloadError) as e:
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=url, timeout=2.0, retries=0,
                      progress=False)
    assert "--base-url looks wrong (no /download/ folder)" in str(e.value)
    assert GDC_HUB_URL in str(e.value)
