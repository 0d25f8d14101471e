"""A failed attempt and a file still damaged at the end are said in lines under 100
characters (with the terminal's ``warning: `` prefix), the file by its name.

Old behaviour: "http://.../TCGA-ACC.star_fpkm-uq.tsv.gz: the file received is damaged gzip data
(Compressed file ended before the end-of-stream marker was reached) (attempt 1 of 2);
downloading it again from the start in 1 s" on one line of ~240 characters, and "[1/4] ...:
still damaged after its last attempt (...); not cached, going on with the others" of ~210.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download import DamagedError, download_tcga, plan_downloads
from local_http import Hub, serve_hub, star_matrix_gz

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as served:
        yield served


def _terminal_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each warning's lines as the terminal shows them (its first after ``warning: ``)."""
    out = []
    for record in caplog.records:
        first, *rest = record.getMessage().splitlines()
        out += [f"warning: {first}", *rest]
    return out


def test_attempts_and_a_damaged_end_are_said_in_short_lines(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    plan = plan_downloads(["ACC"], base_url=hub.base_url)
    for k, item in enumerate(plan):
        hub.files[item.filename] = (star_matrix_gz(20_000, seed=k) if item.filename.endswith(".gz")
                                    else b"id\tgene\nENSG00000000003.15\tTSPAN6\n")
    hub.always[plan[0].filename] = "halfgz"
    with caplog.at_level(logging.WARNING, logger="genemoe.data.download"), \
            pytest.raises(DamagedError):
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, retries=1, **FAST)
    lines = _terminal_lines(caplog)
    assert max(map(len, lines)) <= 100, [line for line in lines if len(line) > 100]
    assert lines[0] == f"warning: {plan[0].filename}:"  # the problem under it: too long beside
    assert lines[1].startswith("    the file received is damaged gzip data (")
    assert "    (attempt 1 of 2); downloading it again from the start in 0.01 s" in lines
    assert any(line.startswith(f"warning: [1/4] {plan[0].filename}: still damaged after its last")
               for line in lines)
    assert not any("http://" in line for line in lines)
