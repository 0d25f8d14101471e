"""Reading a benchmark directory: its protocol and finished cells (no model, no training).

``genemoe benchmark`` (:mod:`genemoe.workflows.benchmark`) writes these files; the tables
(:mod:`genemoe.evaluate.benchmark_tables`) and the report read them through here.
"""

from __future__ import annotations

import json
import logging
import math
import platform
import shutil
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from genemoe import __version__
from genemoe.data.scaling import clip_summary, clip_text
from genemoe.errors import input_error
from genemoe.text_wrap import warning_text

__all__ = ["clipped_lines", "set_aside_cells", "read_cell", "load_cells", "read_protocol", "software_versions", "chosen_settings",
           "option_changes", "grid_edges", "epoch_cap_note", "tuned_on_checks", "unchecked_tuned_on",
           "trials_this_call_text", "EPOCH_CAP_ADVICE"]

log = logging.getLogger(__name__)


def read_cell(path: Path, fingerprint: str, *, if_not: str | None = "recomputing it"
              ) -> dict | None:
    """A finished cell written under the same options, else None.

    A cell that cannot be read or was written under other options is a warning ending in
    ``if_not`` (what the caller does instead); ``if_not=None``: no warning, the caller
    says it once.
    """
    if not path.exists():
        return None
    try:
        cell = json.loads(path.read_text())
    except ValueError:
        if if_not:
            log.warning("unreadable cell %s: %s", path, if_not)
        return None
    if cell.get("fingerprint") != fingerprint:
        if if_not:
            log.warning("cell %s was computed under other options: %s", path.name, if_not)
        return None
    return cell


def _unreadable(path: Path) -> bool:
    try:
        json.loads(path.read_text())
    except ValueError:
        return True
    return False


def load_cells(out_dir: Path | str, *, models: Iterable[str] | None = None,
               n_repeats: int | None = None) -> list[dict]:
    """Finished cells of a benchmark directory (optionally only some models / repeats).

    Cells of the fingerprint in ``protocol.json`` only, in model, repeat, fold order. Cells
    of other options (a run with other options into the same directory, not yet re-run for
    every model) are left out with one warning naming their models; nothing is recomputed.
    """
    out_dir = Path(out_dir)
    protocol = read_protocol(out_dir)
    order = list(models) if models is not None else protocol["models"]
    cells, left_out, damaged = [], set(), []
    for path in sorted((out_dir / "cells").glob("*.json")):
        model, _, where = path.stem.rpartition("__")  # MODEL__rR_fF
        repeat = int(where[1:].split("_")[0]) if where.startswith("r") else 0
        if model not in order or (n_repeats is not None and repeat >= n_repeats):
            continue
        cell = read_cell(path, protocol["fingerprint"], if_not=None)
        if cell is None:
            if _unreadable(path):
                damaged.append(path.name)
            else:
                left_out.add(model)
            continue
        cells.append(cell)
    if damaged:
        names = ", ".join(damaged[:3]) + (" ..." if len(damaged) > 3 else "")
        log.warning("%s", warning_text(
            f"{len(damaged)} cell file(s) cut short or damaged and left out ({names}) in "
            f"{out_dir / 'cells'}; {_RECOMPUTE}"))
    if left_out:
        log.warning("%s", warning_text(
            f"cells of {', '.join(sorted(left_out))} were computed under other options and are "
            f"left out of {out_dir}; {_RECOMPUTE}"))
    return sorted(cells, key=lambda c: (order.index(c["model"]), c["repeat"], c["fold"]))


_RECOMPUTE = "re-run `genemoe benchmark` with the same --out and options to recompute them"


def read_protocol(out_dir: Path) -> dict:
    """The ``protocol.json`` of a benchmark directory (a clear error when absent)."""
    path = Path(out_dir) / "protocol.json"
    if not path.exists():
        raise input_error("not a benchmark directory: protocol.json is missing", path=out_dir,
                          fix="write one with `genemoe benchmark ... --out DIR`")
    return json.loads(path.read_text())



# the options a benchmark's cells depend on (its fingerprint's), as the user gives them
_CELL_OPTIONS = ("task", "n_folds", "seed", "epochs", "val_fraction", "n_boot", "tune",
                 "ensemble", "tune_cv", "preset", "pretrained", "freeze_encoder_epochs",
                 "weights_files")  # an image model's weights file, by its sha256


