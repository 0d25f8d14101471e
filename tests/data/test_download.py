"""The Xena downloader against a local HTTP server (127.0.0.1, port 0, background thread).

The server (``local_http.Hub``, shared with the other download tests) serves gzipped STAR
matrices in the hub's shape, honours ``Range: bytes=K-`` and follows a per-file script of
misbehaviours (cut, 5xx, 429, stall, ignore Range, an HTML page or half a gzip served whole
with status 200), recording every request so the tests can assert what the client sent.
Client timeouts are short, so nothing hangs.
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import json
import re
import socket
import urllib.error
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from genemoe.data import download
from genemoe.data.download import (
    GDC_HUB_URL,
    PANCAN_HUB_URL,
    DamagedError,
    DownloadError,
    NotOnServerError,
    OfflineError,
    download_file,
    download_tcga,
    plan_downloads,
)
from genemoe.data.download_listing import list_downloads
from genemoe.errors import InputError
from local_http import Hub, serve_hub, star_matrix_gz

FAST = {"backoff": 0.01, "timeout": 2.0, "progress": False}
LISTING = Path(__file__).parent / "fixtures" / "xena_listing_tcga.tsv"


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as state:
        yield state


def _blob(n: int, seed: int = 0) -> bytes:
    """A gzipped STAR matrix of ``n`` bytes of text, as the hub serves (a download is checked
    to be gzip of a table with rows: random bytes could be refused as a header alone)."""
    return star_matrix_gz(n, seed=seed)


def _served(name: str, blob: bytes) -> bytes:
    """``blob`` as the hub serves ``name``: a plain name (the probe map) as plain text (a
    plain-named file sent as gzip is saved decompressed)."""
    return blob if name.endswith(".gz") else gzip.decompress(blob)


HEADER = gzip.decompress(_blob(300)).split(b"\n", 1)[0]  # Ensembl_ID, then sample barcodes


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- planning


def test_plan_gdc_lists_three_files_per_project_and_the_probemap() -> None:
    items = plan_downloads(["ACC", "CHOL"])
    assert [(i.filename, i.kind, i.project) for i in items] == [
        ("TCGA-ACC.star_fpkm-uq.tsv.gz", "expression", "ACC"),
        ("TCGA-ACC.clinical.tsv.gz", "phenotype", "ACC"),
        ("TCGA-ACC.survival.tsv.gz", "survival", "ACC"),
        ("TCGA-CHOL.star_fpkm-uq.tsv.gz", "expression", "CHOL"),
        ("TCGA-CHOL.clinical.tsv.gz", "phenotype", "CHOL"),
        ("TCGA-CHOL.survival.tsv.gz", "survival", "CHOL"),
        ("gencode.v36.annotation.gtf.gene.probemap", "probemap", None),
    ]
    assert GDC_HUB_URL == "https://gdc-hub.s3.us-east-1.amazonaws.com/download/"
    assert items[0].url == GDC_HUB_URL + "TCGA-ACC.star_fpkm-uq.tsv.gz"
    assert items[-1].url == GDC_HUB_URL + "gencode.v36.annotation.gtf.gene.probemap"
    assert not any("htseq" in i.url or "GDC_phenotype" in i.url or "v22" in i.url for i in items)


@pytest.mark.parametrize(("values", "dtype"), [("fpkm_uq", "star_fpkm-uq"), ("tpm", "star_tpm"),
                                               ("counts", "star_counts"), ("fpkm", "star_fpkm"),
                                               ("FPKM-UQ", "star_fpkm-uq")])
def test_plan_values_choose_the_star_matrix(values: str, dtype: str) -> None:
    items = plan_downloads(["UVM"], values=values)
    assert items[0].filename == f"TCGA-UVM.{dtype}.tsv.gz"
    assert items[0].dataset == f"TCGA-UVM.{dtype}.tsv"


def test_retries_are_the_attempts_after_the_first(tmp_path: Path, monkeypatch) -> None:
    """Old behaviour: ``--retries`` said "Retries per file [default: 3]" but counted
    attempts ("attempt 1 of 3"), so ``--retries 0`` was refused as "0 attempts per file";
    and with ``--list`` a ``--retries -1`` was accepted. Now retries follow the first
    attempt (default 2: 3 attempts in all, as before), and a negative count is refused
    with or without ``--list`` (it was a ValueError traceback before that)."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    with pytest.raises(InputError, match="^--retries: must be 0 or more retries per file, "
                                         "got -1\n  fix: pass --retries 0"):
        download_tcga(tmp_path / "out", projects=["ACC"], retries=-1)
    assert not (tmp_path / "out").exists()
    res = CliRunner().invoke(app, ["download", "tcga", "--list", "--projects", "ACC",
                                   "--out", str(tmp_path / "x"), "--retries", "-1"])
    assert res.exit_code != 0 and "--retries: must be 0 or more" in str(res.exception)
    assert not (tmp_path / "x").exists()
    seen: list[int] = []

    def failing(url: str, dest: Path, **kw: int) -> int | None:
        seen.append(kw["attempts"])
        raise DownloadError("stub")

    monkeypatch.setattr(download, "_download", failing)  # download_file's work, per file
    for retries, attempts in ((0, 1), (None, 3)):
        with pytest.raises(DownloadError, match="stub"):
            download_tcga(tmp_path / "out", projects=["ACC"], **FAST,
                          **({} if retries is None else {"retries": retries}))
        assert seen.pop() == attempts


