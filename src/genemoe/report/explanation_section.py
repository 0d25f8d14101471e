"""The explanation part of a report: an explanation directory's full section (method,
completeness, top genes per class, its figures) and the short top-genes table of an
explanation linked beside a run."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from genemoe.errors import input_error
from genemoe.explain.pixel_mates import PIXEL_LEGEND, has_pixel_group
from genemoe.explain.rankings import LOWER_LEGEND, has_lower_mark, read_ranking, top_genes_line
from genemoe.explain.summary_text import (
    pooling_text,
    reintegrated_lines,
    short_seconds,
    still_off_text,
)
from genemoe.report.html_parts import figure_html as _figure_html
from genemoe.report.html_parts import html_table as _table
from genemoe.report.plots import Figure
from genemoe.report.text import METHOD_NAMES, fmt_seconds

__all__ = ["explanation_section", "top_genes_table", "sample_caption"]


def explanation_section(d: Path, *, top: int = 10) -> str:
    """Method, completeness and top genes per class first; then the figures and sample maps."""
    conv = json.loads((d / "convergence.json").read_text())
    ranking = _ranking(d / "genes_by_class.csv")  # Entrez ids stay text
    method, ranked = conv.get("method", "ig"), str(conv.get("genes", "all"))
    if (w := conv.get("weight")) and w["n_with_weight"] < w["n_model_genes"]:  # coxnet's 6
        ranked = "those with weight" + ("" if ranked == "all" else f" ({ranked})")  # were all
    head = (f"<p><b>{html.escape(METHOD_NAMES.get(method, method))}</b> on {conv.get('n_samples')} "
            f"samples (baseline <code>{html.escape(str(conv.get('baseline')))}</code>, genes ranked: "
            f"{html.escape(ranked)}). " + _completeness_text(conv)
            + (f" (reference: {html.escape(conv['reference'])})" if conv.get("reference") else "")
            + "." + _jump_text(conv) + _steps_text(conv) + _reference_html(conv) + _took_html(conv)
            + "</p>")
    for key in [k for k in conv if k == "warning" or k.endswith("_warning")]:  # every one: the
        if conv.get(key):  # reference draw's and its stability's were left off the page
            head += f'<p class="banner">{html.escape(str(conv[key]))}</p>'
    if w and w["n_with_weight"] < w["n_model_genes"]:  # coxnet's 6 of 19,076: unsaid
        head += f"<p>{html.escape(w['text'])}: only they are ranked.</p>"
    if pooled := pooling_text(conv):  # a survival ranking of 8 samples of 4 types, unsaid
        head += f"<p>Pooled: {html.escape(pooled)}.</p>"
    if conv.get("attributed"):  # --compare's per true label; the default's per predicted
        head += f"<p>Attributed: {html.escape(str(conv['attributed']))}.</p>"  # was unsaid
    if conv.get("ensemble"):  # the members' mean: said on the terminal, never on the page
        head += f"<p>An ensemble of {html.escape(str(conv['ensemble']))}.</p>"
    head += _drawn_html(conv)
    if gone := conv.get("classes_without_samples"):  # were missing from the table unsaid
        head += f"<p>Not ranked (no explained sample stood for them): {html.escape(', '.join(gone))}.</p>"
    ends = conv.get("task") == "survival"  # both ends (the genes lowering the risk were left out)
    col = f"top {top} genes (symbol, else gene id; by mean {'|attribution|' if ends else 'attribution'})"
    key = "output" if ends else _class_heading(conv)  # survival's one row was headed "class"
    rows = [{key: cls, "samples": int(g["n_samples"].iloc[0]), col: top_genes_line(g, top, both_ends=ends)}
            for cls, g in ranking.groupby("class", sort=True)]
    parts = [f"<h3>{html.escape(d.name)}</h3>", head, _table(pd.DataFrame(rows)),
             _legend([r[col] for r in rows]), _few_html(rows, key, ends)]
    figs = [Figure(d / "top_genes.png", "Top genes for the risk (mean |attribution|)." if ends
                   else "Top genes per class (mean attribution).", "explanation")]
    maps = sorted((d / "maps").glob("*.png"))
    figs += [Figure(p, sample_caption(p.stem, conv, _samples(d)), "explanation") for p in maps]
    parts += [_figure_html(f) for f in figs[:1] if f.path.exists()]
    if maps and len(maps) < (conv.get("n_samples") or 0):  # 12 of 50 were shown unsaid
        parts.append(f"<p>Per-sample figures: {len(maps)} of the {conv['n_samples']} explained "
                     f"samples, spread over the {'cancer types' if ends else 'classes'}; every "
                     "sample's attributions are in attributions.npy.</p>")
    parts += [_figure_html(f) for f in figs[1:] if f.path.exists()]
    return "\n".join(parts)


RANKING_COLUMNS = ("class", "rank", "gene_id", "n_samples")  # what the section reads


def _ranking(path: Path) -> pd.DataFrame:
    """``genes_by_class.csv`` as :func:`read_ranking` reads it, refused naming the file and
    the columns it lacks (one without ``gene_id`` ended the report in a traceback)."""
    ranking = read_ranking(path) if "gene_id" in _header(path) else pd.read_csv(path)
    if missing := [c for c in RANKING_COLUMNS if c not in ranking]:
        raise input_error(f"no column {', '.join(missing)} (it has {', '.join(map(str, ranking.columns[:8]))})",
                          path=path, fix="copy the explanation folder again, or re-run the "
                                         "`genemoe explain` command that wrote it")
    return ranking


def _header(path: Path) -> list[str]:
    """A CSV's column names (its first line)."""
    return list(pd.read_csv(path, nrows=0).columns)


