"""``download tcga --list`` and a ``.part`` longer than the file the hub serves now (the file
changed on the hub since the ``.part`` was begun). A resume is impossible: the download asks
for ``Range: bytes=N-``, the hub answers 416 with a smaller total, and the download starts
the file over. --list said "5,000 bytes here; would resume"; now it says the download
starts it over and why, as the download does.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download import download_tcga, plan_downloads
from genemoe.data.download_listing import list_downloads
from genemoe.report.text import download_listing_lines
from local_http import Hub, serve_hub

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
PROBEMAP = "gencode.v36.annotation.gtf.gene.probemap"
CLINICAL = "TCGA-ACC.clinical.tsv.gz"


@pytest.fixture
def hub() -> Iterator[Hub]:
    """The GDC hub's four ACC files, the tables gzipped, served only as .gz."""
    with serve_hub() as state:
        for item in plan_downloads(["ACC"], base_url=state.base_url):
            text = b"sample\tOS\n" + b"TCGA-OR-A5J1-01A\t1\n" * 30
            state.files[item.filename] = text if item.filename == PROBEMAP else gzip.compress(text)
        yield state


def test_a_part_longer_than_the_hubs_file_is_said_to_start_over(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    served = len(hub.files[CLINICAL])
    (tmp_path / f"{CLINICAL}.part").write_bytes(b"\x1f\x8b" + b"x" * 4_998)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        listed = list_downloads(tmp_path, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    clinical = listed[1]
    assert clinical.item.filename == CLINICAL and clinical.size == served
    assert clinical.part_bytes is None  # was 5,000: "would resume"
    assert clinical.stale_part == f"{CLINICAL}.part"
    assert (f"{CLINICAL}.part: 5,000 bytes here from an earlier run, more than the {served:,} "
            "the hub serves now (changed on the hub since?): a download starts it over"
            ) in caplog.text
    assert "a download resumes it" not in caplog.text
    row = download_listing_lines(listed, tmp_path)[2]
    assert "would resume" not in row and f"stale {CLINICAL}.part" in row


def test_the_download_starts_it_over_and_says_why(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / f"{CLINICAL}.part").write_bytes(b"\x1f\x8b" + b"x" * 4_998)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        result = download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert (tmp_path / CLINICAL).read_bytes() == hub.files[CLINICAL]
    assert tmp_path / CLINICAL not in result.resumed
    assert (f"the 5,000 bytes here are more than the {len(hub.files[CLINICAL]):,} the server "
            "has (changed on the hub since?); restarting") in caplog.text