def test_plan_unknown_values_names_the_choices() -> None:
    with pytest.raises(InputError, match="--values") as info:
        plan_downloads(["UVM"], values="htseq")
    assert "fpkm_uq" in str(info.value) and "counts" in str(info.value)


def test_plan_all_projects_and_code_normalisation() -> None:
    assert len(plan_downloads(None)) == 33 * 3 + 1
    codes = [i.project for i in plan_downloads([" acc", "TCGA-CHOL", "ACC"]) if i.project]
    assert codes == ["ACC"] * 3 + ["CHOL"] * 3
    assert plan_downloads("ACC,CHOL") == plan_downloads(["ACC", "CHOL"])
    mirror = plan_downloads(["UVM"], base_url="http://mirror.example/x")
    assert mirror[0].url == "http://mirror.example/x/TCGA-UVM.star_fpkm-uq.tsv.gz"


def test_plan_pancan_percent_encodes_the_url_but_not_the_filename() -> None:
    items = plan_downloads(None, source="pancan")
    assert [i.kind for i in items] == ["expression", "survival", "phenotype"]
    assert items[0].filename == "EB++AdjustPANCAN_IlluminaHiSeq_RNASeqV2.geneExp.xena.gz"
    assert items[0].url == (PANCAN_HUB_URL
                            + "EB%2B%2BAdjustPANCAN_IlluminaHiSeq_RNASeqV2.geneExp.xena.gz")
    assert items[1].url == PANCAN_HUB_URL + "Survival_SupplementalTable_S1_20171025_xena_sp"
    assert items[2].url == PANCAN_HUB_URL + "TCGA_phenotype_denseDataOnlyDownload.tsv.gz"


def test_values_with_the_pancan_source_are_refused() -> None:
    """Old behaviour: `download tcga --source pancan --values tpm` ignored --values unsaid
    (the Pan-Cancer Atlas has one expression file)."""
    with pytest.raises(InputError, match=r"(?s)--values tpm picks a GDC hub matrix.*fix: drop "
                                         r"--values with --source pancan"):
        plan_downloads(None, source="pancan", values="tpm")


def _listing() -> list[dict[str, str]]:
    with LISTING.open() as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(rows, delimiter="\t"))


@pytest.mark.parametrize("values", ["fpkm_uq", "tpm", "counts", "fpkm"])
def test_every_planned_gdc_file_is_a_listed_dataset_under_the_url_rule(values: str) -> None:
    """Names against the hub listing's snapshot; URL = host/download/<basename>[.gz]."""
    listed = {(r["XenaHostNames"], r["XenaDatasets"]): r for r in _listing()}
    items = plan_downloads(None, values=values)
    for item in items[:-1]:
        row = listed[("gdcHub", item.dataset)]
        assert row["XenaCohorts"].endswith(f"({item.project})")
        assert item.filename in (item.dataset, item.dataset + ".gz")
        assert item.url == GDC_HUB_URL + urllib.parse.quote(item.filename, safe="")
        if item.kind == "expression":
            assert row["ProbeMap"] == items[-1].filename  # the gene map the listing names
            assert row["Label"].startswith("STAR - ")
        else:
            assert row["DataSubtype"] == "phenotype"
    assert items[-1].dataset == "gencode.v36.annotation.gtf.gene.probemap"
    assert not items[-1].url.endswith(".gz")


def test_every_planned_pancan_file_is_a_listed_dataset() -> None:
    listed = {r["XenaDatasets"] for r in _listing() if r["XenaHostNames"] == "pancanAtlasHub"}
    for item in plan_downloads(None, source="pancan"):
        assert item.dataset in listed
        assert item.filename in (item.dataset, item.dataset + ".gz")


def test_the_old_per_project_names_are_not_listed() -> None:
    names = {r["XenaDatasets"] for r in _listing()}
    assert len([n for n in names if n.startswith("TCGA-")]) == 33 * 6
    assert not any(re.search(r"htseq|GDC_phenotype", n) for n in names if n.startswith("TCGA-"))


def test_plan_unknown_project_lists_the_valid_codes() -> None:  # (h)
    with pytest.raises(InputError) as info:
        plan_downloads(["BRCA", "XYZ"])
    msg = str(info.value)
    assert "XYZ" in msg and "ACC" in msg and "UVM" in msg and "--projects" in msg


# ----------------------------------------------------------------------------- one file


def test_plain_download_is_exact_and_leaves_no_part(hub: Hub, tmp_path: Path) -> None:
    data = hub.files["a.tsv.gz"] = _blob(100_000)
    dest = download_file(hub.url("a.tsv.gz"), tmp_path / "sub" / "a.tsv.gz",
                         sha256=_sha(data), expected_size=len(data), **FAST)
    assert dest.read_bytes() == data
    assert not (tmp_path / "sub" / "a.tsv.gz.part").exists()
    assert hub.ranges() == [("a.tsv.gz", None)]


def test_truncated_transfer_is_resumed_with_range(hub: Hub, tmp_path: Path) -> None:  # (a)
    data = hub.files["t.gz"] = _blob(200_001, seed=1)
    hub.script["t.gz"] = ["cut"]
    dest = download_file(hub.url("t.gz"), tmp_path / "t.gz", chunk_size=4096, **FAST)
    assert dest.read_bytes() == data
    assert hub.ranges() == [("t.gz", None), ("t.gz", f"bytes={len(data) // 2}-")]


