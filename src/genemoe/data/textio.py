"""Low-level text-file helpers shared by the matrix and table readers."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from genemoe.errors import input_error

__all__ = ["NA_TOKENS", "_magic", "_check_path", "_text_stream", "_is_number", "_sniff"]

NA_TOKENS = ["", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "NULL", "null", "#N/A", "None", "."]
_SEP_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}


def _magic(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(8)
    except OSError as exc:
        raise input_error(f"cannot read the file ({exc.strerror})", path=path,
                          fix="check the path and its permissions") from exc


def _check_path(path: Path) -> None:
    if not path.exists():
        raise input_error("no such file", path=path, fix="check the path (and the working directory)")
    if path.is_dir():
        raise input_error("is a directory, not a file", path=path, fix="point at the matrix file itself")


def _text_stream(path: Path) -> io.TextIOBase:
    if _magic(path)[:2] == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _sniff(header: str, first: str, sep: str | None, path: Path) -> str:
    if sep is not None:
        sep = _SEP_ALIASES.get(sep, sep)
        if header.count(sep) == 0:
            raise input_error(f"only one column found with separator {sep!r}", path=path,
                              where="header line", fix="pass the file's real separator")
        return sep
    cands = [d for d in "\t,;" if header.count(d) > 0 and first.count(d) > 0]
    consistent = [d for d in cands if first.count(d) in (header.count(d), header.count(d) + 1)]
    cands = consistent or cands
    if not cands:
        raise input_error(
            "only one column found (wrong delimiter? tried tab, comma and semicolon)",
            path=path, where="header line", fix="save the matrix tab- or comma-separated, or pass sep=",
        )
    return max(cands, key=lambda d: header.count(d))


