"""``download tcga --list`` and a ``.part`` of the other URL form (probe HH, D5): the hub
serves ``TCGA-ACC.clinical.tsv.gz`` (621 bytes), and a ``TCGA-ACC.clinical.tsv.part`` of
2,000 bytes is here. --list said "2,000 bytes here; would resume" under the .gz name (a
``.tsv.gz.part`` that does not exist); the download fetched the .gz from zero."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download_listing import list_downloads
from genemoe.data.xena_listing import plan_downloads
from local_http import Hub, serve_hub

PROBEMAP = "gencode.v36.annotation.gtf.gene.probemap"


@pytest.fixture
def acc_hub() -> Iterator[Hub]:
    """The GDC hub's four ACC files, the tables gzipped (as the hub serves them)."""
    with serve_hub() as hub:
        for item in plan_downloads(["ACC"], base_url=hub.base_url):
            text = b"sample\tOS\n" + b"TCGA-OR-A5J1-01A\t1\n" * 30
            hub.files[item.filename] = text if item.filename == PROBEMAP else gzip.compress(text)
        yield hub


def _plain_part(out: Path, name: str, n: int) -> Path:
    out.mkdir(exist_ok=True)
    part = out / f"{name}.part"
    part.write_bytes(b"x" * n)
    (out / f"{name}.part.json").write_text(json.dumps({"etag": '"abc"'}))
    return part


def test_a_part_of_the_form_not_served_is_stale_not_resumed(
        acc_hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "k2"
    _plain_part(out, "TCGA-ACC.clinical.tsv", 2000)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        listed = list_downloads(out, projects=["ACC"], base_url=acc_hub.base_url, timeout=2.0)
    clinical = listed[1]
    assert clinical.item.filename == "TCGA-ACC.clinical.tsv.gz"
    assert clinical.part_bytes is None  # was 2,000: "would resume"
    assert clinical.stale_part == "TCGA-ACC.clinical.tsv.part"
    assert "TCGA-ACC.clinical.tsv.gz.part" not in caplog.text  # named, yet not here
    assert "TCGA-ACC.clinical.tsv.part: 2,000 bytes of TCGA-ACC.clinical.tsv" in caplog.text
    assert "stale" in caplog.text and "a download resumes it" not in caplog.text


def test_the_served_forms_part_is_resumed_under_its_own_name(
        acc_hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The hub serves only the plain name: its .part is the one resumed, named as it is."""
    acc_hub.files["TCGA-ACC.clinical.tsv"] = acc_hub.files.pop("TCGA-ACC.clinical.tsv.gz")
    out = tmp_path / "k3"
    _plain_part(out, "TCGA-ACC.clinical.tsv", 20)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        listed = list_downloads(out, projects=["ACC"], base_url=acc_hub.base_url, timeout=2.0)
    assert listed[1].item.filename == "TCGA-ACC.clinical.tsv"
    assert listed[1].part_bytes == 20 and listed[1].stale_part is None
    assert ("TCGA-ACC.clinical.tsv: 20 bytes here from an earlier run "
            "(TCGA-ACC.clinical.tsv.part); a download resumes it") in caplog.text


def test_both_forms_served_the_part_here_is_the_one_resumed(
        acc_hub: Hub, tmp_path: Path) -> None:
    """The hub serves both forms (as HH's did): the download tries the form with a .part
    here first (:func:`url_forms`), so --list reports that one, not the .gz's size."""
    gz = acc_hub.files["TCGA-ACC.clinical.tsv.gz"]
    acc_hub.files["TCGA-ACC.clinical.tsv"] = gzip.decompress(gz)
    out = tmp_path / "k4"
    _plain_part(out, "TCGA-ACC.clinical.tsv", 20)
    listed = list_downloads(out, projects=["ACC"], base_url=acc_hub.base_url, timeout=2.0)
    assert listed[1].item.filename == "TCGA-ACC.clinical.tsv"
    assert listed[1].size == len(acc_hub.files["TCGA-ACC.clinical.tsv"])
    assert listed[1].part_bytes == 20 and listed[1].stale_part is None
