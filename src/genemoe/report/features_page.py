"""``genemoe report`` on a ``genemoe features`` folder: what the latent-feature analysis
(paper Fig. 8) found, on one page.

Everything is read from the folder as :mod:`genemoe.workflows.features` wrote it:
``summary.json`` (every number and the notes, the pre-training collapse warning among
them), ``strong_genes.tsv`` (the strongest genes, with symbols) and the figures that
``genemoe features`` drew (``correlation_heatmap.png``, ``real_vs_reconstructed_<method>.png``),
embedded as they are: nothing is redrawn or recomputed and no model is run. ``summary.json``
is written last, so a folder without it is an unfinished analysis (refused by
:func:`genemoe.report.damaged.not_reportable`); a file missing or cut short since is said on
the page, beside the others' paths.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.report.first_screen import thumbnail
from genemoe.report.html_parts import html_table, kv_table, page_context
from genemoe.report.plots import Figure
from genemoe.report.sources import bundle_info
from genemoe.report.text import fmt_count, fmt_value

__all__ = ["FEATURES_MARKS", "is_features_dir", "features_context", "strong_genes_rows",
           "feature_figures_found"]

# files only a `genemoe features` folder holds (written before summary.json, which is last)
FEATURES_MARKS = ("latent_gene_correlation.npy", "leading_features.tsv", "gene_correlation.tsv")
TOP_ROWS = 20  # rows of the strongest genes shown (strong_genes.tsv holds them all)
# notes of summary.json that are warnings (the analysis logged them as such)
_WARNINGS = ("the pre-training collapsed", "reconstructions collapsed",
             "the reconstructions crowd together")  # the last: an earlier genemoe's
# what each file holds, where summary.json's "files" does not say
_FILE_TEXT = {"summary.json": "every number, the notes and the figures (JSON)",
              "gene_correlation.tsv": "every gene: gene_id, symbol, mean |r|, column of r "
                                      "(sorted by mean |r|)",
              "leading_features.tsv": "rank, latent index and variance of each leading feature",
              "correlation_heatmap.png": "the heat map (under Figures)"}
# summary.json's entries shown in their own tables, not in the numbers' table
_OWN_TABLES = ("run", "top_genes", "files", "figures", "notes", "reconstruction",
               "leading_features", "leading_variance", "genes_missing")


def is_features_dir(d: Path) -> bool:
    """A finished ``genemoe features`` folder: ``summary.json`` (written last) beside one of
    the files only the analysis writes (:data:`FEATURES_MARKS`)."""
    return (d / "summary.json").is_file() and any((d / f).is_file() for f in FEATURES_MARKS)


def _png_whole(path: Path) -> bool:
    """Whether ``path`` is a whole PNG (its signature first, its ``IEND`` chunk last): a
    copy cut short would be embedded as a broken image."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-12:]


def feature_figures_found(d: Path, summary: dict[str, Any]) -> tuple[list[Figure], list[str]]:
    """The figures ``genemoe features`` drew into ``d``, captioned, and what is wrong with
    those it did not leave whole (listed in ``summary.json`` but gone, or cut short).

    Returns
    -------
    tuple
        ``(figures, problems)``: the heat map first, then each embedding's figure.
    """
    listed = {Path(str(p)).name for p in summary.get("figures") or []}
    rec = summary.get("reconstruction") or {}
    names = ["correlation_heatmap.png", *(f"real_vs_reconstructed_{m}.png"
                                          for m in rec.get("embeddings") or [])]
    names += sorted(p.name for p in d.glob("real_vs_reconstructed_*.png") if p.name not in names)
    figures, problems = [], []
    for name in names:
        path = d / name
        if not path.is_file():
            if name in listed:
                problems.append(f"{name} is listed in summary.json but not in the folder")
            continue
        if not _png_whole(path):
            problems.append(f"{name} is cut short or damaged (not embedded)")
            continue
        section = ("real_vs_reconstructed" if name.startswith("real_vs_")
                   else "latent_gene_correlation")  # headed "Real vs reconstructed"...
        figures.append(Figure(path, _caption(name, summary), section))
    return figures, problems


# what `genemoe features` checked of every analysed sample (it refuses the others); the
# page said which split, never that the run had not seen them
HELD_OUT = ("held out: the run never trained or validated on them, nor on other samples of "
            "their patients")


