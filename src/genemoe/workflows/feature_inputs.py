"""The values ``genemoe features`` feeds a run's encoder: the bundle's expression in the
run's gene order, scaled as the run scales it, once the bundle is known to hold values of
the run's normalisation. Split out of :mod:`genemoe.workflows.features`.

Normalisation: a bundle of another normalisation than the run read is refused, by the
check fine-tuning makes (:func:`genemoe.train.finetune.check_normalisation`); a run
pre-trained on log2 FPKM-UQ was analysed on a bundle of raw counts (``--normalisation
none``) in silence, its ``summary.json`` saying "log expression".

Scaling, never fitted on the analysed samples where the bundle has others:

* a ``genemoe train`` run: the scaler it stored (fitted on its training split, whose
  samples the analysis refuses);
* a ``genemoe pretrain`` run on a bundle it read: the scaler it stored for that bundle
  (fitted on what the run read, refused too);
* a bundle the run did not read: the bundle's training split, as pre-training scales each
  bundle, less the analysed samples in it (a re-prepared bundle's training split held 13 of
  the 16 analysed samples, unsaid); with fewer than :data:`MIN_FIT` others there, the
  bundle's samples outside the analysed ones; with fewer still, every sample of the
  bundle, the analysed ones included, said in a note and in ``summary.json`` ``scaler``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.anndata_io import value_scale
from genemoe.data.bundle import Bundle
from genemoe.data.ids import detect_id_kind
from genemoe.data.scaling import Scaler, column_moments
from genemoe.errors import InputError, input_error
from genemoe.train.finetune import check_normalisation
from genemoe.workflows.feature_run import (
    RunModel,
    ZeroFilled,
    bundle_key,
    zero_filled_genes,
)

__all__ = ["MAX_MISSING", "MIN_FIT", "CORRELATED_VALUES", "Inputs", "check_values",
           "correlation_space", "missing_error", "read_inputs", "clip_counts", "missing_note",
           "zero_note", "scaler_note", "clip_note", "gene_symbols", "symbols_note"]

MAX_MISSING = 0.2  # share of the run's genes a bundle may lack (as fine-tuning and predict)
MIN_FIT = 10  # samples a scaler fitted on the bundle needs, the analysed ones left out
# summary.json's "correlated_values": what the r are of (the model reads them scaled and
#   clipped; a z-score is affine per gene, so only the clipped values make r differ)
CORRELATED_VALUES = ("the bundle's log values, unclipped (the model reads them scaled as the "
                     "run scales them, clipped at ±clip: input_clipped counts those values)")


@dataclass
class Inputs:
    """The analysed samples as the model reads them."""

    x_log: np.ndarray  # (n, n_genes) the bundle's values, the run's gene order; 0 where missing
    x_scaled: np.ndarray  # (n, n_genes) scaled; missing genes at the training mean, those
    #   dropped at prepare as zero in every sample at zero on the bundle's scale
    scaled_by: str  # where the scaler came from
    missing: np.ndarray  # (n_genes,) bool: the run's genes the bundle lacks
    zero: ZeroFilled  # those of them it dropped as zero in every sample
    # summary.json's "scaler": source, n_fit (None: the run's own), n_analysed_in_fit and
    #   n_analysed_in_training_split (the bundle's, where its own samples fit it)
    scaler: dict[str, Any] = field(default_factory=dict)
    # (n_genes,) the training mean in scaled space: the reconstructions' constant baseline
    mean_scaled: np.ndarray | None = None
    # summary.json's "input_clipped": the bundle's values (genes it has) the model read
    #   clipped at the scaler's ±clip (:func:`clip_counts`)
    clipped: dict[str, Any] = field(default_factory=dict)

    @property
    def mean_filled(self) -> np.ndarray:
        """``(n_genes,)`` bool: the genes filled with the training mean (missing otherwise)."""
        return self.missing & ~self.zero.mask


# ---------------------------------------------------------------------------- normalisation


def _bundle_normalisation(bundle: Bundle) -> Any:
    """The bundle's normalisation as its record (else its summary) says; None: unknown."""
    return bundle.record.get("normalisation") or (bundle.summary or {}).get("normalisation")