def option_changes(out_dir: Path, opts: dict) -> list[str] | None:
    """How ``opts`` differ from those of the benchmark already in ``out_dir``
    (``["seed 1 → 2"]``; ``["the preset's contents or the bundle"]`` where only the
    fingerprint does); None where there is none, or its options are the same."""
    try:
        old = json.loads((Path(out_dir) / "protocol.json").read_text())
    except (OSError, ValueError):
        return None
    if old.get("fingerprint") in (None, opts.get("fingerprint")):
        return None
    changes = [c for k in _CELL_OPTIONS if k in opts
               for c in _value_changes(k, k, old.get(k), opts.get(k))]
    return changes or ["the preset's contents or the bundle"]


_LONGEST_VALUE = 60  # characters of a changed value shown (a whole recipe was 2,500)


def _value_changes(key: str, name: str, old: Any, new: Any) -> list[str]:
    """``["name old → new"]`` for one option, nested mappings compared key by key
    (``pretrained.per_fold.pretrain.epochs 2 → 3``: the whole per-fold recipe was printed
    twice, as two Python dicts); [] where they are equal."""
    if json.dumps(old, default=str, sort_keys=True) == json.dumps(new, default=str, sort_keys=True):
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return [c for k in dict.fromkeys([*old, *new])
                for c in _value_changes(key, f"{name}.{k}", old.get(k), new.get(k))]
    return [f"{name} {_option_value(key, old)} → {_option_value(key, new)}"]


def _option_value(key: str, value: Any) -> str:
    """An option as the user gave it: not given (None) is the preset's for the options a
    preset sets, "none" for the others (a pre-trained run); a long value shortened."""
    if value is None:
        return "the preset's" if key in ("epochs", "preset") else "none"
    if key == "weights_files" and isinstance(value, str) and len(value) == 64:
        return value[:12] + "…"  # a weights file's sha256: 12 hex digits tell them apart
    text = str(value)
    return text if len(text) <= _LONGEST_VALUE else text[:_LONGEST_VALUE - 1] + "…"


def software_versions() -> dict[str, str]:
    """Python, platform and the versions of genemoe and the libraries it computes with."""
    out = {"python": platform.python_version(), "platform": platform.platform(), "genemoe": __version__}
    for dist in ("numpy", "scipy", "pandas", "torch", "scikit-learn", "scikit-survival", "matplotlib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def chosen_settings(info: dict[str, Any], tuned: dict[str, Any] | None = None,
                    held: Iterable[str] = ()) -> dict[str, Any]:
    """What a cell's model chose on its validation part, for ``results.csv``/``summary.md``.

    Classical models: the grid values their validation (or inner CV) picked; neural models:
    the epoch early stopping kept. With ``tuned`` (a search's best ``{"model.x": v}``) those
    come first, ``model.tune`` (the model's own grid switched off) and the ``held`` keys
    (the space's fixed ones, nothing searched: Coxnet's ``n_top_genes`` 2000 on a 294-gene
    bundle was shown as chosen) left out, and a fitted value that only repeats a tuned one
    (Coxnet's ``l1_ratio`` beside ``model.l1_ratio``) is not shown twice.
    """
    held = {"model.tune", *held}
    tuned = {k: v for k, v in (tuned or {}).items() if k not in held}
    fitted = _fitted_choices(info)
    for key, value in list(fitted.items()):
        given = tuned.get(f"model.{key}", fitted)  # fitted: a sentinel no value equals
        if value == given or (isinstance(value, list) and value and all(v == given for v in value)):
            del fitted[key]
    return {**tuned, **fitted}


def _fitted_choices(info: dict[str, Any]) -> dict[str, Any]:
    if "ensemble" in info:  # each member's choice
        members = [_fitted_choices(m) for m in info["ensemble"]["members"]]
        keys = dict.fromkeys(k for m in members for k in m)
        return {k: [m.get(k) for m in members] for k in keys}
    fitted = (info.get("params") or {}).get("fitted") or {}
    if "chosen" in fitted:
        return dict(fitted["chosen"])
    if "best_epoch" in info:
        return {"epoch": info["best_epoch"]}
    return {}


