"""A plain-named file sent gzip-compressed is decompressed into ``<name>.gunzip.part`` once
whole; a decompression killed midway (Ctrl-C, a full disk) left that file in --out, said by
nothing and overwritten only by the next run that decompressed the same file.

Now it is removed on any failure or interrupt, and one an earlier run left is removed by the
next download (said) and named by ``--list`` (which removes nothing).
"""

from __future__ import annotations

import errno
import gzip
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genemoe.data.download import TransferError, download_file, download_tcga, plan_downloads
from genemoe.data.download_listing import list_downloads
from local_http import Hub, serve_hub

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
PROBEMAP = "gencode.v36.annotation.gtf.gene.probemap"
TABLE = b"sample\tOS\n" + b"TCGA-OR-A5J1-01A\t1\n" * 300


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as state:
        yield state


def _cut_decompression(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """The decompression writes some bytes into its ``.gunzip.part``, then ``error``."""
    real = shutil.copyfileobj

    def cut(src: Any, dst: Any, *args: Any) -> None:
        if str(getattr(dst, "name", "")).endswith(".gunzip.part"):
            dst.write(src.read(100))
            dst.flush()
            raise error
        real(src, dst, *args)

    monkeypatch.setattr(shutil, "copyfileobj", cut)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left")],
                         ids=["interrupt", "disk-full"])
def test_a_killed_decompression_leaves_no_gunzip_part(
        hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    hub.files[PROBEMAP] = gzip.compress(TABLE)  # a plain name, gzip bytes (S3, a mirror)
    _cut_decompression(monkeypatch, error)
    with pytest.raises((KeyboardInterrupt, TransferError)):
        download_file(hub.url(PROBEMAP), tmp_path / PROBEMAP, attempts=1, **FAST)
    assert not list(tmp_path.glob("*.gunzip.part"))  # was left (the interrupt)
    assert (tmp_path / f"{PROBEMAP}.part").is_file()  # whole: the next run decompresses it
    monkeypatch.undo()
    download_file(hub.url(PROBEMAP), tmp_path / PROBEMAP, attempts=1, **FAST)
    assert (tmp_path / PROBEMAP).read_bytes() == TABLE
    assert sorted(p.name for p in tmp_path.iterdir()) == [PROBEMAP]


def _acc_hub(hub: Hub) -> None:
    for item in plan_downloads(["ACC"], base_url=hub.base_url):
        hub.files[item.filename] = TABLE if item.filename == PROBEMAP else gzip.compress(TABLE)


def test_a_leftover_gunzip_part_is_named_by_list_and_removed_by_the_next_run(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _acc_hub(hub)  # the hub serves the clinical table as .gz: never decompressed again
    left = tmp_path / "TCGA-ACC.clinical.tsv.gunzip.part"
    left.write_bytes(TABLE[:500])
    with caplog.at_level(logging.INFO, logger="genemoe"):
        list_downloads(tmp_path, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert ("TCGA-ACC.clinical.tsv.gunzip.part: 500 bytes left by a decompression an earlier "
            "run did not finish: a download removes it") in caplog.text
    assert left.is_file()  # --list changes nothing
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="genemoe"):
        download_tcga(tmp_path, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert not left.exists()  # was kept for good: its plain name is never decompressed here
    assert f"{left}: 500 bytes left by a decompression an earlier run did not finish: " \
           "removed" in caplog.text