def check_values(run: RunModel, bundle: Bundle) -> dict[str, Any]:
    """Refuse a bundle of another normalisation than the run read, as fine-tuning does.

    Parameters
    ----------
    run
        The analysed run (``values``: its recorded normalisation; None: not recorded).
    bundle
        The bundle analysed (its record's ``normalisation``).

    Returns
    -------
    dict
        ``summary.json``'s ``normalisation``: ``run``, ``bundle`` and ``check`` (``"same"``
        or why it was not checked).

    Raises
    ------
    InputError
        Both normalisations named, and the fix: prepare the cohort with the run's.
    """
    mine = _bundle_normalisation(bundle)
    if run.values is None:
        return {"run": None, "bundle": mine,
                "check": "the run's normalisation is not recorded (an earlier genemoe): not checked"}
    try:
        said = check_normalisation(run.values, str(run.path), mine)
    except InputError as exc:
        theirs = run.values.get("normalisation") or " / ".join(
            map(str, run.values.get("normalisations") or []))
        problem = str(exc.problem or exc)
        if run.kind == "train":  # the check's words are a pre-training's
            problem = problem.replace("the run pre-trained on", "the run was trained on", 1)
        raise exc.with_fix(
            f"prepare this cohort again with --normalisation {theirs} (genemoe prepare ... "
            f"--normalisation {theirs} --out BUNDLE) and analyse that bundle",
            problem=f"{problem} (--data {bundle.path})") from exc
    return {"run": said.get("normalisation"), "bundle": mine, "check": said["normalisation_check"]}


def correlation_space(bundle: Bundle) -> str:
    """What the correlations were computed on: the bundle's values, on their named scale
    (it said "log expression" of a bundle of raw counts)."""
    mine = _bundle_normalisation(bundle)
    scale = value_scale(mine)[0] if mine is not None else "normalisation not recorded"
    return f"the bundle's values, {scale} (Pearson r is unchanged by scaling)"


# ---------------------------------------------------------------------------- gene ids


_KIND_WORDS = {"ensembl": "Ensembl ids", "ensembl_versioned": "versioned Ensembl ids",
               "entrez": "Entrez ids", "symbol": "gene symbols",
               "firehose": "Firehose SYMBOL|Entrez ids"}


def _ids_said(ids: list[str]) -> str:
    """``'Entrez ids, e.g. 7157'``: the kind of ``ids`` (when known) and the first one."""
    kind = _KIND_WORDS.get(detect_id_kind(ids))
    first = ids[0] if ids else "?"
    return f"{kind}, e.g. {first}" if kind else f"e.g. {first}"


def _kinds_fix(ours: list[str], theirs: list[str]) -> str:
    """The fix for a bundle sharing no gene id with the run, by the kinds of their ids, as
    predict gives it (:mod:`genemoe.workflows.predict_align`): an ``--annotation`` maps
    symbols to Ensembl ids only, so ids of another kind (Entrez) must be converted. It
    advised "the --annotation the run's bundles were prepared with" to a run of Entrez ids
    prepared without any."""
    mine, run = detect_id_kind(ours), detect_id_kind(theirs)
    if mine != run and "unknown" not in (mine, run):
        if run.startswith("ensembl") and mine in ("symbol", "firehose"):
            return ("prepare this cohort with an --annotation holding both kinds of id (it "
                    "maps the bundle's to the run's), or pass a bundle the run read")
        return ("an --annotation maps symbols to Ensembl ids only (none carries Entrez ids): "
                f"convert the cohort's gene ids to the run's kind ({_KIND_WORDS[run]}) and "
                "prepare it again, or pass a bundle the run read")
    return ("analyse a bundle of the run's gene ids: prepare this cohort with the "
            "--annotation the run's bundles were prepared with, or pass a bundle the run read")


