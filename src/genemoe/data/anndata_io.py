"""AnnData (``.h5ad``) export of a bundle, so users move between genemoe and scanpy."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genemoe.data.anndata_layers import h5ad_unread_note, layer_hint
from genemoe.data.annotation import TABLE_COLUMNS, GeneAnnotation
from genemoe.data.args import absolute
from genemoe.data.bundle import Bundle, atomic_file, dump_json, load_bundle, summarise
from genemoe.data.crossscale import LOG2_SCALES
from genemoe.data.ids import detect_id_kind, looks_like_samples
from genemoe.data.values import ValueStats, value_kind
from genemoe.errors import input_error

if TYPE_CHECKING:
    import anndata

__all__ = ["bundle_to_anndata", "write_h5ad", "exported_normalisation", "exported_annotation",
           "exported_history", "exported_history_said",
           "log1p_to_log2", "h5ad_checked", "value_scale", "export_line",
           "half_missing_endpoints", "open_h5ad", "h5ad_matrix", "h5ad_gene_ids",
           "check_h5ad_axes", "h5ad_unread_note", "centred_x_said", "log1p_converted", "dense_size_said",
           "GENE_ID_COLUMNS"]

logger = logging.getLogger(__name__)

# var columns that hold a scanpy file's Ensembl ids beside symbol var names (read_10x_h5's
# gene_ids, others' spellings), preferred to the var names in this order
GENE_ID_COLUMNS = ("gene_ids", "gene_id", "ensembl_id", "ensembl_gene_id")
_DENSE_SAY_BYTES = 2e9  # a dense copy of X above this is said, with its size



def value_scale(normalisation: Any) -> tuple[str, bool]:
    """The scale of a bundle's values in words, and whether it is log2(x + 1).

    ``normalisation`` is the record's (one method, or a list for a bundle of several). A
    ``fpkm_uq`` bundle holds log2(FPKM-UQ + 1), values of ~17, not FPKM-UQ; ``none`` kept
    the values as read (already log scale, or transformed: z-scores, log-ratios).

    Examples
    --------
    >>> value_scale("fpkm_uq")
    ('log2(FPKM-UQ + 1)', True)
    >>> value_scale("none")
    ('as read (already log scale or transformed; normalisation none)', False)
    """
    if isinstance(normalisation, str) and normalisation in LOG2_SCALES:
        return LOG2_SCALES[normalisation], True
    if isinstance(normalisation, list | tuple) and normalisation and all(
            m in LOG2_SCALES for m in normalisation):
        return " or ".join(LOG2_SCALES[m] for m in normalisation) + " (by input file)", True
    if normalisation == "none":
        return "as read (already log scale or transformed; normalisation none)", False
    return f"normalisation {normalisation}", False


def _fold_column(bundle: Bundle) -> pd.Series | None:
    """The bundle's k-fold assignment (``folds.tsv``) by sample, missing where a sample has
    none (-1); None for a bundle prepared without ``--folds``."""
    if bundle.folds is None:
        return None
    folds = np.asarray(bundle.folds, dtype=np.int64)
    out = pd.Series(folds, dtype="Int64", index=bundle.obs["sample_id"].astype(str).to_numpy())
    out[folds < 0] = pd.NA
    return out


def _h5ad_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns AnnData can write: text-with-gaps as categoricals, other objects as str."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            vals = out[c].dropna()
            ok = vals.map(lambda v: isinstance(v, str)).all()
            text = out[c] if ok else out[c].map(lambda v: v if pd.isna(v) else str(v))
            out[c] = pd.Categorical(text)
    return out


def _endpoints(obs: pd.DataFrame) -> list[str]:
    """The endpoints with a time and an event column in ``obs`` (``os``, ``pfi``, ...)."""
    return [m.group(1) for c in obs.columns if (m := re.fullmatch(r"([a-z]+)_event", str(c)))
            and f"{m.group(1)}_time" in obs.columns]


def half_missing_endpoints(obs: pd.DataFrame) -> dict[str, int]:
    """``{endpoint: samples}`` whose ``<ep>_time`` or ``<ep>_event`` is missing but not both
    (endpoints with none left out). The clinical reader keeps an event without a time (it
    counts events); an export sets both missing there."""
    out = {}
    for ep in _endpoints(obs):
        n = int((obs[f"{ep}_time"].isna() ^ obs[f"{ep}_event"].isna()).sum())
        if n:
            out[ep] = n
    return out


def _blank_half_missing(obs: pd.DataFrame) -> None:
    """Set ``<ep>_time`` and ``<ep>_event`` both missing wherever one of them is, in place."""
    for ep in _endpoints(obs):
        gap = (obs[f"{ep}_time"].isna() | obs[f"{ep}_event"].isna()).to_numpy()
        obs.loc[gap, [f"{ep}_time", f"{ep}_event"]] = np.nan


def bundle_to_anndata(bundle: Bundle) -> anndata.AnnData:
    """The bundle as AnnData: ``X`` ``(n_samples, n_genes)``, ``obs`` by sample_id, ``var``
    by gene_id.

    ``uns["genemoe"]`` holds the record and summary as JSON strings (read them back with
    ``json.loads(adata.uns["genemoe"]["record"])``), and, readable as they are:
    ``synthetic`` (bool: genemoe's generated cohort, not patients), ``normalisation`` and
    ``value_scale`` (e.g. ``log2(FPKM-UQ + 1)``), ``n_folds`` (0 without folds).
    ``uns["log1p"] = {"base": 2}`` (scanpy's mark of log-transformed data) where the values
    are log2(x + 1). ``obs["fold"]`` (nullable integer) is the bundle's k-fold assignment
    (``genemoe prepare --folds``), where it has one. ``obs["event"]`` is nullable boolean:
    missing where the sample has no survival (``has_survival`` False; the bundle keeps False
    there, beside a missing time). Every endpoint's ``<ep>_event`` (``os_event``,
    ``pfi_event``, ...; 1.0 / 0.0 / NaN in the bundle) is nullable boolean too, and it and
    ``<ep>_time`` are both missing where either is in the bundle (an event without a time:
    a gdc6 sample had ``os_event`` True and no ``os_time``); the samples so set, by
    endpoint, are in the record's ``export.endpoint_half_missing`` and
    ``uns["genemoe"]["endpoint_half_missing"]`` (:func:`half_missing_endpoints`).
    """
    import anndata

    obs = _h5ad_safe(bundle.obs).set_index("sample_id")
    obs.index = obs.index.astype(str)
    half = half_missing_endpoints(obs)
    _blank_half_missing(obs)
    if {"event", "has_survival"} <= set(obs.columns):  # False read as "censored" where the
        #   sample has no survival at all (time NaN): missing there, as time is
        obs["event"] = pd.array(obs["event"].astype(bool), dtype="boolean")
        obs.loc[~obs["has_survival"].astype(bool), "event"] = pd.NA
    for c in [c for c in obs.columns if re.fullmatch(r"[a-z]+_event", str(c))]:
        v = pd.to_numeric(obs[c], errors="coerce")  # were float64 beside a boolean event
        if v.dropna().isin([0.0, 1.0]).all() and v.isna().sum() == obs[c].isna().sum():
            obs[c] = pd.array(v.eq(1.0).where(v.notna(), pd.NA), dtype="boolean")
    var = _h5ad_safe(bundle.var).set_index("gene_id")
    var.index = var.index.astype(str)
    summary = bundle.summary
    if not summary and {"cancer_type", "event"} <= set(bundle.obs.columns):
        summary = summarise(bundle.obs, bundle.var, bundle.record)
    if (folds := _fold_column(bundle)) is not None:  # folds.tsv was left out of the export
        obs["fold"] = folds.reindex(obs.index).array
    norm = bundle.record.get("normalisation") or (summary or {}).get("normalisation")
    scale, log2p1 = value_scale(norm)
    record = bundle.record | ({"export": {"endpoint_half_missing": half}} if half else {})
    uns: dict[str, Any] = {"genemoe": {
        "record": dump_json(record), "summary": dump_json(summary or {}),
        "endpoint_half_missing": half,
        "synthetic": _is_synthetic(bundle),
        "normalisation": norm if isinstance(norm, str) else ", ".join(map(str, norm or [])),
        "value_scale": scale,
        "n_folds": int(folds.max()) + 1 if folds is not None and folds.notna().any() else 0}}
    if log2p1:  # scanpy's mark (sc.pp.log1p): read back by log1p_to_log2 as already log2
        uns["log1p"] = {"base": 2}
    return anndata.AnnData(X=np.asarray(bundle.X, dtype=np.float32), obs=obs, var=var, uns=uns)


def _is_synthetic(bundle: Bundle) -> bool:
    """Whether the bundle is genemoe's synthetic cohort (its record or summary says so)."""
    return bool(bundle.record.get("synthetic") or (bundle.summary or {}).get("synthetic"))


def export_line(bundle: Bundle, path: Path | str) -> str:
    """The terminal's line for an export: ``wrote d.h5ad: 90 samples × 50 genes,
    log2(FPKM-UQ + 1); 3 folds in obs['fold']  [SYNTHETIC DATA]`` (was ``wrote d.h5ad``,
    with no word of the scale or of synthetic data, which prepare marks), and below it the
    samples, by endpoint, whose time and event were set missing together
    (:func:`half_missing_endpoints`)."""
    scale, _ = value_scale(bundle.record.get("normalisation")
                           or (bundle.summary or {}).get("normalisation"))
    folds = _fold_column(bundle)
    k = int(folds.max()) + 1 if folds is not None and folds.notna().any() else 0
    half = half_missing_endpoints(bundle.obs)
    return (f"wrote {path}: {bundle.n_samples:,} samples × {bundle.n_genes:,} genes, {scale}"
            + (f"; {k} folds in obs['fold']" if k else "")
            + ("  [SYNTHETIC DATA]" if _is_synthetic(bundle) else "")
            + ("\n  " + ", ".join(f"{ep} {n}" for ep, n in half.items())
               + f" sample{'s' if sum(half.values()) != 1 else ''}: an endpoint's time or "
               "event alone, both set missing" if half else ""))


def write_h5ad(bundle: Bundle | Path | str, path: Path | str) -> Path:
    """Write ``bundle`` (a :class:`Bundle` or its folder) as ``.h5ad`` atomically (temporary
    sibling file, then rename)."""
    if not isinstance(bundle, Bundle):  # a folder's path failed as "'str' has no attribute obs"
        bundle = load_bundle(bundle)
    path = Path(path)
    if path.suffix.lower() != ".h5ad":  # an .h5ad was written under any name (b.csv)
        raise input_error(f"{path.name}: genemoe export writes AnnData (.h5ad) only",
                          where="--out", fix=f"name it e.g. {path.stem or 'cohort'}.h5ad")
    if path.is_dir():  # was "replacing it", then "Is a directory" on the temporary file
        raise input_error(f"{path} is a folder", where="--out",
                          fix=f"name a file, e.g. {path / 'cohort.h5ad'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # as train and predict say it (was replaced silently)
        logger.warning("%s exists: replacing it", path)
    adata = bundle_to_anndata(bundle)
    with atomic_file(path, suffix=".h5ad") as tmp:
        adata.write_h5ad(tmp)
    # DEBUG, and not export_line: the command prints that line, and -v printed it twice
    logger.debug("%s: AnnData written (%d obs columns, %d var columns)", path.name,
                 adata.obs.shape[1], adata.var.shape[1])
    return absolute(path)  # as the result objects' folders: an os.chdir left it stale


def exported_normalisation(uns: Any) -> str | None:
    """The bundle normalisation a ``genemoe export`` recorded in ``uns["genemoe"]`` (read
    back by :func:`genemoe.data.read.read_expression`), or None: another file, or a bundle of
    several normalisations."""
    try:
        record = json.loads(uns["genemoe"]["record"])
    except (KeyError, TypeError, ValueError):
        return None
    method = record.get("normalisation") if isinstance(record, dict) else None
    return method if isinstance(method, str) else None


def log1p_to_log2(uns: Any) -> tuple[float, str] | None:
    """The factor that turns scanpy's ``log1p`` values into log2(x + 1), and what it was, for
    an AnnData whose ``uns["log1p"]`` marks them (``sc.pp.log1p``: base None = natural log,
    the scanpy default; ``{}`` once a None base was not stored); None without the mark or
    for base 2 (already genemoe's scale).

    A scanpy file's ln(CP10k + 1) was taken as log2 values as-is (×0.69 on every value),
    and its "counts" recovered by 2^x − 1 were (y + 1)^0.69 − 1, not the normalised values.

    Examples
    --------
    >>> log1p_to_log2({"log1p": {"base": None}})
    (1.4426950408889634, 'natural log')
    >>> log1p_to_log2({"log1p": {"base": 2}}) is None, log1p_to_log2({}) is None
    (True, True)
    """
    try:
        mark = uns["log1p"]
    except (KeyError, TypeError):
        return None
    base = mark.get("base") if hasattr(mark, "get") else None
    if base is None:
        return float(1 / np.log(2)), "natural log"
    try:
        base = float(base)
    except (TypeError, ValueError):
        return None
    if not base > 1 or base == 2:
        return None
    return float(np.log2(base)), f"log base {base:g}"


def h5ad_checked(table: Any, exported: str | None, factor: float, base: str,
                 ignored: str | None = None) -> Any:
    """An ``.h5ad`` table (:class:`~genemoe.data.read.ExpressionTable`) with its marks said:
    scanpy's ``log1p`` values turned into log2 (``factor``, ``base``: :func:`log1p_to_log2`;
    the values already multiplied by :func:`log1p_converted` unless ``ignored`` names the kind
    they looked as read; a warning and a note), and a genemoe export's record (``exported``)
    kept only while the values still look like the exported bundle's.

    A log-scale export whose ``X`` was z-scored or un-logged in scanpy kept its record, and
    `prepare` called the z-scores ``fpkm_uq`` and `predict` took them as the model's scale
    (every sample one type): the record is dropped then, said, and the values are read by
    what they look like.
    """
    from dataclasses import replace

    notes, name, is_export = list(table.notes), table.source_path.name, exported is not None
    looked = {"transformed": "centred (sc.pp.scale since?)", "counts": "integer counts",
              "log_counts": "log2(counts + 1) already", "linear": "linear (not log)",
              "log2_eps": "log2(x + ε), converted to log2(x + 1) on reading"}
    if base and ignored:  # sc.pp.scale after log1p keeps the mark; a stale one on counts
        notes.append(f"uns['log1p'] marks log1p values ({base}), but the {table.values.size:,} "
                     f"values look {looked.get(ignored, ignored)}: mark ignored, not converted")
        logger.warning("%s: %s", name, notes[-1])
    elif base:
        notes.append(f"scanpy log1p values ({base}, uns['log1p']): all {table.values.size:,} "
                     f"multiplied by {factor:.4f} to log2(x + 1)")
        logger.warning("%s: %s", name, notes[-1])
    unread = next((n for n in notes if n.startswith("read .X only, not ")), None)
    if table.value_kind == "transformed" and unread:  # sc.pp.scale's X read as the data, said
        notes.append(centred_x_said(unread, len(table.sample_ids)))  # in a note only
        logger.warning("%s: %s", name, notes[-1])
    if exported and exported != "none" and table.value_kind not in ("log", "log_counts"):
        notes.append(f"a genemoe export of a {exported} bundle, but its values look "
                     f"{table.value_kind.replace('_', ' ')}, not log scale: changed since the "
                     "export, so they are read as what they look like, not as the export's")
        logger.warning("%s: %s", name, notes[-1])
        exported = None
    elif exported:
        notes.append(f"a genemoe export of a {exported} bundle")
    meta = table.sample_meta
    if is_export and meta is not None and "fold" in meta and (k := meta["fold"].nunique()):
        notes.append(f"the export's {k} folds (obs['fold']) are not reused: prepare deals its "
                     "own split (pass --folds K for a fold assignment)")  # dropped unsaid
        logger.info("%s: %s", name, notes[-1])
    return replace(table, notes=notes, exported_normalisation=exported, from_export=is_export)


def centred_x_said(unread: str, n_samples: int) -> str:
    """The warning for an ``.h5ad`` whose ``X`` looks centred (``sc.pp.scale``) while ``.raw``
    or a layer (``unread``: :func:`h5ad_unread_note`) holds the values before: each gene was
    centred and scaled over all ``n_samples`` samples, those a split tests on among them, and
    new samples cannot be put on that scale (it was a note under the read line only).

    >>> print(centred_x_said("read .X only, not .raw: to read one, prepare --layer raw "
    ...     "(Python: ...), or in Python adata = adata.raw.to_adata(); adata.write_h5ad(...)", 9))
    X looks centred per gene (sc.pp.scale?), fitted over all 9 samples (test samples among \
them; new samples cannot be put on that scale), while .raw holds the values before: read it \
instead (--layer raw), or in Python adata = adata.raw.to_adata(); adata.write_h5ad(...)
    """
    what = unread.removeprefix("read .X only, not ").split(":", 1)[0]
    use = unread.split("in Python ", 1)[-1]
    flag = f" ({m[0]}), or" if (m := re.search(r"--layer \S+", unread)) else ","  # either command's
    holds = "holds" if " or " not in what and not what.startswith("layers") else "hold"
    return (f"X looks centred per gene (sc.pp.scale?), fitted over all {n_samples:,} samples "
            "(test samples among them; new samples cannot be put on that scale), while "
            f"{what} {holds} the values before: read {'it' if holds == 'holds' else 'one'} "
            f"instead{flag} in Python {use}")


def exported_annotation(paths: list[Path], say: Callable[..., Any] | None = None
                        ) -> GeneAnnotation | None:
    """The gene annotation genemoe exports carry in their ``var`` (symbol, biotype,
    chromosome, start, length), when every file is such an export holding some; else None.

    Re-preparing an export without ``--annotation`` lost all of it without a word (symbols,
    genomic positions for ``--layout genomic``, biotypes for ``--protein-coding-only``).
    One file that is not an export: None (its genes would be looked up in the others').
    ``say``: called as a preparation step (``say("annotation", ...)``) when one is found.
    """

    frames = []
    for path in paths:
        if Path(path).suffix.lower() != ".h5ad":
            return None
        try:
            adata = open_h5ad(path)
        except Exception:  # damaged or not AnnData: the reader says so, naming the file
            return None  # (this was a 98-line h5py traceback)
        try:
            if "genemoe" not in adata.uns:  # not a genemoe export
                return None
            var = adata.var.copy()
        finally:
            adata.file.close()
        frames.append(var.reindex(columns=list(TABLE_COLUMNS)))
    table = pd.concat(frames)  # prepare refuses an empty --expression list first
    table.index = table.index.astype(str)
    table = table[~table.index.duplicated(keep="first")]
    if not table.notna().to_numpy().any():
        return None
    table["symbol"] = table["symbol"].astype(object).where(table["symbol"].notna(), None)
    if say is not None:
        say("annotation", source="the genemoe export's own var", n_genes=len(table),
            **{f"with_{c}": int(table[c].notna().sum()) for c in ("symbol", "chrom", "biotype")})
    return GeneAnnotation(table=table, source_path=Path(paths[0]))


# what a re-prepared export's record keeps of the export's own preparation record
_HISTORY_KEYS = ("genemoe_version", "created", "synthetic", "normalisation", "config", "dropped",
                 "n_values_clipped", "n_values_clipped_in_files", "warnings", "export")


def exported_history(path: Path) -> dict[str, Any]:
    """``{"exported": {...}}``: what a genemoe export's own preparation did before the export
    (its inputs with their sha256, samples and genes dropped by reason, negative values
    clipped, warnings, options, normalisation) and what the export itself changed
    (``export``: an endpoint's time and event set missing together,
    :func:`half_missing_endpoints`), from ``uns["genemoe"]["record"]``; ``{}`` for any other
    file.

    Re-preparing an export kept its values but not their history: the new record and
    summary said nothing was dropped or clipped (the PanCanAtlas export's 116 normals,
    metastases and recurrences, its 361 clipped negatives), a matrix the same, a record not.
    """
    if Path(path).suffix.lower() != ".h5ad":
        return {}
    try:
        adata = open_h5ad(path)
    except Exception:  # damaged or not AnnData: the reader says so, naming the file
        return {}
    try:
        record = json.loads(adata.uns["genemoe"]["record"])
    except (KeyError, TypeError, ValueError):
        return {}
    finally:
        adata.file.close()
    if not isinstance(record, dict):
        return {}
    kept = {k: record[k] for k in _HISTORY_KEYS if k in record}
    kept["inputs"] = [{k: i[k] for k in ("role", "path", "sha256", "exported") if k in i}
                      for i in record.get("inputs") or [] if isinstance(i, dict)]
    return {"exported": kept}


def exported_history_said(name: str, history: dict[str, Any]) -> str | None:
    """The warning that an export's values were changed before it, by its own preparation
    (``history``: :func:`exported_history`'s ``exported``), counted, so this bundle's own
    counts are not taken for the whole story (the counts themselves are kept in the new
    record's ``inputs``, ``exported``); None where that preparation changed nothing.

    The export's own change is said too: where an endpoint had a time without an event (or
    the reverse), the export set both missing (``export.endpoint_half_missing``), and the
    re-prepared bundle's ``dss_time`` differed from the original's for those samples, unsaid.

    >>> print(exported_history_said("p.h5ad", {"n_values_clipped": 361, "dropped": {
    ...     "samples": {"Metastatic (06)": 39}, "genes": {}}}))
    p.h5ad, before its export: dropped 39 samples, clipped 361 negatives to 0
    >>> print(exported_history_said("p.h5ad", {"export": {"endpoint_half_missing": {"dss": 3}}}))
    p.h5ad, at its export: DSS 3 samples with an endpoint's time or event alone, both set missing
    """
    dropped = history.get("dropped") or {}
    n_samples = sum(int(v) for v in (dropped.get("samples") or {}).values())
    n_genes = sum(int(v) for v in (dropped.get("genes") or {}).values())
    n_clipped = int(history.get("n_values_clipped") or 0)
    lost = " and ".join(([f"{n_samples:,} sample{'s' * (n_samples != 1)}"] if n_samples else [])
                        + ([f"{n_genes:,} gene{'s' * (n_genes != 1)}"] if n_genes else []))
    parts = ([f"dropped {lost}"] if lost else []) + (
        [f"clipped {n_clipped:,} negatives to 0"] if n_clipped else [])
    half = (history.get("export") or {}).get("endpoint_half_missing") or {}
    n_half = sum(int(n) for n in half.values())
    at = ("at its export: " + ", ".join(f"{str(ep).upper()} {int(n):,}" for ep, n in half.items())
          + f" sample{'s' * (n_half != 1)} with an endpoint's time or event alone, both set "
          "missing") if half else ""
    said = "; ".join(x for x in (f"before its export: {', '.join(parts)}" if parts else "", at)
                     if x)
    return f"{name}, {said}" if said else None


def open_h5ad(path: Path) -> Any:
    """``anndata.read_h5ad(path, backed="r")`` without anndata's warning of repeated obs or var
    names: genemoe's own check refuses them, naming the first (the warning was printed
    twice above that error, with a fix for another reader)."""
    import warnings

    import anndata

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".* names are not unique", category=UserWarning)
        return anndata.read_h5ad(path, backed="r")


def h5ad_matrix(adata: Any, path: Path) -> Any:
    """The backed ``X`` of an opened ``.h5ad``, or one error naming the layers the file has and
    the Python line that puts one in ``X`` (``adata.X`` of a file written without it raised
    h5py's KeyError, a traceback)."""
    try:
        X = adata.X
    except KeyError:  # backed mode: "object 'X' doesn't exist"
        X = None
    if X is not None:
        return X
    layers = [str(k) for k in adata.layers.keys()]
    raw = adata.raw is not None
    found = f"layers {', '.join(repr(k) for k in layers)}" if layers else "no layers"
    name = Path(path).name
    put = (f"adata.X = adata.layers[{('counts' if 'counts' in layers else layers[0])!r}]" if layers
           else "adata = adata.raw.to_adata()" if raw else "adata.X = <samples × genes matrix>")
    read = f"read one with prepare {layer_hint(layers, raw)}, or " if layers or raw else ""
    raise input_error(
        f"the file has no X matrix ({found}{'; .raw present' if raw else ''})", path=path,
        fix=f"{read}put the expression in .X, in Python: adata = anndata.read_h5ad({name!r}); "
            f"{put}; adata.write_h5ad({name!r})")


def check_h5ad_axes(obs_names: Any, var_names: Any, path: Path) -> None:
    """Refuse an ``.h5ad`` held the other way round: genes as obs, samples as var (read as
    56,537 samples × 6 genes). Told apart by the identifiers, as text files are: Ensembl or
    Firehose obs names, or sample var names (not integer obs names, anndata's default, which
    look like Entrez ids)."""
    obs, var = [str(v) for v in obs_names[:2000]], [str(v) for v in var_names[:2000]]
    var_samples = looks_like_samples(var) and not looks_like_samples(obs)
    obs_genes = detect_id_kind(obs) in ("ensembl", "ensembl_versioned", "firehose")
    if not (var_samples or obs_genes):
        return
    name = Path(path).name
    raise input_error(
        f"its {'obs names look like genes' if obs_genes else 'var names look like samples'} "
        f"(obs {obs[:2]}, var {var[:2]}): the file holds genes × samples, AnnData's samples × "
        "genes transposed",
        path=path, fix=f"transpose it in Python: anndata.read_h5ad({name!r}).T.write_h5ad("
                       f"{(Path(name).stem + '_T.h5ad')!r}), and read that file")


def _unique_base(names: np.ndarray) -> np.ndarray:
    """``var_names_make_unique``'s ``GSTT2-1`` back to ``GSTT2`` where ``GSTT2`` is a name too."""
    have = set(names.tolist())
    out = names.copy()
    for i, n in enumerate(names):
        if (m := re.fullmatch(r"(.+)-\d+", n)) and m.group(1) in have:
            out[i] = m.group(1)
    return out


def h5ad_gene_ids(var_names: Any, var: pd.DataFrame
                  ) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """A scanpy file's gene ids: an Ensembl column of ``var`` (:data:`GENE_ID_COLUMNS`) when one
    holds unique Ensembl ids, its var names (symbols) then kept as the genes' own symbols;
    else the var names.

    scanpy's var names are symbols made unique (the Ensembl id where a gene has none), its
    Ensembl ids in ``var['gene_ids']``: read by the names, 31% of the genes were lost and
    symbols of several genes mapped to another gene than the file's own.

    Returns
    -------
    tuple
        ``(gene_ids, symbols or None, notes)``, the notes saying which column was used, or
        why an Ensembl column was not.
    """
    names = np.array([str(g) for g in var_names], dtype=object)
    notes: list[str] = []
    for col in [c for c in GENE_ID_COLUMNS if c in var.columns]:
        raw = var[col].astype(object)
        ids = np.array(["" if pd.isna(v) else str(v).strip() for v in raw], dtype=object)
        if detect_id_kind(ids) not in ("ensembl", "ensembl_versioned") or (ids == names).all():
            continue
        if (ids == "").any() or pd.Series(ids).duplicated().any():
            n_bad = int((ids == "").sum() + pd.Series(ids[ids != ""]).duplicated().sum())
            notes.append(f"var[{col!r}] holds Ensembl ids, but {n_bad:,} blank or repeated: "
                         "not used, genes read by their var names")
            continue
        own = np.array([not re.match(r"^ENS[A-Z]*G\d", n) for n in names])  # symbol names
        symbols = np.where(own, _unique_base(names), None)
        notes.append(f"gene ids from var[{col!r}] ({len(ids):,} Ensembl ids); the var names "
                     f"({int(own.sum()):,} symbols) kept as symbols")
        return ids, symbols, notes
    return names, None, notes


def dense_size_said(n_obs: int, n_vars: int, sparse: bool, name: str) -> None:
    """Say the size of ``X`` read dense as float32 when over 2 GB (a sparse ``X`` of a
    large file took memory unsaid)."""
    size = n_obs * n_vars * 4
    if size > _DENSE_SAY_BYTES:
        logger.info("%s: reading %sX as a dense float32 matrix, %s × %s: %.1f GB", name,
                    "sparse " if sparse else "", f"{n_obs:,}", f"{n_vars:,}", size / 1e9)


def log1p_converted(values: np.ndarray, stats: ValueStats, factor: float, path: Path,
                    where: Callable[[int, int], str]) -> tuple[ValueStats, str | None]:
    """Multiply ``values`` in place by scanpy's ``log1p`` ``factor`` (:func:`log1p_to_log2`)
    when, as read, they look like log values; the stats of the values kept.

    The factor was applied before the values' kind was decided: a stale ``uns['log1p']``
    multiplied raw integer counts by 1.4427. Returns ``(stats, None)`` once converted, else
    ``(stats, kind)``: the kind that made the mark be ignored (``counts``, ``linear``,
    ``transformed``, ``log_counts``: already log2(counts + 1)).
    """
    kind, said = value_kind(stats, values, path, where, base_given=True)  # the mark's base
    if any("on the floor" in n for n in said):  # log2(x + eps), converted in place: log2
        return stats, "log2_eps"  # already (the factor would have scaled them again), said
    if kind != "log" or factor == 1.0:
        return stats, kind
    out = ValueStats()
    step = max(1, (1 << 24) // max(values.shape[1], 1))
    for s0 in range(0, len(values), step):
        values[s0:s0 + step] *= np.float32(factor)
        out.update(values[s0:s0 + step], s0, 0)
    return out, None
