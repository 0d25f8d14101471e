"""The files ``genemoe predict`` writes beside its output: ``<stem>.record.json`` (every
step and count; its ``output`` names the predictions it belongs to), with ``--labels``
``<stem>.scores.tsv``, and where many of the model's genes are absent from the file
``<stem>.missing_genes.tsv`` (:mod:`~genemoe.workflows.predict_missing`).

They are named from the output's stem, so ``pred.tsv`` and ``pred.parquet`` share them. A
later prediction only replaces or removes companions that belong to its own output; where
they belong to another output still on disk (``pred.tsv``'s, and ``--out pred.parquet``) it
is refused before anything is read (it removed ``pred.scores.tsv`` and overwrote
``pred.record.json``, leaving ``pred.tsv`` without its record and scores).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from genemoe.errors import input_error
from genemoe.workflows.predict_missing import missing_genes_path
from genemoe.workflows.predict_score import scores_path

__all__ = ["record_path", "companion_owner", "check_companions", "check_not_foreign",
           "drop_stale_scores", "drop_stale_missing"]

log = logging.getLogger("genemoe.workflows.predict")  # said as predict's own warnings are


def record_path(out_path: Path) -> Path:
    """``<out stem>.record.json`` beside the predictions."""
    return out_path.with_suffix(".record.json")


def companion_owner(out_path: Path) -> str | None:
    """The file name of the predictions ``out_path``'s record belongs to (its ``output``),
    None where there is no record or it names none (not a predict record, or unreadable)."""
    path = record_path(out_path)
    if not path.is_file():
        return None
    try:
        owner = json.loads(path.read_text(encoding="utf-8")).get("output")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(str(owner)).name if isinstance(owner, str) and owner else None


def check_companions(out_path: Path) -> None:
    """Refuse ``out_path`` where its companions belong to another output still beside it.

    Parameters
    ----------
    out_path
        The predictions' file (``--out``).

    Raises
    ------
    InputError
        ``<stem>.record.json`` names another output of the same stem (``pred.tsv`` for
        ``--out pred.parquet``) and that file exists: writing would replace its record and
        remove or replace its scores.
    """
    owner = companion_owner(out_path)
    if owner is None or owner == out_path.name or not (out_path.parent / owner).exists():
        return
    files = [p.name for p in (record_path(out_path), scores_path(out_path),
                              missing_genes_path(out_path)) if p.exists()]
    stem = out_path.name[: -len(out_path.suffix)] if out_path.suffix else out_path.name
    raise input_error(
        f"{', '.join(files[:-1])}{' and ' if len(files) > 1 else ''}{files[-1]} beside it "
        f"belong to {owner}, an earlier prediction (the "
        f"companion files are named from the stem {stem!r}): writing {out_path.name} would "
        f"replace {'them' if len(files) > 1 else 'it'}", path=out_path, where="--out",
        fix=f"choose another --out name (e.g. {stem}_2{out_path.suffix}), or move {owner} "
            "and its companions away first")


def check_not_foreign(out_path: Path, inputs: list[tuple[str, Path]]) -> None:
    """Refuse an ``--out`` that is one of the inputs, or a file genemoe predict did not write.

    A probe's ``--out r/predictions.tsv`` replaced a trained run's own predictions (its
    report then failed), ``--out bundle/obs.parquet`` ruined a bundle and ``--out`` naming
    the ``--expression`` file replaced the matrix, each with exit status 0. A file predict
    wrote has its ``<stem>.record.json`` beside it and is replaced as before.

    Parameters
    ----------
    out_path
        The predictions' file (``--out``).
    inputs
        ``(flag, path)`` of every file read (``--expression``, ``--labels``).
    """
    out = out_path.resolve()
    for flag, path in inputs:
        if Path(path).resolve() == out:
            raise input_error(f"{out_path} is the {flag} input itself: writing the predictions "
                              "there would replace it", where="--out",
                              fix="name another file for the predictions")
    if out_path.exists() and not record_path(out_path).is_file():
        raise input_error(f"{out_path} exists and genemoe predict did not write it (no "
                          f"{record_path(out_path).name} beside it): it may be another "
                          "command's file (a run's predictions.tsv, a bundle's obs.parquet) or "
                          "your own", where="--out",
                          fix="name another file, or move this one away first")


def drop_stale_scores(out_path: Path, scored: bool) -> None:
    """Remove an earlier ``--labels`` or ``--clinical`` run's ``<stem>.scores.tsv`` of this
    same output where this run scores nothing (it was left beside it, read as this run's)."""
    _drop_stale(scores_path(out_path), scored, "an earlier --labels or --clinical run's scores "
                "(this run scores no labelled sample and no survival)")


def drop_stale_missing(out_path: Path, written: bool) -> None:
    """Remove an earlier prediction's ``<stem>.missing_genes.tsv`` of this same output where
    this run keeps its absent genes in the record (``written`` False): it would be read as
    this run's list."""
    _drop_stale(missing_genes_path(out_path), written, "an earlier prediction's list of absent "
                "genes (this run's are in its record)")


def _drop_stale(path: Path, kept: bool, what: str) -> None:
    """Remove ``path``, an earlier run's companion of this output, unless this run wrote it
    (``kept``), warning ``removed <name>: <what>``."""
    if kept or not path.exists():
        return
    path.unlink()
    log.warning("removed %s: %s", path.name, what)