def missing_error(bundle: Bundle, run: RunModel, missing: np.ndarray,
                  max_missing: float) -> Exception:
    """Too many of the run's genes absent: gene ids of another kind, most likely.

    Every gene absent is refused whatever ``--max-missing`` allows, so that case names
    both sides' ids and leaves the flag out (it advised ``--max-missing 1.00`` when given
    just that)."""
    n, total = int(missing.sum()), len(missing)
    ours = [str(g) for g in bundle.gene_ids[:2000]]
    if n == total:
        theirs = [str(g) for g in run.gene_ids[:2000]]
        return input_error(
            f"none of the run's {total:,} genes is in the bundle: no gene id in common (the "
            f"run's: {_ids_said(theirs)}; the bundle's: {_ids_said(ours)})",
            path=bundle.path, where="--data", fix=_kinds_fix(ours, theirs))
    theirs_one = run.gene_ids[int(np.flatnonzero(missing)[0])]
    return input_error(
        f"{n:,} of the run's {total:,} genes are not in the bundle (at most {max_missing:.0%} "
        f"may be; fewer are filled with the training mean), e.g. {theirs_one} (the bundle's "
        f"genes: {ours[0] if ours else '?'}, ...)", path=bundle.path, where="--data",
        fix="prepare this cohort with the --annotation the run's bundles were prepared with "
            f"(the same kind of gene ids), analyse a bundle the run read, or allow more with "
            f"--max-missing {math.ceil(100 * n / total) / 100:.2f} (the correlations then lack "
            "those genes)")


# ---------------------------------------------------------------------------- scaling


def _fit_rows(bundle: Bundle, train: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, str]:
    """The bundle's rows a scaler is fitted on, the analysed ``rows`` left out where the
    bundle has :data:`MIN_FIT` others, and where they come from in words."""
    others = np.setdiff1d(train, rows)
    if len(others) >= MIN_FIT:
        return others, (f"the bundle's training split less the {len(train) - len(others)} "
                        f"analysed samples in it ({len(others)} samples)")
    rest = np.setdiff1d(bundle.indices(None), rows)
    if len(rest) >= MIN_FIT:
        return rest, f"the bundle's {len(rest)} samples outside the analysed ones"
    return bundle.indices(None), (f"every sample of the bundle ({bundle.n_samples}), the "
                                  f"{len(rows)} analysed ones included")


def _bundle_scaler(bundle: Bundle, cols: np.ndarray, have: np.ndarray, rows: np.ndarray,
                   ) -> tuple[Scaler, dict[str, Any]]:
    """A z-score scaler ``(n_genes,)`` of a bundle the run did not read, as pre-training
    scales each bundle (its training split), fitted on samples outside the analysed ones
    where it has enough; and its record (``source``, ``n_fit``, ``n_analysed_in_fit``)."""
    mean, std = np.zeros(len(cols), np.float32), np.ones(len(cols), np.float32)
    train = bundle.indices("train")
    if not np.isin(rows, train).any():  # the stored training statistics are the same numbers
        mean[have] = bundle.var["train_mean"].to_numpy(np.float32)[cols[have]]
        std[have] = bundle.var["train_std"].to_numpy(np.float32)[cols[have]]
        fit, source = train, "the bundle's training split"
    else:  # a bundle prepared again, its split drawn anew
        fit, source = _fit_rows(bundle, train, rows)
        moments = column_moments(np.asarray(bundle.X[fit][:, cols[have]], np.float32))
        mean[have], std[have] = moments["mean"], np.sqrt(moments["var"])
    scaler = Scaler(mean, np.where(std < 1e-6, 1, std).astype(np.float32), "standard", 10.0)
    return scaler, {"source": source, "n_fit": int(len(fit)),
                    "n_analysed_in_fit": int(np.isin(rows, fit).sum()),
                    "n_analysed_in_training_split": int(np.isin(rows, train).sum())}