def grid_edges(info: dict[str, Any]) -> str:
    """The grid values a classical model chose at the end of its own grid (``"n_top_genes
    100 (largest)"``; "" for none or no grid): the best value may lie beyond it. A grid
    axis of three values or more counts; an ensemble's members each."""
    if "ensemble" in info:
        return ", ".join(filter(None, (grid_edges(m) for m in info["ensemble"]["members"])))
    fitted = (info.get("params") or {}).get("fitted") or {}
    chosen, grid = fitted.get("chosen") or {}, fitted.get("grid_scores") or []
    out = []
    for key, value in chosen.items():
        # the axis through the chosen point (Coxnet's alphas are a path per l1_ratio: the
        # ends of all paths together hid the end of the chosen one); where no other point
        # shares the other chosen values (an l1_ratio across paths), the whole grid's axis
        line = [p for p in grid if all(p.get(k) == v for k, v in chosen.items() if k != key)]
        axis = _numbers(line, key)
        axis = axis if len(axis) >= 3 else _numbers(grid, key)
        if len(axis) >= 3 and value in (axis[0], axis[-1]):
            out.append(f"{key} {value:g} ({'largest' if value == axis[-1] else 'smallest'})")
    return ", ".join(out)


EPOCH_CAP_ADVICE = "may be undertrained; raise --epochs"  # train's and benchmark's words alike
#   (a benchmark said "a larger --epochs may help" where train said "raise --epochs")


def epoch_cap_note(info: Mapping[str, Any]) -> str | None:
    """Said when a fit kept its last allowed epoch without stopping early: the validation
    score was still improving at ``epochs``, so the model may be undertrained (a benchmark at
    ``--epochs 8`` kept epoch 8 in every fcn fold and declared a verdict unsaid).

    ``info`` is a fit's record (``best_epoch``, ``stopped_early``, ``train_config.epochs``),
    or an ensemble's (its members' records under ``ensemble.members``); None for a model
    without epochs.
    """
    ens = info.get("ensemble")  # a run's config.yaml: the ensemble size (1), or this dict
    fits = (ens.get("members") if isinstance(ens, dict) else None) or [info]
    at_cap = [f for f in fits if isinstance(f.get("best_epoch"), int) and not f.get("stopped_early")
              and f["best_epoch"] >= ((f.get("train_config") or {}).get("epochs") or math.inf)]
    if not at_cap:
        return None
    cap = at_cap[0]["train_config"]["epochs"]
    who = "" if len(fits) == 1 else f" in {len(at_cap)} of {len(fits)} members"
    return (f"kept the last epoch allowed ({cap}){who}: "
            f"{EPOCH_CAP_ADVICE}")  # was 121 wide with its "warning: " (130 for an ensemble)


def _numbers(points: list[dict[str, Any]], key: str) -> list[float]:
    """The distinct numeric values of ``key`` among grid ``points``, ascending."""
    return sorted({p[key] for p in points if isinstance(p.get(key), int | float)
                   and not isinstance(p.get(key), bool)})


def set_aside_cells(out_dir: Path, fingerprint: str) -> tuple[str | None, bool]:
    """Before a benchmark of other options (``fingerprint``) runs in ``out_dir``: the cells of
    the options in its ``protocol.json`` are moved to ``cells.<their fingerprint[:12]>/``, and
    its figures (``plots/``, drawn from those cells) with them to ``cells.<...>/plots/``; the
    cells and figures of an earlier run with these options, set aside so, are moved back.
    The cells were recomputed one by one over the earlier ones (one mistyped flag on a
    resume replaced finished cells), and the figures stayed beside the new run's. Returns
    the folder they went to (None: there were none) and whether earlier cells came back."""
    out_dir = Path(out_dir)
    try:
        old = json.loads((out_dir / "protocol.json").read_text()).get("fingerprint")
    except (OSError, ValueError):
        return None, False
    cells, plots, kept = out_dir / "cells", out_dir / "plots", None
    if old and old != fingerprint:
        dest = out_dir / f"cells.{str(old)[:12]}"
        if cells.is_dir() and any(cells.glob("*.json")):
            dest.mkdir(exist_ok=True)
            for path in cells.iterdir():  # claims too: they were the earlier options' workers'
                path.replace(dest / path.name)
            kept = dest.name
        if plots.is_dir() and any(plots.iterdir()):  # the earlier options' figures go with them
            dest.mkdir(exist_ok=True)
            shutil.rmtree(dest / "plots", ignore_errors=True)
            plots.replace(dest / "plots")
            kept = dest.name
    earlier = out_dir / f"cells.{fingerprint[:12]}"
    if not earlier.is_dir():
        return kept, False
    cells.mkdir(exist_ok=True)
    for path in earlier.glob("*.json"):
        if not (cells / path.name).exists():
            path.replace(cells / path.name)
    if (earlier / "plots").is_dir() and not plots.exists():
        (earlier / "plots").replace(plots)
    if not any(earlier.iterdir()):
        earlier.rmdir()
    return kept, True


