"""Pre-training data: scaled training and validation rows aligned on shared genes.

Split out of :mod:`genemoe.train.pretrain` (which re-exports the public names).
:func:`load_pretrain_data` reads bundles (each bundle's rows scaled by its own
training-split scaler, test splits left out; with ``stream`` the training rows stay on
disk, :mod:`genemoe.train.pretrain_stream`); :func:`pretrain_data_from_arrays` builds the
same :class:`PretrainData` from log-expression arrays and a scaler fitted on the training
rows (e.g. one cross-validation fold's training part).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from genemoe.data.bundle import gene_symbols, load_bundle
from genemoe.data.scaling import Scaler, clip_report
from genemoe.data.splits import default_patient_ids
from genemoe.errors import input_error
from genemoe.train.pretrain_stream import (
    BundleRows,
    NpyColumns,
    NpyRows,
    StreamingRows,
    should_stream,
)
from genemoe.train.task_data import bundle_scaler

__all__ = ["PretrainData", "load_pretrain_data", "pretrain_data_from_arrays"]

logger = logging.getLogger(__name__)


@dataclass
class PretrainData:
    """Scaled pre-training matrices aligned on shared genes.

    ``X_train`` ``(n_train, n_genes)`` and ``X_val`` ``(n_val, n_genes)`` float32, each row
    scaled by its own bundle's training-split scaler (``X_train`` may instead be a
    :class:`~genemoe.train.pretrain_stream.StreamingRows` reading the rows when needed); ``X_val_log`` the validation rows
    unscaled (log expression, unclipped: what reconstructions are scored against);
    ``val_bundle`` ``(n_val,)`` which bundle each validation row came from (to undo the
    scaling); ``samples`` one row per sample used: ``bundle, sample_id, role, patient_id``
    (the patient, so a later test set is checked by patient as well as by sample).
    """

    X_train: np.ndarray | StreamingRows
    X_val: np.ndarray
    X_val_log: np.ndarray
    val_bundle: np.ndarray
    gene_ids: list[str]
    symbols: list[str] | None
    scalers: list[dict[str, Any]]  # per bundle, restricted to gene_ids (Scaler.to_dict)
    samples: pd.DataFrame
    bundles: list[dict[str, Any]]  # per bundle: path, counts, test samples excluded, synthetic
    val_median: np.ndarray | None = None  # (n_val, n_genes) each row's bundle's per-gene
    #   training median (log units; streamed: of at most MEDIAN_ROWS training rows): the
    #   constant an L1 decoder aims at


MEDIAN_ROWS = 500  # streamed pre-training: training rows read for the median baseline
MIN_GENES = 10  # genes a bundle must give pre-training


def _bundle_genes(bundle: Any) -> tuple[np.ndarray, list[str]]:
    mask = bundle.gene_mask()
    return mask, bundle.var.loc[mask, "gene_id"].astype(str).tolist()


def _shared_genes(bundles: Sequence[Any], min_share: float) -> list[str]:
    """Gene ids kept in every bundle, in the first bundle's order (refuses too few)."""
    gene_lists = [_bundle_genes(b)[1] for b in bundles]
    for b, genes in zip(bundles, gene_lists, strict=True):  # one gene trained a 256-wide MoE,
        if len(genes) < MIN_GENES:  # with numpy's "Mean of empty slice"; 0 read "the bundles
            raise input_error(  # share only 0 genes ... or pre-train on one bundle"
                f"{len(genes)} gene(s) pass this bundle's gene filter: too few to pre-train "
                f"an encoder of (at least {MIN_GENES})", path=b.path, where="--data",
                fix="prepare it again with a lower --min-variance / --min-mean")
    common = set(gene_lists[0]).intersection(*map(set, gene_lists[1:]))
    shared = [g for g in gene_lists[0] if g in common]
    smallest = min(len(g) for g in gene_lists)
    if len(shared) < max(1, min_share * smallest):
        sizes = ", ".join(f"{b.path}: {len(g)}" for b, g in zip(bundles, gene_lists, strict=True))
        raise input_error(
            f"the bundles share only {len(shared)} genes (of {sizes}); pre-training needs at "
            f"least {min_share:.0%} of the smallest bundle's genes",
            where="--data", fix="prepare every bundle with the same --annotation (so gene ids "
            "match), lower pretrain.min_shared_genes, or pre-train on one bundle")
    left = [f"{len(g) - len(shared):,} of {b.path}'s {len(g):,}"
            for b, g in zip(bundles, gene_lists, strict=True) if len(g) > len(shared)]
    if left:  # said, and counted per bundle in summary.json (n_genes_left_out)
        logger.warning("pre-training on the %s genes every bundle holds: left out %s",
                       f"{len(shared):,}", "; ".join(left))
    return shared