@pytest.mark.parametrize("status", ["500", "503", "429"])
def test_transient_status_is_retried(hub: Hub, tmp_path: Path, status: str) -> None:  # (b)
    data = hub.files["f.tsv.gz"] = _blob(5_000, seed=2)
    hub.script["f.tsv.gz"] = [status]
    assert download_file(hub.url("f.tsv.gz"), tmp_path / "f.tsv.gz", **FAST).read_bytes() == data
    assert len(hub.requests) == 2


def test_persistent_500_fails_after_retries(hub: Hub, tmp_path: Path) -> None:  # (c)
    hub.files["f.tsv"] = _blob(5_000)
    hub.always["f.tsv"] = "500"
    with pytest.raises(DownloadError, match="after 3 attempts") as info:
        download_file(hub.url("f.tsv"), tmp_path / "f.tsv", attempts=3, **FAST)
    assert hub.url("f.tsv") in str(info.value)
    assert len(hub.requests) == 3
    assert not (tmp_path / "f.tsv").exists()


def test_failed_transfer_keeps_part_and_next_call_resumes(hub: Hub, tmp_path: Path) -> None:
    data = hub.files["r.gz"] = _blob(80_000, seed=3)
    hub.always["r.gz"] = "cut"
    with pytest.raises(DownloadError, match="next run resumes"):
        download_file(hub.url("r.gz"), tmp_path / "r.gz", attempts=2, chunk_size=1024, **FAST)
    part = tmp_path / "r.gz.part"
    assert not (tmp_path / "r.gz").exists()
    assert 0 < part.stat().st_size < len(data) and data.startswith(part.read_bytes())
    del hub.always["r.gz"]
    kept = part.stat().st_size
    assert download_file(hub.url("r.gz"), tmp_path / "r.gz", **FAST).read_bytes() == data
    assert hub.ranges()[-1] == ("r.gz", f"bytes={kept}-")
    assert not part.exists()


@pytest.mark.parametrize("status", ["404", "403"])
def test_missing_file_fails_at_once(hub: Hub, tmp_path: Path, status: str) -> None:  # (d)
    hub.files["gone.tsv"] = b"x"
    hub.always["gone.tsv"] = status
    with pytest.raises(DownloadError, match=f"HTTP {status}") as info:
        download_file(hub.url("gone.tsv"), tmp_path / "gone.tsv", attempts=3, **FAST)
    assert hub.url("gone.tsv") in str(info.value)
    assert len(hub.requests) == 1
    assert not (tmp_path / "gone.tsv").exists()


def test_sha256_mismatch_fails_and_leaves_nothing(hub: Hub, tmp_path: Path) -> None:  # (e)
    hub.files["s.gz"] = _blob(10_000, seed=4)
    with pytest.raises(DownloadError, match="sha256"):
        download_file(hub.url("s.gz"), tmp_path / "s.gz", sha256="0" * 64, **FAST)
    assert not (tmp_path / "s.gz").exists()
    assert not (tmp_path / "s.gz.part").exists()


def test_size_other_than_expected_fails(hub: Hub, tmp_path: Path) -> None:
    hub.files["z.gz"] = _blob(10_000, seed=5)
    with pytest.raises(DownloadError, match="expected 9,999"):
        download_file(hub.url("z.gz"), tmp_path / "z.gz", expected_size=9_999, **FAST)
    assert not (tmp_path / "z.gz").exists()


def test_existing_part_is_resumed_with_range(hub: Hub, tmp_path: Path) -> None:  # (f)
    data = hub.files["p.gz"] = _blob(64_000, seed=6)
    half = len(data) // 2
    (tmp_path / "p.gz.part").write_bytes(data[:half])
    dest = download_file(hub.url("p.gz"), tmp_path / "p.gz", sha256=_sha(data), **FAST)
    assert dest.read_bytes() == data
    assert hub.ranges() == [("p.gz", f"bytes={half}-")]


def test_server_ignoring_range_restarts_from_zero(hub: Hub, tmp_path: Path, caplog) -> None:
    """Old behaviour: the restart was logged at info (behind -v); a user resuming a large
    file saw it start again from zero without a word."""
    data = hub.files["i.gz"] = _blob(30_000, seed=7)
    hub.script["i.gz"] = ["ignore_range"]
    (tmp_path / "i.gz.part").write_bytes(data[:1_000])
    with caplog.at_level("WARNING"):
        assert download_file(hub.url("i.gz"), tmp_path / "i.gz", **FAST).read_bytes() == data
    assert hub.ranges() == [("i.gz", "bytes=1000-")]
    assert "the server does not resume" in caplog.text and "1,000 bytes of it were here" in caplog.text


def test_complete_part_answered_416_is_finished(hub: Hub, tmp_path: Path) -> None:
    data = hub.files["c.gz"] = _blob(3_000, seed=8)
    (tmp_path / "c.gz.part").write_bytes(data)
    assert download_file(hub.url("c.gz"), tmp_path / "c.gz", **FAST).read_bytes() == data
    assert hub.ranges() == [("c.gz", f"bytes={len(data)}-")]


