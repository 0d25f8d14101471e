"""``download tcga --list`` rows (probe HH, D9): each carried its full URL (143 characters
with a local URL, more with the hub's); now the base URL is said once above the rows, each
row names the file, its size and its state, and ``-v`` adds the full URLs."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.download_listing import PlannedFile
from genemoe.data.xena_listing import GDC_HUB_URL, plan_downloads
from genemoe.report.text import download_listing_lines


def _planned() -> list[PlannedFile]:
    items = plan_downloads(["ACC"])
    return [PlannedFile(items[0], 670_090, "server", part_bytes=327_680),
            PlannedFile(items[1], 621, "server", stale_part="TCGA-ACC.clinical.tsv.part"),
            PlannedFile(items[2], None, "missing"), PlannedFile(items[3], 151_720, "cache")]


def test_rows_are_short_and_the_base_url_said_once() -> None:
    lines = download_listing_lines(_planned(), "xena")
    assert lines[0] == f"from {GDC_HUB_URL}"
    rows = lines[1:-1]
    assert all("http" not in r and len(r) <= 100 for r in rows), rows
    assert "would resume" in rows[0] and "stale TCGA-ACC.clinical.tsv.part" in rows[1]
    assert "NOT ON SERVER" in rows[2] and "in cache" in rows[3]


def test_full_urls_with_verbose() -> None:
    lines = download_listing_lines(_planned(), "xena", urls=True)
    assert all(p.item.url in line for p, line in zip(_planned(), lines, strict=False))


def test_cli_list_offline_rows(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["download", "tcga", "--projects", "ACC", "--out",
                                   str(tmp_path / "x"), "--base-url", "http://127.0.0.1:9/download/",
                                   "--list"])
    assert res.exit_code == 0, res.output
    rows = [r for r in res.output.splitlines() if r.startswith("TCGA-ACC.")]
    assert rows and all("http" not in r for r in rows)
    assert "from http://127.0.0.1:9/download/" in res.output
