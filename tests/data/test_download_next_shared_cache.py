"""The printed ``next: genemoe prepare`` command names this run's projects only.

Old behaviour: a run for UVM into a folder where an earlier run had fetched ACC and KICH
printed ``--expression xena/TCGA-*.star_counts.tsv*``: the command prepared all three
projects, two of which this run had not asked for (a shared download cache).
"""

from __future__ import annotations

import re
from pathlib import Path

from genemoe.data.download import download_tcga, plan_downloads
from genemoe.data.download_manifest import DownloadResult
from local_http import serve_hub

TABLE = b"sample\tx\nTCGA-OR-A5J1-01A\t1\n"
FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}


def _flags(command: str) -> dict[str, str]:
    return dict(re.findall(r"(--\w+) (\S+)", command))


def test_a_later_run_names_its_own_projects(tmp_path: Path) -> None:
    out = tmp_path / "xena"
    with serve_hub() as hub:
        for item in plan_downloads(["ACC", "KICH", "UVM"], values="counts",
                                   base_url=hub.base_url):
            hub.files[item.filename.removesuffix(".gz")] = TABLE
        download_tcga(out, projects=["ACC", "KICH"], values="counts", base_url=hub.base_url,
                      **FAST)
        one = download_tcga(out, projects=["UVM"], values="counts", base_url=hub.base_url,
                            **FAST)
        both = download_tcga(out, projects=["UVM", "KICH"], values="counts",
                             base_url=hub.base_url, **FAST)
    flags = _flags(one.next_command())
    assert flags["--expression"] == f"{out}/TCGA-UVM.star_counts.tsv"
    assert flags["--labels"] == f"{out}/TCGA-UVM.clinical.tsv"
    assert flags["--annotation"].endswith(".probemap")
    # several projects in braces, which the shell expands to this run's files only
    assert _flags(both.next_command())["--clinical"] == f"{out}/TCGA-{{KICH,UVM}}.survival.tsv"


def test_the_glob_stays_where_it_takes_only_this_runs_files(tmp_path: Path) -> None:
    names = [f"TCGA-{p}.star_counts.tsv" for p in ("ACC", "UVM")]
    for name in names:
        (tmp_path / name).write_bytes(TABLE)
    result = DownloadResult(tmp_path, tmp_path / "m", paths=[tmp_path / n for n in names])
    assert _flags(result.next_command())["--expression"] == f"{tmp_path}/TCGA-*.star_counts.tsv*"
