"""The download's last line says how much it fetched and how much was already here.

Old behaviour: "7 files in xena (3 downloaded, 4 from cache)": file counts only, so a run
that fetched a few KiB read like one that fetched gigabytes; a resumed file's bytes an
earlier run left were not told from those fetched. The sizes are in ``--list``'s units.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data.download import download_tcga, plan_downloads
from genemoe.data.download_manifest import DownloadResult, human_bytes
from local_http import Hub, serve_hub, star_matrix_gz

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as served:
        yield served


def _serve(hub: Hub, projects: list[str]) -> dict[str, int]:
    """Every planned file of ``projects`` on the hub; their sizes by name."""
    for k, item in enumerate(plan_downloads(projects, values="counts", base_url=hub.base_url)):
        hub.files[item.filename] = (star_matrix_gz(20_000 + 1_000 * k, seed=k)
                                    if item.filename.endswith(".gz")
                                    else b"id\tgene\n" + b"ENSG00000000003.15\tTSPAN6\n" * 200)
    return {name: len(body) for name, body in hub.files.items()}


@pytest.mark.parametrize(("n", "said"), [(0, "0 B"), (1_023, "1023 B"), (1_024, "1.0 KiB"),
                                         (12_390, "12.1 KiB"), (42_047_898, "40.1 MiB"),
                                         (2 << 30, "2.0 GiB"), (5 << 40, "5120.0 GiB")])
def test_sizes_are_rounded_for_people(n: int, said: str) -> None:
    assert human_bytes(n) == said


@pytest.mark.parametrize("n", [0, 500, 1_024, 12_390, 999_999, 42_047_898, 3 << 30])
def test_sizes_read_as_the_listing_s(n: int) -> None:
    """``download tcga --list`` says sizes in KiB/MiB: the same file, the same figure."""
    from genemoe.report.text import fmt_bytes

    assert human_bytes(n) == fmt_bytes(n)


def test_the_last_line_says_bytes_fetched_and_already_here(hub: Hub, tmp_path: Path) -> None:
    sizes = _serve(hub, ["ACC", "UVM"])
    out = tmp_path / "xena"
    first = download_tcga(out, projects=["ACC"], values="counts", base_url=hub.base_url, **FAST)
    acc = sum(sizes[p.name] for p in first.downloaded)
    assert first.summary() == (f"4 files in {out} (4 downloaded, 0 from cache; "
                               f"{human_bytes(acc)} fetched)")
    both = download_tcga(out, projects=["ACC", "UVM"], values="counts", base_url=hub.base_url,
                         **FAST)
    uvm = sum(sizes[p.name] for p in both.downloaded)
    assert both.cached_bytes == acc and both.n_bytes == uvm
    assert both.summary() == (f"7 files in {out} (3 downloaded, 4 from cache; "
                              f"{human_bytes(uvm)} fetched, {human_bytes(acc)} already here)")
    assert " KiB fetched, " in both.summary()  # rounded: no byte counts of five digits


def test_a_resumed_file_s_earlier_bytes_are_not_called_fetched(hub: Hub, tmp_path: Path) -> None:
    sizes = _serve(hub, ["ACC"])
    plan = plan_downloads(["ACC"], values="counts", base_url=hub.base_url)
    out = tmp_path / "xena"
    out.mkdir()
    (out / f"{plan[0].filename}.part").write_bytes(hub.files[plan[0].filename][:15_000])
    result = download_tcga(out, projects=["ACC"], values="counts", base_url=hub.base_url, **FAST)
    assert result.resumed == {out / plan[0].filename: 15_000}
    fetched = sum(sizes.values()) - 15_000
    assert result.sizes() == f"{human_bytes(fetched)} fetched (+14.6 KiB an earlier run left)"


def test_nothing_fetched_nor_here_says_no_sizes(tmp_path: Path) -> None:
    result = DownloadResult(out_dir=tmp_path, manifest_path=tmp_path / "manifest.json")
    assert result.summary() == f"0 files in {tmp_path} (0 downloaded, 0 from cache)"