def _check_distinct(bundles: Sequence[Any]) -> None:
    """Refuse a bundle given twice, or samples (or patients) held by two bundles: pre-trained
    on twice, and a sample in one bundle's training split and another's test split would leak."""
    seen: dict[str, str] = {}  # sample id -> its bundle's path
    patients: dict[str, str] = {}  # patient id -> its bundle's path
    paths: set[str] = set()
    for b in bundles:
        where = str(Path(b.path).resolve())
        if where in paths:
            raise input_error("the same bundle is given twice", path=b.path, where="--data",
                              fix="give each bundle once")
        paths.add(where)
        shared = [s for s in map(str, b.sample_ids) if s in seen]
        if shared:
            raise input_error(
                f"{len(shared):,} sample(s) are also in {seen[shared[0]]} (e.g. "
                f"{', '.join(shared[:3])}): they would be pre-trained on twice, and a sample in "
                "one bundle's training split and the other's test split would leak",
                path=b.path, where="--data",
                fix="give bundles of distinct samples (each cohort prepared once), or one bundle")
        seen.update(dict.fromkeys(map(str, b.sample_ids), where))
        mine = {str(p) for p in _patients(b)}
        if (again := sorted(mine & set(patients))):  # by patient too: the same tumour under a
            #   16-character barcode in one bundle and a full aliquot one in another passed
            raise input_error(
                f"{len(again):,} patient(s) are also in {patients[again[0]]} (e.g. "
                f"{', '.join(again[:3])}): a tumour of one bundle's training split would be "
                "scored as held out in the other's validation split", path=b.path,
                where="--data", fix="give bundles of distinct patients (each cohort prepared "
                                    "once), or one bundle")
        patients.update(dict.fromkeys(mine, where))


def _patients(bundle: Any) -> np.ndarray:
    """``(n_samples,)`` patient ids: the bundle's ``obs["patient_id"]``, else derived from
    the sample ids (:func:`~genemoe.data.splits.default_patient_ids`)."""
    derived = default_patient_ids(bundle.sample_ids)
    if "patient_id" not in bundle.obs.columns:
        return derived
    pid = bundle.obs["patient_id"]
    return np.where(pid.notna(), pid.astype(str), derived).astype(object)


def _bundle_columns(bundle: Any, genes: Sequence[str]) -> tuple[np.ndarray, Scaler]:
    """The bundle's file columns of ``genes`` ``(n_genes,)`` and its training-split scaler
    over them (in ``genes`` order)."""
    mask, ids = _bundle_genes(bundle)
    pos = {g: j for j, g in enumerate(ids)}
    cols = np.flatnonzero(mask)[[pos[g] for g in genes]]  # bundle columns of the shared genes
    sel = np.zeros(bundle.n_genes, dtype=bool)
    sel[cols] = True
    order = np.argsort(np.argsort(cols))  # scaler/var rows of `sel` back to `genes` order
    scaler = bundle_scaler(bundle, sel)
    scaler.shift, scaler.scale = scaler.shift[order], scaler.scale[order]
    return cols, scaler


def _monitored(rows: np.ndarray, cap: int | None) -> np.ndarray:
    """At most ``cap`` of ``rows`` (a fixed seeded choice, kept sorted)."""
    if cap is None or len(rows) <= cap:
        return rows
    return np.sort(np.random.default_rng(0).choice(rows, size=cap, replace=False))


