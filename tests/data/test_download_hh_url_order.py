"""The order a file's two URL forms are tried in (outside probe HH, D7).

The hub listing's rule (UCSCXenaTools ``XenaQuery``: ``ifelse(!http_error(url), url,
paste0(url, ".gz"))``) asks for the plain name first and appends ``.gz`` only where that
fails; genemoe asked for the ``.gz`` first, though its docstring said it followed the rule.
"""

from __future__ import annotations

import gzip
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


def _serve(hub: Hub, plan: list, n_rows: int, *, both: bool) -> None:
    """Each planned file on the hub: a ``.gz`` one gzipped, and (``both``) under its plain
    name too; a plain one under its plain name."""
    for k, item in enumerate(plan):
        blob = star_matrix_gz(n_rows + k, seed=k)
        if both or not item.filename.endswith(".gz"):
            hub.files[item.filename.removesuffix(".gz")] = gzip.decompress(blob)
        if item.filename.endswith(".gz"):
            hub.files[item.filename] = blob


def test_the_plain_name_is_asked_for_first_and_kept_where_the_hub_serves_both(
        hub: Hub, tmp_path: Path) -> None:
    plan = plan_downloads(["ACC"])
    _serve(hub, plan, 600, both=True)
    result = download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    plain = [i.filename.removesuffix(".gz") for i in plan]
    assert [r[0] for r in hub.requests] == plain  # one request each: the plain name served
    assert [p.name for p in result.paths] == plain
    assert len(result.other_name) == 3  # said: the plan's (and README's) .gz names missed


def test_the_gz_form_comes_second_where_the_plain_name_is_not_served(
        hub: Hub, tmp_path: Path) -> None:
    plan = plan_downloads(["ACC"])
    _serve(hub, plan, 600, both=False)
    result = download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert [r[0] for r in hub.requests] == [  # the later .gz files asked for so first (hC)
        "TCGA-ACC.star_fpkm-uq.tsv", "TCGA-ACC.star_fpkm-uq.tsv.gz",
        "TCGA-ACC.clinical.tsv.gz", "TCGA-ACC.survival.tsv.gz",
        "gencode.v36.annotation.gtf.gene.probemap"]
    assert [p.name for p in result.paths] == [i.filename for i in plan]
    assert result.other_name == []


def test_a_part_of_the_gz_form_is_resumed_before_the_plain_name_is_asked_for(
        hub: Hub, tmp_path: Path) -> None:
    plan = plan_downloads(["ACC"])
    _serve(hub, plan, 3_000, both=True)
    first = plan[0].filename
    (tmp_path / f"{first}.part").write_bytes(hub.files[first][:1_000])
    result = download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert hub.ranges()[0] == (first, "bytes=1000-")
    assert result.paths[0].name == first and result.resumed == {tmp_path / first: 1_000}