def test_stalled_transfer_times_out_and_resumes(hub: Hub, tmp_path: Path) -> None:
    data = hub.files["w.gz"] = _blob(40_000, seed=9)
    hub.script["w.gz"] = ["stall"]
    hub.stall_s = 1.0
    dest = download_file(hub.url("w.gz"), tmp_path / "w.gz", attempts=2, backoff=0.01,
                         timeout=0.3, progress=False)
    assert dest.read_bytes() == data
    assert hub.ranges() == [("w.gz", None), ("w.gz", f"bytes={len(data) // 2}-")]


def test_refused_connection_is_a_download_error_not_offline(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError, match="after 2 attempts") as info:
        download_file(f"http://127.0.0.1:{port}/x", tmp_path / "x", attempts=2, **FAST)
    assert not isinstance(info.value, OfflineError)


@pytest.mark.parametrize("reason", [
    socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    OSError(errno.ENETUNREACH, "Network is unreachable"),
])
def test_no_network_raises_offline_error_saying_how_to_proceed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reason: OSError,
) -> None:
    calls: list[str] = []

    def unreachable(request: object, timeout: float) -> None:
        calls.append(request.full_url)  # type: ignore[attr-defined]
        raise urllib.error.URLError(reason)

    monkeypatch.setattr(download, "_open", unreachable)
    with pytest.raises(OfflineError) as info:
        download_tcga(tmp_path / "out", projects=["ACC", "CHOL"], retries=1, **FAST)
    msg = str(info.value)
    assert "no internet access" in msg and "genemoe prepare" in msg
    assert "gdc-hub.s3.us-east-1.amazonaws.com" in msg
    # the house form: what went wrong, then one "fix:" line naming the file to fetch from
    first, fix = msg.split("\n")
    assert fix.startswith("  fix: ") and f"wget -c -i {tmp_path / 'out' / 'urls.txt'}" in fix
    assert "run `genemoe download tcga --projects ACC,CHOL --out DIR`" in fix
    urls = (tmp_path / "out" / "urls.txt").read_text().split()
    assert urls == [item.url for item in plan_downloads(["ACC", "CHOL"])]
    assert len(calls) == 2  # the first file's attempts; then it stops
    assert not any((tmp_path / "out").glob("TCGA-*"))


# ----------------------------------------------------------------------------- many files


def test_download_tcga_fetches_then_uses_the_cache(hub: Hub, tmp_path: Path) -> None:  # (g)
    plan = plan_downloads(["ACC", "CHOL"])
    for seed, item in enumerate(plan):
        hub.files[item.filename] = _served(item.filename, _blob(2_000 + 97 * seed, seed=seed))
    out = tmp_path / "xena"
    first = download_tcga(out, projects=["ACC", "CHOL"], base_url=hub.base_url, **FAST)
    assert [p.name for p in first.paths] == [i.filename for i in plan]
    assert first.downloaded == first.paths and first.cached == []
    assert first.n_bytes == sum(len(b) for b in hub.files.values())
    for path in first.paths:
        assert path.read_bytes() == hub.files[path.name]
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {i.filename for i in plan}
    for name, entry in manifest["files"].items():
        assert entry["url"] == hub.url(name)
        assert entry["size"] == len(hub.files[name])
        assert entry["sha256"] == _sha(hub.files[name])
        assert entry["downloaded_at"]
    # the listing's rule: the plain name first (404 here), then .gz; the later .gz files
    # asked for as .gz first once the hub served only that form
    assert [r[0] for r in hub.requests] == [plan[0].filename.removesuffix(".gz")] + [
        i.filename for i in plan]

    second = download_tcga(out, projects=["ACC", "CHOL"], base_url=hub.base_url, **FAST)
    assert second.downloaded == [] and second.cached == second.paths and second.n_bytes == 0
    assert len(hub.requests) == 8  # nothing fetched

    damaged = out / "TCGA-CHOL.survival.tsv.gz"
    damaged.write_bytes(b"X" + hub.files[damaged.name][1:])  # same size, other sha256
    third = download_tcga(out, projects=["ACC", "CHOL"], base_url=hub.base_url, **FAST)
    assert third.downloaded == [damaged]
    assert damaged.read_bytes() == hub.files[damaged.name]


def test_download_tcga_unknown_project_fetches_nothing(hub: Hub, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="XYZ"):
        download_tcga(tmp_path / "out", projects=["ACC", "XYZ"], base_url=hub.base_url, **FAST)
    assert hub.requests == []
    assert not (tmp_path / "out").exists()


def test_a_file_not_served_plain_is_fetched_under_the_other_url_form(
    hub: Hub, tmp_path: Path,
) -> None:
    """The listing's rule: host/download/<name>, else the same with .gz (and back)."""
    plan = plan_downloads(["UVM"])
    for item in plan:
        hub.files[item.filename] = _served(item.filename, _blob(500))
    moved = plan[2]  # the hub serves the survival table plain, not gzipped
    hub.files[moved.filename.removesuffix(".gz")] = gzip.decompress(hub.files.pop(moved.filename))
    result = download_tcga(tmp_path, projects=["UVM"], base_url=hub.base_url, **FAST)
    assert result.paths[2].name == "TCGA-UVM.survival.tsv"
    assert result.paths[2].read_bytes() == hub.files["TCGA-UVM.survival.tsv"]
    again = download_tcga(tmp_path, projects=["UVM"], base_url=hub.base_url, **FAST)
    assert again.cached == again.paths  # the other form is found in the cache