def tuned_on_checks(used: Mapping[str, Any]) -> list[str]:
    """summary.md's lines on the ``genemoe tune`` entries a benchmark checked against its
    folds (protocol.json's ``test_folds_overlap``, ``epochs_inherited``): the samples of its
    test folds the tuning trained or chose on, and the ``tune --epochs`` cap every cell
    kept. summary.md only said "If this benchmark runs on that data..." of a best.yaml
    tuned on this very bundle; [] where none was checked."""
    lines = []
    for v in used.values():
        if not isinstance(v, Mapping) or "test_folds_overlap" not in v:
            continue
        users = ", ".join(f"`{u}`" for u in v.get("used_by") or ())
        n = v.get("n_test_folds_tuned_on")
        per = "; ".join(f"{f} {c}" for f, c in (v.get("test_folds_overlap_per_fold") or {}).items())
        if n:
            lines += [f"**Tuned on this benchmark's test samples**: the values {users} used were "
                      f"tuned on {n:,} of the {v['n_test_folds']:,} samples in its test folds "
                      f"(the tuning's train/val parts; per fold: {per}): those folds' scores are "
                      "optimistic; tune on other samples, or benchmark with `--tune N` (a "
                      "search inside each fold).", ""]
        elif n is None and v.get("same_samples"):
            lines += [f"**Tuned on this benchmark's samples** (values {users} used): "
                      f"{v['test_folds_overlap']}: the folds' scores are optimistic.", ""]
        else:
            lines += [f"Checked (values {users} used): {v['test_folds_overlap']}.", ""]
        if v.get("epochs_inherited"):
            cap, who = str(v["epochs_inherited"]).split(":")[0], v.get("epochs_inherited_by") or ()
            lines += [f"**Epochs from the tuning**: every trial was capped at {cap} epochs "
                      f"(`tune --epochs {cap}`), and with no `--epochs` given "
                      f"{', '.join(f'`{m}`' for m in who)} trained at most {cap} in every cell; "
                      "pass `--epochs` to train longer.", ""]
    return lines


def unchecked_tuned_on(used: Mapping[str, Any]) -> bool:
    """Whether some entry a benchmark used was not checked against its folds (a preset's
    own notes: where their samples sit is not known here)."""
    return any(not (isinstance(v, Mapping) and "test_folds_overlap" in v) for v in used.values())


def trials_this_call_text(protocol: Mapping[str, Any]) -> str:
    """``(studies reused: 0 trials ran this call)`` where a tuned benchmark's searches ran no
    trial in this call (their seconds were spent by earlier calls), else ""."""
    if protocol.get("tune") and protocol.get("tune_trials_this_call") == 0:
        return "(studies reused: 0 trials ran this call)"
    return ""


def clipped_lines(cells: list[dict]) -> list[str]:
    """What the folds' scalers clipped, one line per input scaling (``standard`` z-scores,
    an image model's ``global`` scaling), each fold counted once however many models read
    it: ``inputs clipped to ±10 z, 3 folds summed: test 6,591 values (0.2%), ...``. Cells
    written before the counts were kept are said to be left out of the count. Standardised inputs beyond ±10 were
    clipped in every fold without a word (gdc6 fold 0: 6,591 test values). A scaling that
    only some folds' models used (a ``--tune`` draws ``model.input_scaling`` per fold) says
    so: ``(in the 1 of 2 folds where a model used this scaling)``; it read as every fold's."""
    seen: dict[str, dict[tuple[int, int, str], dict]] = {}
    for cell in cells:
        for part, rep in (cell.get("clipped") or {}).items():
            by_method = seen.setdefault(str(rep.get("method")), {})
            by_method.setdefault((cell["repeat"], cell["fold"], part), {"part": part, **rep})
    folds = {(c["repeat"], c["fold"]) for c in cells}
    counted = {(c["repeat"], c["fold"]) for c in cells if c.get("clipped")}
    older = (f" ({len(counted)} of {len(folds)} folds counted: the others' cells are from "
             "before the counts were kept)" if counted and counted != folds else "")
    lines = []
    for reports in seen.values():  # a resumed run's older cells: said
        if not (text := clip_text(clip_summary(reports.values()))):
            continue
        used = {(r, f) for r, f, _ in reports}
        some = (f" (in the {len(used)} of {len(counted)} folds where a model used this scaling)"
                if len(used) < len(counted) else "")
        lines.append(text + some + older)
    return lines
