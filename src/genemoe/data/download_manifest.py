"""The download cache's record, ``OUT/manifest.json``: what :func:`~genemoe.data.download.
download_tcga` fetched (URL, size, sha256, time, where a resume began) and what counts as cached;
and what one call did (:class:`DownloadResult`).

A file counts as cached when the manifest records it and its size and sha256 on disk still
match; anything else is downloaded again. An entry that is not a record of a file (no whole
number ``size``, no text ``sha256``: a manifest edited by hand or by another tool) is
dropped with one warning, so that file counts as not cached (it was a KeyError or an
AttributeError traceback).

Beside a ``.part`` the downloader keeps the validators of the response it began with
(``<name>.part.json``: its ETag and Last-Modified, :func:`keep_part_validators`), so a
resume can ask the server for the rest of *that* version of the file only (``If-Range``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genemoe.data.bundle import atomic_write_text, file_sha256
from genemoe.data.download_checks import name_some
from genemoe.data.xena_listing import DownloadItem

__all__ = ["DownloadResult", "MANIFEST_NAME", "MANIFEST_VERSION", "drop_part", "human_bytes",
           "is_cached", "keep_part_validators", "load_manifest", "manifest_entry",
           "part_validators", "read_manifest", "response_validators"]

logger = logging.getLogger("genemoe.data.download")  # said as the downloader's own

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


@dataclass
class DownloadResult:
    """What :func:`download_tcga` did.

    Attributes
    ----------
    out_dir, manifest_path
        The output directory and its ``manifest.json``.
    paths
        Every planned file, in plan order (all present and complete on return).
    downloaded, cached
        The files fetched by this call and those already complete (skipped).
    n_bytes
        Total size of the files fetched by this call (a resumed file counts whole), as
        saved (a plain-named file sent gzip-compressed counts decompressed).
    cached_bytes
        Total size of the files found complete and kept (``cached``).
    resumed
        Of ``downloaded``, those continued from a ``.part`` an earlier run left, with the
        bytes that were there (also in the manifest as ``resumed_from``).
    other_name
        Of ``paths``, those saved under the listing's other URL form (``.gz`` added or
        removed: the hub serves ``TCGA-ACC.clinical.tsv``, not ``.tsv.gz``), which a glob
        on the planned names misses.
    """

    out_dir: Path
    manifest_path: Path
    paths: list[Path] = field(default_factory=list)
    downloaded: list[Path] = field(default_factory=list)
    cached: list[Path] = field(default_factory=list)
    n_bytes: int = 0
    cached_bytes: int = 0
    resumed: dict[Path, int] = field(default_factory=dict)
    other_name: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """The run's last line: files here, downloaded and cached with their sizes
        (:meth:`sizes`), and those saved under their other name (were said only in a
        warning mid-run)."""
        sizes = self.sizes()
        line = (f"{len(self.paths)} files in {self.out_dir} ({len(self.downloaded)} downloaded, "
                f"{len(self.cached)} from cache{f'; {sizes}' if sizes else ''})")
        if self.other_name:
            n = len(self.other_name)
            line += (f"; {n} saved under {'its' if n == 1 else 'their'} other name: "
                     + name_some([p.name for p in self.other_name]))
        return line

    def sizes(self) -> str:
        """How much this call fetched and how much was already here, in rounded units
        (``"12.3 MiB fetched, 40.1 MiB already here"``; the line said file counts only, so
        a run that fetched 2 KiB read like one that fetched 2 GiB). A resumed file's bytes
        an earlier run left are not "fetched": ``"1.0 MiB fetched (+500.0 KiB an earlier run
        left)"``. "" when no file came or was here."""
        parts = []
        if self.downloaded:
            kept = sum(self.resumed.values())
            parts.append(f"{human_bytes(self.n_bytes - kept)} fetched"
                         + (f" (+{human_bytes(kept)} an earlier run left)" if kept else ""))
        if self.cached:
            parts.append(f"{human_bytes(self.cached_bytes)} already here")
        return ", ".join(parts)

    def next_command(self, bundle: str = "bundles/tcga") -> str:
        """The ``genemoe prepare`` command that reads what came (a new user had to piece it
        together from the README), one flag per line; "" where no expression file came.

        Xena's per-project files go in as globs (``xena/TCGA-*.star_fpkm-uq.tsv*``, the
        ``*`` taking either name form; the form's own where a ``.part`` lies beside them:
        :func:`_glob`); the Pan-Cancer Atlas files by name."""
        roles = {"--expression": ("star_", "EB++"), "--labels": (".clinical.", "TCGA_phenotype"),
                 "--clinical": (".survival.", "Survival_Supplemental"), "--annotation": (".probemap",)}
        flags = {flag: _globs([p for p in self.paths if any(k in p.name for k in keys)])
                 for flag, keys in roles.items()}
        if not flags["--expression"]:
            return ""
        parts = [f"{flag} {' '.join(names)}" for flag, names in flags.items() if names]
        return "next: genemoe prepare " + " \\\n    ".join([*parts, f"--out {bundle}"])


