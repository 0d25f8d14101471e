"""Plots of results: PNG files drawn from tables and arrays, never from models.

The first functions draw one figure each from plain arrays or tables and return the saved
path (or None when there is nothing to draw). :func:`benchmark_figures` and
:func:`run_figures` read a benchmark or run directory's stored results (cells, metrics,
predictions, histories) and draw every figure that applies. Matplotlib runs headless
(Agg backend).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator

from genemoe.data.bundle import atomic_file
from genemoe.evaluate.brier import probability_word
from genemoe.evaluate.metrics import macro_count_text
from genemoe.evaluate.p_values import fmt_p
from genemoe.evaluate.survival import logrank_test
from genemoe.evaluate.survival_tests import kaplan_meier_curve, stratified_logrank
from genemoe.explain.figures import new_subplots
from genemoe.report.calibration_words import calibration_words

__all__ = [
    "Figure", "plot_confusion_matrix", "plot_per_class_f1", "plot_km_by_type", "plot_metric_box",
    "plot_training_curves", "plot_expert_utilisation", "plot_reliability", "median_split_within",
    "benchmark_figures", "read_history", "remove_undrawn",
    "run_figures", "scored_rows", "NO_SPLIT",
]  # fmt: skip

log = logging.getLogger(__name__)

_SKIP_KEYS = {"epoch", "lr", "seconds"}


@dataclass(frozen=True)
class Figure:
    """A saved figure: where it is, what it shows, and the report section it belongs to."""

    path: Path
    caption: str
    section: str


def save_figure(fig: MplFigure, out_path: Path) -> Path:
    """Save ``fig`` as PNG (parent folders created; written whole, then renamed into place),
    return the path."""
    out_path = Path(out_path)
    with atomic_file(out_path, suffix=".png") as tmp:  # was written in place: a stop mid-write
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")  # left a cut PNG
    return out_path


# --------------------------------------------------------------------------- single figures
def plot_confusion_matrix(cm: np.ndarray, class_names: Sequence[str], *, out_path: Path,
                          title: str = "") -> Path:
    """Row-normalised confusion matrix ``(n_classes, n_classes)`` (rows true, columns predicted).

    Cells show the share of each true class; rows without samples stay empty (grey).
    """
    cm = np.asarray(cm, dtype=float)
    totals = cm.sum(1, keepdims=True)
    norm = np.divide(cm, totals, out=np.full_like(cm, np.nan), where=totals > 0)
    n = len(class_names)
    size = max(4.0, 0.38 * n + 2)
    fig, ax = new_subplots(figsize=(size + 1, size))
    im = ax.imshow(np.ma.masked_invalid(norm), cmap="Blues", vmin=0, vmax=1)
    ax.set_facecolor("0.85")
    ax.set_xticks(range(n), class_names, rotation=90, fontsize=8 if n > 12 else 10)
    ax.set_yticks(range(n), [f"{c} (n={int(t)})" for c, t in zip(class_names, totals[:, 0], strict=True)],
                  fontsize=8 if n > 12 else 10)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 15:
        for i in range(n):
            for j in range(n):
                if np.isfinite(norm[i, j]) and cm[i, j] > 0:
                    ax.text(j, i, f"{norm[i, j]:.2f}", ha="center", va="center", fontsize=8,
                            color="white" if norm[i, j] > 0.6 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, label="share of true class")
    ax.set_title(title)
    return save_figure(fig, out_path)


def plot_per_class_f1(f1: Mapping[str, float], *, out_path: Path, title: str = "",
                      err: Mapping[str, float] | None = None) -> Path:
    """Bars of per-class F1 (optionally with ± ``err``, e.g. the std over folds; a class
    missing from ``err``, or NaN there, gets no error bar: was ± 0, a spread of none)."""
    names = list(f1)
    vals = np.array([f1[c] for c in names], dtype=float)
    yerr = None if not err else np.array([err.get(c, np.nan) for c in names], dtype=float)
    fig, ax = new_subplots(figsize=(max(4.0, 0.35 * len(names) + 2), 3.5))
    ax.bar(range(len(names)), vals, yerr=yerr, color="tab:blue", capsize=2)
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return save_figure(fig, out_path)


def plot_reliability(tables: Mapping[str, Sequence[Mapping]], *, out_path: Path, title: str = "",
                     ece: Mapping[str, float] | None = None) -> Path | None:
    """Reliability diagram: accuracy against mean confidence per confidence bin.

    Parameters
    ----------
    tables
        ``{label: reliability table}`` (``metrics.json``'s ``reliability``: one
        ``{"lo", "hi", "confidence", "accuracy", "count"}`` per non-empty bin), e.g. one
        per split. Each is drawn as points sized by the bin's count, joined by a line; the
        diagonal is perfect calibration (below it: over-confident, above: under-confident).
    ece
        Optional ``{label: expected calibration error}`` for the legend.

    Returns
    -------
    Path or None
        None when no table has a bin.
    """
    tables = {k: list(v) for k, v in tables.items() if v}
    if not tables:
        return None
    fig, (ax, axh) = new_subplots(2, 1, figsize=(4.8, 5.6), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=1, label="perfect calibration")
    width = 1.0 / max(len(tables), 1)
    for i, (label, rows) in enumerate(tables.items()):
        conf = np.array([r["confidence"] for r in rows])
        acc = np.array([r["accuracy"] for r in rows])
        count = np.array([r["count"] for r in rows], float)
        text = label if not ece or label not in ece else f"{label} (ECE {ece[label]:.3f})"
        line = ax.plot(conf, acc, marker="o", lw=1.2, ms=3, label=text)[0]
        ax.scatter(conf, acc, s=15 + 120 * count / count.max(), color=line.get_color(), alpha=0.5)
        lo = np.array([r["lo"] for r in rows])
        hi = np.array([r["hi"] for r in rows])
        axh.bar(lo + (hi - lo) * width * i, count, width=(hi - lo) * width, align="edge",
                color=line.get_color(), alpha=0.7)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), ylabel="accuracy in bin", title=title)
    ax.legend(fontsize=7, loc="upper left")
    axh.set(xlabel="confidence (top-class probability)", ylabel="samples")
    return save_figure(fig, out_path)


def median_split_within(risk: np.ndarray, *blocks: np.ndarray) -> np.ndarray:
    """High-risk flag ``(n,)``: risk above the median of its block (e.g. fold × cancer type).

    Risks of different models (folds) are not on one scale, so each block is split alone.
    """
    risk = np.asarray(risk, dtype=float)
    keys = pd.MultiIndex.from_arrays([np.asarray(b) for b in blocks]) if blocks else None
    if keys is None:
        return risk > np.median(risk)
    med = pd.Series(risk).groupby(keys.to_flat_index().to_numpy()).transform("median").to_numpy()
    return risk > med


def plot_km_by_type(time: np.ndarray, event: np.ndarray, high: np.ndarray, groups: np.ndarray, *,
                    out_path: Path, title: str = "", endpoint: str | None = None) -> Path:
    """Kaplan–Meier curves of high vs low predicted risk: all samples, then each type.

    Parameters
    ----------
    time, event
        ``(n,)`` follow-up (days) and event indicator.
    high
        ``(n,)`` bool: above the median risk (see :func:`median_split_within`).
    groups
        ``(n,)`` cancer type; one panel per type, with the log-rank p in its title (one
        type: its panel alone, the all-types one would repeat it).
    endpoint
        The survival endpoint (``PFI``): the y-axis says ``PFI probability``; OS and an
        unknown endpoint ``survival``.
    """
    time, event, high = np.asarray(time, float), np.asarray(event, bool), np.asarray(high, bool)
    groups = np.asarray(groups, dtype=object)
    panels = [(str(g), groups == g) for g in sorted(set(groups))]
    if len(panels) != 1:  # one type: "all types" was that type again
        panels.insert(0, ("all types", np.ones(time.size, bool)))
    n_col = min(4, len(panels))
    n_row = -(-len(panels) // n_col)
    fig, axes = new_subplots(n_row, n_col, figsize=(3.4 * n_col, 2.9 * n_row), squeeze=False)
    for ax, (name, m) in zip(axes.flat, panels, strict=False):  # all types: stratified by type
        _km_panel(ax, time[m], event[m], high[m], name,
                  strata=groups if name == "all types" and len(panels) > 2 else None,
                  ylabel=probability_word(endpoint))
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out_path)


def _km_panel(ax: Axes, time: np.ndarray, event: np.ndarray, high: np.ndarray, name: str,
              strata: np.ndarray | None = None, ylabel: str = "survival") -> None:
    """Both halves' curves to their last follow-up, a tick at each censoring (the curves
    stopped at the last death, hiding later follow-up); the log-rank p, stratified by
    ``strata`` (cancer type) where given: the pooled test also carries the types' own
    survival differences."""
    for flag, colour, label in ((False, "tab:blue", "low risk"), (True, "tab:red", "high risk")):
        m = high == flag
        if not m.any():
            continue
        t, s = kaplan_meier_curve(time[m], event[m])
        ax.step(np.r_[0, t], np.r_[1, s], where="post", color=colour,
                label=f"{label} (n={int(m.sum())})")
        cens = np.unique(time[m][~event[m]])
        ax.plot(cens, s[np.searchsorted(t, cens)], "|", color=colour, ms=4, mew=0.8)
    try:
        if strata is not None:
            p = stratified_logrank(time, event, high, strata)["p_value"]
            ax.set_title(f"{name}: log-rank p={fmt_p(p)}\n(stratified by type)", fontsize=9)
        else:
            p = logrank_test(time, event, high)["p_value"]
            ax.set_title(f"{name}: log-rank p={fmt_p(p)}", fontsize=9)
    except ValueError:  # one group, or no event
        ax.set_title(f"{name}: log-rank n/a", fontsize=9)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("days", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.legend(fontsize=7, loc="lower left")


def plot_metric_box(results: pd.DataFrame, metric: str, *, out_path: Path, title: str = "",
                    by: str = "model", label: str | None = None) -> Path | None:
    """Box plot of ``metric`` across folds (one box per ``by`` value, points overlaid);
    ``label``: the y-axis's name of the metric (default ``metric`` itself)."""
    if metric not in results.columns:
        return None
    order = list(dict.fromkeys(results[by]))
    data = [results.loc[results[by] == k, metric].dropna().to_numpy() for k in order]
    if not any(len(d) for d in data):
        return None
    fig, ax = new_subplots(figsize=(max(4.0, 0.9 * len(order) + 1.5), 3.6))
    ax.boxplot(data, widths=0.5)
    ax.set_xticks(range(1, len(order) + 1), order, rotation=30 if len(order) > 4 else 0)
    rng = np.random.default_rng(0)
    for i, d in enumerate(data, start=1):
        ax.scatter(i + rng.uniform(-0.08, 0.08, len(d)), d, s=14, color="tab:orange", zorder=3)
    if metric.startswith("c_index"):
        ax.axhline(0.5, color="0.5", ls="--", lw=1)
    ax.set_ylabel(label or metric)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return save_figure(fig, out_path)