def test_a_file_served_under_neither_form_names_both_urls(hub: Hub, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="also tried") as info:
        download_tcga(tmp_path, projects=["UVM"], base_url=hub.base_url, **FAST)
    assert "TCGA-UVM.star_fpkm-uq.tsv.gz" in str(info.value)


def test_list_gives_sizes_from_the_cache_and_the_server(hub: Hub, tmp_path: Path) -> None:
    plan = plan_downloads(["ACC"], values="tpm")
    for k, item in enumerate(plan):
        hub.files[item.filename] = _served(item.filename, _blob(1000 + k))
    download_tcga(tmp_path / "out", projects=["ACC"], values="tpm", base_url=hub.base_url,
                  **FAST)
    (tmp_path / "out" / plan[1].filename).unlink()  # gone from the cache: ask the server
    listed = list_downloads(tmp_path / "out", projects=["ACC"], values="tpm",
                            base_url=hub.base_url, timeout=2.0)
    assert [p.item.filename for p in listed] == [i.filename for i in plan]
    assert [p.size for p in listed] == [len(hub.files[i.filename]) for i in plan]
    assert [p.size_from for p in listed] == ["cache", "server", "cache", "cache"]
    assert hub.ranges()[-1] == (plan[1].filename, "HEAD")


def test_list_offline_reports_unknown_sizes_and_fetches_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """Offline, --list printed "size unknown" per file without saying why (the fetch itself
    says "no internet access"): it says so once now, with where the files come from."""
    calls: list[str] = []

    def unreachable(request: object, timeout: float) -> None:
        calls.append(request.full_url)  # type: ignore[attr-defined]
        raise urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "no name"))

    monkeypatch.setattr(download, "_open", unreachable)
    with caplog.at_level("WARNING"):
        listed = list_downloads(None, projects=["ACC", "UVM"])
    assert caplog.text.count("no internet access: cannot reach") == 1
    assert "genemoe does not fall back" in caplog.text
    assert [p.size_from for p in listed] == ["unknown"] * 7
    assert len(calls) == 1  # stops asking once the network proved unreachable
    assert not (tmp_path / "out").exists()


def test_cli_list_prints_every_file_with_its_size(hub: Hub, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from genemoe.cli import app

    for k, item in enumerate(plan_downloads(["ACC", "UVM"])):
        hub.files[item.filename] = _blob(2048 * (k + 1))
    res = CliRunner().invoke(app, ["download", "tcga", "--list", "--projects", "ACC,UVM",
                                   "--out", str(tmp_path / "x"), "--base-url", hub.base_url])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0] == f"from {hub.base_url}"  # once (each row carried its URL)
    assert lines[1].startswith("TCGA-ACC.star_fpkm-uq.tsv.gz") and "2.0 KiB" in lines[1]
    assert lines[7].startswith("gencode.v36.annotation.gtf.gene.probemap")
    total = sum(map(len, hub.files.values())) / 1024
    assert lines[-1].startswith("7 files into") and f"total {total:.1f} KiB" in lines[-1]
    assert all(r[1] == "HEAD" for r in hub.requests)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("body", "says"), [
    (b"<html><body>Access Denied</body></html>", "an HTML page"),
    (gzip.compress(b"<!DOCTYPE html><html>Login</html>", mtime=0), "an HTML page"),
    (_blob(50_000, seed=11)[:30_000], "damaged gzip data"),  # cut, with a matching length
    (b"sample\tTP53\n", "not gzip data"),
    (gzip.compress(HEADER + b"\n", mtime=0), "a header line and no rows once decompressed"),
    (gzip.compress(HEADER, mtime=0), "a header line and no rows once decompressed"),
    (gzip.compress(HEADER + b"\n\n  \n", mtime=0), "a header line and no rows once decompressed"),
], ids=["html", "gzipped-html", "cut-gzip", "plain-text", "gzipped-header-only",
        "gzipped-header-no-newline", "gzipped-header-blank-lines"])
def test_a_file_that_is_not_the_hubs_table_is_refused_and_not_cached(
        hub: Hub, tmp_path: Path, body: bytes, says: str) -> None:
    """Old behaviour: an HTML error page or a gzip cut short (with a matching
    Content-Length) was renamed into place, recorded in the manifest, and "cached" ever
    after, while ``prepare`` called the file truncated. Then (an outside probe): it stopped
    the whole download at once, the other files never fetched; now it is tried --retries
    times afresh, then named at the end, after the others came."""
    plan = plan_downloads(["ACC"])
    for item in plan:
        hub.files[item.filename] = _blob(500)
    hub.files[plan[0].filename] = body
    with pytest.raises(DamagedError, match=f"(?s)^1 of 4 files was still damaged after 2 "
                                           f"attempts, not cached \\({re.escape(plan[0].filename)}"
                                           f": {says}.*the other 3 are in .*fix: ") as info:
        download_tcga(tmp_path / "out", projects=["ACC"], base_url=hub.base_url, retries=1, **FAST)
    assert says in info.value.problem
    assert [r for r in hub.ranges() if r[0] == plan[0].filename] == [(plan[0].filename, None)] * 2
    assert not (tmp_path / "out" / plan[0].filename).exists()
    assert not (tmp_path / "out" / f"{plan[0].filename}.part").exists()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(i.filename for i in plan[1:])  # the others came
    hub.files[plan[0].filename] = good = _blob(700)  # the server mended: downloaded, not "cached"
    result = download_tcga(tmp_path / "out", projects=["ACC"], base_url=hub.base_url, **FAST)
    assert (tmp_path / "out" / plan[0].filename).read_bytes() == good
    assert result.downloaded == [tmp_path / "out" / plan[0].filename]


