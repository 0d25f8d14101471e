"""Find the file that broke a report (a results file cut short or damaged), or say why a
folder has no report (:func:`not_reportable`).

A report reads many stored files (JSON, YAML, CSV/TSV); when one is truncated (an
interrupted copy, a full disk) the parser's own error names neither the file nor the fix.
:func:`damaged_error` looks for the unreadable file among a directory's own results and
returns one error naming it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import yaml

from genemoe.errors import InputError, input_error

__all__ = ["find_damaged", "damaged_error", "not_reportable", "REPORT_KINDS", "reported_commands",
           "unread_cells"]

# the kinds of folder `genemoe report` has a page for, each with the command that writes it
# (report_kind's answers; the refusals list the commands from here, so none is left out)
REPORT_KINDS = {"run": "genemoe train", "benchmark": "genemoe benchmark",
                "explanation": "genemoe explain", "tune": "genemoe tune",
                "pretrain": "genemoe pretrain", "features": "genemoe features",
                "ablation": "genemoe ablation", "demo": "genemoe demo"}
_WHEN_FINISHED = ("ablation", "demo")  # a page once the command has finished (an ablation's tables.md)


def reported_commands(joiner: str = "or") -> str:
    """``genemoe train, genemoe benchmark, ... or genemoe features, or of a finished genemoe
    ablation``: the commands whose ``--out`` folder `genemoe report` reads
    (:data:`REPORT_KINDS`)."""
    cmds = [f"`{c}`" for k, c in REPORT_KINDS.items() if k not in _WHEN_FINISHED]
    return (", ".join(cmds[:-1]) + f" {joiner} {cmds[-1]}"
            + "".join(f", {joiner} of a finished `{REPORT_KINDS[k]}`" for k in _WHEN_FINISHED))

_PARSERS = {
    ".json": lambda p: json.loads(p.read_text()),
    ".jsonl": lambda p: [json.loads(line) for line in p.read_text().splitlines() if line.strip()],
    ".yaml": lambda p: yaml.safe_load(p.read_text()),
    ".csv": lambda p: pd.read_csv(p),
    ".tsv": lambda p: pd.read_csv(p, sep="\t"),
}


def find_damaged(dirs: list[Path]) -> tuple[Path, str] | None:
    """The first results file in ``dirs`` (and their ``cells/`` folders) that does not parse.

    Returns
    -------
    tuple or None
        ``(path, the parser's first line)``; ``None`` when every file reads.
    """
    for d in dirs:
        for path in sorted([*d.glob("*"), *d.glob("cells/*")]):
            parse = _PARSERS.get(path.suffix.lower())
            if parse is None or not path.is_file():
                continue
            try:
                parse(path)
            except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
                return path, (str(exc).splitlines() or [type(exc).__name__])[0][:120]
    return None


def unread_cells(d: Path, protocol: dict, cells: list[dict]) -> list[str]:
    """The benchmark's cell files (``cells/MODEL__rR_fF.json`` of its models and repeats) that
    are there but were not read: cut short, damaged, or written under other options.

    ``load_cells`` leaves them out with a terminal warning only; the page counted them as
    not finished and told the reader to run the command again, naming none of them.
    """
    read = {(c["model"], int(c["repeat"]), int(c["fold"])) for c in cells}
    models, n_repeats = set(protocol.get("models") or []), int(protocol.get("n_repeats") or 1)
    out = []
    for path in sorted((d / "cells").glob("*.json")):
        model, _, where = path.stem.rpartition("__")
        m = re.fullmatch(r"(?:r(\d+)_)?f(\d+)", where)
        if model not in models or m is None or int(m.group(1) or 0) >= n_repeats:
            continue
        if (model, int(m.group(1) or 0), int(m.group(2))) not in read:
            out.append(path.name)
    return out


def damaged_error(dirs: list[Path], exc: Exception) -> InputError | Exception:
    """One error naming the damaged file behind ``exc``; for a ``KeyError`` where every file
    parses, one naming the folder and the field or column its files lack (a metrics.json
    without ``per_class`` and a protocol.json without ``n_repeats`` ended in a traceback);
    ``exc`` itself otherwise (then it is not a damaged
    file, and must not be said as one)."""
    found = find_damaged(dirs)
    if found is None:
        return _lacking_error(dirs, exc) if isinstance(exc, KeyError) else exc
    path, why = found
    return input_error(f"cut short or damaged ({why})", path=path,
                       fix="copy the folder again, or re-run the command that wrote it")


def _lacking_error(dirs: list[Path], exc: KeyError) -> InputError:
    """The refusal of a folder whose files parse but lack a field the report reads: the
    field; the file where pandas said a column is missing and one table here lacks it, else
    the folder (a plain ``KeyError`` does not tell a JSON field from a column)."""
    keys, columns = _missing_keys(exc)
    table = _table_lacking(dirs, keys) if columns else None
    record = None if columns or len(keys) != 1 else _json_lacking(dirs, keys[0])
    said = ", ".join(repr(k) for k in keys) or "a field"
    also = "".join(f" or in {o}" for o in dirs[1:])  # an explanation's run, an ablation's parts
    what = (f"no column {said}" if table else f"no field {said}" if record
            else f"a file here{also} lacks {said}")
    return input_error(f"{what} (another genemoe's, edited or cut short)",
                       path=table or (record[0] if record else dirs[0]),
                       where=record[1] if record else None,
                       fix="copy the folder again, or re-run the command that wrote it into a "
                           "fresh --out")


def _json_lacking(dirs: list[Path], key: str) -> tuple[Path, str | None] | None:
    """The JSON file in ``dirs`` that lacks ``key`` (the folder was named: "a file here lacks
    'per_class'"), with where in it: the one mapping without it beside one that holds it
    (metrics.json's ``test`` beside ``val``), else the only JSON file holding it nowhere;
    None where none or several could."""
    records = []
    for d in dirs:
        for path in sorted(d.glob("*.json")):
            try:
                records.append((path, json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, UnicodeDecodeError, OSError):
                continue
    beside = [(path, where) for path, data in records for where in _lacking_beside(data, key)]
    if len(beside) == 1:
        return beside[0]
    nowhere = [path for path, data in records if not _holds(data, key)]
    return (nowhere[0], None) if len(nowhere) == 1 and not beside else None


def _lacking_beside(data: object, key: str, at: str = "") -> list[str]:
    """Where in ``data`` a mapping lacks ``key`` that a mapping beside it (in the same
    mapping or list) and alike (holding most of its other keys) holds: ``["test"]`` for
    ``{"val": {key: 1, "n": 9}, "test": {"n": 9}, "ood": {}}``."""
    if isinstance(data, dict):
        items = [(f"{at}.{k}" if at else str(k), v) for k, v in data.items()]
    elif isinstance(data, list):
        items = [(f"{at}[{i}]", v) for i, v in enumerate(data)]
    else:
        return []
    maps = [(where, v) for where, v in items if isinstance(v, dict)]
    holders = [set(v) - {key} for _, v in maps if key in v]
    found = [where for where, v in maps if key not in v and any(  # alike: most keys shared
        h and len(set(v) & h) >= len(h) / 2 for h in holders)]
    return found + [w for where, v in items for w in _lacking_beside(v, key, where)]


def _holds(data: object, key: str) -> bool:
    """Whether ``key`` is a key of a mapping anywhere in ``data``."""
    if isinstance(data, dict):
        return key in data or any(_holds(v, key) for v in data.values())
    return isinstance(data, list) and any(_holds(v, key) for v in data)


def _missing_keys(exc: KeyError) -> tuple[list[str], bool]:
    """The names a ``KeyError`` says are missing (``'per_class'``, or pandas' ``"None of
    ['sample_id'] are in the columns"``) and whether it says they are table columns."""
    arg = exc.args[0] if exc.args else ""
    if isinstance(arg, str) and arg.startswith("None of [") and "columns" in arg:
        return re.findall(r"'([^']+)'", arg.split("]")[0]), True
    return ([str(arg)] if arg != "" else []), False


def _table_lacking(dirs: list[Path], keys: list[str]) -> Path | None:
    """The one CSV/TSV in ``dirs`` whose header lacks a column of ``keys``; ``None`` where
    none or several do."""
    lacking = []
    for d in dirs:
        for path in sorted(d.glob("*")):
            if path.suffix.lower() not in (".csv", ".tsv") or not path.is_file():
                continue
            try:
                cols = set(pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",",
                                       nrows=0).columns)
            except (ValueError, UnicodeDecodeError, OSError):
                continue
            if any(k not in cols for k in keys):
                lacking.append(path)
    return lacking[0] if len(lacking) == 1 and keys else None


def not_reportable(d: Path, methods: list[str]) -> InputError:
    """The refusal for a folder ``genemoe report`` has no page for: an ``explain --compare``
    folder (``methods``: its per-method explanation folders), an unfinished ablation,
    pre-training, training or feature analysis are named, with where their results are or
    how to finish them (they were "neither a run, a benchmark, ...")."""
    if (d / "methods.csv").exists() and methods:  # `explain --compare`: one page per method
        return input_error("an `explain --compare` folder: its table is methods.csv, and each "
                           "method's explanation has its own folder", path=d,
                           fix=f"report one method: genemoe report {d / methods[0]} (methods: "
                               f"{', '.join(methods)})")
    if not (d / "tables.md").exists() and ((d / "models" / "protocol.json").exists()
                                           or (d / "pretrain").is_dir()):  # was "neither ..."
        return input_error("an unfinished `genemoe ablation` folder (no tables.md yet)", path=d,
                           fix="run the same `genemoe ablation` command again: it reuses the "
                               "finished cells and pre-trainings, then writes tables.md")
    if (d / "tables.md").is_file() and not (d / "results.csv").is_file():  # was "neither ..."
        return input_error("an ablation broken off or damaged (tables.md, no results.csv: the "
                           "page reads both)", path=d,
                           fix="run the same `genemoe ablation` command again: it reuses the "
                               "finished cells and writes results.csv and tables.md anew")
    if (d / "checkpoint.pt").exists() and not (d / "model.pt").exists():  # interrupted
        if _pretrain_history(d / "history.jsonl"):  # was told to rerun `genemoe train`
            return input_error("an unfinished pre-training run (a checkpoint, no pretrained.pt "
                               "yet)", path=d, fix="run the same `genemoe pretrain` command "
                                                   "again: it resumes from the checkpoint")
        return input_error("an unfinished training run (a checkpoint, no model.pt yet)", path=d,
                           fix="run the same `genemoe train` command again: it resumes from the "
                               "checkpoint, then report the run")
    if (d / "runs").is_dir() and (d / "summary.txt").exists():  # was the generic refusal
        return _demo_folder(d)
    runs = sorted((r.name for r in d.iterdir() if (r / "pretrained.pt").exists()),
                  key=lambda name: (len(name), name))
    if runs and (d / "summary.csv").exists():  # an ablation's pretrain/: was "neither a run, ..."
        return input_error(f"{len(runs)} `genemoe pretrain` runs (an ablation's pre-training, one "
                           "run per fold): `genemoe report` has a page for each run, not for the "
                           "folder", path=d,
                           fix=f"report one run: genemoe report {d / runs[0]} (runs: "
                               f"{', '.join(runs)}); every run's numbers are in {d / 'summary.csv'}")
    if (d / "pretrained.pt").exists():  # a finished one is reported; this one lacks a file
        missing = [f for f in ("summary.json", "history.jsonl") if not (d / f).is_file()]
        return input_error(f"a `genemoe pretrain` folder without {' and '.join(missing)}: its "
                           "page reads them", path=d,
                           fix="run the same `genemoe pretrain` command again into a new --out "
                               f"(or restore {' and '.join(missing)} from a copy)")
    if (d / "latent_gene_correlation.npy").exists():  # a finished one has summary.json
        return input_error("an unfinished `genemoe features` folder (no summary.json: the "
                           "analysis writes it last)", path=d,
                           fix="run the same `genemoe features` command again (it writes over "
                               f"its own files), then genemoe report {d}")
    if (d / "X.npy").exists() and (d / "obs.parquet").exists():  # was "neither a run, ..."
        return input_error("a dataset bundle (genemoe prepare): `genemoe report` reports what "
                           "was trained on one", path=d,
                           fix=f"read {d / 'summary.json'} (samples, types, what was dropped) and "
                               f"{d / 'record.json'} (every step); report a run trained on it: "
                               f"genemoe train --data {d} ... --out RUN, then genemoe report RUN")
    for kind, needs, marks, cmd in _PARTS:  # a run or tune lacking a file was "neither a run..."
        held = [f for f in marks if (d / f).exists()]
        if held:
            missing = [f for f in needs if not (d / f).exists()]
            return input_error(f"a {kind} folder without {' or '.join(missing)} (it holds "
                               f"{', '.join(held)})", path=d,
                               fix=f"restore {missing[0]}, or run the same `{cmd}` again")
    return input_error("neither a run, a benchmark, an explanation, a tuning, an ablation, a "
                       "feature analysis nor a pre-training directory", path=d,
                       fix=f"pass the --out directory of {reported_commands()}")


# the files a run or tune folder needs for a report, and those that mark one
_PARTS = [("`genemoe train` run", ("metrics.json", "predictions.tsv"),
           ("metrics.json", "predictions.tsv", "model.pt"), "genemoe train"),
          ("`genemoe tune`", ("summary.json", "trials.csv", "best.yaml"),
           ("trials.csv", "best.yaml", "study.db"), "genemoe tune")]


def _pretrain_history(path: Path) -> bool:
    """Whether ``history.jsonl`` is a ``genemoe pretrain`` run's (its epochs carry the critic
    gap, a training run's do not)."""
    try:
        with path.open() as f:
            return "loss/critic_gap" in f.readline()
    except (OSError, UnicodeDecodeError):
        return False


def _demo_folder(d: Path) -> InputError:
    """The refusal of a `genemoe demo` folder: its runs, Gene-MOE's first, and the pages the
    demo already wrote (a probe was sent to ``runs/coxnet_survival``, the first by name, while
    ``runs/genemoe_*/report.html`` stood written)."""
    runs = sorted((r.name for r in (d / "runs").iterdir() if (r / "model.pt").exists()),
                  key=lambda name: (not name.startswith("genemoe"), name))
    pages = [d / "runs" / r / "report.html" for r in runs if (d / "runs" / r / "report.html").exists()]
    written = (f"the demo wrote {' and '.join(str(p) for p in pages)}: open "
               f"{'them' if len(pages) > 1 else 'it'}; or " if pages else "")
    return input_error("a `genemoe demo` folder written before demos had a page (no "
                       "demo.json): its table and verdict are summary.txt, and each model's "
                       "run has its own folder", path=d,
                       fix=f"{written}report one run: genemoe report "
                           f"{d / 'runs' / (runs or ['NAME'])[0]} (runs: {', '.join(runs)})")
