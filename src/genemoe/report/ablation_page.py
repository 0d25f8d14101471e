"""``genemoe report`` on a ``genemoe ablation`` folder: the paper's Table III
(classification) or Table II (survival), as the ablation's ``tables.md`` has it.

The page renders ``tables.md`` itself (its Markdown tables, paragraphs and lists; see
:func:`markdown_blocks`) rather than rebuilding the tables from ``results.csv``. Three
reasons: the numbers must agree with ``tables.md`` to the last digit, and a second
rendering of the same summary could drift from it (rounding, row order, the "not run"
cells); the † marks and their notes rest on collapse checks that ``results.csv`` does not
hold (``pretrain/summary.csv`` or the ``--pretrained`` run's own check, read by the
ablation when it wrote the tables); and the code that writes the tables lives in
:mod:`genemoe.workflows`, which the report layer does not import. ``results.csv`` (one row
per model × repeat × fold, its ``label`` column naming each model as the tables do) gives
what ``tables.md`` has no room for: the figure of every fold's primary metric and the
per-fold table. Each part of the ablation (``models/``, ``pretrained/``... benchmark
folders; ``pretrain/``'s runs) keeps its own report, linked from the page. Nothing is
recomputed and no model is run.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_files import clipped_lines, load_cells, read_protocol
from genemoe.evaluate.benchmark_tables import PRIMARY_METRIC
from genemoe.evaluate.survival_flags import is_degenerate
from genemoe.explain.figures import new_subplots
from genemoe.report.first_screen import METRIC_NAMES, thumbnail
from genemoe.report.html_parts import html_table, page_context
from genemoe.report.plots import Figure, save_figure
from genemoe.report.sources import bundle_info

__all__ = ["is_ablation_dir", "ablation_context", "Block", "markdown_blocks", "blocks_html",
           "table_order", "plot_fold_metric", "pretrained_source", "clipped_words",
           "degenerate_c_folds", "degenerate_caption", "flagged_words"]

MARK = " †"  # tables.md's mark on a pre-trained model whose pre-training collapsed
_SYNTHETIC = " — SYNTHETIC DATA"  # the end of tables.md's title on synthetic data
# what each part of an ablation folder holds (a benchmark folder unless said)
_PARTS = {"models": "the models trained from scratch",
          "pretrained": "the pre-trained Gene-MOE, fine-tuned on each fold",
          "pretrained_vaecox": "VAE-Cox pre-trained per fold, fine-tuned on each fold"}


class Block(NamedTuple):
    """One block of ``tables.md``: ``kind`` is ``h1``, ``h2``, ``p``, ``ul`` (``value`` a
    list of items) or ``table`` (``value`` a data frame of the cells' text)."""

    kind: str
    value: Any


def is_ablation_dir(d: Path) -> bool:
    """A finished ``genemoe ablation`` folder: ``tables.md`` and ``results.csv`` (written
    together at its end; an interrupted one has neither)."""
    return (d / "tables.md").is_file() and (d / "results.csv").is_file()


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells, as ``markdown_table`` writes them (``| a | b |``)."""
    s = line.strip()
    if s.startswith("| ") and s.endswith(" |"):
        return s[2:-2].split(" | ")
    return [c.strip() for c in s.strip("|").split("|")]


def _table(lines: list[str]) -> pd.DataFrame:
    """A Markdown table (header, ``|---|`` line, rows) as a frame of strings."""
    head = _cells(lines[0])
    rows = [_cells(ln) for ln in lines[1:] if not re.fullmatch(r"\|?(\s*:?-+:?\s*\|)+\s*", ln.strip())]
    rows = [(r + [""] * len(head))[:len(head)] for r in rows]  # a short row padded, not dropped
    return pd.DataFrame(rows, columns=head, dtype=str)


def markdown_blocks(text: str) -> list[Block]:
    """``tables.md``'s Markdown as blocks: headings, paragraphs (one per line, as the
    ablation writes them), bullet lists and tables.

    Parameters
    ----------
    text
        The file's text (the subset of Markdown :mod:`genemoe.workflows.ablation_tables`
        writes: ``#``/``##`` headings, ``- `` items, ``|`` tables, inline code).

    Returns
    -------
    list of Block
        In the file's order; blank lines only separate.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            blocks.append(Block("table", _table(lines[i:j])))
            i = j
            continue
        if line.startswith("- "):
            if blocks and blocks[-1].kind == "ul" and lines[i - 1].strip():
                blocks[-1].value.append(line[2:])
            else:
                blocks.append(Block("ul", [line[2:]]))
        elif m := re.match(r"(#{1,6}) (.*)", line):
            blocks.append(Block("h1" if len(m.group(1)) == 1 else "h2", m.group(2)))
        elif line.strip():
            blocks.append(Block("p", line.strip()))
        i += 1
    return blocks


