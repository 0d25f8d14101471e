"""The page of a ``genemoe demo`` folder: every model side by side, the verdict, each run's page.

The demo's table and verdict were on the terminal and in ``summary.txt`` only, and
``genemoe report DEMO`` refused the folder ("its table and verdict are summary.txt"): a
first-time user had two Gene-MOE run pages and no page that compared anything. The demo now
writes ``demo.json`` (:data:`DEMO_FILE`: its rows, header and verdict, as the terminal says
them) and this page from it: the table with each model linked to its run's ``report.html``,
the verdict, what predict said of the raw counts file, and the runs' and tunes' folders.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from genemoe.report.html_parts import page_context
from genemoe.report.sources import bundle_info
from genemoe.report.text import fmt_ci, fmt_seconds, fmt_value

__all__ = ["DEMO_FILE", "DEMO_FORMAT", "is_demo_dir", "demo_context"]

DEMO_FILE = "demo.json"
DEMO_FORMAT = "genemoe-demo"
_COLUMNS = ("task", "model", "accuracy", "macro-F1", "C-index", "95% CI", "train", "time",
            "trials")


def is_demo_dir(d: Path) -> bool:
    """Whether ``d`` is a finished ``genemoe demo`` folder of this genemoe (its ``demo.json``
    is written after every run; an older demo's folder has none and is refused, naming its
    runs' pages)."""
    return (d / DEMO_FILE).is_file()


def _href(target: Path, out_dir: Path) -> str:
    return html.escape(Path(os.path.relpath(target.resolve(), out_dir.resolve())).as_posix())


def _row_cells(row: dict[str, Any], d: Path, out_dir: Path) -> list[str]:
    """One model's cells, its name linked to its run's page where the demo wrote one."""
    page = d / row["run"] / "report.html"
    name = html.escape(str(row["name"]))
    model = f'<a href="{_href(page, out_dir)}">{name}</a>' if page.is_file() else name
    return [html.escape(row["task"]), model, fmt_value(row.get("accuracy")),
            fmt_value(row.get("macro_f1")), fmt_value(row.get("c_index")),
            html.escape(fmt_ci(row.get("c_index_ci"))), fmt_value(row.get("train_metric")),
            html.escape(fmt_seconds(row.get("seconds"))), str(row.get("trials") or 0)]


def _table(demo: dict[str, Any], d: Path, out_dir: Path) -> str:
    """The terminal's table as HTML: test metrics, the training split's, time, trials."""
    head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in _row_cells(r, d, out_dir)) + "</tr>"
                   for r in demo.get("rows") or [])
    tuned = any(r.get("trials") for r in demo.get("rows") or [])
    caption = ("Metrics on the test split · 95% CI: bootstrap · train: accuracy or C-index on "
               "the training split" + (" · time: the tuning trials and the final training run "
                                       "together" if tuned else "")
               + " · each model's name opens its run's page.")
    return f"<table><tr>{head}</tr>{body}</table><p>{html.escape(caption)}</p>"


def _panel(demo: dict[str, Any], d: Path, out_dir: Path) -> str:
    """The first screen: the table and the verdict, as the terminal said them."""
    said = "".join(f"<p>{html.escape(t)}</p>" for t in demo.get("verdict") or [] if t)
    return ('<section class="summary" id="summary"><div class="facts"><h2 id="summary-heading">'
            f"Every model side by side</h2><div class=\"headline\">{_table(demo, d, out_dir)}"
            f"{said}</div></div></section>")


def _metrics(demo: dict[str, Any], d: Path, out_dir: Path) -> str:
    """What predict said of the raw counts file (the record beside the predictions)."""
    pred = demo.get("predictions")
    if not pred:
        return "<p>The table above holds every metric; each run's page has the rest.</p>"
    said = "".join(f"<li>{html.escape(' '.join(t.split()))}</li>"
                   for t in demo.get("predictions_said") or [])
    return ("<h3>The raw counts file scored by Gene-MOE (genemoe predict)</h3>"
            f'<p><a href="{_href(d / pred, out_dir)}">{html.escape(pred)}</a> and its '
            "record.json beside it.</p>" + (f"<ul>{said}</ul>" if said else ""))


def _parts(demo: dict[str, Any], d: Path, out_dir: Path) -> str:
    """Each run's folder, its page and its tuning folder."""
    rows = []
    for r in demo.get("rows") or []:
        run, page = d / r["run"], d / r["run"] / "report.html"
        link = (f'<a href="{_href(page, out_dir)}">report.html</a>' if page.is_file()
                else f"<code>genemoe report {html.escape(str(run))}</code>")
        tune = d / "tuning" / Path(r["run"]).name
        tuned = (f"<code>{html.escape(str(Path('tuning') / tune.name))}/</code>"
                 if tune.is_dir() else "–")
        rows.append(f"<tr><td>{html.escape(r['task'])}</td><td>{html.escape(str(r['name']))}"
                    f"</td><td><code>{html.escape(r['run'])}/</code></td><td>{link}</td>"
                    f"<td>{tuned}</td></tr>")
    return ("<table><tr><th>task</th><th>model</th><th>run folder</th><th>its page</th>"
            "<th>its tuning</th></tr>" + "".join(rows) + "</table>")


def demo_context(d: Path, plots: Path) -> dict[str, Any]:
    """The report's context of a finished demo folder ``d`` (read from its ``demo.json``);
    no figures of its own (``plots`` unused): each run's page has its figures."""
    demo = json.loads((d / DEMO_FILE).read_text(encoding="utf-8"))
    out_dir = plots.parent
    summary, record = bundle_info(demo.get("bundle_path"), None)
    tune, epochs = int(demo.get("tune") or 0), demo.get("epochs")
    tasks = sorted({r["task"] for r in demo.get("rows") or []}, key=("classify", "survival").index)
    protocol = {"what": "genemoe demo: each model trained once on the bundle's split (training "
                        "part; validation part for early stopping, tuning and calibration; test "
                        "part scored once)",
                "tasks": ", ".join(tasks), "neural models": f"at most {epochs} epochs",
                "tuning": (f"{tune} trial{'s' * (tune != 1)} per model on the validation split "
                           "(a classical model's first: its own grid)") if tune else
                          "none (--tune 0): the small preset; classical models' own grids",
                "bundle": demo.get("bundle_path")}  # (the header's lines: these rows and Data)
    models = ", ".join(dict.fromkeys(str(r["name"]) for r in demo.get("rows") or []))
    return page_context(f"genemoe demo — {models}", synthetic=bool(demo.get("synthetic")),
                        summary=summary, record=record, protocol=protocol,
                        panel=_panel(demo, d, out_dir), metrics=_metrics(demo, d, out_dir),
                        figures=[], versions={"genemoe (demo)": demo.get("genemoe_version")},
                        seeds={"cohort, split and model seed": demo.get("seed")},
                        parts=_parts(demo, d, out_dir))
