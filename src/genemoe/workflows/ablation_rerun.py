"""A rerun of ``genemoe ablation`` into a folder an earlier one wrote.

- ``OUT/ablation.json`` records the ablation's options (:func:`ablation_record`): written
  before any cell is computed, so a rerun of other options is known at its start, and the
  earlier run's ``tables.md``, ``results.csv``, ``report.html`` and ``plots/`` are removed
  then, in one warning (:func:`clear_earlier_outputs`): they were removed only at the end,
  and a rerun stopped halfway left the earlier page beside the new cells. An identical
  rerun keeps the page (its cells are reused).
- A folder moved or copied elsewhere (the record's ``out_dir``): the paths its parts
  recorded inside it (the per-fold pre-training runs, a ``--pretrained`` run kept there)
  are read relative to it (:func:`rebase_part`), so the move is not said as changed options.
- The benchmark parts' rerun warnings in the ablation's words (:func:`in_ablation_words`),
  each warning once (:func:`said_once`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from genemoe.data.args import shown_path
from genemoe.data.bundle import Bundle, atomic_write_text, remove_outputs
from genemoe.train.finetune import pretrained_sha256
from genemoe.workflows.ablation_pretrain import pretrain_option_changes
from genemoe.workflows.benchmark_protocol import cells_fingerprint, stale_words
from genemoe.workflows.common import plain
from genemoe.workflows.folds import VAL_FRACTION

__all__ = ["RECORD", "SaidOnce", "ablation_record", "clear_earlier_outputs", "earlier_results",
           "in_ablation_words", "option_words", "read_record", "rebase_part", "rebase_parts",
           "said_once",
           "write_record"]

log = logging.getLogger("genemoe.workflows.ablation")

RECORD = "ablation.json"  # the ablation's options, in its --out folder
_TABLES = ("tables.md", "results.csv")  # what the ablation writes at its end
_LONGEST = 60  # characters of a changed value shown


def _inside(path: Path | str, out_dir: Path) -> Path | None:
    """``path`` relative to ``out_dir`` (as given, or both resolved); None outside it."""
    p = Path(path)
    for a, b in ((p, out_dir), (p.resolve(), out_dir.resolve())):
        try:
            return a.relative_to(b)
        except ValueError:
            continue
    return None


def _shown_in(path: Path | str, out_dir: Path) -> str:
    """A path as the record keeps it: relative to ``out_dir`` (``./run``) where inside it,
    so a moved folder records the same; else as given."""
    rel = _inside(path, out_dir)
    return str(path) if rel is None else f"./{rel.as_posix()}"


def ablation_record(out_dir: Path, bundle: Bundle, *, task: str, n_folds: int, n_repeats: int,
                    seed: int, preset: str | Path, epochs: int | None, n_boot: int,
                    pretrained: Path | None, freeze_encoder_epochs: int,
                    recipes: dict[str, dict[str, Any]],
                    warnings: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """What ``OUT/ablation.json`` records of an ablation's options.

    Parameters
    ----------
    out_dir, bundle
        The ablation's ``--out`` folder and its bundle.
    task, n_folds, n_repeats, seed, preset, epochs, n_boot, freeze_encoder_epochs
        :func:`~genemoe.workflows.ablation.run_ablation`'s options (``n_boot``: survival only).
    pretrained, recipes
        The ``--pretrained`` run (None: none), and the per-fold pre-training's recipes
        (``{}``: none).
    warnings
        What was warned on before training that a reader of the results must weigh (the
        arms' own regulariser: :func:`~genemoe.workflows.ablation_checks.check_one_recipe`),
        recorded as ``warnings`` (none: no key); not part of the fingerprint (the preset is).

    Returns
    -------
    dict
        ``options`` (said in a change: paths inside ``out_dir`` relative to it),
        ``fingerprint`` (a hash of what the numbers depend on: the preset's and the
        ``--pretrained`` run's contents, not their paths; not the device) and ``out_dir``
        (as given and resolved: where the paths the parts recorded lie).
    """
    survival = task == "survival"
    source = ("per fold" if recipes else "none" if pretrained is None
              else _shown_in(pretrained, out_dir))
    options: dict[str, Any] = {
        "task": task, "n_folds": n_folds, "n_repeats": n_repeats, "seed": seed, "epochs": epochs,
        **({"n_boot": n_boot} if survival else {}), "preset": _shown_in(preset, out_dir),
        "pretrained": source, "freeze_encoder_epochs": freeze_encoder_epochs}
    sha = None if pretrained is None else pretrained_sha256(pretrained)  # its contents
    if sha is not None:
        options["pretrained_sha256"] = sha[:12]
    if recipes:
        options["recipes"] = recipes
    cells = cells_fingerprint(bundle, {"task": task, "n_folds": n_folds, "seed": seed,
                                       "epochs": epochs, "val_fraction": VAL_FRACTION,
                                       "n_boot": n_boot, "preset": str(preset)})
    key = {**{k: v for k, v in options.items() if k not in ("preset", "pretrained")},
           "pretrained": source if sha is None else sha,
           "cells": cells}  # contents, not paths: a run or preset moved is the same
    return plain({"kind": "genemoe-ablation", "fingerprint": hashlib.sha256(json.dumps(
        plain(key), sort_keys=True).encode()).hexdigest(), "options": options,
        "out_dir": str(out_dir), "out_dir_resolved": str(out_dir.resolve()),
        **({"warnings": list(warnings)} if warnings else {})})


def read_record(out_dir: Path) -> dict[str, Any] | None:
    """The ``ablation.json`` an earlier ablation left in ``out_dir`` (None: none, or an
    older genemoe's folder, or unreadable)."""
    try:
        record = json.loads((out_dir / RECORD).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("fingerprint") else None


def write_record(out_dir: Path, record: dict[str, Any]) -> None:
    """Write ``OUT/ablation.json`` (atomically)."""
    atomic_write_text(out_dir / RECORD, json.dumps(record, indent=1))


def earlier_results(out_dir: Path) -> str | None:
    """The results.csv text an earlier ablation left in ``out_dir`` ("" where it left its
    parts but no table: stopped before its end), or None where no ablation wrote there."""
    if (out_dir / "results.csv").is_file():
        return (out_dir / "results.csv").read_text()
    return "" if (out_dir / "models").is_dir() else None


def _value(key: str, value: Any) -> str:
    """An option as the user gave it: ``epochs`` not given is the preset's; a pre-training
    ``none``, ``per fold (--pretrain-per-fold)`` or ``--pretrained RUN``; a long one cut."""
    if key == "pretrained":
        text = ("none" if value in (None, "none") else "per fold (--pretrain-per-fold)"
                if value == "per fold" else f"--pretrained {value}")
    else:
        text = "the preset's" if value is None and key == "epochs" else str(value)
    return text if len(text) <= _LONGEST else text[:_LONGEST - 1] + "…"


def option_words(before: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """How ``record``'s options differ from ``before``'s: ``["seed 0 → 1"]``, ``pre-training
    none → per fold (--pretrain-per-fold)``, ``pretrain.epochs 1 → 2``; where only the
    fingerprint does, what it holds besides them.

    Examples
    --------
    >>> option_words({"options": {"seed": 0, "n_repeats": 1}},
    ...              {"options": {"seed": 1, "n_repeats": 1}})
    ['seed 0 → 1']
    """
    old, new = before.get("options") or {}, record.get("options") or {}
    said: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True):
            continue
        if key == "recipes":  # per fold on both sides: the recipe's keys (else said below)
            if isinstance(a, dict) and isinstance(b, dict):
                said += pretrain_option_changes({"recipes": a}, {"recipes": b})
        elif key == "pretrained":
            said.append(f"pre-training {_value(key, a)} → {_value(key, b)}")
        elif key != "pretrained_sha256" or (a and b):  # a run's contents, both sides a run
            said.append(f"{key} {_value(key, a)} → {_value(key, b)}")
    return said or ["the preset's contents or the bundle"]


def clear_earlier_outputs(out_dir: Path, before: dict[str, Any] | None,
                          record: dict[str, Any]) -> bool:
    """Before an ablation computes anything: where ``out_dir`` holds one of other options
    (``before``, its ``ablation.json``, differs from ``record``), remove its ``tables.md``,
    ``results.csv``, ``report.html`` and ``plots/`` (made from its results), said in one
    warning. Returns whether the options differed (False also where ``before`` is None: an
    older genemoe's folder, whose page the end of the run judges by its results)."""
    if before is None or before.get("fingerprint") == record["fingerprint"]:
        return False
    pages = [f for f in ("report.html", "plots") if (out_dir / f).exists()]
    tables = [f for f in _TABLES if (out_dir / f).exists()]
    said = []
    if pages:  # the benchmark's words (remove_stale_pages')
        n = len(list((out_dir / "plots").glob("*.png")))
        said.append(f"removed {stale_words(out_dir, pages, n, False)}")
    if tables:
        said.append(f"{' and '.join(tables)} {'too ' if pages else ''}"
                    f"(this run writes {'them' if len(tables) > 1 else 'it'} anew at its end)")
        if not pages:
            said[-1] = f"removed {said[-1]}"
    remove_outputs(out_dir, [*tables, *pages])
    log.warning("%s holds an ablation of other options (%s)%s", shown_path(out_dir),
                "; ".join(option_words(before, record)),
                f": {'; '.join(said)}" if said else "")
    return True


def _same_place(old: str, new: str, roots: list[Path], out_dir: Path) -> bool:
    """Whether a path recorded inside the earlier folder (one of its ``roots``: as given,
    resolved) and ``new`` name the same place inside their ablation folders."""
    here = _inside(new, out_dir)
    if here is None:
        return False
    for root in roots:
        try:
            return Path(old).relative_to(root) == here
        except ValueError:
            continue
    return False


def _rebased(old: Any, new: Any, roots: list[Path], out_dir: Path) -> Any:
    """``old`` (a part's recorded option) with each path inside the earlier folder replaced
    by ``new``'s value where that names the same place inside this folder."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: _rebased(v, new.get(k), roots, out_dir) for k, v in old.items()}
    if isinstance(old, str) and isinstance(new, str) and old != new \
            and _same_place(old, new, roots, out_dir):
        return new
    return old


def rebase_parts(out_dir: Path, before: dict[str, Any] | None,
                 parts: dict[str, dict[str, Any]]) -> list[str]:
    """:func:`rebase_part` for each benchmark part (``{folder name: its options as this run
    gives them}``), before any runs: a run stopped halfway leaves none unread. Returns the
    parts rewritten."""
    return [name for name, options in parts.items()
            if rebase_part(out_dir / name, before, out_dir, options)]


def rebase_part(part: Path, before: dict[str, Any] | None, out_dir: Path,
                options: dict[str, Any]) -> bool:
    """Where the earlier ablation was written in another folder (``before``'s ``out_dir``: a
    folder moved or copied), rewrite the paths inside that folder which the benchmark part
    ``part`` recorded (``protocol.json``'s ``pretrained``, ``preset``) as this run gives them
    (``options``: the part's new values) where they name the same place inside it.

    Its rerun warning compared the paths: a copied folder rerun with ``--epochs 2`` said
    ``pretrained.runs.r0_f0 /old/abl/pretrain/r0_f0 → /new/abl/pretrain/r0_f0`` among the
    changes. The paths only are rewritten (the cells' fingerprint holds the runs' contents,
    not their paths). Returns whether anything was rewritten.
    """
    if before is None:
        return False
    roots = [Path(str(before[k])) for k in ("out_dir", "out_dir_resolved") if before.get(k)]
    if not roots or out_dir.resolve() == Path(str(before.get("out_dir_resolved"))):
        return False
    path = part / "protocol.json"
    try:
        protocol = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    rebased = {k: _rebased(v, options[k], roots, out_dir) if k in options else v
               for k, v in protocol.items()}
    if rebased == protocol:
        return False
    atomic_write_text(path, json.dumps(rebased, indent=2))
    log.info("%s: the paths it recorded in %s (a moved or copied folder) are read here",
             shown_path(part), roots[0])
    return True


class SaidOnce(logging.Filter):
    """A log filter passing each warning's text once (a survival ablation said "4,986 of the
    bundle's 5,000 samples used ..." three times, once per benchmark it runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        text = record.getMessage()
        if text in self.seen:
            return False
        self.seen.add(text)
        return True


_PART_ROWS = {"models": "the rows from scratch", "pretrained": "the pre-trained rows",
              "pretrained_vaecox": "the pre-trained rows"}


def _pretraining_words(value: str) -> str:
    """One side of a ``pretrained`` change as the user chose it: ``none``, ``per fold``
    (a per-fold recipe: its Python dict was shown), ``--pretrained RUN``."""
    if value == "none":
        return "none"
    return "per fold (--pretrain-per-fold)" if value.startswith("{") else f"--pretrained {value}"


def _change_words(change: str) -> str:
    """A benchmark part's option change in the ablation's words: ``pretrain.epochs 1 → 2``
    (was ``pretrained.per_fold.pretrain.epochs``); a change of pre-training, ``pre-training
    per fold (--pretrain-per-fold) → --pretrained p_b7`` (was ``pretrained {'per_fold':
    {'rows': "each fold's training part (validatio… → p_b7``, a raw Python dict)."""
    if change.startswith("pretrained ") and " → " in change:
        old, new = change.removeprefix("pretrained ").split(" → ", 1)
        return f"pre-training {_pretraining_words(old)} → {_pretraining_words(new)}"
    return change.removeprefix("pretrained.per_fold.")


class _InAblationWords(logging.Filter):
    """A part's "holds a benchmark of other options" warning (its record's ``rerun``: the
    changes and whether earlier cells are reused), in the ablation's words."""

    def filter(self, record: logging.LogRecord) -> bool:
        rerun = getattr(record, "rerun", None)
        if not isinstance(rerun, dict):
            return True
        part = Path(str(record.args[0])).name if isinstance(record.args, tuple) else ""
        rows = _PART_ROWS.get(part, f"the rows of {part}")
        changes = "; ".join(_change_words(c) for c in rerun["changes"])
        record.msg, record.args = ("%s of an earlier ablation with these options are reused (%s)"
                                   if rerun["reused"] else "%s are computed anew (%s); the "
                                   "earlier cells are kept aside"), (rows, changes)
        return True


@contextmanager
def in_ablation_words() -> Iterator[None]:
    """Within the block, a benchmark part's rerun warning is said in the ablation's words
    (``the pre-trained rows are computed anew (pretrain.epochs 1 → 2); ...``), so that
    :func:`said_once` says it once for both pre-trained parts: "abl/pretrained holds a
    benchmark of other options (pretrained.per_fold.pretrain.epochs 1 → 2): its summary.md
    and results.csv are removed, ..." came twice, in the benchmark's words."""
    lg, words = logging.getLogger("genemoe.workflows.benchmark"), _InAblationWords()
    lg.addFilter(words)
    try:
        yield
    finally:
        lg.removeFilter(words)


@contextmanager
def said_once(logger: str) -> Iterator[SaidOnce]:
    """Within the block, ``logger``'s warnings pass once per text (:class:`SaidOnce`)."""
    once = SaidOnce()
    logging.getLogger(logger).addFilter(once)
    try:
        yield once
    finally:
        logging.getLogger(logger).removeFilter(once)
