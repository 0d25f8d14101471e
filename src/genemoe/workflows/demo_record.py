"""``demo.json``: what a ``genemoe demo`` ran and found, for its page (:mod:`genemoe.report.demo_page`).

The table, header and verdict were written as text only (the terminal, ``summary.txt``), so
no page could show the models side by side; the record holds them as numbers and sentences.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genemoe import __version__
from genemoe.data.bundle import Bundle, atomic_write_text
from genemoe.report.demo_page import DEMO_FILE, DEMO_FORMAT

if TYPE_CHECKING:
    from genemoe.workflows.demo import DemoRow

__all__ = ["NAMES", "write_demo_record", "is_demo_record"]

NAMES = {"genemoe": "Gene-MOE"}  # the demo's name of a model where it is not its registry name
_METRICS = ("accuracy", "macro_f1", "c_index", "c_index_ci")


def _number(v: Any) -> Any:
    """A metric as JSON holds it: floats, an interval as a list, None for none."""
    if v is None:
        return None
    if isinstance(v, list | tuple):
        return [float(x) for x in v]
    return float(v)


def _row(r: DemoRow, out_dir: Path) -> dict[str, Any]:
    return {"model": r.model, "name": NAMES.get(r.model, r.model), "task": r.task,
            "run": r.run_dir.relative_to(out_dir).as_posix(),
            **{k: _number(r.test.get(k)) for k in _METRICS},
            "train_metric": float(r.train_metric), "seconds": float(r.seconds),
            "trials": int(r.trials)}


def write_demo_record(out_dir: Path, rows: list[DemoRow], *, bundle: Bundle, seed: int,
                      epochs: int, tune: int, header: str, said: list[str],
                      predictions: Path | None, predictions_said: list[str]) -> Path:
    """Write ``out_dir/demo.json`` atomically: each model's row (test metrics, the training
    split's, seconds, trials, its run folder relative to ``out_dir``), the header and the
    verdict sentences as the terminal says them, and predict's caveats of the raw counts file.

    Returns
    -------
    Path
        The file written.
    """
    record = {"format": DEMO_FORMAT, "genemoe_version": __version__, "seed": int(seed),
              "epochs": int(epochs), "tune": int(tune), "synthetic": bool(bundle.synthetic),
              "bundle_path": str(Path(bundle.path).resolve()), "header": header,
              "verdict": [t for t in said if t], "rows": [_row(r, out_dir) for r in rows],
              "predictions": predictions.name if predictions else None,
              "predictions_said": predictions_said}
    path = out_dir / DEMO_FILE
    atomic_write_text(path, json.dumps(record, indent=1) + "\n")
    return path


def is_demo_record(path: Path) -> bool:
    """Whether ``path`` is a demo's own ``demo.json`` (a rerun replaces it, never another file
    of that name)."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == DEMO_FORMAT
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return False