def _class_heading(conv: dict) -> str:
    """The top-genes table's class column: ``predicted class`` where the samples were pooled
    by the class the model gave them (the default: a true ACC called LIHC counts for LIHC),
    ``true class`` for ``--compare``'s labels. The page said "class", read as the true one."""
    return {"predicted": "predicted class", "label": "true class"}.get(
        str(conv.get("group_by")), "class")


def _drawn_html(conv: dict) -> str:
    """Which samples were explained, as the terminal's ``drawn:`` line says it: ``<p>Samples:
    65 of the test split's 197, at most 3 per predicted class (a draw seeded by --seed 0;
    --max-samples-per-class).</p>``; ``<p>Samples: all 32 of the test split.</p>`` where none
    were left out (nothing was said: a survival page's 32 samples were of no named split).
    The page gave the count alone, with neither the split nor the cap."""
    d, n = conv.get("drawn_from") or {}, int(conv.get("n_samples") or 0)
    if d.get("split") == "--samples":
        return f"<p>Samples: the {n:,} named by --samples.</p>"
    if d.get("split") and (not d.get("cap_per_predicted_class") or int(d.get("n") or 0) <= n):
        of = "of the bundle" if d["split"] == "all" else f"of the {d['split']} split"
        return html.escape(f"Samples: all {n:,} {of}.").join(("<p>", "</p>"))
    if not d.get("cap_per_predicted_class") or int(d.get("n") or 0) <= n:
        return ""
    per = " per predicted class" if conv.get("task") == "classify" else " in all"
    seed = f" {conv['seed']}" if conv.get("seed") is not None else ""
    return html.escape(f"Samples: {n:,} of the {d.get('split')} split's {int(d['n']):,}, at "
                       f"most {int(d['cap_per_predicted_class']):,}{per} (a draw seeded by "
                       f"--seed{seed}; --max-samples-per-class).").join(("<p>", "</p>"))


def _few_html(rows: list[dict], key: str, ends: bool) -> str:
    """Under the table, the classes ranked from one or two samples (the terminal's ``n < 3``
    note; the page showed their top 10 as the class's)."""
    few = [str(r[key]) for r in rows if r["samples"] < 3]
    if ends or not few:
        return ""
    return (f"<p>Ranked from one or two samples, so rankings of those samples, not of the "
            f"class: {html.escape(', '.join(few))}.</p>")