def read_inputs(bundle: Bundle, run: RunModel, rows: np.ndarray, *,
                max_missing: float = MAX_MISSING) -> Inputs:
    """The rows' values in the run's gene order, scaled as the run scales them.

    Genes of the run the bundle lacks are filled with the run's training mean, 0 in scaled
    space, as fine-tuning and predict do, except those its record says prepare dropped as
    zero in every sample: zero on the bundle's scale, then scaled, as explain fills them
    (their value is known; the mean is not it). More than ``max_missing`` missing are refused.
    """
    cols = pd.Index(bundle.gene_ids.astype(str)).get_indexer(run.gene_ids)
    missing = cols < 0
    if missing.any() and (missing.all() or missing.sum() > max_missing * len(cols)):
        raise missing_error(bundle, run, missing, max_missing)
    have = np.flatnonzero(~missing)
    x_log = np.zeros((len(rows), len(cols)), np.float32)
    x_log[:, have] = np.asarray(bundle.X[rows][:, cols[have]], dtype=np.float32)
    scaler, source = run.scaler, "the run's scaler"
    if scaler is None:  # pre-training: the scaler it stored for this bundle (e.g. a fold's) ...
        scaler = run.bundle_scalers.get(bundle_key(bundle.path))
        source = "the pre-training run's scaler for this bundle"
    record: dict[str, Any] = {"source": source, "n_fit": None, "n_analysed_in_fit": 0}
    if scaler is None:  # ... else the bundle's own samples, the analysed ones left out
        scaler, record = _bundle_scaler(bundle, cols, have, rows)
        source = record["source"]
    x_scaled = scaler.transform(x_log)  # zero-dropped genes: 0 on the bundle's scale
    zero = zero_filled_genes(bundle, run, missing)
    mean = missing & ~zero.mask
    profile = scaler.mean_profile()
    x_scaled[:, mean] = profile[mean]  # the training mean
    return Inputs(x_log, x_scaled, source, missing, zero, record, profile,
                  clip_counts(x_log, scaler, have))


def clip_counts(x_log: np.ndarray, scaler: Any, have: np.ndarray) -> dict[str, Any]:
    """How many of the bundle's values (the genes in ``have``) the model read clipped.

    Parameters
    ----------
    x_log
        ``(n, n_genes)`` the bundle's values in the run's gene order.
    scaler
        The :class:`~genemoe.data.scaling.Scaler` the samples were scaled with.
    have
        Indices of the run's genes the bundle holds (the filled ones are not its values).

    Returns
    -------
    dict
        ``clip`` (None: the scaler clips nothing), ``n_values``, ``n_samples``, ``n_genes``
        (with any value clipped), ``n_total`` (values read), ``max_abs`` (the largest
        ``|scaled value|`` before clipping, 2 decimals) and ``genes`` (the 10 genes with
        the most clipped values, most first).
    """
    z = np.abs((x_log[:, have] - scaler.shift[have]) / scaler.scale[have])
    clip = None if scaler.clip is None else float(scaler.clip)
    over = z > clip if clip is not None else np.zeros(z.shape, bool)
    per_gene = over.sum(0)
    order = np.argsort(-per_gene, kind="stable")[: 10]
    return {"clip": clip, "n_values": int(over.sum()), "n_samples": int(over.any(1).sum()),
            "n_genes": int((per_gene > 0).sum()), "n_total": int(z.size),
            "max_abs": round(float(z.max()), 2) if z.size else None,
            "genes": [int(have[i]) for i in order if per_gene[i]]}


# ---------------------------------------------------------------------------- notes


def scaler_note(inputs: Inputs, n: int) -> list[str]:
    """How the ``n`` analysed samples' scaler was fitted, where the bundle's training split
    held any of them (it was unsaid, and they were called held-out)."""
    rec = inputs.scaler
    if not rec.get("n_analysed_in_training_split"):
        return []
    if rec["n_analysed_in_fit"]:
        return [f"the scaler saw the {n} analysed samples (the bundle has fewer than {MIN_FIT} "
                "others): not held out from it"]
    return [f"{rec['n_analysed_in_training_split']} of the {n} analysed samples are in the "
            f"bundle's training split: scaled by {rec['n_fit']} other samples"]


