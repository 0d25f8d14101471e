"""Which file a download keeps, and under which name: the order the hub listing's rule tries
a dataset's two URL forms in (the ``.gz`` first on a hub found to serve only that form),
whether a cached file is still whole, and the record of a file fetched (the manifest entry
and the per-file line). Used by :mod:`genemoe.data.download`; a plain-named file sent
gzip-compressed is :mod:`genemoe.data.download_gunzip`'s."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genemoe.data.bundle import atomic_write_text, dump_json
from genemoe.data.download_checks import cached_problem
from genemoe.data.download_manifest import DownloadResult, is_cached, manifest_entry
from genemoe.data.xena_listing import DownloadItem
from genemoe.text_wrap import WIDTH, warning_text, wrapped

__all__ = ["PART_SUFFIX", "Transfer", "cached_whole", "hub_of", "part_path", "record_cached",
           "record_download", "say_damaged", "say_retry", "url_forms"]

logger = logging.getLogger("genemoe.data.download")  # said as the downloader's own

PART_SUFFIX = ".part"


@dataclass
class Transfer:
    """What one file's transfer learned. ``from_bytes``: the ``.part`` bytes an
    earlier run left, while this run's file still uses them; ``size_checked``: whether the
    size was checked against one announced (Content-Length, Content-Range) or expected;
    ``decoded``: whether a plain-named file came gzip-compressed and was saved decompressed."""
    from_bytes: int | None = None
    size_checked: bool = False
    decoded: bool = False


def part_path(dest: Path) -> Path:
    """Where ``dest`` is written until it is whole: ``<dest>.part``."""
    return dest.with_name(dest.name + PART_SUFFIX)


def url_forms(item: DownloadItem, out_dir: Path | None, *, gz_first: bool = False
              ) -> tuple[DownloadItem, DownloadItem]:
    """The listing's two URL forms of ``item`` in the order its rule tries them: the plain
    name first, ``.gz`` appended only where the plain one fails (UCSCXenaTools
    ``XenaQuery``: ``ifelse(!http_error(url), url, paste0(url, ".gz"))``; genemoe tried
    the ``.gz`` first, the reverse of the rule its docstring named). A form whose ``.part``
    an earlier run left in ``out_dir`` comes first: its bytes resume (the other form was
    fetched from zero, and the ``.part`` left behind). ``gz_first``: the hub served an
    earlier file's ``.gz`` after "not found" for its plain name (:func:`hub_of`), so a file
    listed as ``.gz`` is asked for so first (the plain name first cost one "not found" per
    file on such a hub: 99 for 33 projects' tables); a plain ``.part`` here still comes
    first."""
    alt = item.alternative()
    plain, gz = (alt, item) if item.filename.endswith(".gz") else (item, alt)

    def here(form: DownloadItem) -> bool:
        return out_dir is not None and part_path(Path(out_dir) / form.filename).is_file()

    if here(plain):
        return plain, gz
    return (gz, plain) if here(gz) or (gz_first and gz is item) else (plain, gz)


def hub_of(item: DownloadItem) -> str:
    """The folder ``item``'s URL is in (the hub's download folder): what the order of its
    URL forms is remembered by (:func:`url_forms`' ``gz_first``)."""
    return item.url.rsplit("/", 1)[0]


def cached_whole(cand: DownloadItem, out_dir: Path, manifest: dict[str, Any]) -> bool:
    """Whether ``cand`` is cached whole in ``out_dir``: recorded in the manifest with its
    size and sha256, and, for a plain table, its text not cut (:func:`cached_problem`: an
    earlier version cached a cut copy sent with a matching Content-Length; it is removed,
    said, and fetched again)."""
    path, entry = out_dir / cand.filename, manifest["files"].get(cand.filename)
    if entry is None or not is_cached(path, entry, cand):
        return False
    if cand.filename.endswith(".gz") or (problem := cached_problem(path)) is None:
        return True
    logger.warning("%s: the cached file is %s; removed, fetching it again", path, problem)
    path.unlink(missing_ok=True)
    return False


def record_download(result: DownloadResult, manifest: dict[str, Any], used: DownloadItem,
            transfer: Transfer, where: str) -> None:
    """Record a downloaded file in the manifest (rewritten at once) and ``result``; say it,
    and that its size was not announced where there was none to check it against."""
    dest, resumed = result.out_dir / used.filename, transfer.from_bytes
    entry = manifest["files"][used.filename] = manifest_entry(
        used, dest, resumed_from=resumed, size_checked=transfer.size_checked)
    atomic_write_text(result.manifest_path, dump_json(manifest))
    result.downloaded.append(dest)
    result.n_bytes += entry["size"]
    how = ""
    if resumed is not None:  # was "downloaded (4965117 bytes)" for a resumed file too
        result.resumed[dest] = resumed
        how = f", resumed from {resumed:,} bytes an earlier run left"
    if not transfer.size_checked:  # a cut plain file was cached as whole (checked by content now)
        how += "; size not announced"
    if transfer.decoded:  # S3's Content-Encoding: gzip (was cached compressed, a plain name)
        how += "; sent gzip-compressed, saved decompressed"
    logger.info("%s %s: downloaded (%s bytes%s)", where, used.filename, f"{entry['size']:,}", how)


def record_cached(result: DownloadResult, used: DownloadItem, where: str) -> None:
    """Record a file found complete in ``result`` (its size too: the run's last line says
    how much was already here) and say it."""
    dest = result.out_dir / used.filename
    logger.info("%s %s: cached", where, used.filename)
    result.cached.append(dest)
    result.cached_bytes += dest.stat().st_size


def say_retry(name: str, what: str, attempt: int, attempts: int, when: str) -> None:
    """Warn that file ``name`` failed attempt ``attempt`` of ``attempts`` (``what``) and when
    it is tried again (``when``: ``"retrying in 1 s"``), that on a line of its own; ``what``
    under the name where both do not fit on one line (wrapped only if it alone is too long).
    It was one line of up to ~240 characters, led by the file's full URL."""
    head = f"{name}: {what}"
    if len(head) > WIDTH - len("warning: "):  # the terminal's prefix
        head = wrapped(f"{name}:\n    {what}")
    logger.warning("%s\n    (attempt %d of %d); %s", head, attempt, attempts, when)


def say_damaged(file: str, problem: str) -> None:
    """Warn that ``file`` (``"[1/4] TCGA-ACC.star_tpm.tsv.gz"``) was still damaged after its
    last attempt (``problem``), in lines under 100 characters (one was ~210)."""
    logger.warning("%s", warning_text(f"{file}: still damaged after its last attempt "
                                      f"({problem}); not cached, going on with the others"))