def _steps_text(conv: dict) -> str:
    """The integration steps and what the refinement did, as the terminal says them: `` IG
    integrated with 50 steps; re-integrated 12 of 20 samples off by more than 1% after 50
    steps (12 at 100 steps); 2 above the 1% tolerance after 400 steps.`` ('' for a method
    without steps). The page left out both, which convergence.json and the terminal had."""
    n_steps, refine = conv.get("n_steps"), conv.get("refine") or {}
    if not n_steps:
        return ""
    text = f" Integrated with {int(n_steps):,} steps"
    if again := reintegrated_lines(conv):
        text += "; " + " ".join(again[0].split())
    if refine.get("tolerance") is not None:
        text += still_off_text(refine) or (
            f"; every sample within the {refine['tolerance']:.0%} tolerance"
            if refine.get("n_samples_above_tolerance") == 0 else "")
    return html.escape(text) + "."


def _reference_html(conv: dict) -> str:
    """Where training-tumour references came from (``train_ig``, ``gradient_shap``): `` The
    references: 8 training tumours per sample, drawn from the model's training samples in
    this bundle (156 of its 156 found), b3.`` The page said "baseline training tumours"
    alone, the terminal how many and whose; '' for a fixed baseline."""
    src = (conv.get("reference_source") or {}).get("source_text")
    if not src:
        return ""
    n = conv.get("n_draws")
    what = (f"{n} training tumours per sample" if n and conv.get("method") == "train_ig"
            else f"training tumours, {n} draws per sample" if n else "training tumours")
    return html.escape(f" The references: {what}, drawn from {src}.")


def _took_html(conv: dict) -> str:
    """What the attributions cost: `` Attributions took 4 min 33 s (18.2 s per sample, on
    cpu).`` (convergence.json's ``seconds_per_sample``, never on the page); '' without it."""
    per, n = conv.get("seconds_per_sample"), int(conv.get("n_samples") or 0)
    if per is None or not n:
        return ""
    where = f", on {conv['device']}" if conv.get("device") else ""
    total = float(per) * n  # under a second: "0 s (2.82e-05 s per sample)" before
    took = fmt_seconds(total, fine=True)  # the terminal's figures ("8 s" beside its "8.4 s")
    return html.escape(f" Attributions took {took} ({short_seconds(float(per))} per "
                       f"sample{where}).")


def _completeness_text(conv: dict) -> str:
    """Completeness, |Σ attributions − (f(x) − f(reference))| / |f(x) − f(reference)|, its
    median and max; "not measured" where no sample's output moved from the reference
    (``n_measured`` 0: the page showed "median 0.00%, max 0.00%" as if exact)."""
    lead = "Completeness, |Σ attributions − (f(x) − f(reference))| / |f(x) − f(reference)|: "
    if conv.get("n_samples") and conv.get("n_measured", 1) == 0:
        return lead + "<b>not measured</b> (no sample's output moved from the reference)"
    return (lead + f"median <b>{conv.get('median_relative_delta', float('nan')):.2%}</b>, max "
            f"<b>{conv.get('max_relative_delta', float('nan')):.2%}</b>")


def _jump_text(conv: dict) -> str:
    """Beside completeness, with the routing frozen: the routing jump, f(reference) −
    f_frozen(reference), that the attributions leave out (the page showed completeness only)."""
    j = conv.get("routing_jump")
    if not j:
        return ""
    said = (f" Routing jump, |f(reference) − f_frozen(reference)| / |f(x) − f(reference)|, which "
            f"the attributions leave out: median <b>{j.get('median_relative', float('nan')):.2%}</b>, "
            f"max <b>{j.get('max_relative', float('nan')):.2%}</b>")
    if (per := j.get("median_relative_per_reference")) is not None:  # train_ig: the jump of
        #   the mean over references, where opposite jumps cancel (the page showed it alone)
        said += (f" (of the mean over references; per reference, where jumps do not cancel: "
                 f"median <b>{per:.2%}</b>, max "
                 f"<b>{j.get('max_relative_per_reference', float('nan')):.2%}</b>)")
    return said + "."