def _inline(text: str) -> str:
    """``text`` escaped, its ```code``` spans as ``<code>``."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def blocks_html(blocks: list[Block]) -> str:
    """The blocks as HTML (``##`` headings as ``<h3>``: the page's sections are ``<h2>``);
    every cell and line escaped."""
    out = []
    for b in blocks:
        if b.kind in ("h1", "h2"):
            out.append(f"<h3>{_inline(b.value)}</h3>")
        elif b.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in b.value) + "</ul>")
        elif b.kind == "table":
            out.append(html_table(b.value))
        else:
            out.append(f"<p>{_inline(b.value)}</p>")
    return "\n".join(out)


def table_order(table: pd.DataFrame) -> list[str]:
    """The model names of the paper's table in its order, † kept: its rows (Table III, a
    ``model`` column) or its columns after the first (Table II, one per model)."""
    if len(table.columns) and table.columns[0] == "model":
        return list(table["model"])
    return list(table.columns[1:])


def plot_fold_metric(results: pd.DataFrame, metric: str, *, order: list[str], out_path: Path,
                     title: str = "") -> Path | None:
    """Every test fold's ``metric`` per model: a box per model, each fold a point; a fold's
    degenerate pooled C-index is a grey × (:func:`degenerate_c_folds`: one of 0 or 1 left out
    of the box, as tables.md leaves it out of the mean).

    Parameters
    ----------
    results
        ``results.csv``'s rows; ``label`` names the model (``model`` where it is absent).
    metric
        The column drawn (the task's primary metric).
    order
        Model names top to bottom, as the paper's table has them (``†`` included: a name
        ``X †`` draws ``results``' rows labelled ``X``); names only in ``results`` follow.
    out_path, title
        Where the PNG goes; the figure's title.

    Returns
    -------
    Path or None
        None when ``results`` has no value of ``metric``.
    """
    if metric not in results.columns or not len(results):
        return None
    names = results["label"] if "label" in results.columns else results["model"]
    names = names.fillna(results["model"]).astype(str)
    shown = {n.removesuffix(MARK): n for n in order}
    keys = [k for k in shown if (names == k).any()] + [k for k in dict.fromkeys(names)
                                                       if k not in shown]
    values = pd.to_numeric(results[metric], errors="coerce")
    left_out, tied = degenerate_c_folds(results, metric)
    data = [values[(names == k) & ~left_out].dropna().to_numpy() for k in keys]
    if not any(len(x) for x in data) and not left_out.any():
        return None
    fig, ax = new_subplots(figsize=(8.0, 0.55 * len(keys) + 1.4))
    ax.boxplot(data, orientation="horizontal", widths=0.5)
    rng = np.random.default_rng(0)
    for i, k in enumerate(keys, start=1):
        plain = (names == k) & ~left_out & ~tied & values.notna()
        odd = (names == k) & (left_out | tied)
        ax.scatter(values[plain], i + rng.uniform(-0.1, 0.1, int(plain.sum())), s=16,
                   color="tab:orange", zorder=3)
        if odd.any():  # a C of 0 or 1 was drawn as a fold's real score
            ax.scatter(values[odd], i + rng.uniform(-0.1, 0.1, int(odd.sum())), s=30,
                       marker="x", color="0.35", zorder=3, label="degenerate C")
    ax.set_yticks(range(1, len(keys) + 1), [shown.get(k, k) for k in keys], fontsize=8)
    ax.invert_yaxis()  # the table's first row on top
    if metric.startswith("c_index"):
        ax.axvline(0.5, color="0.5", ls="--", lw=1)
    ax.set_xlabel(f"{METRIC_NAMES.get(metric, metric)} per test fold")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, out_path)


POOLED_FLAG = "pooled_c_index_degenerate"  # results.csv: the pooled C of 0/1 or tied risks


def degenerate_c_folds(results: pd.DataFrame, metric: str) -> tuple[pd.Series, pd.Series]:
    """The folds whose pooled C-index the fold figure marks, as tables.md counts them:
    ``left_out``, a C of exactly 0 or 1 (every pair in one order: too few to rank; left out of
    the box as of the table's mean), and ``tied``, one of risks all the same (flagged in
    ``pooled_c_index_degenerate``; its 0.5 kept in the box, as in the table's mean). Both
    all False for any other metric.

    Returns
    -------
    left_out, tied
        Boolean series indexed as ``results``.
    """
    none = pd.Series(False, index=results.index)
    if metric != "c_index" or metric not in results:
        return none, none
    values = pd.to_numeric(results[metric], errors="coerce")
    left_out = values.notna() & values.map(is_degenerate).astype(bool)
    flag = results.get(POOLED_FLAG)
    flagged = (flag.astype(str).str.lower().eq("true") if flag is not None else none)
    return left_out, flagged & values.notna() & ~left_out


def degenerate_caption(results: pd.DataFrame, metric: str) -> str:
    """The fold figure's words on its marked folds (:func:`degenerate_c_folds`), '' if none:
    ``"; ×: 2 folds' degenerate pooled C (exactly 0 or 1: too few pairs to rank; left out of
    the boxes, as of the table's means)"``."""
    left_out, tied = degenerate_c_folds(results, metric)
    parts = []
    if n := int(left_out.sum()):
        parts.append(f"{_folds_of(n)} degenerate pooled C (exactly 0 or 1: "
                     "too few pairs to rank; left out of the boxes, as of the table's means)")
    if n := int(tied.sum()):
        parts.append(f"{_folds_of(n)} pooled C of risks all the same (0.5; "
                     "kept in the boxes, as in the table's means)")
    return "; ×: " + " and ".join(parts) if parts else ""


def _folds_of(n: int) -> str:
    """``1 fold's``, ``2 folds'``."""
    return f"{n} fold's" if n == 1 else f"{n} folds'"


def _href(target: Path, out_dir: Path) -> str:
    return html.escape(Path(os.path.relpath(target.resolve(), out_dir.resolve())).as_posix())


def pretrained_source(blocks: list[Block], d: Path) -> str:
    """What this ablation's pre-trained rows came from: ``per_fold``, ``run``
    (``--pretrained``) or ``none``, as tables.md's "pre-trained:" paragraph (written with the
    rows) says, else the ``pretrained/`` part's protocol.json. A ``pretrain/`` folder may be
    left over from an earlier call (the page credited a ``--pretrained`` row to it)."""
    para = next((b.value for b in blocks if b.kind == "p"
                 and str(b.value).startswith("pre-trained:")), None)
    if para is not None:
        return ("per_fold" if para.startswith("pre-trained: per fold") else
                "none" if para.startswith("pre-trained: not run") else "run")
    if not (d / "pretrained" / "protocol.json").is_file():
        return "none"
    pre = read_protocol(d / "pretrained").get("pretrained")
    return "per_fold" if isinstance(pre, dict) and "per_fold" in pre else "run" if pre else "none"


def _parts_used(source: str, results: pd.DataFrame) -> set[str]:
    """The parts the tables rest on: ``models/``, and the pre-trained ones of ``source``."""
    models = set(results["model"].astype(str)) if "model" in results else set()
    return {"models", *(["pretrained"] if source != "none" else []),
            *(["pretrained_vaecox"] if source == "per_fold" and "vaecox_pretrained" in models
              else [])}


def _pretrain_runs(d: Path) -> list[str]:
    """The per-fold pre-training runs in ``pretrain/`` (``r0_f0``, ...), in fold order."""
    pre = d / "pretrain"
    return sorted((r.name for r in pre.iterdir() if (r / "pretrained.pt").is_file()),
                  key=lambda n: (len(n), n)) if pre.is_dir() else []


_LEFT_OVER = "left over from an earlier call of other options: not in these tables"


def _parts_html(d: Path, out_dir: Path, source: str = "per_fold",
                used: set[str] | None = None) -> str:
    """Each part's folder, what it holds and the command that reports it (linked to its
    ``report.html`` where one was written); a part this ablation did not use (``used``,
    from ``source``: :func:`pretrained_source`) is said to be left over, and the per-fold
    pre-training's table is shown only where the tables rest on it."""
    rows = []
    for part in sorted(p for p in d.iterdir() if (p / "protocol.json").is_file()
                       and (p / "cells").is_dir()):
        what = _PARTS.get(part.name, "a part of the ablation") + " (a `genemoe benchmark` folder)"
        if used is not None and part.name not in used:
            what += f"; {_LEFT_OVER}"
        page = part / "report.html"
        link = (f' · <a href="{_href(page, out_dir)}">its report.html</a>' if page.is_file()
                else f' · <a href="{_href(part, out_dir)}/">the folder</a>')
        rows.append(f"<tr><td><code>{html.escape(part.name)}/</code></td><td>{_inline(what)}</td>"
                    f"<td><code>genemoe report {html.escape(str(part))}</code>{link}</td></tr>")
    pre = d / "pretrain"
    if runs := _pretrain_runs(d):
        what = ("the per-fold pre-training: one <code>genemoe pretrain</code> run per fold, and "
                "summary.csv" + ("" if source == "per_fold" else f"; {_LEFT_OVER}"))
        rows.append(f"<tr><td><code>pretrain/</code></td><td>{what}</td><td><code>"
                    f"genemoe report {html.escape(str(pre / runs[0]))}</code> (runs: "
                    f"{html.escape(', '.join(runs))})</td></tr>")
    if not rows:
        return "<p>No part of the ablation is in this folder (tables.md and results.csv only).</p>"
    parts = ("<p>Each part is a folder with its own report: every model's figures (confusion "
             "matrices or Kaplan–Meier curves, training curves), its cells and summary.md.</p>"
             "<table><tr><th>part</th><th>what it holds</th><th>its own report</th></tr>"
             + "".join(rows) + "</table>")
    return parts + (_pretrain_summary(pre / "summary.csv") if source == "per_fold" else "")


def _pretrain_summary(path: Path) -> str:
    """``pretrain/summary.csv``'s runs: the reconstruction against the per-gene mean and
    the collapse flag each † rests on."""
    if not path.is_file():
        return ""
    summary = pd.read_csv(path)
    cols = [c for c in ("run", "model", "epochs", "val_r2", "val_r_sample",
                        "val_r_sample_baseline", "collapsed", "dead_experts") if c in summary]
    return ("<h3>Per-fold pre-training (pretrain/summary.csv)</h3><p>val_r2: validation R² "
            "against the per-gene training mean; val_r_sample against val_r_sample_baseline: "
            "r across genes per sample, the model's and the mean's; dead_experts: – for a model "
            "without experts.</p>" + html_table(summary[cols]))


_FAMILIES = {"genemoe": "Gene-MOE", "vaecox": "VAE-Cox"}


def flagged_words(runs: pd.DataFrame) -> str:
    """``, 2 flagged as collapsed`` of ``pretrain/summary.csv``'s runs; per model where they
    are of several (``: Gene-MOE 2, 2 flagged as collapsed; VAE-Cox 2, 0 flagged``): a
    survival ablation's "4 runs, 2 flagged as collapsed" did not say whose, beside a table
    that marks only the pre-trained Gene-MOE †.

    Examples
    --------
    >>> flagged_words(pd.DataFrame({"model": ["genemoe", "vaecox"], "collapsed": [True, False]}))
    ': Gene-MOE 1, 1 flagged as collapsed; VAE-Cox 1, 0 flagged'
    """
    flags = (runs["collapsed"].fillna(False).astype(bool) if "collapsed" in runs
             else pd.Series(False, index=runs.index))
    models = runs["model"].astype(str) if "model" in runs else pd.Series("", index=runs.index)
    if models.nunique() <= 1:
        return f", {int(flags.sum())} flagged as collapsed"
    said = [f"{_FAMILIES.get(m, m)} {int((models == m).sum())}, {int(flags[models == m].sum())} "
            f"flagged" + (" as collapsed" if i == 0 else "")
            for i, m in enumerate(dict.fromkeys(models))]
    return ": " + "; ".join(said)


def _pretraining_words(d: Path, results: pd.DataFrame, source: str | None = None) -> str:
    """Where the pre-trained rows came from (``source``: :func:`pretrained_source`), and how
    many of their runs collapsed; per-fold runs left in ``pretrain/`` by an earlier call
    are said to be left over, not credited with the rows."""
    source = source or ("per_fold" if (d / "pretrain" / "summary.csv").is_file() else
                        "run" if "model" in results and results["model"].astype(str)
                        .str.endswith("_pretrained").any() else "none")
    summary = d / "pretrain" / "summary.csv"
    if source == "per_fold" and summary.is_file():
        runs = pd.read_csv(summary)
        return (f"per fold: {len(runs)} <code>genemoe pretrain</code> runs in pretrain/"
                + flagged_words(runs))
    left = (f"; the {len(old)} per-fold runs in pretrain/ are {_LEFT_OVER}"
            if (old := _pretrain_runs(d)) else "")
    if source == "per_fold":
        return "per fold (pretrain/summary.csv is missing)"
    if source == "run":
        run = _run_of(d)
        named = f" <code>{html.escape(run)}</code>" if run else ""
        return (f"from one <code>genemoe pretrain</code> run{named} (--pretrained; see the "
                f"paragraph below){left}")
    return "not run" + left


def _never_unfrozen_words(d: Path, source: str) -> str:
    """``; encoder frozen throughout in 2 of 2 fine-tunings (never fine-tuned: only the
    head trained)``: the cells of the pre-trained parts this ablation ran that record
    ``encoder_unfrozen`` False (``--freeze-encoder-epochs`` at or above the epochs trained);
    "" where none."""
    parts = {"none": [], "run": ["pretrained"]}.get(source, ["pretrained", "pretrained_vaecox"])
    pre = [(c.get("info") or {}).get("pretrained") or {} for part in parts
           if (d / part / "protocol.json").is_file() for c in load_cells(d / part)]
    frozen = [p for p in pre if p.get("freeze_encoder_epochs")]
    never = sum(p.get("encoder_unfrozen") is False for p in frozen)
    return (f"; encoder frozen throughout in {never} of {len(frozen)} fine-tunings (never "
            "fine-tuned: only the head trained)" if never else "")


def _run_of(d: Path) -> str | None:
    """The ``--pretrained`` run the ``pretrained/`` part fine-tuned from (its protocol.json)."""
    if not (d / "pretrained" / "protocol.json").is_file():
        return None
    pre = read_protocol(d / "pretrained").get("pretrained")
    return pre if isinstance(pre, str) else None


def clipped_words(d: Path) -> str:
    """What the folds' scalers clipped of the inputs, from the ``models/`` part's cells (as
    ``genemoe benchmark`` says it: each fold once, per input scaling); "" where nothing was
    clipped or the part is not there (the page never said it)."""
    part = d / "models"
    if not (part / "protocol.json").is_file() or not any((part / "cells").glob("*.json")):
        return ""  # (no cell: nothing to read, and a protocol without its models list)
    return "; ".join(clipped_lines(load_cells(part)))  # as genemoe benchmark says it


def _panel(*, blocks: list[Block], results: pd.DataFrame, p: dict, summary: dict,
           d: Path, figure: Figure | None) -> str:
    """The first screen: what was compared on which data, then the paper's table and its †
    notes, exactly as tables.md has them."""
    table = next((b for b in blocks if b.kind == "table"), None)
    notes = [b for b in blocks if b.kind == "p" and b.value.startswith(_PANEL_NOTES)]
    source = pretrained_source(blocks, d)  # what the rows rest on, not what pretrain/ holds
    n = summary.get("n_samples")
    data = (f"<code>{html.escape(Path(str(p.get('bundle_path'))).name)}</code>: {n:,} samples, "
            f"{summary.get('n_cancer_types', '?')} cancer types" if isinstance(n, int) else
            "the bundle's summary is not available")
    if summary.get("synthetic"):
        data += " · <strong>synthetic</strong> (genemoe.data.synthetic)"
    folds = (f"{p['n_folds']}-fold × {p['n_repeats']} repeat(s), the same folds for every model"
             if "n_folds" in p else "see tables.md")
    rows = [("data", data), ("protocol", html.escape(folds) + f" · preset <code>"
                                                               f"{html.escape(str(p.get('preset', '?')))}</code>"
                                                               + _cap_words(p.get("epochs"))),
            ("models", _models_ran(table_order(table.value), results) if table else "?"),
            *([("survival", html.escape(_survival_words(p)))] if p.get("task") == "survival"
              else []),
            ("pre-training", _pretraining_words(d, results, source)
             + _never_unfrozen_words(d, source)),
            *([("inputs", html.escape(clip))] if (clip := clipped_words(d)) else [])]
    facts = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    headline = (f"<p>{_HEADLINE}</p>" + (html_table(table.value) if table else "<p>tables.md "
                "holds no table.</p>") + "".join(f"<p>{_inline(b.value)}</p>" for b in notes))
    thumb = thumbnail(figure)
    return (f'<section class="summary" id="summary"><div class="facts"><h2 id="summary-heading">'
            f'Summary</h2><table class="facts-table">{facts}</table><div class="headline">'
            f"{headline}</div></div>{thumb}</section>")


# "over every test fold" was said above cells of "(1/2 folds; 1 degenerate)": the folds a
# cell leaves out (no score, a degenerate C) are said in the cell, and tables.md's paragraph
# on the C-index (_PANEL_NOTES) says why
_HEADLINE = ("The paper's table as tables.md has it: each cell the mean ± std over the test "
             "folds; where a cell says (k/n folds), over the k of n folds that had a score.")


# tables.md's paragraphs the first screen shows under the table: the † notes, the models
# that kept their last allowed epoch (the terminal said "may be undertrained"; the first
# screen showed the table alone, its protocol row no --epochs cap), and the preset's values
# chosen on samples that may sit in these test folds (a benchmark's first screen has that
# caveat; the ablation's had it in tables.md only)
_PANEL_NOTES = ("†", "Models that kept the last epoch allowed", "Preset values chosen on data",
                "Harrell's C-index of one",  # what "(k/n folds; d degenerate)" counts
                "Every model trained under one recipe",  # the claim the table rests on
                "The cells trained under different recipes")


def _cap_words(epochs: Any) -> str:
    """``, every fit capped at 3 epochs (--epochs)`` or '' (the preset's own epochs)."""
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs <= 0:
        return ""
    return f", every fit capped at {epochs} epoch{'s' * (epochs != 1)} (--epochs)"


def _models_ran(order: list[str], results: pd.DataFrame) -> str:
    """``3 (of the table's 4: the others not run)``: the table lists the pre-trained model
    when it was not run (the page said "models 4" of 3)."""
    ran = int(results["model"].nunique())
    return str(ran) + (f" (of the table's {len(order)}: the others not run)"
                       if len(order) > ran else "")


def _survival_words(p: dict[str, Any]) -> str:
    """``OS; 986 of 990 samples (left out: 4 without survival data)``: the endpoint and the
    samples the C-indices cover (the page gave the bundle's 990)."""
    samples = p.get("samples") or {}
    out = "; ".join(f"{n:,} {why}" for why, n in (samples.get("left_out") or {}).items())
    used = (f"{samples['n_used']:,} of {samples.get('n_bundle', 0):,} samples"
            if samples.get("n_used") is not None else "")
    return "; ".join(x for x in (str(p.get("endpoint") or "endpoint not recorded"), used) if x) \
        + (f" (left out: {out})" if out else "")


def _fold_table(results: pd.DataFrame, task: str, order: list[str]) -> str:
    """``results.csv``'s rows, the table's metrics per fold, models named as in the table."""
    shown = {n.removesuffix(MARK): n for n in order}
    metrics = (["accuracy", "macro_precision", "macro_recall", "macro_f1"] if task == "classify"
               else ["c_index", *sorted(c for c in results.columns if c.startswith("c_index_")
                                        and c not in ("c_index_lo", "c_index_hi"))])
    cols = [c for c in ("repeat", "fold", *metrics, "at_epoch_cap") if c in results]
    name = results["label"] if "label" in results else results["model"]
    table = results[cols].assign(model=name.astype(str).map(lambda k: shown.get(k, k)))
    return html_table(table[["model", *cols]])


def ablation_context(d: Path, plots: Path) -> dict[str, Any]:
    """The report's context (as :mod:`genemoe.report.html` renders it) of a finished
    ablation folder ``d``; the figure is written to ``plots`` (whose parent is the folder
    the page is written to: the parts are linked from there)."""
    blocks = markdown_blocks((d / "tables.md").read_text(encoding="utf-8"))
    results = pd.read_csv(d / "results.csv")
    p = read_protocol(d / "models") if (d / "models" / "protocol.json").is_file() else {}
    summary = p.get("bundle_summary") or bundle_info(p.get("bundle_path"), None)[0]
    title = next((b.value for b in blocks if b.kind == "h1"), "Gene-MOE ablation")
    task = p.get("task") or ("survival" if "Table II:" in title else "classify")
    table = next((b.value for b in blocks if b.kind == "table"), pd.DataFrame())
    order = table_order(table)
    metric = PRIMARY_METRIC[task]
    png = plot_fold_metric(results, metric, order=order, out_path=plots / "ablation_folds.png",
                           title=title)  # its SYNTHETIC DATA mark kept: a PNG travels alone
    figures = [Figure(png, f"{METRIC_NAMES.get(metric, metric)} of every test fold per model "
                           "(box: quartiles; points: folds)" + ("; † as in the table" if any(
                               n.endswith(MARK) for n in order) else "")
                           + degenerate_caption(results, metric), "metrics")
               ] if png is not None else []
    metrics = ("<h3>The tables (tables.md)</h3>" + blocks_html([b for b in blocks if b.kind != "h1"])
               + "<details><summary>Every fold (results.csv)</summary>"
               + _fold_table(results, task, order) + "</details>")
    protocol = {"what": "ablation (genemoe ablation): the Gene-MOE paper's "
                        + ("Table III" if task == "classify" else "Table II")
                        + " on identical folds", "task": task,
                "folds": p.get("n_folds"), "repeats": p.get("n_repeats"),
                "validation": (f"{p['val_fraction']:.0%} of each fold's training part"
                               if isinstance(p.get("val_fraction"), float) else None),
                "preset": p.get("preset"), "epochs": p.get("epochs") or "preset",
                "device": p.get("device"), "bundle": p.get("bundle_path")}
    seed, source = p.get("seed"), pretrained_source(blocks, d)
    return page_context(f"genemoe ablation — {title.removeprefix('Gene-MOE ablation — ')}"
                        .removesuffix(_SYNTHETIC),
                        synthetic=title.endswith(_SYNTHETIC) or summary.get("synthetic"),
                        summary=summary, record=p.get("bundle_record") or {}, protocol=protocol,
                        panel=_panel(blocks=blocks, results=results, p=p, summary=summary, d=d,
                                     figure=figures[0] if figures else None),
                        metrics=metrics, figures=figures, versions=p.get("versions") or {},
                        seeds={"fold, model and validation seeds": f"{seed} + repeat"}
                        if seed is not None else {},
                        parts=_parts_html(d, plots.parent, source, _parts_used(source, results)))
