"""Attribution methods side by side on one run: completeness, stability, planted genes, speed.

:func:`compare_methods` explains the same samples of a run with every method of
:data:`~genemoe.explain.methods.METHODS` (rankings pooled per *labelled* class, each
sample's labelled class's output attributed, so a second run pools and attributes the same
outputs whatever each run predicts) and writes ``OUT/methods.csv``, one row per method:

- ``reference``: what the attributions start from (``training tumours`` for train_ig and
  gradient_shap whatever ``baseline`` says, warned once; else the baseline);
- ``median_relative_delta``, ``max_relative_delta``: completeness (convergence.json; NaN,
  "not measured" on the terminal, where no sample's output moved from the reference);
- ``routing_jump``, ``routing_jump_max``: with the routing frozen (frozen_ig, train_ig and
  deeplift on a top-k routed model), the median and max routing jump, the share of the live
  model's change ``f(x) - f(baseline)`` the attributions leave out (convergence.json's
  ``routing_jump``; NaN where the routing stayed live: their completeness counts it);
- ``routing_jump_per_reference``: the median over samples of each reference's own |jump|
  (train_ig's ``routing_jump`` is that of the mean over its references, where opposite
  jumps cancel: 3.9% beside a per-reference 17% read as better than frozen_ig's 10%); a
  one-reference method's is its ``routing_jump``;
- ``ranking_unreliable``: the attributions miss the live change by more than
  :data:`UNRELIABLE` in the median sample (``median_relative_delta`` or
  ``routing_jump_per_reference``): DeepLIFT's 92% on Gene-MOE was ranked unmarked;
- ``seconds_per_sample``;
- ``top50_overlap``, ``spearman`` (with ``other_run``, another seed or fold of the same
  model): per class, the fraction of the top-50 genes both runs share, and the Spearman
  correlation of the two runs' mean attributions over every gene, averaged over classes;
  ``top50_chance``: the overlap two random top-50 lists would have (50 / the genes ranked),
  which the terminal text judges the overlap against.
  (Spearman over the union of the two top-50 lists is biased downwards, often below zero:
  each list's own genes are high in it and unremarkable in the other);
- ``planted_precision`` (with ``programs``, e.g. a synthetic cohort's
  ``SyntheticCohort.programs()``): per class, the fraction of its top-``k`` genes that
  belong to its planted program (``k`` = the program's size), averaged over classes.

Each method's full output (``explain_run``'s files) is in ``OUT/<method>/``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.args import check_flags, folder_of, path_of, shown_path
from genemoe.data.bundle import atomic_write_text, check_out_dir
from genemoe.errors import InputError, input_error
from genemoe.explain.api import ExplainResult, explain_run
from genemoe.explain.convergence import SaidOnce
from genemoe.explain.integrated_gradients import BaselineName
from genemoe.explain.linear import is_linear_payload
from genemoe.explain.methods import DEFAULT_DRAWS, DEFAULT_N_STEPS, METHODS, PATH_METHODS
from genemoe.explain.options import LABEL_WHERE, check_whole, compared_methods
from genemoe.explain.out_folder import clear_other_kind
from genemoe.explain.rankings import GeneSet
from genemoe.explain.references import warnings_named
from genemoe.train.rng import keeps_global_rng

__all__ = ["methods_text", "compare_methods", "planted_precision", "top_k_stability",
           "check_programs", "unreliable_rankings", "UNRELIABLE"]

log = logging.getLogger(__name__)
_PIXEL_LOG = logging.getLogger("genemoe.explain.convergence")  # the pixel warning's

UNRELIABLE = 0.5
"""A method whose attributions miss the live change by more than this share in the median
sample (completeness or per-reference routing jump) has its ranking marked unreliable."""


def planted_precision(ranking: pd.DataFrame, programs: Mapping[str, Collection[str]], *,
                      k: int | None = None, min_samples: int = 1) -> dict[str, float]:
    """Per class: the fraction of its top-``k`` genes that are in its planted program.

    Parameters
    ----------
    ranking
        ``genes_by_class.csv`` (:func:`~genemoe.explain.rankings.rank_genes`).
    programs
        Class → gene ids of its program; classes absent from the ranking are skipped.
    k
        Genes looked at per class; None = the size of the class's program.
    min_samples
        Skip classes pooled over fewer samples.
    """
    out = {}
    for cls, genes in programs.items():
        ranked = ranking[ranking["class"] == cls]
        if ranked.empty or int(ranked["n_samples"].iloc[0]) < min_samples:
            continue
        top = ranked.nsmallest(k or len(genes), "rank")["gene_id"].astype(str)
        out[cls] = float(top.isin({str(g) for g in genes}).mean())
    return out


def top_k_stability(a: pd.DataFrame, b: pd.DataFrame, *, k: int = 50) -> dict[str, dict[str, float]]:
    """Per class of two rankings: top-``k`` overlap, the overlap two random top-``k`` lists
    would have (``chance``, ``k / n`` of ``n`` genes ranked: 50% for the top 50 of 100),
    and Spearman over the genes both rank."""
    from scipy.stats import spearmanr

    out = {}
    for cls in sorted(set(a["class"]) & set(b["class"])):
        ra, rb = (r[r["class"] == cls].set_index("gene_id") for r in (a, b))
        ta, tb = set(ra.nsmallest(k, "rank").index), set(rb.nsmallest(k, "rank").index)
        common = ra.index.intersection(rb.index)
        rho = spearmanr(ra.loc[common, "mean_attribution"], rb.loc[common, "mean_attribution"])[0]
        shown = max(1, min(k, len(ra)))
        out[cls] = {"overlap": len(ta & tb) / shown, "spearman": float(rho),
                    "chance": min(1.0, shown / max(1, len(ra.index.union(rb.index))))}
    return out


def check_programs(programs: Any) -> None:
    """Refuse ``programs`` that is not a mapping of class to its planted gene ids (a list
    ended in ``'list' object has no attribute 'items'`` after the first method's folder
    was written; a class's ids given as one string were read letter by letter).

    Raises
    ------
    InputError
        Naming ``programs`` and the form it takes.
    """
    fix = ("pass a dict of class to its gene ids, e.g. programs={'BRCA': ['ESR1', 'GATA3']} "
           "(a synthetic cohort's SyntheticCohort.programs()), or leave it out")
    if programs is None:
        return
    if not isinstance(programs, Mapping):
        raise input_error(f"is a {type(programs).__name__} {repr(programs)[:40]}, not a "
                          "mapping of class to its planted gene ids", where="programs", fix=fix)
    for cls, genes in programs.items():
        if isinstance(genes, str | bytes) or not isinstance(genes, Collection):
            raise input_error(f"class {cls!r}: its genes are a {type(genes).__name__} "
                              f"{repr(genes)[:40]}, not a list of gene ids", where="programs",
                              fix=fix)


@keeps_global_rng  # the caller's random states back (torch's advanced before)
def compare_methods(run_dir: Path | str, *, data: Path | str, out_dir: Path | str,
                    methods: Sequence[str] | str = METHODS, other_run: Path | str | None = None,
                    programs: Mapping[str, Collection[str]] | None = None, split: str = "test",
                    baseline: BaselineName = "train_mean", n_steps: int = 50, n_draws: int | None = None,
                    method: str = "auto",
                    genes: GeneSet = "all", max_samples_per_class: int | None = 50, k: int = 50,
                    seed: int = 0, samples: list[str] | None = None, progress: bool = False,
                    max_steps: int = 400, internal_batch_size: int = 64,
                    device: str = "auto") -> pd.DataFrame:
    """One row per method on the same samples of ``run_dir`` (module docstring).

    Parameters
    ----------
    run_dir, data, out_dir
        The run, its bundle, and where to write ``methods.csv`` and ``<method>/``.
    methods
        Methods to compare (default: all five of :data:`~genemoe.explain.methods.METHODS`);
        a string is one name, or several with commas (``"ig,deeplift"``). Every name is
        checked before any folder is written.
    other_run
        A second run of the same model (another seed or fold) for the stability columns.
    programs
        Class → planted gene ids, for ``planted_precision``.
    split, baseline, n_steps, n_draws, genes, max_samples_per_class, seed
        As :func:`~genemoe.explain.api.explain_run` (samples capped per predicted class
        by the first method; every other method and run explains the same ones).
    method
        ``explain --method``: not used here, said when given.
    k
        Length of the lists compared for stability.
    samples
        Sample ids to explain (``explain --samples``; they replace ``split`` and the cap).
    progress
        A progress bar per method (and per run of ``other_run``), named by the method.
    max_steps, internal_batch_size, device
        As :func:`~genemoe.explain.api.explain_run`, for every method (``explain --compare
        --max-steps 80`` ran at 400 and then said "raise --max-steps (now 400)").
    """
    methods = compared_methods(methods)  # "ig" ran i and g, leaving c1/i/ behind
    check_programs(programs)  # before any method's folder is written
    check_flags((progress, "progress"))  # "no" drew the bars
    check_whole("k", k, least=1, flag=False)  # k="5" ran every method, then failed
    out_dir = path_of(out_dir, "out_dir")
    run_dir = folder_of(run_dir, "run_dir")  # a RunResult too
    other_run = None if other_run is None else folder_of(other_run, "other_run")
    check_out_dir(out_dir, "explain")
    from genemoe.train.model_file import load_model_file

    if is_linear_payload(payload := load_model_file(run_dir)):  # was refused as "--method ig"
        raise input_error(f"{payload['model_name']} is a classical linear model: its "
                          "attributions are exact, there are no methods to compare",
                          where="--compare", fix="explain it without --compare")
    if other_run is not None:
        _check_same_model(Path(run_dir), Path(other_run))
    if method != "auto":  # was ignored without a word
        log.warning("--compare runs every method: --method %s is not used", method)
    _warn_other_reference(methods, baseline)
    said = SaidOnce()  # a warning every method repeats (the pixel one), said once
    _PIXEL_LOG.addFilter(said)
    try:
        rows = _method_rows(run_dir, methods, data=data, out_dir=out_dir, other_run=other_run,
                            programs=programs, split=split, baseline=baseline, n_steps=n_steps,
                            n_draws=n_draws, genes=genes, max_samples_per_class=max_samples_per_class,
                            k=k, seed=seed, samples=samples, progress=progress,
                            max_steps=max_steps, internal_batch_size=internal_batch_size,
                            device=device)
    finally:
        _PIXEL_LOG.removeFilter(said)
    table = pd.DataFrame(rows)
    table["ranking_unreliable"] = unreliable_rankings(table)
    table.attrs["task"] = payload["task"]  # methods_text: a survival run pools no classes
    clear_other_kind(out_dir, "compare")  # a single explanation there: report showed it
    atomic_write_text(out_dir / "methods.csv", table.to_csv(index=False))
    return table


def _method_rows(run_dir: Path, methods: Sequence[str], *, data: Path | str, out_dir: Path,
                 other_run: Path | None, programs: Mapping[str, Collection[str]] | None,
                 split: str, baseline: BaselineName, n_steps: int, n_draws: int | None,
                 genes: GeneSet, max_samples_per_class: int | None, k: int, seed: int,
                 samples: list[str] | None, progress: bool, max_steps: int,
                 internal_batch_size: int, device: str) -> list[dict]:
    """:func:`compare_methods`' rows: each method explained (and on ``other_run``)."""
    rows = []
    for method in methods:  # train_ig and gradient_shap start from training tumours, not baseline
        common = dict(data=data, genes=genes, seed=seed,  # --n-steps: the path methods'
                      n_steps=n_steps if method in PATH_METHODS else DEFAULT_N_STEPS,
                      n_draws=n_draws if method in DEFAULT_DRAWS else None,  # the others' unused
                      baseline="train_mean" if method in DEFAULT_DRAWS else baseline,
                      group_by="label", max_maps=0, progress=progress, max_steps=max_steps,
                      internal_batch_size=internal_batch_size, device=device)
        res = _explained(run_dir, out_dir=out_dir / method, method=method, samples=samples,
                          split=split, max_samples_per_class=max_samples_per_class,
                          context=f"{method} (--model {shown_path(run_dir)}): ", **common)
        if samples is None:
            samples = pd.read_csv(out_dir / method / "samples.tsv", sep="\t")["sample_id"].astype(str).tolist()
        c = res.convergence
        row = {"method": method, "n_samples": res.n_samples, "routing": c["routing"],
               "reference": _REFERENCES.get(str(c["baseline"]), str(c["baseline"])),
               **_completeness(c), **_jump(c),
               "seconds_per_sample": c["seconds_per_sample"]}
        if agree := c.get("members_agreement"):  # an ensemble's mean hid its members' spread
            row["members_agree"] = agree["median"]
        if programs is not None:
            row["planted_precision"] = _mean(planted_precision(res.ranking, programs).values())
        if other_run is not None:
            other = _explained(other_run, out_dir=out_dir / f"{method}_other",  # as recorded:
                                method=c["method"],  # frozen_ig on an MLP, warned once (twice)
                                samples=samples, context=f"{method} (--other "
                                f"{shown_path(other_run)}): ", **common)
            stab = top_k_stability(res.ranking, other.ranking, k=k)
            row["top50_overlap"] = _mean(s["overlap"] for s in stab.values())
            row["top50_chance"] = _mean(s["chance"] for s in stab.values())
            row["spearman"] = _mean(s["spearman"] for s in stab.values())
        rows.append(row)
        log.info("%s", json.dumps(row))
    return rows


def _explained(run_dir: Path, **kw) -> ExplainResult:
    """:func:`explain_run` pooled per label, a labelled class the run lacks blamed on
    ``--compare`` (``explain_run`` names ``group_by='label'``, which compare passes, not
    its caller)."""
    try:
        with warnings_named(kw.get("context", "")):  # the draw's warnings name method and run
            return explain_run(run_dir, **kw)
    except InputError as err:
        if err.where != LABEL_WHERE:
            raise
        raise input_error(err.problem or str(err), path=err.path, where="--compare",
                          fix="explain samples of the model's classes (model.pt: "
                              "class_names), named with --samples") from err


_REFERENCES = {"training tumours": "training tumours", "train_mean": "training mean",
               "zeros": "zero expression"}


def _warn_other_reference(methods: Sequence[str], baseline: str) -> None:
    """``--baseline zeros`` reaches ig, frozen_ig and deeplift only: the methods that start
    from training tumours are named once (their rows were silently on another reference)."""
    others = [m for m in methods if m in DEFAULT_DRAWS]
    if baseline != "train_mean" and others:
        log.warning("--baseline %s: %s start from training tumours, not from %s "
                    "(methods.csv: reference)", baseline, " and ".join(others),
                    _REFERENCES.get(baseline, baseline))


def _mean(values) -> float:
    v = [x for x in values if np.isfinite(x)]
    return float(np.mean(v)) if v else float("nan")


def _check_same_model(run_dir: Path, other_run: Path) -> None:
    """``--other`` must be another run of the same model on the same genes (another seed or
    fold): else its failure was blamed on ``--data``, or the stability compared apples with
    pears."""
    from genemoe.train.model_file import load_model_file

    a, b = load_model_file(run_dir), load_model_file(other_run)
    for p in (a, b):
        p["gene_ids"] = list(map(str, p["gene_ids"]))
        # an ensemble is stored as "ensemble": its members' model is the one compared (two
        # ensembles of genemoe and mlp passed; an ensemble and a single genemoe did not)
        p["model"] = ((p.get("model_config") or {}).get("member") or p.get("model_name")
                      if p.get("model_name") == "ensemble" else p.get("model_name"))
    for key, what in (("task", "task"), ("model", "model"), ("gene_ids", "genes")):
        if a.get(key) != b.get(key):
            said = f"{b.get(key)!r} against {a.get(key)!r}" if key != "gene_ids" else (
                f"{len(b[key]):,} genes, {len(set(b[key]) & set(a[key])):,} of them shared "
                f"with the {len(a[key]):,} of --model's")
            raise input_error(f"not another run of --model's model: its {what} differs ({said})",
                              path=other_run, where="--other",
                              fix="pass a run of the same model, task and genes (another seed "
                                  "or fold of the same bundle)")


def _completeness(c: dict) -> dict[str, float]:
    """A method's completeness columns from its convergence.json: NaN where no sample's
    output moved from the reference (``n_measured`` 0), which the table showed as 0.00%."""
    measured = not (c.get("n_samples") and c.get("n_measured", 1) == 0)
    return {k: (c[k] if measured else float("nan"))
            for k in ("median_relative_delta", "max_relative_delta")}


def _jump(c: dict) -> dict[str, float]:
    """A method's routing-jump columns: the median and max share of the live change its
    frozen routing leaves out (the table showed frozen_ig's 0.00% beside ig's 15% as if
    the frozen methods explained the live model exactly); NaN where the routing is live."""
    j = c.get("routing_jump") or {}
    median = float(j.get("median_relative", np.nan))
    return {"routing_jump": median, "routing_jump_max": float(j.get("max_relative", np.nan)),
            "routing_jump_per_reference": float(j.get("median_relative_per_reference", median))}


def unreliable_rankings(table: pd.DataFrame) -> pd.Series:
    """``(n_methods,)`` bool: the methods whose attributions miss the live change by more than
    :data:`UNRELIABLE` in the median sample, by completeness (``median_relative_delta``) or
    by the routing their frozen routing leaves out (``routing_jump_per_reference``, else
    ``routing_jump``); a column not measured (NaN, absent) counts as no miss."""
    miss = pd.Series(0.0, index=table.index)
    for col in ("median_relative_delta", "routing_jump_per_reference", "routing_jump"):
        if col in table:
            miss = np.fmax(miss, pd.to_numeric(table[col], errors="coerce").fillna(0.0))
    return miss > UNRELIABLE


_SHOWN = {"n_samples": "n", "median_relative_delta": "off_median", "max_relative_delta": "off_max",
          "routing_jump": "jump_med", "routing_jump_max": "jump_max",
          "routing_jump_per_reference": "jump_per_ref",
          "seconds_per_sample": "s/sample"}  # methods.csv's names ran the table to 108
_AGREEMENT = ("top50_overlap", "top50_chance", "spearman", "planted_precision", "members_agree")
"""The columns shown in a second table, keyed by method (with them, one table ran to 133)."""
_LEGEND = ("off: completeness, |sum of attributions - change| / |change|; jump: the share of\n"
           "  the live change that frozen routing leaves out (- where the routing stays live);")
_LEGEND_END = "  methods.csv names the columns in full"
_PER_REF_LEGEND = ("  jump_per_ref: each reference's own jump in the median sample (train_ig's "
                   "jump_med is\n  that of the mean over its references, where opposite "
                   "jumps cancel);")
_MARK = "*"
_MEMBERS_LEGEND = ("an ensemble: each method's attributions are the mean of its members'; "
                   "members_agree: the\n  share of top-10 genes two members' own rankings "
                   "share (median over classes)")
_MARK_LEGEND = (f"{_MARK} unreliable ranking: its attributions miss the live change by more than "
                f"{UNRELIABLE:.0%} in the\n  median sample (off_median or jump_per_ref): do not "
                "read its genes\n  (methods.csv: ranking_unreliable)")


def methods_text(table: pd.DataFrame, *, task: str | None = None) -> str:
    """The comparison for the terminal: completeness in percent, as a single explanation
    says it (the table printed fractions, 0.0012, where ``explain`` prints 0.12%), seconds
    per sample to 2 significant digits, the other scores to 3 decimals, the two runs'
    agreement (and planted-gene recovery) in a second table by method; under them, how the
    rankings were pooled and what the two runs' agreement means.

    Parameters
    ----------
    table
        :func:`compare_methods`' table (``methods.csv``).
    task
        ``classify`` or ``survival``; None: the table's own (``table.attrs["task"]``, set
        by :func:`compare_methods`), else ``classify``.
    """
    shown = table.copy()
    unreliable = unreliable_rankings(table)
    shown = shown.drop(columns=["ranking_unreliable"], errors="ignore")
    if "method" in shown:  # DeepLIFT's 92% miss was ranked beside the others unmarked
        shown["method"] = [f"{m}{_MARK * bool(u)}" for m, u in zip(shown["method"], unreliable,
                                                                     strict=True)]
    for col in ("median_relative_delta", "max_relative_delta"):
        if col in shown:
            shown[col] = shown[col].map(lambda v: f"{v:.2%}" if pd.notna(v) else "not measured")
    for col in ("routing_jump", "routing_jump_max", "routing_jump_per_reference"):
        if col in shown:
            shown[col] = shown[col].map(lambda v: f"{v:.2%}" if pd.notna(v) else "-")
    if "seconds_per_sample" in shown:
        shown["seconds_per_sample"] = shown["seconds_per_sample"].map(lambda v: f"{v:.2g}")
    if "routing_jump_per_reference" in shown and "routing_jump_max" in shown:  # beside the jumps
        cols = [c for c in shown.columns if c != "routing_jump_per_reference"]
        at = cols.index("routing_jump_max") + 1
        shown = shown[[*cols[:at], "routing_jump_per_reference", *cols[at:]]]
    agreement = [c for c in _AGREEMENT if c in shown]
    text = _table(shown.drop(columns=agreement))
    if agreement:
        text += "\n" + _table(shown[["method", *agreement]] if "method" in shown
                              else shown[agreement])
    task = task or table.attrs.get("task") or "classify"
    marked = f"\n{_MARK_LEGEND}" if unreliable.any() else ""
    marked += f"\n{_MEMBERS_LEGEND}" if "members_agree" in table else ""
    per_ref = f"\n{_PER_REF_LEGEND}" if "routing_jump_per_reference" in table else ""
    return (f"{text}\n{_LEGEND}{per_ref}\n{_LEGEND_END}{marked}\n{POOLED_RISK if task == 'survival' else POOLED}"
            f"{_stability_text(table)}")


def _table(shown: pd.DataFrame) -> str:
    """``shown`` as the terminal prints it: short headers, 3 decimals, no index."""
    return shown.rename(columns=_SHOWN).to_string(index=False, float_format=lambda v: f"{v:.3f}")


POOLED = ("pooled per true label: each sample's labelled class's output attributed, "
          "in every method and run")
"""How ``--compare`` pools the rankings, said under its table (convergence.json: attributed)."""
POOLED_RISK = ("one pooled ranking of the risk: each sample's risk attributed (its raw risk, a\n"
               "  log relative hazard, against the reference's), in every method and run")
"""The same for a survival run (it was told "each sample's labelled class's output")."""


def _stability_text(table: pd.DataFrame) -> str:
    """What the two runs' agreement means beside chance (57% of the top 50 of 100 genes, where
    two random lists share 50%, went uncautioned), and on how few samples it rests. Cautioned
    below halfway from chance to full agreement: ``overlap - chance < (1 - chance) / 2``."""
    if "top50_overlap" not in table or table["top50_overlap"].isna().all():
        return ""
    measured = table.dropna(subset=["top50_overlap"])
    unreliable = (measured["ranking_unreliable"].fillna(False).astype(bool)
                  if "ranking_unreliable" in measured else pd.Series(False, measured.index))
    readable = measured[~unreliable]
    pool = readable if len(readable) else measured  # an unreadable ranking is not quoted as
    best = pool.loc[pool["top50_overlap"].idxmax()]  # the stability while another is readable
    n, overlap = int(best["n_samples"]), float(best["top50_overlap"])
    chance = float(best.get("top50_chance", 0.0))
    chance = chance if np.isfinite(chance) else 0.0
    rho = best.get("spearman")
    lines = [f"stability: with {_marked(best)}, the two runs' top-50 genes a class share "
             f"{overlap:.0%} on average",
             "  " + (f"(rank correlation {rho:.2f}); " if rho is not None and np.isfinite(rho)
                     else "") + f"chance: two random top-50 lists of the genes ranked share {chance:.0%}"]
    lines += _best_of(table, best)
    if chance >= 0.999:
        lines.append("  every ranked gene is in the top 50: the overlap says nothing")
    elif overlap - chance < (1 - chance) / 2:
        lines.append(("  hardly above chance" if overlap < chance + 0.1 else
                      "  less than halfway from chance to full agreement")
                     + ": the rankings depend on the run (seed or fold)"
                     "\n  as much as on the data; read the genes both runs rank high")
    lines.append(f"  over {n} explained sample{'s' * (n != 1)}"
                 + (" (few: the overlap itself is uncertain)" if n < 20 else ""))
    return "\n" + "\n".join(lines)


def _best_of(table: pd.DataFrame, best: pd.Series) -> list[str]:
    """The line saying the stability quoted is the best method's, beside the least stable
    one's (frozen_ig's 65% was said alone, and judged against chance, as if it were the
    rankings' stability whatever the method)."""
    measured = table.dropna(subset=["top50_overlap"])
    if len(measured) < 2:
        return []
    worst = measured.loc[measured["top50_overlap"].idxmin()]
    if float(worst["top50_overlap"]) >= float(best["top50_overlap"]):
        return [f"  the same in all {len(measured)} methods compared"]
    most = ("the most stable" if best["top50_overlap"] >= measured["top50_overlap"].max()
            else "the most stable of those marked readable")
    return [f"  {_marked(best)}: {most} of the {len(measured)} methods compared "
            f"(the least: {_marked(worst)} {float(worst['top50_overlap']):.0%})"]


def _marked(row: pd.Series) -> str:
    """A method's name as the table shows it: ``deeplift*`` where its ranking is not to be
    read (the stability line named DeepLIFT without the table's mark)."""
    return f"{row['method']}{'*' if bool(row.get('ranking_unreliable', False)) else ''}"