def top_genes_table(d: Path, top: int = 8) -> str:
    """The ``top`` genes of each class (by mean attribution, as ranked; survival: both ends)
    from ``genes_by_class.csv`` (its title said mean |attribution|)."""
    try:
        g = read_ranking(d / "genes_by_class.csv")
        conv = json.loads(c.read_text()) if (c := d / "convergence.json").exists() else {}
        ends = conv.get("task") == "survival"  # as the explanation's own page heads it
        rows = [{"output" if ends else _class_heading(conv): c,
                 f"top {top} genes": top_genes_line(x, top, both_ends=ends)}
                for c, x in g.groupby("class", sort=True)]
        return ("<details open><summary>" + ("Top genes for the risk (mean |attribution|)"
                                             if ends else "Top genes per class (mean attribution)")
                + "</summary>"
                + _table(pd.DataFrame(rows)) + _legend([r[f"top {top} genes"] for r in rows])
                + "</details>")
    except (OSError, KeyError, ValueError):
        return ""


def _legend(cells: list[str]) -> str:
    """The ``↓`` legend under a top-genes table whose cells carry the mark, and the
    ``[pixel N: ...]`` one where they group a pixel's genes, else ''."""
    said = [text for text, due in ((LOWER_LEGEND, has_lower_mark(cells)),
                                   (PIXEL_LEGEND, has_pixel_group(cells))) if due]
    return "".join(f"<p>{html.escape(text)}.</p>" for text in said)


def _samples(d: Path) -> pd.DataFrame | None:
    """The explanation's ``samples.tsv`` indexed by sample id (None where unreadable)."""
    try:
        table = pd.read_csv(d / "samples.tsv", sep="\t", dtype={"sample_id": str})
    except (OSError, ValueError):
        return None
    if "sample_id" not in table:  # a KeyError's traceback ended the report
        raise input_error(f"no column sample_id (it has {', '.join(map(str, table.columns[:8]))})",
                          path=d / "samples.tsv", fix="copy the explanation folder again, or "
                          "re-run the `genemoe explain` command that wrote it")
    return table.drop_duplicates("sample_id").set_index("sample_id")


def sample_caption(sample_id: str, conv: dict, samples: pd.DataFrame | None) -> str:
    """A per-sample figure's caption: the sample, its true and predicted type (survival: its
    type, risk and outcome where recorded), and what was attributed (per pixel for an image
    model, else per gene; it said "per gene (or per pixel)" for every model); survival: what
    the bars add up to, of the raw risk (``output_change``: the caption's risk is predict's,
    scaled, 5.1 over bars adding up to +2.09)."""
    what = "attribution per pixel" if "genes_per_pixel" in conv else "attribution per gene"
    row = samples.loc[sample_id] if samples is not None and sample_id in samples.index else None
    if row is None:
        return f"Sample {sample_id}: {what}."
    if conv.get("task") == "survival":
        facts = [f"{row.get('cancer_type')}"]
        if pd.notna(row.get("risk")):
            facts.append(f"risk {float(row['risk']):.3g}")
        if pd.notna(row.get("event")) and pd.notna(row.get("time")):
            days = f"{float(row['time']):,.0f} days"
            facts.append(f"event at {days}" if bool(row["event"]) else f"censored at {days}")
        if pd.notna(row.get("output_change")):  # the bars add up to this, not to the risk
            what += f" (of the raw risk: they add up to {float(row['output_change']):+.3g})"
    else:
        facts = [f"true {row.get('cancer_type')}", f"predicted {row.get('predicted')}"]
    return f"Sample {sample_id} ({', '.join(facts)}): {what}."
