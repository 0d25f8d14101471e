"""The run's last line and the other-name warning stay short on a hub that serves every table
under its plain name.

Before (a probe's hub serving ``TCGA-<P>.star_counts.tsv``, ``.clinical.tsv`` and
``.survival.tsv`` plain for ACC, UVM and KICH): the warning and the last line each named all
nine files, so for 33 projects both named 99 files on lines of about 3,000 characters.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from genemoe.data.download import download_tcga, plan_downloads
from genemoe.data.download_checks import other_name_warning
from local_http import serve_hub

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
TABLE = b"sample\tx\nTCGA-OR-A5J1-01A\t1\n"


def test_name_some_names_three_and_counts_the_rest() -> None:
    from genemoe.data.download_checks import name_some  # new: absent before the fix

    assert name_some(["a", "b", "c"]) == "a, b, c"
    assert name_some(["a"]) == "a"
    assert name_some([f"f{i}" for i in range(99)]) == "f0, f1, f2 and 96 more"


def test_other_name_warning_of_99_files_is_one_short_line(tmp_path: Path) -> None:
    paths = [tmp_path / f"TCGA-P{i:02d}.clinical.tsv" for i in range(99)]
    text = other_name_warning(paths, Path("xena"))
    assert text.startswith("99 files saved under the other name the hub serves: "
                           "TCGA-P00.clinical.tsv, TCGA-P01.clinical.tsv, "
                           "TCGA-P02.clinical.tsv and 96 more; ")
    assert "TCGA-P03" not in text
    assert len(text) < 200


def test_a_hub_serving_every_table_plain_gets_a_short_last_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    projects = ["ACC", "UVM", "KICH"]
    with serve_hub() as hub:
        for item in plan_downloads(projects, values="counts", base_url=hub.base_url):
            hub.files[item.filename.removesuffix(".gz")] = TABLE  # plain only, as some hubs
        out = tmp_path / "xena"
        with caplog.at_level(logging.WARNING, logger="genemoe.data.download"):
            result = download_tcga(out, projects=projects, values="counts",
                                   base_url=hub.base_url, **FAST)
    assert len(result.other_name) == 9
    summary = result.summary()
    assert summary.endswith("; 9 saved under their other name: TCGA-ACC.star_counts.tsv, "
                            "TCGA-ACC.clinical.tsv, TCGA-ACC.survival.tsv and 6 more")
    assert "TCGA-UVM" not in summary
    warning = next(r.getMessage() for r in caplog.records if "other name" in r.getMessage())
    assert "and 6 more; match both forms" in warning
    assert "TCGA-KICH" not in warning