def load_pretrain_data(bundle_paths: Sequence[Path | str], *, min_shared_genes: float = 0.5,
                       stream: bool | Literal["auto"] = False, memory_fraction: float = 0.25,
                       val_rows: int | None = None) -> PretrainData:
    """Training and validation rows of every bundle, on shared genes, scaled per bundle.

    Each bundle's rows are scaled by its own training-split scaler (``bundle_scaler``);
    every bundle's test split is left out (and counted). What the scaler's clip changed of
    each bundle's training and (monitored) validation rows is counted in its ``bundles``
    entry's ``clipped`` (``{"train": ..., "val": ...}``, each a
    :func:`~genemoe.data.scaling.clip_report`), as the per-fold pre-training's is.

    Parameters
    ----------
    bundle_paths
        Bundle directories; several are aligned on the genes they share.
    min_shared_genes
        Least share of the smallest bundle's genes the bundles must share.
    stream
        True: ``X_train`` is a :class:`~genemoe.train.pretrain_stream.StreamingRows` that
        reads the training rows batch by batch from the bundles' ``X.npy`` (never held in
        memory); ``"auto"``: stream when the training matrix would take more than
        ``memory_fraction`` of the available memory; False: load it.
    val_rows
        When streaming, monitor at most this many validation rows (a fixed seeded subset,
        shared out over the bundles), so memory stays bounded; None: all of them. Every
        validation sample is still recorded in ``samples``.
    """
    if not bundle_paths:
        raise input_error("no bundle given", where="--data", fix="pass --data BUNDLE (repeatable)")
    bundles = [load_bundle(p) for p in bundle_paths]
    _check_distinct(bundles)
    genes = _shared_genes(bundles, min_shared_genes)
    if stream == "auto":
        n_train = sum(len(b.indices("train")) for b in bundles)
        stream = should_stream(n_train, len(genes), memory_fraction=memory_fraction)
    cap = None if not stream or val_rows is None else max(1, val_rows // len(bundles))
    train, val, val_log, val_bundle, scalers, sources, samples = [], [], [], [], [], [], []
    medians: list[np.ndarray] = []
    for i, b in enumerate(bundles):
        cols, scaler = _bundle_columns(b, genes)
        rows = {role: b.indices(role) for role in ("train", "val")}
        vrows = _monitored(rows["val"], cap)
        if stream:  # positional reads: a memory map's pages would count in RSS
            reader = NpyRows(b.path / "X.npy")
            train.append(BundleRows(reader, rows["train"], cols, scaler))
            x_log = reader.read(vrows)[:, cols]
            some = _monitored(rows["train"], MEDIAN_ROWS)  # a bounded read: the median's rows
            medians.append(np.broadcast_to(np.median(reader.read(some)[:, cols], axis=0),
                                           x_log.shape))
            clip_train = clip_report(NpyColumns(reader, cols), scaler, rows=rows["train"])
        else:
            x_train = np.asarray(b.X[rows["train"]][:, cols], np.float32)
            train.append(scaler.transform(x_train))
            x_log = np.asarray(b.X[vrows][:, cols], dtype=np.float32)
            medians.append(np.broadcast_to(np.median(x_train, axis=0), x_log.shape))
            clip_train = clip_report(x_train, scaler)
            del x_train
        # what the scaler's clip changed of the rows the model reads (was unsaid here;
        # the per-fold pre-training of an ablation counted it): summary.json, the terminal
        clipped = {"train": clip_train, "val": clip_report(x_log, scaler)}
        val.append(scaler.transform(x_log))
        val_log.append(x_log)
        val_bundle.append(np.full(len(vrows), i))
        for role, r in rows.items():
            samples.append(pd.DataFrame({"bundle": str(b.path), "sample_id": b.sample_ids[r],
                                         "role": role, "patient_id": _patients(b)[r]}))
        scalers.append(scaler.to_dict())
        sources.append({"path": str(b.path), "n_train": int(len(rows["train"])),
                        "n_val": int(len(rows["val"])),
                        "n_test_excluded": int(len(b.indices("test"))), "synthetic": b.synthetic,
                        "n_genes_left_out": int(len(_bundle_genes(b)[1]) - len(genes)),
                        # fine-tuning refuses a bundle of another normalisation
                        "normalisation": b.record.get("normalisation")
                        or (b.summary or {}).get("normalisation"), "clipped": clipped}
                       | ({"n_val_monitored": int(len(vrows))} if len(vrows) < len(rows["val"])
                          else {}))
    X_train = StreamingRows(train) if stream else np.concatenate(train).astype(np.float32)
    X_val = np.concatenate(val)
    if len(X_train) < 2 or len(X_val) < 1:
        raise input_error(f"pre-training needs training and validation rows (got {len(X_train)} "
                          f"and {len(X_val)})", where="--data",
                          fix="re-prepare with a --val-fraction that leaves validation samples")
    var0 = bundles[0].var.set_index(bundles[0].var["gene_id"].astype(str))
    symbols = gene_symbols(var0.loc[genes])
    return PretrainData(X_train=X_train, X_val=X_val.astype(np.float32),
                        X_val_log=np.concatenate(val_log),
                        val_bundle=np.concatenate(val_bundle), gene_ids=genes, symbols=symbols,
                        scalers=scalers, samples=pd.concat(samples, ignore_index=True),
                        bundles=sources, val_median=np.concatenate(medians) if medians else None)


def pretrain_data_from_arrays(X_train_log: np.ndarray, X_val_log: np.ndarray, *,
                              gene_ids: Sequence[str], scaler: Scaler | Mapping[str, Any],
                              train_ids: Sequence[str], val_ids: Sequence[str],
                              train_patient_ids: Sequence[str] | None = None,
                              val_patient_ids: Sequence[str] | None = None,
                              symbols: Sequence[str] | None = None, source: str = "arrays",
                              n_test_excluded: int = 0, synthetic: bool = False,
                              info: Mapping[str, Any] | None = None) -> PretrainData:
    """Pre-training data from log-expression arrays: the in-memory :func:`load_pretrain_data`.

    Built like one bundle of :func:`load_pretrain_data`: the training and validation rows
    are scaled by ``scaler`` (fitted on the training rows only, e.g. one cross-validation
    fold's :func:`~genemoe.workflows.folds.fit_fold_preprocessing`), and the validation
    rows are also kept unscaled (``X_val_log``), so reconstructions are scored in
    log-expression units against the per-gene training mean (the scaler's ``shift``).

    Parameters
    ----------
    X_train_log, X_val_log
        ``(n_train, n_genes)`` and ``(n_val, n_genes)`` log-scale expression (unscaled,
        unclipped), columns in ``gene_ids`` order.
    gene_ids, symbols
        The genes of the columns (and their symbols, if known).
    scaler
        A :class:`~genemoe.data.scaling.Scaler` (or its ``to_dict``) over ``gene_ids``.
    train_ids, val_ids
        The sample ids of the rows: recorded in the run (``pretrained.pt``,
        ``samples.tsv``) and checked against every later test set.
    train_patient_ids, val_patient_ids
        The patient of each row (the bundle's ``obs["patient_id"]``), recorded so later
        test sets are checked by patient too; None: derived from the sample ids (a TCGA
        barcode's patient, else the sample id).
    source
        What the rows came from (the ``bundle`` column of ``samples.tsv``).
    n_test_excluded, synthetic, info
        Recorded in the run's summary (``bundles``): test samples left out, whether the
        data are synthetic, anything else (e.g. ``{"repeat": 0, "fold": 1}``).

    Returns
    -------
    PretrainData

    Raises
    ------
    InputError
        Shapes that do not match the genes or the ids; a sample in both roles; fewer than
        2 training or 1 validation rows.
    """
    sc = scaler if isinstance(scaler, Scaler) else Scaler.from_dict(dict(scaler))
    X_tr, X_va = (np.asarray(x, dtype=np.float32) for x in (X_train_log, X_val_log))
    train_ids, val_ids = [str(s) for s in train_ids], [str(s) for s in val_ids]
    n_genes = len(gene_ids)
    problems = [msg for bad, msg in (
        (X_tr.ndim != 2 or X_tr.shape[1] != n_genes, f"training rows {X_tr.shape}"),
        (X_va.ndim != 2 or X_va.shape[1] != n_genes, f"validation rows {X_va.shape}"),
        (len(sc.shift) != n_genes, f"a scaler over {len(sc.shift)} genes"),
        (len(train_ids) != len(X_tr), f"{len(train_ids)} training ids"),
        (len(val_ids) != len(X_va), f"{len(val_ids)} validation ids")) if bad]
    if problems:
        raise input_error(f"pre-training arrays do not match {n_genes} genes and their ids "
                          f"({'; '.join(problems)})", where=source,
                          fix="pass one id per row and one column (and scaler entry) per gene")
    both = sorted(set(train_ids) & set(val_ids))
    if both:
        raise input_error(f"{len(both)} sample(s) are both training and validation rows "
                          f"(e.g. {', '.join(both[:3])})", where=source,
                          fix="give every sample one role")
    if len(X_tr) < 2 or len(X_va) < 1:
        raise input_error(f"pre-training needs training and validation rows (got {len(X_tr)} "
                          f"and {len(X_va)})", where=source, fix="use a larger training part")
    patients = [default_patient_ids(ids) if p is None else np.asarray(p, dtype=str).astype(object)
                for ids, p in ((train_ids, train_patient_ids), (val_ids, val_patient_ids))]
    if any(len(p) != len(i) for p, i in zip(patients, (train_ids, val_ids), strict=True)):
        raise input_error("patient ids do not match the sample ids (one per row)", where=source,
                          fix="pass one patient id per training and validation row")
    samples = pd.DataFrame({"bundle": source, "sample_id": train_ids + val_ids,
                            "role": ["train"] * len(train_ids) + ["val"] * len(val_ids),
                            "patient_id": np.concatenate(patients)})
    return PretrainData(
        X_train=sc.transform(X_tr), X_val=sc.transform(X_va), X_val_log=X_va,
        val_bundle=np.zeros(len(X_va), dtype=int), gene_ids=[str(g) for g in gene_ids],
        symbols=gene_symbols(symbols), scalers=[sc.to_dict()],
        samples=samples,
        bundles=[{"path": source, "n_train": len(X_tr), "n_val": len(X_va),
                  "n_test_excluded": int(n_test_excluded), "synthetic": bool(synthetic),
                  **dict(info or {})}],
        val_median=np.broadcast_to(np.median(X_tr, axis=0), X_va.shape))