def test_a_header_only_gzip_is_refused_naming_the_url_and_not_cached(
        hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: a ``.gz`` whose text is its header line alone (a whole gzip stream,
    its CRC right) was renamed into place and cached as the table: only a plain file was
    checked for rows, and ``prepare`` failed on it later, far from the download."""
    hub.files["TCGA-ACC.star_tpm.tsv.gz"] = gzip.compress(HEADER + b"\n", mtime=0)
    url = hub.url("TCGA-ACC.star_tpm.tsv.gz")
    with pytest.raises(DamagedError) as info:
        download_file(url, tmp_path / "TCGA-ACC.star_tpm.tsv.gz", attempts=2, **FAST)
    first, fix = str(info.value).split("\n")
    assert first.startswith(f"{url}: the file received is a header line and no rows once "
                            "decompressed, not the table (still, after 2 attempts)")
    assert fix.startswith("  fix: ") and "run again later" in fix
    assert list(tmp_path.iterdir()) == []  # neither the file nor its .part kept
    assert hub.ranges() == [("TCGA-ACC.star_tpm.tsv.gz", None)] * 2  # afresh, not resumed
    hub.files["TCGA-ACC.star_tpm.tsv.gz"] = good = _blob(400)  # a table with rows passes
    assert download_file(url, tmp_path / "TCGA-ACC.star_tpm.tsv.gz", **FAST).read_bytes() == good


@pytest.mark.parametrize("action", ["html", "halfgz"])
def test_a_damaged_download_is_retried_from_scratch_with_backoff(
        hub: Hub, tmp_path: Path, action: str, caplog: pytest.LogCaptureFixture) -> None:
    """Outside probe (/html/, /trunc/): an HTML page served with status 200, or half a gzip,
    stopped the download at once ("Run again"), though a failed file is retried --retries
    times. Now the damaged file is removed and fetched again from its start (no Range)."""
    data = hub.files["d.tsv.gz"] = _blob(40_000, seed=21)
    hub.script["d.tsv.gz"] = [action, action]
    with caplog.at_level("WARNING"):
        dest = download_file(hub.url("d.tsv.gz"), tmp_path / "d.tsv.gz", attempts=3, **FAST)
    assert dest.read_bytes() == data
    assert hub.ranges() == [("d.tsv.gz", None)] * 3  # afresh each time, never resumed
    assert "(attempt 1 of 3); downloading it again from the start in 0.01 s" in caplog.text
    assert "(attempt 2 of 3); downloading it again from the start in 0.02 s" in caplog.text


def test_damaged_and_missing_files_are_named_together_after_the_others_came(
        hub: Hub, tmp_path: Path) -> None:
    """Outside probe: the HTML page for ACC's matrix stopped the download before clinical,
    survival and probemap were fetched; a 404 let them come. Now both are named in one error."""
    plan = plan_downloads(["ACC", "UVM"], values="counts")
    for k, item in enumerate(plan):
        hub.files[item.filename] = _blob(300 + k, seed=k)
    hub.always[plan[0].filename] = "html"
    hub.always[plan[4].filename] = "halfgz"
    del hub.files[plan[5].filename]
    with pytest.raises(DownloadError) as info:
        download_tcga(tmp_path / "x", projects=["ACC", "UVM"], values="counts",
                      base_url=hub.base_url, retries=0, **FAST)
    msg = str(info.value)
    assert not isinstance(info.value, (NotOnServerError, DamagedError))
    assert msg.startswith("1 of 7 files is not on the server (HTTP 404 Not Found for "
                          f"{hub.url(plan[5].filename)}; also tried ")
    assert (f"2 of 7 files were still damaged after 1 attempt, not cached ({plan[0].filename}: "
            "an HTML page (an error or login page), not gzip data; "
            f"{plan[4].filename}: damaged gzip data (") in msg
    assert f"the other 4 are in {tmp_path / 'x'}\n  fix: " in msg
    assert (f"`genemoe download tcga --projects ACC,UVM --values counts --base-url "
            f"{hub.base_url} --list`") in msg and "run the same command again later" in msg
    got = sorted(p.name for p in (tmp_path / "x").iterdir())
    assert got == sorted([plan[i].filename for i in (1, 2, 3, 6)] + ["manifest.json"])


def test_when_every_file_fails_no_other_files_or_folder_are_named(
        hub: Hub, tmp_path: Path) -> None:
    """Outside probe (/404/): "the other 0 are in dl_404", a folder the command then removed."""
    with pytest.raises(NotOnServerError) as info:
        download_tcga(tmp_path / "none", projects=["ACC"], base_url=hub.base_url, **FAST)
    msg = str(info.value)
    assert msg.startswith("4 of 4 files are not on the server")
    assert "the other" not in msg and str(tmp_path / "none") not in msg
    assert ("; and 3 more: TCGA-ACC.clinical.tsv.gz, TCGA-ACC.survival.tsv.gz, "
            "gencode.v36.annotation.gtf.gene.probemap)") in msg


def test_a_resumed_download_says_from_where(hub: Hub, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    """Outside probe: a .part left by an interrupted run, continued with a Range request,
    was said as "downloaded (4965117 bytes)", like a fresh one."""
    plan = plan_downloads(["ACC"])
    for k, item in enumerate(plan):
        hub.files[item.filename] = _blob(3_000 + k, seed=k)
    out = tmp_path / "x"
    out.mkdir()
    first = hub.files[plan[0].filename]
    (out / f"{plan[0].filename}.part").write_bytes(first[:1_500])
    with caplog.at_level("INFO", logger="genemoe"):
        result = download_tcga(out, projects=["ACC"], base_url=hub.base_url, **FAST)
    assert (out / plan[0].filename).read_bytes() == first
    assert hub.ranges()[0] == (plan[0].filename, "bytes=1500-")
    assert (f"[1/4] {plan[0].filename}: downloaded ({len(first):,} bytes, resumed from 1,500 "
            "bytes an earlier run left)") in caplog.text
    second = len(hub.files[plan[1].filename])
    assert second > 1_000 and f"[2/4] {plan[1].filename}: downloaded ({second:,} bytes)" in caplog.text
    assert result.resumed == {out / plan[0].filename: 1_500}
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert manifest[plan[0].filename]["resumed_from"] == 1_500
    assert manifest[plan[1].filename]["resumed_from"] is None


def test_a_part_the_server_would_not_resume_is_not_called_resumed(
        hub: Hub, tmp_path: Path) -> None:
    """A .part the server answered in full (no Range support) was fetched whole: no resume."""
    hub.files["n.gz"] = data = _blob(5_000, seed=22)
    hub.script["n.gz"] = ["ignore_range"]
    (tmp_path / "n.gz.part").write_bytes(data[:1_000])
    assert download._download(hub.url("n.gz"), tmp_path / "n.gz", expected_size=None,
                              sha256=None, attempts=1, **FAST) is None
    (tmp_path / "n.gz").unlink()
    (tmp_path / "n.gz.part").write_bytes(data[:1_000])
    assert download._download(hub.url("n.gz"), tmp_path / "n.gz", expected_size=None,
                              sha256=None, attempts=1, **FAST) == 1_000


def test_the_offline_fix_echoes_the_options_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """Outside probe: offline, the fix said "run `genemoe download tcga --out DIR`", which
    fetches all 33 projects as FPKM-UQ from the default hub, whatever was asked."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    def unreachable(request: object, timeout: float) -> None:
        raise urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "no name"))

    monkeypatch.setattr(download, "_open", unreachable)
    want = ("run `genemoe download tcga --projects ACC,UVM --values tpm --base-url "
            "http://mirror.example/x/ --out DIR`")
    args = ["download", "tcga", "--projects", "acc,UVM", "--values", "tpm", "--base-url",
            "http://mirror.example/x/", "--out", str(tmp_path / "o"), "--retries", "0"]
    res = CliRunner().invoke(app, args)
    assert isinstance(res.exception, OfflineError) and want in str(res.exception)
    with caplog.at_level("WARNING"):
        CliRunner().invoke(app, [*args, "--list"])
    assert want in caplog.text
    pancan = download.download_command(["ACC"], source="pancan", out=None)
    assert pancan == "genemoe download tcga --source pancan"