def human_bytes(n_bytes: int) -> str:
    """``n_bytes`` rounded for people, in the binary units of ``download tcga --list``
    (:func:`genemoe.report.text.fmt_bytes`, the same figure for the same file): ``"512 B"``,
    ``"12.1 KiB"``, ``"40.1 MiB"``, ``"2.0 GiB"``."""
    size = float(n_bytes)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _globs(paths: list[Path]) -> list[str]:
    """How the printed command names ``paths`` (one role's files of this run): Xena's
    per-project files as the glob of every project's (:func:`_glob`) where that glob catches
    none but this run's files; else this run's projects by name (``xena/TCGA-{ACC,UVM}.
    clinical.tsv.gz``): the glob took every project an earlier run had left in the folder
    (a shared cache), which a run for one project did not ask for. Other files by name."""
    groups: dict[str, list[Path]] = {}
    for path in paths:
        groups.setdefault(_glob(path), []).append(path)
    mine = {path.name for path in paths}
    names = []
    for pattern, group in groups.items():
        glob_path = Path(pattern)
        caught = {p.name for p in glob_path.parent.glob(glob_path.name)}
        names.append(pattern if caught <= mine else _by_name(sorted(group)))
    return sorted(names)


def _by_name(group: list[Path]) -> str:
    """One project's file by its name; several of one name form in braces (the shell
    expands ``TCGA-{ACC,UVM}.x``; a single name in braces it would keep as written)."""
    if len(group) == 1:
        return str(group[0])
    projects = [p.name.split(".", 1)[0].removeprefix("TCGA-") for p in group]
    rests = {p.name.split(".", 1)[1] for p in group}
    if len(rests) > 1 or len({p.parent for p in group}) > 1:
        return " ".join(map(str, group))
    return str(group[0].parent / f"TCGA-{{{','.join(projects)}}}.{rests.pop()}")


