"""The order of a file's two URL forms across a run: the plain name first (UCSCXenaTools
``XenaQuery``), then ``.gz``. On a hub that serves only the ``.gz`` form, every file cost
one "not found" answer more (99 for 33 projects' tables). Once the hub answers "not found"
for a plain name and serves the ``.gz``, the run's later ``.gz`` files there are asked for
as ``.gz`` first: one extra request in all. ``--list`` (HEAD requests) does the same.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download import download_tcga, plan_downloads
from genemoe.data.download_listing import list_downloads
from local_http import Hub, serve_hub

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
PROJECTS = ["ACC", "KICH", "UVM"]
TEXT = b"sample\tOS\n" + b"TCGA-OR-A5J1-01A\t1\n" * 30


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as state:
        for item in plan_downloads(PROJECTS, base_url=state.base_url):
            gz = item.filename.endswith(".gz")
            state.files[item.filename] = gzip.compress(TEXT) if gz else TEXT
        yield state


def _misses(hub: Hub) -> list[str]:
    return [name for name, *_ in hub.requests if name not in hub.files]


def test_a_hub_serving_only_gz_costs_one_extra_request_in_all(hub: Hub, tmp_path: Path) -> None:
    result = download_tcga(tmp_path, projects=PROJECTS, base_url=hub.base_url, **FAST)
    assert len(result.downloaded) == 3 * 3 + 1
    assert _misses(hub) == ["TCGA-ACC.star_fpkm-uq.tsv"]  # were 9: one per table
    assert len(hub.requests) == len(result.downloaded) + 1


def test_list_asks_for_the_gz_first_too(hub: Hub, tmp_path: Path) -> None:
    listed = list_downloads(tmp_path, projects=PROJECTS, base_url=hub.base_url, timeout=2.0)
    assert all(p.size_from == "server" for p in listed)
    assert _misses(hub) == ["TCGA-ACC.star_fpkm-uq.tsv"]


def test_a_later_plain_file_is_still_found_and_the_plain_name_asked_first_again(
        hub: Hub, tmp_path: Path) -> None:
    for name in ("TCGA-ACC.clinical.tsv", "TCGA-ACC.survival.tsv"):
        hub.files[name] = gzip.decompress(hub.files.pop(f"{name}.gz"))
    result = download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert [name for name, *_ in hub.requests] == [
        "TCGA-ACC.star_fpkm-uq.tsv", "TCGA-ACC.star_fpkm-uq.tsv.gz",
        "TCGA-ACC.clinical.tsv.gz", "TCGA-ACC.clinical.tsv",  # the .gz first: not there
        "TCGA-ACC.survival.tsv",  # the plain name first again
        "gencode.v36.annotation.gtf.gene.probemap"]
    assert [p.name for p in result.paths][1:3] == ["TCGA-ACC.clinical.tsv",
                                                    "TCGA-ACC.survival.tsv"]