def test_a_part_spliced_onto_a_changed_file_is_downloaded_afresh(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: a .part left from an older version of the file was resumed onto the
    new one; the spliced file (not valid gzip) was renamed into place."""
    old, new = _blob(60_000, seed=12), _blob(60_000, seed=13)
    hub.files["m.tsv.gz"] = new
    (tmp_path / "m.tsv.gz.part").write_bytes(old[: len(old) // 2])
    dest = download_file(hub.url("m.tsv.gz"), tmp_path / "m.tsv.gz", **FAST)
    assert dest.read_bytes() == new
    assert hub.ranges() == [("m.tsv.gz", f"bytes={len(old) // 2}-"), ("m.tsv.gz", None)]


def test_list_says_a_file_the_hub_does_not_serve(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: a 404 under both URL forms was listed as "size unknown", like a
    server that gave no Content-Length."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    plan = plan_downloads(["ACC"])
    for item in plan[1:]:
        hub.files[item.filename] = _blob(100)
    listed = list_downloads(None, projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert [p.size_from for p in listed] == ["missing", "server", "server", "server"]
    res = CliRunner().invoke(app, ["download", "tcga", "--list", "--projects", "ACC",
                                   "--out", str(tmp_path / "x"), "--base-url", hub.base_url])
    assert "NOT ON SERVER" in res.output.splitlines()[1]


def test_a_base_url_that_is_not_http_is_refused_before_fetching(tmp_path):
    """``genemoe download tcga --base-url notaurl`` ended in urllib's ValueError traceback."""
    from genemoe.data.download import download_tcga
    from genemoe.errors import InputError

    with pytest.raises(InputError, match=r"(?s)--base-url.*'notaurl'.*fix: give the mirror"):
        download_tcga(tmp_path / "xena", projects=["ACC"], base_url="notaurl")
    assert not (tmp_path / "xena").exists()


def test_a_file_not_in_the_manifest_is_said_before_it_is_replaced(
        hub: Hub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old behaviour: a file of the same name in --out that genemoe had not fetched was
    overwritten without a word."""
    import logging

    plan = plan_downloads(["ACC"])
    for item in plan:
        hub.files[item.filename] = _blob(300)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / plan[0].filename).write_bytes(b"the user's own file")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        download_tcga(tmp_path / "out", projects=["ACC"], base_url=hub.base_url, **FAST)
    assert f"{plan[0].filename} is not in manifest.json (not fetched by genemoe): replacing it" \
        in caplog.text


def test_a_project_the_server_lacks_does_not_stop_the_others(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour (a probe's mirror without UVM): the download stopped at UVM's matrix and
    never fetched KICH's files; `--list` counted the missing files as "sizes unknown"."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    plan = plan_downloads(["ACC", "UVM", "KICH"])
    for k, item in enumerate(plan):
        if "UVM" not in item.filename:
            hub.files[item.filename] = _blob(300 + k, seed=k)
    with pytest.raises(NotOnServerError, match=r"3 of 10 files are not on the server .*; and 2 "
                                               r"more.*the other 7 are in"):
        download_tcga(tmp_path / "x", projects=["ACC", "UVM", "KICH"], base_url=hub.base_url, **FAST)
    got = sorted(p.name for p in (tmp_path / "x").iterdir() if p.name != "manifest.json")
    assert got == sorted(n for n in hub.files)  # KICH's and the probemap came after UVM's
    res = CliRunner().invoke(app, ["download", "tcga", "--list", "--projects", "ACC,UVM,KICH",
                                   "--out", str(tmp_path / "x"), "--base-url", hub.base_url])
    assert res.output.strip().splitlines()[-1].endswith(
        "(3 not on the server: a download would fail on TCGA-UVM.star_fpkm-uq.tsv.gz, "
        "TCGA-UVM.clinical.tsv.gz, TCGA-UVM.survival.tsv.gz)")


def test_list_does_not_call_a_damaged_cached_file_cached(hub: Hub, tmp_path: Path, caplog) -> None:
    """Old behaviour: a cached file grown by 8 bytes was listed "(in cache)" from the manifest."""
    plan = plan_downloads(["ACC"])
    for k, item in enumerate(plan):
        hub.files[item.filename] = _blob(500 + k, seed=k)
    download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, **FAST)
    damaged = tmp_path / "x" / plan[2].filename
    damaged.write_bytes(damaged.read_bytes() + b"12345678")
    with caplog.at_level("WARNING"):
        listed = list_downloads(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, timeout=2.0)
    assert [p.size_from for p in listed] == ["cache", "cache", "server", "cache"]
    assert listed[2].size == len(hub.files[plan[2].filename])
    assert "differs from the manifest's" in caplog.text and "a download fetches it again" in caplog.text


def test_a_missing_file_is_said_once_and_briefly(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: one ~400-character line that said "not on the server" twice and added
    an S3 remark beside the point for a --base-url mirror."""
    plan = plan_downloads(["ACC"])
    for item in plan[1:]:
        hub.files[item.filename] = _blob(100)
    with pytest.raises(NotOnServerError) as info:
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, **FAST)
    msg = str(info.value)
    assert msg.count("not on the server") == 1 and "S3" not in msg
    assert msg.startswith(f"1 of {len(plan)} files is not on the server (HTTP 404")
    assert len(re.sub(r"http://\S+", "URL", msg.replace(str(tmp_path / "x"), "DIR"))) < 200, msg


def test_one_attempt_is_said_in_the_singular(hub: Hub, tmp_path: Path) -> None:
    """Old behaviour: "after 1 attempts"."""
    hub.files["f.tsv"] = b"x"
    hub.always["f.tsv"] = "503"
    with pytest.raises(DownloadError, match="after 1 attempt: "):
        download_file(hub.url("f.tsv"), tmp_path / "f.tsv", attempts=1, **FAST)


def test_a_server_that_keeps_failing_stops_the_run_with_a_fix(hub: Hub, tmp_path: Path) -> None:
    """An outside probe: a refused or failing server ended `download tcga` with the failure
    alone, no fix line and nothing of the files fetched or not tried."""
    plan = plan_downloads(["ACC"])
    for seed, item in enumerate(plan):
        hub.files[item.filename] = _blob(1_000, seed=seed)
    hub.always[plan[1].filename] = "500"
    (tmp_path / "x").mkdir()  # a file after the failing one already here (a verification
    (tmp_path / "x" / plan[3].filename).write_bytes(hub.files[plan[3].filename])  # probe:
    with pytest.raises(download.TransferError) as info:  # "0 of 7 are here" with one there)
        download_tcga(tmp_path / "x", projects=["ACC"], base_url=hub.base_url, retries=0, **FAST)
    text = str(info.value)
    assert text.startswith(f"could not download {hub.url(plan[1].filename)} after 1 attempt")
    assert f"\n  2 of {len(plan)} files are here; the {len(plan) - 2} after it were not tried\n" in text
    assert (f"  fix: check the server address (--base-url, or the hub's own without it) and "
            f"your network, then run `genemoe download tcga --projects ACC --base-url "
            f"{hub.base_url} --retries 0 --out {tmp_path / 'x'}` again") in text  # its --retries
    assert (tmp_path / "x" / plan[0].filename).exists()