def _caption(name: str, summary: dict[str, Any]) -> str:
    if name == "correlation_heatmap.png":
        return (f"Pearson r of the {summary.get('n_features', '?')} leading latent features "
                f"with the top {summary.get('n_heatmap_genes', '?')} genes by mean |r| (* above "
                f"{summary.get('threshold', '?')}), on {_samples_words(summary)} (held out)")
    method = name.removeprefix("real_vs_reconstructed_").removesuffix(".png")
    rec = summary.get("reconstruction") or {}
    mix = (rec.get("mixing") or {}).get(method) or {}
    score = (f"; k-NN mixing {fmt_value(mix.get('score'))} ({fmt_value(rec.get('expected_if_mixed'))}"
             " if mixed, 0 if separate)" if mix else "")
    shown = {"tsne": "t-SNE", "umap": "UMAP"}.get(method, method)
    return (f"{shown} of {_samples_words(summary)} (held out) and their reconstructions "
            f"(colour: cancer type; marker: real or reconstructed){score}")


def strong_genes_rows(d: Path, summary: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    """The strongest genes (at most :data:`TOP_ROWS`) and where they come from.

    ``strong_genes.tsv`` (genes above the threshold); when no gene is above it, the top of
    ``gene_correlation.tsv``; when the files are missing, ``summary.json``'s ``top_genes``.

    Returns
    -------
    tuple
        ``(table, words)``: columns ``rank``, ``symbol``, ``gene_id``, ``mean |r|``; and a
        sentence saying what the table is.
    """
    n, cut = summary.get("n_strong_genes"), summary.get("threshold")
    read = {"sep": "\t", "dtype": {"gene_id": str, "symbol": str}, "keep_default_na": False}
    if (d / "strong_genes.tsv").is_file():
        table = pd.read_csv(d / "strong_genes.tsv", **read)
        words = (f"{fmt_count(len(table))} gene{'s have' if len(table) != 1 else ' has'} a "
                 f"mean |r| above {cut} over the leading features (strong_genes.tsv)")
        if isinstance(n, int) and len(table) != n:  # a copy cut short parses to fewer rows
            words += (f"; summary.json says {fmt_count(n)}: strong_genes.tsv may be cut short "
                      "(re-run `genemoe features`)")
        if len(table) or not (d / "gene_correlation.tsv").is_file():
            return _ranked(table), words + (f"; the top {TOP_ROWS}:" if len(table) > TOP_ROWS
                                            else ":")
        return (_ranked(pd.read_csv(d / "gene_correlation.tsv", **read)),
                f"No gene has a mean |r| above {cut}; the genes with the highest mean |r| "
                "(gene_correlation.tsv):")
    top = pd.DataFrame(summary.get("top_genes") or [], columns=["gene_id", "symbol", "mean_abs_r"])
    return _ranked(top), (f"strong_genes.tsv is missing: the {len(top)} genes with the highest "
                          f"mean |r| as summary.json keeps them ({fmt_count(n)} above {cut}):")


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The first :data:`TOP_ROWS` rows ranked, each mean |r| as text to 3 fixed decimals (the
    page's ``.4g`` showed 0.835 beside 0.8247); a value that is no number is shown as read."""
    top = table.head(TOP_ROWS).reset_index(drop=True)
    r = top["mean_abs_r"] if "mean_abs_r" in top else pd.Series([None] * len(top), dtype=object)
    return pd.DataFrame({"rank": range(1, len(top) + 1), "symbol": top.get("symbol", ""),
                         "gene_id": top.get("gene_id", ""), "mean |r|": r.map(_r_text)})


def _r_text(v: Any) -> str:
    """``0.800`` for 0.8 (any real number, given as text or not); ``–`` when missing; any
    other value as read."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return "–"
    try:
        return fmt_value(float(v))
    except (TypeError, ValueError):
        return str(v)


def _big(label: str, value: str, extra: str = "") -> str:
    return (f'<div class="metric"><span class="label">{html.escape(label)}</span>'
            f'<span class="value">{html.escape(value)}</span>'
            f'<span class="extra">{html.escape(extra)}</span></div>')


def _run_words(summary: dict[str, Any]) -> str:
    run = summary.get("run") or {}
    path = run.get("path")
    gone = "" if path and Path(path).exists() else " (not found now)"
    return (f"a <code>genemoe {html.escape(str(run.get('kind', '?')))}</code> run (model "
            f"<code>{html.escape(str(run.get('model_name', '?')))}</code>): <code>"
            f"{html.escape(str(path))}</code>{gone}")  # was "a genemoe train run of genemoe"


def _samples_words(summary: dict[str, Any], split: str | None = None) -> str:
    """``the test split's 64 samples``, or ``30 of the test split's 64 samples (drawn, seed
    0)`` where ``--max-samples`` drew some (it said "the test split's 30 samples")."""
    split = split or html.escape(str(summary.get("split", "?")))
    n, of = summary.get("n_samples"), summary.get("n_available")
    if not isinstance(n, int) or not isinstance(of, int) or n >= of:
        return f"the {split} split's {fmt_count(n)} samples"
    return (f"{fmt_count(n)} of the {split} split's {fmt_count(of)} samples (drawn by "
            f"--max-samples {summary.get('max_samples', '?')}, seed {summary.get('seed', '?')})")


def _data_words(summary: dict[str, Any], bundle: dict[str, Any]) -> str:
    n_genes, missing = summary.get("n_genes"), summary.get("n_genes_missing") or 0
    split = f"<strong>{html.escape(str(summary.get('split', '?')))}</strong>"
    words = (f"<code>{html.escape(Path(str(summary.get('bundle'))).name)}</code>: "
             f"{_samples_words(summary, split)} × {fmt_count(n_genes)} genes of the run"
             + (f" ({fmt_count(missing)} missing from the bundle, filled)" if missing else ""))
    if bundle.get("n_samples") is not None:
        words += (f" · the bundle: {fmt_count(bundle['n_samples'])} samples, "
                  f"{bundle.get('n_cancer_types', '?')} cancer types")
    synthetic = summary.get("synthetic") or bundle.get("synthetic")
    return words + (" · <strong>SYNTHETIC DATA</strong> (genemoe.data.synthetic)" if synthetic
                    else " · real data")


def _genes_words(summary: dict[str, Any]) -> str:
    """``19,267 genes correlated (133 constant left out of the run's 19,400)``: it said "of
    19,400 genes" with 133 constant genes left out; an earlier summary: the run's genes."""
    n, constant = summary.get("n_genes_correlated"), summary.get("n_genes_constant") or 0
    if n is None:
        return f"{fmt_count(summary.get('n_genes'))} genes"
    return f"{fmt_count(n)} genes correlated" + (
        f" ({fmt_count(constant)} constant left out of the run's "
        f"{fmt_count(summary.get('n_genes'))})" if constant else "")


def _panel(summary: dict[str, Any], bundle: dict[str, Any], genes: pd.DataFrame,
           figures: list[Figure]) -> str:
    """The first screen: what was analysed, the strong genes and the mixing score, the
    warnings the analysis gave (a collapsed pre-training first)."""
    rec = summary.get("reconstruction") or {}
    rows = [("analysed", _run_words(summary)), ("data", _data_words(summary, bundle)),
            ("analysis", html.escape(
                f"{summary.get('n_features', '?')} leading latent features of "
                f"{summary.get('latent', '?')} (highest variance); strong genes: mean |r| > "
                f"{summary.get('threshold', '?')}; seed {summary.get('seed', '?')}"
                + (f"; k-NN mixing with k = {rec.get('k')}" if rec else "")))]
    facts = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    headline = _big("strong genes", fmt_count(summary.get("n_strong_genes")),
                    f"mean |r| > {summary.get('threshold')} · of {_genes_words(summary)}")
    headline += _big("mean |r|, every gene correlated",
                     fmt_value(summary.get("mean_abs_r_all_genes")))
    gene = (rec.get("mixing") or {}).get("gene_space")
    if gene:
        headline += _big("k-NN mixing, gene space", fmt_value(gene.get("score")),
                         f"{fmt_value(rec.get('expected_if_mixed'))} if mixed, 0 if separate · "
                         f"real {fmt_value(gene.get('real'), 2)}, reconstructed "
                         f"{fmt_value(gene.get('reconstructed'), 2)}")
    if len(genes):
        headline += "<p>Strongest: " + html.escape(", ".join(  # r: _ranked's text already
            f"{sym or gid} ({r})" for sym, gid, r in  # (fmt_value of it gave "–" for each)
            zip(genes["symbol"].head(5), genes["gene_id"].head(5), genes["mean |r|"].head(5),
                strict=True))
        ) + "</p>"
    headline += "".join(f'<p class="val"><strong>WARNING:</strong> {html.escape(w)}</p>'
                        for w in summary.get("notes") or [] if w.startswith(_WARNINGS))
    if not rec:
        headline += ("<p class=\"val\">No reconstruction: the run's model has no decoder (a "
                     "<code>genemoe pretrain</code> run gives the embedding and mixing score)."
                     "</p>")
    thumb = thumbnail(next((f for f in figures if f.section == "latent_gene_correlation"), None))
    return (f'<section class="summary" id="summary"><div class="facts"><h2 id="summary-heading">'
            f'Summary</h2><table class="facts-table">{facts}</table><div class="headline">'
            f"{headline}</div></div>{thumb}</section>")


def _mixing_html(rec: dict[str, Any]) -> str:
    if not rec:
        return "<p>No reconstruction (the run's model has no decoder).</p>"
    rows = [{"space": space, **m} for space, m in (rec.get("mixing") or {}).items()]
    table = pd.DataFrame(rows, columns=["space", "score", "real", "reconstructed"])
    return ("<p>The share of each point's k nearest neighbours that belong to the other set "
            "(real or reconstructed), averaged: near the value if mixed when the two clouds "
            "overlap, 0 when they are apart; over each set's own points too (reconstructions "
            "shrunk toward the mean, or collapsed to one profile, lift real and leave "
            "reconstructed low). variance_share, the reconstructions' share of the real "
            "samples' variance, tells shrinkage from collapse.</p>"
            + html_table(table) + kv_table({k: rec.get(k) for k in (
                "k", "expected_if_mixed", "space", "embeddings", "mae_scaled", "mse_scaled",
                "variance_share", "r2", "collapse_rule") if k in rec}))


def _files_html(d: Path, summary: dict[str, Any], figures: list[Figure]) -> str:
    said = {**_FILE_TEXT, **(summary.get("files") or {})}
    names = ["summary.json", "strong_genes.tsv", "gene_correlation.tsv", "leading_features.tsv",
             "latent_gene_correlation.npy", "latent_gene_correlation_genes.tsv",
             "strong_genes.csv", *(f"embedding_{m}.tsv" for m in
                                   (summary.get("reconstruction") or {}).get("embeddings") or []),
             *(f.path.name for f in figures)]
    rows = [{"file": n, "what it holds": said.get(n, "the embedding's points: sample_id, "
             "cancer_type, source, x, y" if n.startswith("embedding_") else "a figure (under Figures)"),
             "path": str((d / n).absolute()) if (d / n).is_file() else "MISSING"}
            for n in names]
    return html_table(pd.DataFrame(rows))


def _metrics(d: Path, summary: dict[str, Any], genes: pd.DataFrame, words: str,
             figures: list[Figure], problems: list[str]) -> str:
    lead = pd.DataFrame({"rank": range(1, len(summary.get("leading_features") or []) + 1),
                         "latent feature": [f"z{i}" for i in summary.get("leading_features") or []],
                         "variance": summary.get("leading_variance") or []})
    numbers = {k: v for k, v in summary.items() if k not in _OWN_TABLES}
    if summary.get("genes_missing"):
        numbers["genes_missing"] = ", ".join(map(str, summary["genes_missing"]))
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in [*(summary.get("notes") or []),
                                                                *problems])
    return (f"<h3>Strongest genes</h3><p>{html.escape(words)}</p>" + html_table(genes)
            + "<h3>The numbers (summary.json)</h3>" + kv_table(numbers)
            + "<h3>Leading latent features</h3>" + html_table(lead)
            + "<h3>Real vs reconstructed: k-NN mixing</h3>" + _mixing_html(summary.get("reconstruction") or {})
            + "<h3>Notes</h3>" + (f"<ul>{notes}</ul>" if notes else "<p>None.</p>")
            + "<h3>Files</h3>" + _files_html(d, summary, figures))


def features_context(d: Path, plots: Path) -> dict[str, Any]:
    """The report's context (as :mod:`genemoe.report.html` renders it) of a ``genemoe
    features`` folder ``d``; ``plots`` is not written (the analysis drew its figures)."""
    summary = json.loads((d / "summary.json").read_text())
    bundle, record = bundle_info(summary.get("bundle"), None)
    genes, words = strong_genes_rows(d, summary)
    figures, problems = feature_figures_found(d, summary)
    if not figures and not problems:
        problems.append("no figure drawn yet: `genemoe features` draws them at its end (from "
                        "Python: genemoe.report.feature_plots.feature_figures(DIR))")
    run = summary.get("run") or {}
    protocol = {"what": "latent-feature analysis (genemoe features; the paper's Fig. 8): the "
                        "leading latent features' Pearson r with every gene's log expression"
                        + ("; real vs reconstructed samples embedded together"
                           if summary.get("reconstruction") else ""),
                "run": run.get("path"), "run kind": run.get("kind"),
                "model": run.get("model_name"), "bundle": summary.get("bundle"),
                "split": summary.get("split"),
                "samples": f"{_samples_words(summary)}, {HELD_OUT}",
                "correlations": summary.get("correlation_space"),
                "scaling": summary.get("scaling"), "device": summary.get("device"),
                "its own page": f"genemoe report {run.get('path')}" if run.get("path") else None}
    return page_context(f"genemoe features — {run.get('model_name', '?')} ({run.get('kind', '?')}"
                        f" run, {summary.get('split', '?')} split)",
                        synthetic=summary.get("synthetic") or bundle.get("synthetic"),
                        summary=bundle, record=record, protocol=protocol,
                        panel=_panel(summary, bundle, genes, figures),
                        metrics=_metrics(d, summary, genes, words, figures, problems), figures=figures,
                        versions={"genemoe (features)": summary.get("genemoe_version",
                                                                    "not recorded")},
                        seeds={"sample draw and embedding seed": summary.get("seed")})
