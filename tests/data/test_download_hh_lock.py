"""Two downloads into one --out (outside probe HH, D4).

Old behaviour: the second run took the first's live ``.part`` for one "an earlier run left"
and resumed it; the first then died on the vanished ``.part`` with "check the path", and both
rewrote manifest.json from their own copies. Now the folder is locked
(``OUT/.download.lock``, ``fcntl.flock`` without waiting) and a second run is refused at once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download import DownloadError, download_tcga, plan_downloads
from local_http import Hub, serve_hub, star_matrix_gz

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
LOCK = ".download.lock"


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as state:
        for k, item in enumerate(plan_downloads(["ACC"])):
            blob = star_matrix_gz(600 + k, seed=k)
            state.files[item.filename] = blob  # the probe map too: saved decompressed
        yield state


def _held_by_another(out: Path) -> int:
    """Hold the folder's lock as a running download does (another open file: flock sees
    two holders even within one process); returns the descriptor."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, b"4242\n")
    return fd


def test_a_second_download_into_a_busy_folder_is_refused_naming_it(
        hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "cc"
    fd = _held_by_another(out)
    try:
        with pytest.raises(DownloadError) as info:
            download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    finally:
        os.close(fd)
    msg = str(info.value)
    assert msg.startswith(f"another download is writing to {out} (pid 4242)")
    assert "fix: wait for it to finish" in msg and "--out" in msg
    assert hub.requests == [] and sorted(p.name for p in out.iterdir()) == [LOCK]


def test_the_cli_raises_it_as_one_download_error(hub: Hub, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from genemoe.cli import app

    out = tmp_path / "cc"
    fd = _held_by_another(out)
    try:
        res = CliRunner().invoke(app, ["download", "tcga", "--projects", "ACC", "--out",
                                       str(out), "--base-url", hub.base_url])
    finally:
        os.close(fd)
    assert res.exit_code != 0  # a GenemoeError: main() prints it as one error, no traceback
    assert isinstance(res.exception, DownloadError)
    assert f"another download is writing to {out} (pid 4242)" in str(res.exception)


def test_a_lock_file_no_one_holds_blocks_nothing_and_is_removed(
        hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "cc"
    out.mkdir()
    (out / LOCK).write_text("4242\n")  # left by a run that was killed
    result = download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert len(result.downloaded) == 4
    assert not (out / LOCK).exists()