def _curve_keys(histories: Sequence[Sequence[dict]]) -> list[str]:
    keys: dict[str, None] = {}
    for hist in histories:
        for rec in hist:
            for k, v in rec.items():
                if k not in _SKIP_KEYS and not k.startswith("stats/") and isinstance(v, int | float):
                    keys[k] = None
    return list(keys)


def plot_training_curves(histories: Sequence[Sequence[dict]], *, out_path: Path, title: str = "",
                         labels: Sequence[str] | None = None) -> Path | None:
    """Every loss component per epoch (one panel each; one line per history, e.g. per fold).

    Panels: ``train_loss``, ``val_loss``, ``val_metric`` and every ``loss/*`` and ``aux/*``
    term the trainer logged. None when no history has a record.
    """
    keys = _curve_keys(histories)
    if not keys:
        return None
    n_col = min(3, len(keys))
    n_row = -(-len(keys) // n_col)
    fig, axes = new_subplots(n_row, n_col, figsize=(3.6 * n_col, 2.6 * n_row), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        for i, hist in enumerate(histories):
            pts = [(r["epoch"], r[key]) for r in hist if isinstance(r.get(key), int | float)]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker=".", label=labels[i] if labels else None)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes.flat[len(keys):]:
        ax.axis("off")
    if labels and len(histories) > 1:
        axes.flat[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out_path)


def plot_expert_utilisation(history: Sequence[dict], *, out_path: Path, title: str = "") -> Path | None:
    """Share of samples routed to each expert, per epoch, for every MoE layer (heatmaps).

    Reads the ``stats/<layer>/load`` lists the trainer logs; None when there are none
    (a model without experts).
    """
    layers = sorted({k.removesuffix("/load") for r in history for k, v in r.items()
                     if k.startswith("stats/") and k.endswith("/load") and isinstance(v, list)})
    if not layers:
        return None
    fig, axes = new_subplots(1, len(layers), figsize=(4.2 * len(layers), 3.4), squeeze=False)
    for ax, layer in zip(axes.flat, layers, strict=True):
        recs = [r for r in history if isinstance(r.get(f"{layer}/load"), list)]
        load = np.array([r[f"{layer}/load"] for r in recs], dtype=float)  # (n_epochs, n_experts)
        im = ax.imshow(load.T, aspect="auto", cmap="viridis", vmin=0,
                       extent=(recs[0]["epoch"] - 0.5, recs[-1]["epoch"] + 0.5, load.shape[1] - 0.5, -0.5))
        dead = recs[-1].get(f"{layer}/load_dead_experts")
        ax.set_title(layer.removeprefix("stats/") + ("" if dead is None else f" (dead experts: {dead})"),
                     fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("expert")
        fig.colorbar(im, ax=ax, fraction=0.046, label="share of samples routed")
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out_path)


# --------------------------------------------------------------------------- directories
def _confusion(true: Sequence[str], pred: Sequence[str], class_names: Sequence[str]) -> np.ndarray:
    idx = {c: i for i, c in enumerate(class_names)}
    cm = np.zeros((len(class_names), len(class_names)), dtype=np.int64)
    np.add.at(cm, ([idx[t] for t in true], [idx[p] for p in pred]), 1)
    return cm


def _pooled_reliability(tables: list[list[dict]]) -> list[dict]:
    """Reliability tables of several folds pooled bin by bin (same bins: exact)."""
    bins: dict[tuple[float, float], list[float]] = {}
    for rows in tables:
        for r in rows:
            acc = bins.setdefault((r["lo"], r["hi"]), [0.0, 0.0, 0.0])
            acc[0] += r["count"] * r["confidence"]
            acc[1] += r["count"] * r["accuracy"]
            acc[2] += r["count"]
    return [{"lo": lo, "hi": hi, "confidence": c / n, "accuracy": a / n, "count": int(n)}
            for (lo, hi), (c, a, n) in sorted(bins.items()) if n > 0]


def _model_figures(model: str, cells: list[dict], class_names: list[str], plot_dir: Path, *,
                   endpoint: str | None = None) -> list[Figure]:
    """Confusion matrix or KM curves (pooled test folds; ``endpoint`` names their y-axis),
    training curves, expert use."""
    figs: list[Figure] = []
    n = len(cells)
    folds = f"{n} test fold{'s' * (n != 1)}"  # "1 test folds pooled" in three of four places
    if cells[0]["task"] == "classify":
        true = [t for c in cells for t in c["test"]["cancer_type"]]
        pred = [p for c in cells for p in c["test"]["predicted"]]
        path = plot_confusion_matrix(_confusion(true, pred, class_names), class_names,
                                     out_path=plot_dir / f"confusion_{model}.png",
                                     title=f"{model}: {folds} summed (n={len(true)})")
        figs.append(Figure(path, f"{model}: normalised confusion matrix, {folds} summed",
                           "classification"))
        pooled = _pooled_reliability([c["metrics"].get("reliability") or [] for c in cells])
        path = plot_reliability({folds.split(" ", 1)[1]: pooled}, out_path=plot_dir / f"reliability_{model}.png",
                                title=f"{model}: calibrated probabilities, {folds} pooled")
        if path:
            figs.append(Figure(path, f"{model}: reliability diagram (accuracy against confidence, "
                                     f"15 bins), {folds} pooled; {calibration_words(cells, model)}",
                               "classification"))
    else:
        arr = {k: np.concatenate([np.asarray(c["test"][k]) for c in cells]) for k in
               ("time", "event", "risk", "cancer_type")}
        block = np.concatenate([np.full(len(c["test"]["risk"]), i) for i, c in enumerate(cells)])
        high = median_split_within(arr["risk"], block, arr["cancer_type"])
        path = plot_km_by_type(arr["time"], arr["event"].astype(bool), high, arr["cancer_type"],
                               out_path=plot_dir / f"km_{model}.png", endpoint=endpoint,
                               title=f"{model}: high vs low risk (median split within fold and type)")
        figs.append(Figure(path, f"{model}: Kaplan–Meier curves of high vs low predicted risk, "
                                 f"{folds} pooled, log-rank p per panel", "survival"))
    hist = [c["history"] for c in cells if c.get("history")]
    labels = [f"r{c['repeat']}f{c['fold']}" for c in cells if c.get("history")]
    path = plot_training_curves(hist, labels=labels, out_path=plot_dir / f"training_{model}.png",
                                title=f"{model}: training curves per fold")
    if path:
        figs.append(Figure(path, f"{model}: every loss component per epoch, one line per fold", "training"))
    if hist:
        path = plot_expert_utilisation(hist[0], out_path=plot_dir / f"experts_{model}.png",
                                       title=f"{model}: expert utilisation ({labels[0]})")
        if path:
            figs.append(Figure(path, f"{model}: share of samples routed to each expert per epoch "
                                     f"(repeat/fold {labels[0]})", "training"))
    return figs


def benchmark_figures(bench_dir: Path | str, *, plot_dir: Path | None = None,
                      cells: list[dict] | None = None) -> list[Figure]:
    """Every figure of a benchmark directory, drawn from its stored cells.

    Box plots of the main metrics across folds; per model a confusion matrix (summed over
    folds) and per-class F1 bars, or Kaplan–Meier curves per cancer type; training curves
    and expert utilisation where histories exist. Saved under ``plot_dir``
    (default ``BENCH/plots``). ``cells``: those already read (``load_cells``), so that a
    damaged cell file is not warned of twice (the report read them, then read them again).
    """
    from genemoe.evaluate.benchmark_files import load_cells, read_protocol
    from genemoe.evaluate.benchmark_tables import results_table

    bench_dir = Path(bench_dir)
    plot_dir = plot_dir or bench_dir / "plots"
    protocol = read_protocol(bench_dir)
    if cells is None:
        cells = load_cells(bench_dir, n_repeats=protocol["n_repeats"])
    if not cells:
        return []
    results, task = results_table(cells), protocol["task"]
    figs = []
    for metric in (("macro_f1", "accuracy") if task == "classify" else ("c_index",)):
        name = _BOX_NAMES.get(metric, metric)
        path = plot_metric_box(results, metric, out_path=plot_dir / f"box_{metric}.png",
                               title=f"{name} of every test fold", label=name)
        if path:
            figs.append(Figure(path, f"{name} of every model's test folds (box: quartiles; "
                                     f"points: folds{_folds_words(results, metric)})"
                               + _macro_words(results, metric), "metrics"))
    for model in dict.fromkeys(c["model"] for c in cells):
        mc = [c for c in cells if c["model"] == model]
        figs += _model_figures(model, mc, protocol["class_names"], plot_dir,
                               endpoint=protocol.get("endpoint"))
        if task == "classify":
            sub = results.loc[results["model"] == model].filter(like="f1_")
            sub.columns = [c.removeprefix("f1_") for c in sub.columns]
            mean, spread = sub.mean().dropna(), sub.std(ddof=1).dropna()  # NaN: one fold
            one = " (one fold: no spread)" if len(sub) < 2 else (  # was ± 0 (fillna(0))
                "; no bar: a class with one fold's F1" if len(spread) < len(mean) else "")
            path = plot_per_class_f1(mean.to_dict(), err=spread.to_dict(),
                                     out_path=plot_dir / f"f1_{model}.png",
                                     title=f"{model}: per-class F1 (mean ± std over folds)"
                                     if len(sub) > 1 else f"{model}: per-class F1, one fold")
            figs.append(Figure(path, f"{model}: per-class F1, mean ± std over folds{one}"
                               if len(sub) > 1 else f"{model}: per-class F1{one}",
                               "classification"))
    remove_undrawn(plot_dir, figs)
    return figs


_BOX_NAMES = {"macro_f1": "macro-F1", "accuracy": "accuracy", "c_index": "C-index"}


def _folds_words(results: pd.DataFrame, metric: str) -> str:
    """``; folds per model: logreg 4, genemoe 3`` where the models' boxes hold different
    numbers of folds (an interrupted run, a fold without a value), else ''."""
    counts = results.groupby("model", sort=False)[metric].count()
    if counts.nunique() <= 1:
        return ""
    return "; folds per model: " + ", ".join(f"{m} {n}" for m, n in counts.items())


def _macro_words(results: pd.DataFrame, metric: str) -> str:
    """``; each fold's macro-F1 over 31–33 of 33 types`` (those its test part holds or a
    model predicts there: ``f1_<type>`` columns) for the macro-F1 box, else ''."""
    f1 = results[[c for c in results.columns if c.startswith("f1_")]]
    text = macro_count_text(f1.notna().sum(axis=1).tolist(), f1.shape[1]) if (
        metric == "macro_f1" and not f1.empty) else ""
    return f"; each fold's macro-F1 over {text}" if text else ""


# the names of benchmark_figures' files: <kind>_<metric or model>.png
_BENCHMARK_FIGURES = ("box_", "confusion_", "reliability_", "km_", "training_", "experts_", "f1_")


def remove_undrawn(plot_dir: Path, drawn: Sequence[Figure]) -> list[str]:
    """Remove the benchmark figures in ``plot_dir`` that were not ``drawn`` now (an earlier
    run's: of models or a task this benchmark no longer holds), saying which; returns their
    names. A rerun with fewer ``--models`` left their confusion matrices beside the new
    figures, read as this run's."""
    keep = {f.path.resolve() for f in drawn}
    stale = sorted(p for p in Path(plot_dir).glob("*.png")
                   if p.name.startswith(_BENCHMARK_FIGURES) and p.resolve() not in keep)
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        names = [p.name for p in stale]
        log.warning("%s: removed %d figure%s this benchmark's cells do not draw (an earlier "
                    "run's): %s", plot_dir, len(names), "s" * (len(names) != 1),
                    ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else ""))
    return [p.name for p in stale]


