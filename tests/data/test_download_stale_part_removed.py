"""A ``.part`` of the URL form the download did not take is removed once the other form is
whole, and said (probe HH, D5): it was left for good, and ``--list`` kept offering to
resume it."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download import download_tcga, plan_downloads
from local_http import Hub, serve_hub, star_matrix_gz

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as state:
        yield state


def test_a_part_of_the_form_not_served_is_removed_and_said(hub: Hub, tmp_path: Path,
                                                           caplog) -> None:
    plan = plan_downloads(["ACC"])
    for k, item in enumerate(plan):  # the hub serves every file under its plain name only
        hub.files[item.filename.removesuffix(".gz")] = gzip.decompress(
            star_matrix_gz(600 + k, seed=k))
    stale = tmp_path / f"{plan[0].filename}.part"  # an earlier run's .gz transfer
    stale.write_bytes(star_matrix_gz(600, seed=0)[:500])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        result = download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert result.paths[0].name == plan[0].filename.removesuffix(".gz")
    assert not stale.exists()
    assert "a .part of the URL form not fetched: removed" in caplog.text
