"""Resumes checked by ETag / Last-Modified, and the files set aside, against a local hub.

From an outside review of `genemoe download tcga` (probeH). The hub (``local_http.Hub``,
shared with the other download tests) keeps an ETag and a Last-Modified per file where told,
honours ``Range`` and ``If-Range`` (a validator that no longer matches gets the whole file,
status 200), and follows a per-file script (``cut``: half the body, then the connection
closes; a number: that status). Each test says the old behaviour it pins.
"""

from __future__ import annotations

import errno
import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data import download
from genemoe.data.download import (
    DamagedError,
    TransferError,
    download_file,
    download_tcga,
    plan_downloads,
)
from genemoe.errors import os_error_message
from local_http import Hub, serve_hub

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
PROBEMAP = "gencode.v36.annotation.gtf.gene.probemap"


def _table(n: int, tag: str) -> bytes:
    rows = ["id\tgene\tvalue"] + [f"ENSG{i:011d}.1\tG{i}\t{tag}{i}" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as state:
        yield state


def _serve_acc(hub: Hub) -> list[download.DownloadItem]:
    plan = plan_downloads(["ACC"], base_url=hub.base_url)
    for k, item in enumerate(plan):
        text = _table(50 + k, "v")
        hub.files[item.filename] = text if item.filename == PROBEMAP else gzip.compress(text, mtime=0)
    return plan


# ----------------------------------------------------------------------------- 1: splices


def test_a_plain_part_of_a_changed_file_is_not_spliced_when_the_server_has_an_etag(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old behaviour: the resume sent Range with no If-Range and no ETag was kept for the
    .part, so the first half of the old version and the second half of the new one (same
    size) were joined and cached as whole."""
    old, new = _table(400, "old"), _table(400, "new")
    assert len(old) == len(new)
    hub.files["t.tsv"], hub.etags["t.tsv"] = old, '"v1"'
    hub.script["t.tsv"] = ["cut"]
    with pytest.raises(TransferError):
        download_file(hub.url("t.tsv"), tmp_path / "t.tsv", attempts=1, **FAST)
    hub.files["t.tsv"], hub.etags["t.tsv"] = new, '"v2"'  # the hub's file changed
    with caplog.at_level(logging.WARNING):
        dest = download_file(hub.url("t.tsv"), tmp_path / "t.tsv", **FAST)
    assert dest.read_bytes() == new
    assert hub.requests[-1] == ("t.tsv", f"bytes={len(old) // 2}-", '"v1"')
    assert "the file changed on the server since" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.tsv"]  # no .part, no .part.json


def test_an_unchanged_plain_part_is_resumed_with_if_range(hub: Hub, tmp_path: Path) -> None:
    data = hub.files["u.tsv"] = _table(400, "x")
    hub.modified["u.tsv"] = "Wed, 21 Oct 2026 07:28:00 GMT"
    hub.script["u.tsv"] = ["cut"]
    with pytest.raises(TransferError, match="the next run resumes it"):
        download_file(hub.url("u.tsv"), tmp_path / "u.tsv", attempts=1, **FAST)
    assert json.loads((tmp_path / "u.tsv.part.json").read_text()) == {
        "last_modified": "Wed, 21 Oct 2026 07:28:00 GMT"}
    dest = download_file(hub.url("u.tsv"), tmp_path / "u.tsv", **FAST)
    assert dest.read_bytes() == data
    assert hub.requests == [("u.tsv", None, None),
                            ("u.tsv", f"bytes={len(data) // 2}-", "Wed, 21 Oct 2026 07:28:00 GMT")]
    assert not (tmp_path / "u.tsv.part.json").exists()


def test_a_plain_part_without_validators_is_fetched_again_from_the_start(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old behaviour: a .part an earlier run left of a plain file the server gives no ETag
    or Last-Modified for was resumed onto whatever the server has now (a splice)."""
    old, new = _table(300, "old"), _table(300, "new")
    hub.files["p.tsv"] = new
    (tmp_path / "p.tsv.part").write_bytes(old[: len(old) // 2])
    with caplog.at_level(logging.WARNING):
        assert download_file(hub.url("p.tsv"), tmp_path / "p.tsv", **FAST).read_bytes() == new
    assert hub.requests == [("p.tsv", None, None)]
    assert "cannot be checked to be of the file the server has now" in caplog.text


def test_a_server_that_ignores_if_range_does_not_splice(hub: Hub, tmp_path: Path) -> None:
    """A 206 whose ETag is not the .part's: restarted from byte 0."""
    old, new = _table(300, "old"), _table(300, "new")
    hub.files["s.tsv"], hub.etags["s.tsv"] = new, '"v2"'
    hub.ignore_if_range = True
    (tmp_path / "s.tsv.part").write_bytes(old[: len(old) // 2])
    (tmp_path / "s.tsv.part.json").write_text(json.dumps({"etag": '"v1"'}))
    assert download_file(hub.url("s.tsv"), tmp_path / "s.tsv", attempts=2,
                         **FAST).read_bytes() == new
    assert [r[1] for r in hub.requests] == [f"bytes={len(old) // 2}-", None]


# ----------------------------------------------------------------------------- 4: empty files


@pytest.mark.parametrize(("body", "problem"), [
    (b"", "an empty file, not the table"),
    (b"id\tgene\tchrom\tchromStart\tchromEnd\tstrand\n", "a header line and no rows"),
])
def test_an_empty_or_header_only_plain_file_with_a_size_is_not_cached(
        hub: Hub, tmp_path: Path, body: bytes, problem: str) -> None:
    """Old behaviour: a 0-byte (or header-only) probemap served with status 200 and its
    Content-Length was renamed into place and cached for good."""
    plan = _serve_acc(hub)
    hub.files[PROBEMAP] = body
    with pytest.raises(DamagedError, match=problem):
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, retries=0, **FAST)
    assert not (tmp_path / "x" / PROBEMAP).exists()
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())["files"]
    assert PROBEMAP not in manifest and len(manifest) == len(plan) - 1


# ----------------------------------------------------------------------------- 3, 5: final error


def test_a_cut_transfer_is_set_aside_and_the_end_names_every_file_not_here(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old behaviour: a transfer that broke off on every attempt stopped the run (the files
    after it not tried), the stop named that file only (one not on the server before it was
    said mid-run only), and its fix said "check the server address and your network"."""
    plan = _serve_acc(hub)
    del hub.files[plan[0].filename]  # not on the server under either form
    hub.always[plan[2].filename] = "cut"
    with caplog.at_level(logging.WARNING), pytest.raises(download.DownloadError) as info:
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, retries=0, **FAST)
    text = str(info.value)
    assert text.startswith("1 of 4 files is not on the server (HTTP 404")
    assert (f"; 1 of 4 files broke off mid-transfer after 1 attempt, its partial file kept "
            f"({plan[2].filename}: transfer cut short at ") in text
    assert f"the other 2 are in {tmp_path / 'x'}\n  fix: run the same command again: it " \
           "resumes the partial file; check what the hub serves with `" in text
    assert "check the server address" not in text
    assert (tmp_path / "x" / PROBEMAP).exists()  # the file after it came
    assert (tmp_path / "x" / f"{plan[2].filename}.part").exists()
    assert "broke off mid-transfer on its last attempt; its partial file is kept" in caplog.text
    del hub.always[plan[2].filename]  # the next run resumes it
    kept = (tmp_path / "x" / f"{plan[2].filename}.part").stat().st_size
    with pytest.raises(download.NotOnServerError):
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, retries=0, **FAST)
    assert (tmp_path / "x" / plan[2].filename).read_bytes() == hub.files[plan[2].filename]
    assert (plan[2].filename, f"bytes={kept}-", None) in hub.requests


def test_a_stop_names_the_files_set_aside_before_it(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: a server that kept failing stopped the run with the failing file alone;
    the files set aside before it (not on the server, broken off) were said mid-run only."""
    plan = _serve_acc(hub)
    del hub.files[plan[0].filename]
    hub.always[plan[1].filename] = "cut"
    hub.always[plan[2].filename] = "500"
    with pytest.raises(TransferError) as info:
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, retries=0, **FAST)
    text = str(info.value)
    assert text.startswith(f"could not download {hub.url(plan[2].filename)} after 1 attempt: "
                           "HTTP 500")
    assert "\n  0 of 4 files are here; the 1 after it was not tried\n  also not here: " in text
    assert "1 of 4 files is not on the server (HTTP 404" in text
    assert ("1 of 4 files broke off mid-transfer after 1 attempt, its partial file kept "
            f"({plan[1].filename}") in text
    fix = text.split("\n  fix: ")[1]
    assert fix.startswith("check the server address") and "it resumes the partial file" in fix
    assert "--list`" in fix


@pytest.mark.parametrize(("status", "fix"), [("401", "check --base-url"),
                                             ("400", "check --base-url"),
                                             ("407", "set HTTPS_PROXY")])
def test_other_http_errors_stop_with_a_fix_and_the_files_here(
        hub: Hub, tmp_path: Path, status: str, fix: str) -> None:
    """Old behaviour: HTTP 401/400/407 ended with "HTTP 401 Unauthorized for URL", no fix
    line and nothing of the files here (a plain DownloadError)."""
    plan = _serve_acc(hub)
    hub.always[plan[1].filename] = status
    with pytest.raises(TransferError) as info:
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, **FAST)
    text = str(info.value)
    assert text.startswith(f"HTTP {status} ")
    assert "\n  1 of 4 files is here; the 2 after it were not tried\n  fix: " in text
    assert fix in text and f"--out {tmp_path / 'x'}` again" in text
    assert sum(1 for r in hub.requests if r[0] == plan[1].filename) == 1  # not retried


# ----------------------------------------------------------------------------- 7: disk full


class _FullDisk:
    """A file whose writes fail with ``code`` (the disk is full, or the file too large)."""

    def __init__(self, fh, code: int) -> None:  # noqa: ANN001
        self.fh, self.code = fh, code

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def write(self, chunk: bytes) -> int:
        self.fh.write(chunk[:10])  # some bytes land before the disk fills
        raise OSError(self.code, "No space left on device" if self.code == errno.ENOSPC
                      else "File too large")


def _fill_disk(monkeypatch: pytest.MonkeyPatch, prefix: str, code: int) -> None:
    real_open = Path.open

    def opener(self: Path, mode: str = "r", *a: object, **kw: object):  # noqa: ANN202
        fh = real_open(self, mode, *a, **kw)
        full = self.name.startswith(prefix) and self.name.endswith(".part") and "r" not in mode
        return _FullDisk(fh, code) if full else fh

    monkeypatch.setattr(Path, "open", opener)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
def test_a_full_disk_names_the_part_and_the_url(hub: Hub, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                code: int) -> None:
    """Old behaviour: "genemoe: error: a file: No space left on device" (no path, no URL),
    and EFBIG a traceback (no fix for it in the file-system table)."""
    plan = _serve_acc(hub)
    _fill_disk(monkeypatch, "TCGA-ACC.clinical", code)
    with pytest.raises(TransferError) as info:
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, **FAST)
    text = str(info.value)
    part = tmp_path / "x" / f"{plan[1].filename}.part"
    assert text.startswith(f"{part}: ") and f"(writing {hub.url(plan[1].filename)})" in text
    assert "the partial file is kept for the next run" in text and part.exists()
    assert "\n  fix: " in text and "then run `genemoe download tcga" in text
    assert sum(1 for r in hub.requests if r[0] == plan[1].filename) == 1  # not retried
    assert os_error_message(OSError(code, "x", "f")) is not None  # EFBIG has a fix too


# ----------------------------------------------------------------------------- 10: backoff


def test_the_backoff_is_capped_at_a_minute(hub: Hub, tmp_path: Path, monkeypatch) -> None:
    """Old behaviour: backoff * 2**(attempt-1) uncapped (--retries 10 waited 8.5 minutes
    before the last attempt)."""
    hub.files["b.tsv"] = _table(10, "b")
    hub.always["b.tsv"] = "500"
    slept: list[float] = []
    monkeypatch.setattr(download.time, "sleep", slept.append)
    with pytest.raises(TransferError):
        download_file(hub.url("b.tsv"), tmp_path / "b.tsv", attempts=4, backoff=30.0,
                      timeout=2.0, progress=False)
    assert slept == [30.0, 60.0, 60.0]


# ----------------------------------------------------------------------------- 6, 9: the manifest


@pytest.mark.parametrize("bad", [{"sha256": "ab"}, "not a record", {"size": "12", "sha256": "ab"},
                                 {"size": 12, "sha256": None}])
def test_a_malformed_manifest_entry_is_not_cached_and_said_once(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: object) -> None:
    """Old behaviour: `--list` ended in KeyError: 'size', the download in AttributeError
    ('str' object has no attribute 'get'), both tracebacks."""
    from genemoe.data.download_listing import list_downloads

    plan = _serve_acc(hub)
    out = tmp_path / "x"
    download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"][plan[0].filename] = bad
    (out / "manifest.json").write_text(json.dumps(manifest))
    with caplog.at_level(logging.WARNING):
        listed = list_downloads(out, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert [p.size_from for p in listed] == ["server", "cache", "cache", "cache"]
    assert caplog.text.count("not a record of a file") == 1 and plan[0].filename in caplog.text
    result = download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert result.downloaded == [out / plan[0].filename] and len(result.cached) == 3
    entry = json.loads((out / "manifest.json").read_text())["files"][plan[0].filename]
    assert entry["size"] == len(hub.files[plan[0].filename])


def test_list_finds_a_file_saved_under_its_other_name_in_the_cache(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: `--list` looked up the planned name only, so a file the download had
    saved under the other form (TCGA-ACC.clinical.tsv, not .tsv.gz) was listed as to be
    fetched, though the download called it cached."""
    from genemoe.data.download_listing import list_downloads

    plan = _serve_acc(hub)
    moved = plan[1].filename
    hub.files[moved.removesuffix(".gz")] = hub.files.pop(moved)
    out = tmp_path / "x"
    download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    n = len(hub.requests)
    listed = list_downloads(out, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert [p.size_from for p in listed] == ["cache"] * 4
    assert listed[1].item.filename == moved.removesuffix(".gz")
    assert len(hub.requests) == n  # nothing asked of the server
    again = download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert again.cached == again.paths


# ----------------------------------------------------------------------------- 8: pancan


def test_projects_with_the_pancan_source_are_refused(tmp_path: Path) -> None:
    """Old behaviour: `--source pancan --projects ACC` was accepted and ignored; its hint went
    to a logger shown with -v only."""
    from typer.testing import CliRunner

    from genemoe.cli import app
    from genemoe.errors import InputError

    with pytest.raises(InputError, match=r"(?s)^--projects: --projects ACC,UVM picks GDC hub "
                                         r"files.*fix: drop --projects with --source pancan, or "
                                         r"use --source gdc --projects ACC,UVM"):
        plan_downloads(["acc", "UVM"], source="pancan")
    with pytest.raises(InputError, match="XYZ"):  # an unknown code is still said as such
        plan_downloads(["XYZ"], source="pancan")
    assert len(plan_downloads(None, source="pancan")) == 3
    res = CliRunner().invoke(app, ["download", "tcga", "--source", "pancan", "--projects", "ACC",
                                   "--out", str(tmp_path / "p"), "--list"])
    assert isinstance(res.exception, InputError) and "drop --projects" in str(res.exception)
    assert not (tmp_path / "p").exists()


def test_list_does_not_promise_to_resume_a_plain_part_it_cannot_check(
        hub: Hub, tmp_path: Path) -> None:
    """A plain .part without validators is fetched from its start now: --list said "would
    resume" of it. A .gz part, and a plain one with its ETag kept, are still resumed."""
    from genemoe.data.download_listing import list_downloads

    plan = _serve_acc(hub)
    out = tmp_path / "x"
    out.mkdir()
    (out / f"{PROBEMAP}.part").write_bytes(hub.files[PROBEMAP][:100])
    (out / f"{plan[0].filename}.part").write_bytes(hub.files[plan[0].filename][:50])
    listed = list_downloads(out, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert [p.part_bytes for p in listed] == [50, None, None, None]
    (out / f"{PROBEMAP}.part.json").write_text(json.dumps({"etag": '"e"'}))
    listed = list_downloads(out, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert [p.part_bytes for p in listed] == [50, None, None, 100]


def test_offline_after_a_file_set_aside_names_it_and_lists_its_url(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Old behaviour: the offline stop left out a file set aside before it (not on the
    server, said mid-run only), and urls.txt listed only the files from the failed one on."""
    import io
    import socket
    import urllib.error

    from genemoe.data.download import OfflineError

    plan = plan_downloads(["ACC"])

    def network(request: object, timeout: float) -> None:
        url = request.full_url  # type: ignore[attr-defined]
        if plan[0].filename.removesuffix(".gz") in url:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, io.BytesIO())  # type: ignore[arg-type]
        raise urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "no name"))

    monkeypatch.setattr(download, "_open", network)
    with pytest.raises(OfflineError) as info:
        download_tcga(tmp_path / "out", projects=["ACC"], retries=0, **FAST)
    first, aside, fix = str(info.value).split("\n")
    assert first.startswith("no internet access") and fix.startswith("  fix: ")
    assert aside.startswith("  also not here: 1 of 4 files is not on the server (HTTP 404")
    urls = (tmp_path / "out" / "urls.txt").read_text().split()
    assert urls == [item.url for item in plan]


def test_one_file_not_tried_is_said_in_the_singular() -> None:
    """Old behaviour: "the 1 after it were not tried"."""
    from genemoe.data.download_checks import transfer_message

    text = transfer_message("could not download U", n_here=2, n_files=4, n_not_tried=1,
                            command="genemoe download tcga --out x")
    assert "\n  2 of 4 files are here; the 1 after it was not tried\n" in text


def test_a_gzip_of_nothing_is_not_cached(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: a whole gzip stream holding no bytes (20 bytes, its CRC right) was
    renamed into place and cached as the table."""
    hub.files["e.tsv.gz"] = gzip.compress(b"", mtime=0)
    with pytest.raises(DamagedError, match="an empty file"):
        download_file(hub.url("e.tsv.gz"), tmp_path / "e.tsv.gz", attempts=1, **FAST)
    assert not (tmp_path / "e.tsv.gz").exists()