def read_history(path: Path) -> list[dict]:
    """The records of a ``history.jsonl`` (one per epoch); ``[]`` when there is none."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _reliability_figure(metrics: dict, model: str, plot_dir: Path) -> list[Figure]:
    """The run's reliability diagram (validation and test), from ``metrics.json``."""
    splits = [s for s in ("val", "test") if (metrics.get(s) or {}).get("reliability")]
    path = plot_reliability({s: metrics[s]["reliability"] for s in splits},
                            ece={s: metrics[s]["ece"] for s in splits if "ece" in metrics[s]},
                            out_path=plot_dir / "reliability.png",
                            title=f"{model}: calibrated probabilities")
    if path is None:
        return []
    return [Figure(path, "reliability diagram: accuracy against confidence per bin (15 bins; the "
                         "temperature was fitted on the validation split), with the expected "
                         "calibration error", "classification")]


# predictions.tsv written by hand or by an older genemoe may lack the split column
NO_SPLIT = ("every row of predictions.tsv (it has no split column, so training rows "
            "may be among them)")


def scored_rows(pred: pd.DataFrame, path: Path | str = "predictions.tsv") -> tuple[pd.DataFrame, str]:
    """The test rows of a run's predictions table and the words naming them in captions.

    Parameters
    ----------
    pred
        The run's ``predictions.tsv`` as read.
    path
        Its path, for the warning.

    Returns
    -------
    tuple of DataFrame and str
        ``(rows where split == "test", "test split")``; a table without a ``split`` column
        (built by hand, or by an older version) gives every row and :data:`NO_SPLIT`, warned
        of, so the figures are drawn and say what they show rather than failing.
    """
    if "split" in pred.columns:
        return pred[pred["split"] == "test"], "test split"
    log.warning("%s has no split column: its figures show all %d rows, not the test split "
                "alone (add a split column of train/val/test to draw that)", path, len(pred))
    return pred, NO_SPLIT


