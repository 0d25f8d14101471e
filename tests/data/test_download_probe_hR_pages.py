"""A server that answers every file name with one and the same web page stops the run after
two files, naming the page and the hub's download folder.

Before (a probe's ``--base-url`` of a web app that answers any path with its HTML page, as
``https://xenabrowser.net/datapages/`` does): each of the 7 files of two projects was
fetched three times, with 1 s and 2 s waits and a warning each time (21 lines, 23 s; 33
projects: about 100 files, five minutes), and the run ended "7 of 7 files were still
damaged" with no word on the URL.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from genemoe.data.download import GDC_HUB_URL, DamagedError, download_tcga
from local_http import HTML_PAGE, serving

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


class _WebApp(BaseHTTPRequestHandler):
    """Any path: status 200 and the same HTML page."""

    paths: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(HTML_PAGE)))
        self.end_headers()
        self.wfile.write(HTML_PAGE)


def test_a_web_page_for_every_name_stops_after_two_files(tmp_path: Path) -> None:
    _WebApp.paths = []
    with serving(_WebApp, path="/datapages/") as url:
        with pytest.raises(DamagedError) as info:
            download_tcga(tmp_path / "x", projects=["ACC", "UVM"], base_url=url, **FAST)
    text = str(info.value)
    assert text.startswith("the first 2 files all came back as the same page (an HTML page")
    assert '"Service unavailable"' in text
    assert "stopped, the other 5 not tried" in text
    assert f"fix: --base-url {url} answers any name with a web page" in text
    assert f"e.g. --base-url {GDC_HUB_URL}" in text
    assert not any("UVM" in p for p in _WebApp.paths)  # the rest were not asked for
    assert len(_WebApp.paths) == 6  # 2 files x 3 attempts


def test_same_page_message_only_when_nothing_came_and_the_pages_agree() -> None:
    from genemoe.data.download_checks import same_page_message  # new with the fix

    page = 'an HTML page (an error or login page): "Login"'
    two = [("a.tsv.gz", page), ("b.tsv.gz", page)]
    kw = {"n_files": 7, "hub_url": GDC_HUB_URL}
    assert same_page_message(two[:1], n_done=0, base_url=None, **kw) is None
    assert same_page_message(two, n_done=1, base_url=None, **kw) is None  # a file came
    assert same_page_message([two[0], ("b", "a damaged gzip")], n_done=0, base_url=None,
                             **kw) is None
    assert same_page_message([("a", "cut"), ("b", "cut")], n_done=0, base_url=None,
                             **kw) is None
    text = same_page_message(two, n_done=0, base_url=None, **kw)
    assert text is not None and "a proxy or network login answers in the hub's place" in text
    assert all(len(line) <= 100 for line in text.splitlines()[1:])