def clip_note(inputs: Inputs, gene_ids: list[str],
              symbols: np.ndarray | None = None) -> list[str]:
    """The values the model read clipped while the correlations use them unclipped (it
    was unsaid: a gene's r and the model's reading of it parted there); the genes with the
    most named, with their ``symbols`` ``(n_genes,)`` where given."""
    c = inputs.clipped
    if not c.get("n_values"):
        return []
    shown = [gene_ids[i] + (f" ({symbols[i]})" if symbols is not None and symbols[i]
                            and symbols[i] != gene_ids[i] else "") for i in c["genes"][:3]]
    n, share = c["n_values"], 100 * c["n_values"] / c["n_total"]
    return [f"{n:,} value{'s' * (n != 1)} ({'<0.1' if share < 0.05 else f'{share:.1f}'}%) "
            f"of {c['n_samples']:,} sample{'s' * (c['n_samples'] != 1)} over {c['n_genes']:,} "
            f"gene{'s' * (c['n_genes'] != 1)} lie beyond ±{c['clip']:g} of the run's scale "
            f"(largest {c['max_abs']:.1f}): the model read them clipped there, the correlations "
            "use the bundle's values unclipped (summary.json input_clipped), e.g. "
            + ", ".join(shown)]


def gene_symbols(bundle: Bundle, run: RunModel) -> tuple[np.ndarray | None, dict[str, int]]:
    """Each of the run's genes' symbol: the bundle's, else the run's model file's.

    Returns
    -------
    tuple
        ``(n_genes,)`` symbols ("" where neither names one; None where neither has any)
        and how many came from where (``bundle``, ``run``, ``none``: summary.json's
        ``symbols_from``).
    """
    var = bundle.var.set_index(bundle.var["gene_id"].astype(str)).reindex(run.gene_ids)
    ours = (var["symbol"].fillna("").astype(str).to_numpy() if "symbol" in var
            else np.full(len(run.gene_ids), "", dtype=object))
    theirs = np.asarray(["" if s is None else str(s) for s in (run.symbols or [])]
                        or [""] * len(run.gene_ids), dtype=object)
    if len(theirs) != len(ours):  # a model file of other genes: not its symbols
        theirs = np.full(len(ours), "", dtype=object)
    own = ours != ""
    filled = ~own & (theirs != "")
    symbols = np.where(own, ours, theirs).astype(object)
    counts = {"bundle": int(own.sum()), "run": int(filled.sum()),
              "none": int((~own & ~filled).sum())}
    return (symbols if own.any() or filled.any() else None), counts


def symbols_note(counts: dict[str, int]) -> list[str]:
    """Where the gene symbols came from, said where the bundle lacks them (pancan33's heat
    map of bare Entrez ids was unsaid; the run's model file's symbols went unused)."""
    n_run, n_none, n_own = counts["run"], counts["none"], counts["bundle"]
    fix = "prepare with an --annotation that maps these ids to symbols"
    if not n_own and not n_run:
        return [f"the bundle names no gene symbols: genes are shown by their ids ({fix})"]
    if not n_run:
        return []
    ids = f", {n_none:,} shown by their ids" if n_none else ""
    if not n_own:
        return [f"the bundle names no gene symbols: those of the run's model file are shown "
                f"({n_run:,} genes{ids}; to keep them in the bundle, {fix})"]
    return [f"{n_run:,} gene{'s' * (n_run != 1)} without a symbol in the bundle named by the "
            f"run's model file's{ids}"]


def missing_note(run: RunModel, missing: np.ndarray) -> list[str]:
    """The genes filled with the training mean, counted and named (said on the terminal)."""
    n = int(missing.sum())
    if not n:
        return []
    names = [run.gene_ids[i] for i in np.flatnonzero(missing)]
    return [f"{n:,} of the run's {len(missing):,} genes are not in this bundle: filled with "
            f"the training mean, 0 in scaled space (left out of the correlations and the mixing score; "
            f"listed in summary.json genes_missing), e.g. {', '.join(names[:3])}"]


def zero_note(run: RunModel, zero: ZeroFilled) -> list[str]:
    """The genes filled as zero, said as explain says them (and where they are left out)."""
    said = zero.note(run.gene_ids)
    if said is None:
        return []
    return [f"{said['text']}; left out of the correlations and the mixing score (listed in "
            f"summary.json zero_filled_genes), e.g. {', '.join(said['examples'][:3])}"]