def _glob(path: Path) -> str:
    """``xena/TCGA-*.clinical.tsv*`` for ``xena/TCGA-ACC.clinical.tsv.gz``: a project's file
    as the glob of every project's, either name form; another file by its name. Where that
    glob would also catch a ``.part`` in the folder (a file an earlier run broke off), the
    file's own form (``xena/TCGA-*.clinical.tsv.gz``): the command printed failed on it
    ("is an unfinished download")."""
    name = path.name
    if not (name.startswith("TCGA-") and "." in name):
        return str(path)
    pattern = "TCGA-*." + name.split(".", 1)[1].removesuffix(".gz").rstrip("*") + "*"
    if any(p.name.endswith(".part") for p in path.parent.glob(pattern)):
        pattern = "TCGA-*." + name.split(".", 1)[1]
    return str(path.parent / pattern)


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``, or a fresh one (an unreadable one is logged and replaced)."""
    return read_manifest(path)[0]


def read_manifest(path: Path) -> tuple[dict[str, Any], str | None]:
    """The manifest at ``path`` (a fresh one when there is none or it cannot be read), and
    why it could not be read (None: read, or there was none).

    The reason lets the downloader say why a file here is not in the manifest: it said
    "not fetched by genemoe" of every file beside an unreadable manifest too.
    """
    fresh: dict[str, Any] = {"format_version": MANIFEST_VERSION, "files": {}}
    if not path.exists():
        return fresh, None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        logger.warning("%s is unreadable (%s): every file will be checked by downloading again",
                       path, exc)
        return fresh, str(exc)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        logger.warning("%s is not a genemoe download manifest; starting a new one", path)
        return fresh, "not a genemoe download manifest"
    _drop_bad_entries(manifest, path)
    return manifest, None


def _good_entry(entry: Any) -> bool:
    """Whether ``entry`` records a file: a whole number ``size`` and a text ``sha256``."""
    return (isinstance(entry, dict) and isinstance(entry.get("size"), int)
            and not isinstance(entry.get("size"), bool) and isinstance(entry.get("sha256"), str))


def _drop_bad_entries(manifest: dict[str, Any], path: Path) -> None:
    """Drop the entries that do not record a file, said in one warning (they gave a KeyError
    in ``--list`` and an AttributeError in the download)."""
    bad = [name for name, entry in manifest["files"].items() if not _good_entry(entry)]
    for name in bad:
        del manifest["files"][name]
    if bad:
        logger.warning("%s: %d entr%s not a record of a file (a whole number size and a sha256 "
                       "are needed): %s; taken as not cached", path, len(bad),
                       "y is" if len(bad) == 1 else "ies are",
                       ", ".join(bad[:3]) + (" ..." if len(bad) > 3 else ""))


def is_cached(dest: Path, entry: dict[str, Any] | None, item: DownloadItem) -> bool:
    """True when ``dest`` is complete: size and sha256 match the manifest (and the item)."""
    if entry is None or not dest.is_file():
        return False
    size = dest.stat().st_size
    want_sha = item.sha256.lower() if item.sha256 else entry.get("sha256")
    if size != entry.get("size") or (item.expected_size not in (None, size)):
        recorded = entry.get("size")
        logger.warning("%s: size %s bytes differs from the manifest's %s; downloading again",
                       dest, f"{size:,}", f"{recorded:,}" if isinstance(recorded, int) else recorded)
        return False
    if want_sha is None or file_sha256(dest) != want_sha:
        logger.warning("%s: sha256 differs from the manifest; downloading again", dest)
        return False
    return True


def manifest_entry(item: DownloadItem, dest: Path, *, resumed_from: int | None = None,
                   size_checked: bool = True) -> dict[str, Any]:
    """The manifest's record of ``item``, complete at ``dest``.

    Parameters
    ----------
    item, dest
        The file as planned, and where it now lies whole.
    resumed_from
        Bytes of it an earlier run had left in its ``.part`` and this run continued from
        (``None``: downloaded from the start).
    size_checked
        False when the server announced no size (no Content-Length) and none was expected:
        the file was checked by its content alone (recorded as ``size_check``: ``"not
        announced"``, else ``"announced"``).
    """
    return {
        "url": item.url, "kind": item.kind, "project": item.project,
        "size": dest.stat().st_size, "sha256": file_sha256(dest),
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "resumed_from": resumed_from,
        "size_check": "announced" if size_checked else "not announced",
    }


def _validators_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def part_validators(part: Path) -> dict[str, str]:
    """The validators kept beside ``part`` (``etag``, ``last_modified``); {} for none or an
    unreadable record."""
    try:
        kept = json.loads(_validators_path(part).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if k in ("etag", "last_modified") and isinstance(v, str)}


def response_validators(headers: Mapping[str, str] | Any) -> dict[str, str]:
    """A response's strong ETag and its Last-Modified: what ``If-Range`` may name (a weak
    ``W/`` ETag may not)."""
    found: dict[str, str] = {}
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        found["etag"] = etag
    if modified := headers.get("Last-Modified"):
        found["last_modified"] = modified
    return found


def keep_part_validators(part: Path, headers: Mapping[str, str] | Any) -> dict[str, str]:
    """Keep the validators of the response ``part`` begins with beside it (written
    atomically; none: any older record removed); returns them."""
    found = response_validators(headers)
    if found:
        atomic_write_text(_validators_path(part), json.dumps(found) + "\n")
    else:
        _validators_path(part).unlink(missing_ok=True)
    return found


def drop_part(part: Path) -> None:
    """Remove ``part`` and the validators kept beside it."""
    part.unlink(missing_ok=True)
    _validators_path(part).unlink(missing_ok=True)