def run_figures(run_dir: Path | str, *, plot_dir: Path | None = None,
                model: str | None = None) -> list[Figure]:
    """Every figure of a ``genemoe train`` run directory (test split; history), no model load.
    ``model``: the name in the titles (default: config.yaml's, else the folder's name)."""
    import yaml

    run_dir = Path(run_dir)
    plot_dir = plot_dir or run_dir / "plots"
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text()) if (run_dir / "config.yaml").exists() else {}
    metrics = json.loads((run_dir / "metrics.json").read_text())
    model = model or cfg.get("model", run_dir.name)
    pred = pd.read_csv(run_dir / "predictions.tsv", sep="\t")
    test, part = scored_rows(pred, run_dir / "predictions.tsv")
    shown = "test split" if part == "test split" else "all rows, no split column"
    figs: list[Figure] = []
    col = "predicted_type" if "predicted_type" in test.columns else "predicted"  # runs before 12-05
    if col in test.columns:
        names = [c.removeprefix("prob_") for c in pred.columns if c.startswith("prob_")]
        cm = _confusion(test["cancer_type"].astype(str), test[col].astype(str), names)
        figs.append(Figure(plot_confusion_matrix(cm, names, out_path=plot_dir / "confusion.png",
                                                 title=f"{model}: {shown} (n={len(test)})"),
                           f"normalised confusion matrix, {part}", "classification"))
        f1 = {k: v["f1"] for k, v in metrics["test"]["per_class"].items() if v["support"] > 0}
        figs.append(Figure(plot_per_class_f1(f1, out_path=plot_dir / "f1.png", title=f"{model}: per-class F1"),
                           "per-class F1, test split", "classification"))
        figs += _reliability_figure(metrics, model, plot_dir)
    elif "risk" in test.columns and len(test):
        ct = test["cancer_type"].to_numpy(object)
        high = median_split_within(test["risk"].to_numpy(float), ct)
        one = len(set(ct)) == 1  # "stratified by type" and "each type" of one type
        figs.append(Figure(plot_km_by_type(test["time"].to_numpy(float), test["event"].to_numpy(bool), high, ct,
                                           out_path=plot_dir / "km.png",
                                           endpoint=metrics.get("protocol", {}).get("endpoint"),
                                           title=f"{model}: high vs low risk (median split"
                                                 f"{'' if one else ' within type'})"),
                           f"Kaplan–Meier curves of high vs low predicted risk, {part}: "
                           + ("split at the median risk; log-rank p" if one else
                              "each cancer type split at its own median risk (the all-types "
                              "panel pools those halves, log-rank stratified by type); "
                              "log-rank p per panel"), "survival"))
    members = sorted(run_dir.glob("member*/history.jsonl"),  # an ensemble's: its members'
                     key=lambda p: int(p.parent.name[6:] or 0) if p.parent.name[6:].isdigit() else 0)
    hists = ([read_history(p) for p in members] if members and not (run_dir / "history.jsonl").exists()
             else [read_history(run_dir / "history.jsonl")])
    hist = hists[0]
    path = plot_training_curves(hists, out_path=plot_dir / "training.png", title=f"{model}: training curves",
                                labels=[p.parent.name for p in members] if len(hists) > 1 else None)
    if path:
        figs.append(Figure(path, "every loss component per epoch" + (
            f" (one line per member of {len(hists)})" if len(hists) > 1 else ""), "training"))
    path = plot_expert_utilisation(hist, out_path=plot_dir / "experts.png", title=f"{model}: expert utilisation")
    if path:
        figs.append(Figure(path, "share of samples routed to each expert per epoch"
                           + (f" ({members[0].parent.name})" if len(hists) > 1 else ""), "training"))
    return figs
