"""``genemoe prepare``: expression files (+ labels, survival, annotation) → a dataset bundle.

Steps, each recorded with what it dropped and why (``record["steps"]``):

1. read every expression file (orientation and value scale detected and reported);
2. map gene identifiers (versions stripped; symbols / ``SYMBOL|ENTREZ`` through the
   annotation when one is given) and drop duplicates after mapping (a gene under two
   versions of its Ensembl id, or under ids that differ only in case, is refused, naming
   both);
3. keep the genes present in every file, *before* normalising (a sample's CPM/TPM total
   or FPKM-UQ quartile over other genes put whole cohorts on other scales; each file's
   loss counted, warned of under a count normalisation; :mod:`genemoe.data.shared_genes`);
4. normalise each sample (log2 CPM / TPM / FPKM-UQ from counts, log2(x+1) for linear
   values, nothing for log data) — per sample, so nothing leaks;
5. parse TCGA barcodes; keep the requested sample types; one profile per patient (other
   ids: patients from a file's patient column, the smallest sample id kept;
   :mod:`genemoe.data.patients`);
6. attach labels (label tables, the file's own metadata, the cohort name, the clinical
   table — first that has the sample) and survival (by 12-character patient barcode);
7. split by patient (a patient's samples stay on one side), stratified by cancer type and,
   when survival was joined, by event (seeded; k-fold on request); a validation or test
   part without events is recorded in ``record["warnings"]``;
8. keep every gene that is non-zero in some sample (optionally protein-coding only): a
   label- and split-free rule, so each fold's gene filter can choose among all of them;
   fit the paper's gene filter (drop genes empty, or with variance < ``min_variance`` and
   mean < ``min_mean``) on the training split as the default mask (``var["keep"]``) and on
   each fold's training part (``keep_fold<i>``); store training-split scaling statistics
   (:mod:`genemoe.data.gene_filter`);
9. write the bundle atomically, with every gene dropped by id and reason
   (``dropped_genes.tsv.gz``; the record's ``dropped_gene_examples`` name ten per reason).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe import __version__
from genemoe.data import annotation as ann
from genemoe.data import normalise as norm
from genemoe.data import splits as sp
from genemoe.data import tcga
from genemoe.data.anndata_io import exported_annotation, exported_history, exported_history_said
from genemoe.data.anndata_layers import is_h5ad, matrix_said, refuse_layer_for
from genemoe.data.args import absolute, path_list, path_of, table_path
from genemoe.data.bundle import Bundle, check_bundle_out, file_sha256, write_bundle
from genemoe.data.clinical import attach_survival, exported_clinical
from genemoe.data.dropped_genes import dropped_gene_table
from genemoe.data.export_split import export_split_note
from genemoe.data.gene_filter import (
    check_biotypes_at_hand,
    filter_genes,
    fit_gene_filter,
    var_table,
)
from genemoe.data.id_repeats import refuse_case_repeats, refuse_version_repeats
from genemoe.data.ids import respelt_barcodes, tcga_like
from genemoe.data.patients import select_untyped_samples
from genemoe.data.prep_text import PrepLog, warnings_said
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.prepare_labels import attach_labels, check_labels, read_label_tables
from genemoe.data.quant_dir import join_dropped, join_dropped_genes, join_record, join_warnings
from genemoe.data.read import ExpressionTable, read_clinical, read_expression
from genemoe.data.shared_genes import gene_set_warnings, shared_genes_first
from genemoe.data.synthetic import SYNTHETIC_PROJECT
from genemoe.data.xena_listing import check_one_xena_unit, xena_given_scale
from genemoe.errors import input_error, nearest_names

__all__ = ["PrepareConfig", "PrepLog", "prepare_dataset", "fit_gene_filter", "map_table_genes", "normalise_table"]

log = logging.getLogger(__name__)


def map_table_genes(table: ExpressionTable, annotation: ann.GeneAnnotation | None,
               plog: PrepLog) -> tuple[ExpressionTable, dict[str, str | None]]:
    """Canonical gene ids for one table; unmapped and duplicate genes dropped (counted), a
    gene under two versions of its Ensembl id or two ids differing only in case (with or
    without an annotation) refused
    (:mod:`genemoe.data.id_repeats`).
    GENCODE's ``_PAR_Y`` rows are dropped first (:func:`_drop_par_y`), so the mapping's
    counts are of the rows it mapped (they were also counted as Ensembl ids "not in the
    annotation, kept")."""
    table = _drop_par_y(table, plog)
    mapping = ann.map_gene_ids(table.gene_ids, annotation, id_kind=table.id_kind,
                                 source=table.source_path)
    ids = mapping.gene_id
    ok = np.array([g is not None for g in ids], dtype=bool)
    if annotation is not None and len(ids) and ok.sum() == 0:  # (only _PAR_Y rows: none left)
        raise input_error(
            f"none of the {len(ids)} gene identifiers ({table.id_kind}, e.g. "
            f"{', '.join(map(str, table.gene_ids[:3]))}) match the annotation",
            path=table.source_path, where="gene identifier column",
            fix="pass the annotation of this identifier kind (Ensembl / symbols), or leave "
                "out --annotation for identifiers that need no mapping (e.g. Entrez)")
    plog.drop_genes("identifier not in annotation", table.gene_ids[~ok])
    repeated = ok & pd.Series(ids).duplicated(keep=False).to_numpy()
    if repeated.any():  # two versions of one Ensembl id: the first was kept, unsaid
        refuse_version_repeats(table, ids, repeated)
        refuse_case_repeats(table, ids, repeated)  # KRT33A and krt33a: one dropped, unsaid
    folded = np.array([str(g).upper() if g is not None else None for g in ids], dtype=object)
    case_only = ok & pd.Series(folded).duplicated(keep=False).to_numpy() & ~repeated
    if case_only.any():  # without --annotation both were kept as two genes, unsaid
        refuse_case_repeats(table, folded, case_only)
    keep = ok & ~pd.Series(ids).duplicated(keep="first").to_numpy()  # symbols of one gene
    plog.drop_genes("duplicate after id mapping", table.gene_ids[ok & ~keep])
    own = table.gene_symbols if table.gene_symbols is not None else [None] * len(ids)
    symbols = {str(g): s or f for g, s, f, k in zip(ids, mapping.symbol, own, keep, strict=True) if k}
    table = replace(  # every other field kept (a genemoe export's normalisation)
        table, values=table.values[:, keep], gene_ids=np.asarray([str(g) for g in ids[keep]], dtype=object),
        gene_symbols=None if table.gene_symbols is None else table.gene_symbols[keep],
        gene_biotypes=None if table.gene_biotypes is None else table.gene_biotypes[keep])
    plog.step("map_gene_ids", file=str(table.source_path), report=mapping.report, n_genes=int(keep.sum()),
              annotation=annotation is not None, **mapping.step_examples())
    return table, symbols


def _drop_par_y(table: ExpressionTable, plog: PrepLog) -> ExpressionTable:
    """``table`` without GENCODE's ``_PAR_Y`` rows (Y copies of pseudoautosomal genes, whose
    reads the X copies hold), warned and counted as dropped; ``table`` itself without any.
    Kept, they were dropped for "no gene length" or kept as genes of their own, unsaid."""
    par_y = np.array([str(g).endswith("_PAR_Y") for g in table.gene_ids], dtype=bool)
    if not par_y.any():
        return table
    n_read = int((np.nan_to_num(np.asarray(table.values[:, par_y], np.float64)) != 0).any(0).sum())
    log.warning("%s: %d _PAR_Y rows (GENCODE's Y copies of pseudoautosomal genes, whose reads "
                "the X copies hold) dropped; %d of them had non-zero values",
                table.source_path.name, int(par_y.sum()), n_read)
    plog.drop_genes("pseudoautosomal Y copy (_PAR_Y)", table.gene_ids[par_y])
    return replace(table, values=table.values[:, ~par_y], gene_ids=table.gene_ids[~par_y],
                   gene_symbols=None if table.gene_symbols is None else table.gene_symbols[~par_y],
                   gene_biotypes=None if table.gene_biotypes is None
                   else table.gene_biotypes[~par_y])


def normalise_table(table: ExpressionTable, cfg: PrepareConfig, annotation: ann.GeneAnnotation | None,
                    plog: PrepLog, *, subject: str | None = None,
                    given: tuple[str, str] | None = None) -> tuple[ExpressionTable, str]:
    """A normalised copy of ``table`` (input untouched), the normalisation its values are on
    (a genemoe export's own; ``given``'s, with its reason, for log values taken as they are
    that their file names say: :func:`~genemoe.data.xena_listing.xena_given_scale`); genes
    without a needed length dropped (counted); a refusal names the request as ``subject``
    (default: prepare's ``--normalisation``)."""
    have_lengths = annotation is not None and _any_length(table, annotation, cfg.normalisation,
                                                          subject)
    method = norm.resolve_normalisation(cfg.normalisation, table, subject=subject,
                                        have_lengths=have_lengths)
    lengths, values, gene_ids = None, table.values, table.gene_ids
    if method in norm.NEEDS_LENGTH:
        lengths = annotation.table["length"].reindex(gene_ids).to_numpy(np.float64)
        ok = np.isfinite(lengths) & (lengths > 0)
        plog.drop_genes(f"no gene length in the annotation (needed for {method})", gene_ids[~ok])
        values, gene_ids, lengths = values[:, ok], gene_ids[ok], lengths[ok]
        table = replace(table, **{k: getattr(table, k)[ok] for k in ("gene_symbols", "gene_biotypes")
                                  if getattr(table, k) is not None})
        if (spans := annotation.span_note(method)) and spans not in plog.warnings:
            log.warning("%s", spans)  # was warned on reading it, lengths used or not
            plog.warnings.append(spans)
    raw = values
    values, notes = norm.normalise_values(values, method, lengths=lengths,
                                          value_kind=table.value_kind, source=table.source_path,
                                          sample_ids=table.sample_ids)
    if notes.get("negative_values_clipped_to_0"):  # per sample: the bundle keeps some of them
        plog.clipped_per_sample[str(table.source_path)] = _negatives_per_row(raw)
    scale, by = norm.values_scale(method, table), {}
    if given and scale == "none" and table.value_kind == "log":  # was "none": a model scored
        scale, by = given[0], {"values_on_by": given[1]}  # counts by quantiles, not log2 TPM
    plog.step("normalise", file=str(table.source_path), value_kind=table.value_kind,
              values_on=scale, n_genes=len(gene_ids), **by, **notes)  # the genes each sample's scale
    #   (CPM, TPM, FPKM-UQ) was taken over: those with a length, where one is needed
    return replace(table, values=values, gene_ids=gene_ids), scale


def _any_length(table: ExpressionTable, annotation: ann.GeneAnnotation, requested: str,
                subject: str | None) -> bool:
    """Whether some gene of ``table`` has a length in ``annotation``. None has one (Entrez
    ids, or genes the annotation does not hold): a request for a length normalisation is
    refused saying so, and ``auto`` takes log2cpm, warned. Every gene was dropped for "no
    gene length" before, and the samples said to "have no counts at all"."""
    lengths = annotation.table["length"].reindex(table.gene_ids).to_numpy(np.float64)
    if not len(lengths) or (np.isfinite(lengths) & (lengths > 0)).any():
        return True
    kind = {"entrez": "Entrez ids"}.get(str(table.id_kind), f"ids such as {table.gene_ids[0]}")
    name = annotation.source_path.name if annotation.source_path else "the annotation"
    why = (f"none of its {len(lengths):,} genes has a length in {name} ({kind}, e.g. "
           f"{table.gene_ids[0]}; it lists Ensembl ids)")
    if requested in norm.NEEDS_LENGTH:
        raise input_error(
            f"{subject or f'--normalisation {requested}'} needs gene lengths, and {why}",
            path=table.source_path,
            fix="use --normalisation log2cpm (no length needed), or give the genes as Ensembl "
                "ids or symbols (the annotation maps them)")
    if requested == "auto" and table.value_kind in ("counts", "log_counts"):
        log.warning("%s: %s: log2cpm used, which needs none (for fpkm_uq, give the genes as "
                    "Ensembl ids or symbols)", table.source_path.name, why)
    return False


def _negatives_per_row(values: np.ndarray, rows: int = 512) -> np.ndarray:
    """How many values of each row (sample) of ``values`` are negative (blocks of ``rows``)."""
    return np.concatenate([np.count_nonzero(values[r:r + rows] < 0, axis=1)
                           for r in range(0, values.shape[0], rows)] or [np.zeros(0, np.int64)])


def _clipped_counts(tables: list[ExpressionTable], plog: PrepLog, keep: np.ndarray) -> dict[str, int]:
    """Negative values clipped to 0: in the bundle's samples (``keep``, over the samples of
    ``tables`` in order) and in every sample of the files read (dropped ones included)."""
    per = np.concatenate([np.asarray(plog.clipped_per_sample.get(
        str(t.source_path), np.zeros(len(t.sample_ids), np.int64))) for t in tables])
    return {"n_values_clipped": int(per[np.asarray(keep)].sum()),
            "n_values_clipped_in_files": int(per.sum())}


def _clipped_said(counts: dict[str, int]) -> str:
    """The written line's note of the negatives clipped to 0 (the bundle's, then the files')."""
    n, n_files = counts["n_values_clipped"], counts["n_values_clipped_in_files"]
    if not n_files:
        return ""
    return f"; {n:,} negative value{'s' * (n != 1)} clipped to 0" + (
        f" ({n_files:,} in the files read, {n_files - n:,} of them in samples not kept)"
        if n_files != n else "")


def _intersect(tables: list[ExpressionTable], plog: PrepLog) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate samples over the genes present in every table."""
    common = set(tables[0].gene_ids.tolist())
    for t in tables[1:]:
        common &= set(t.gene_ids.tolist())
    order = np.array([g for g in tables[0].gene_ids if g in common], dtype=object)
    if len(order) == 0:
        raise input_error("the expression files share no gene identifier",
                          path=", ".join(str(t.source_path) for t in tables),
                          fix="use files with the same identifier kind, or pass --annotation to map them")
    blocks = []
    for t in tables:
        plog.drop_genes("not in every cohort", set(t.gene_ids.tolist()) - common)
        pos = pd.Index(t.gene_ids).get_indexer(order)
        blocks.append(t.values[:, pos])
    X = np.concatenate(blocks, axis=0) if len(blocks) > 1 else blocks[0]
    plog.step("intersect_genes", n_genes=len(order), n_cohorts=len(tables))
    return np.ascontiguousarray(X, dtype=np.float32), order


def _sample_frame(tables: list[ExpressionTable]) -> pd.DataFrame:
    rows = []
    for t in tables:
        cohort = tcga.table_cohorts(t)  # an export's own, or the file name's
        rows.append(pd.DataFrame({"sample_id": t.sample_ids.astype(str), "cohort": cohort,
                                  "source": t.source_path.name}))
    obs = pd.concat(rows, ignore_index=True)
    dup = obs["sample_id"][obs["sample_id"].duplicated(keep=False)]
    if len(dup):
        files = obs.loc[dup.index, "source"].unique().tolist()
        forms = {f.removesuffix(".gz") for f in files}
        raise input_error(f"sample {dup.iloc[0]!r} appears more than once ({dup.nunique()} "
                          f"duplicated sample ids)", path=", ".join(files), where="sample columns",
                          fix=("the same table in both forms (plain and .gz; a download of the "
                               "other form leaves both): pass one of them" if len(forms) < len(files)
                               else "remove the repeated profiles, or give each file distinct "
                               "samples"))
    return obs


def _filter_samples(obs: pd.DataFrame, tables: list[ExpressionTable], cfg: PrepareConfig,
                    plog: PrepLog) -> np.ndarray:
    """Sample-type filter and one profile per patient; adds patient_id/sample_type."""
    ids = obs["sample_id"].to_numpy(dtype=object)
    is_bc = np.array([tcga_like(s) for s in ids])
    if not is_bc.all():
        if is_bc.any():
            bad = ids[~is_bc][:3].tolist()
            raise input_error(f"some sample ids are TCGA barcodes and some are not (e.g. {bad})",
                              where="sample ids", fix="use one naming scheme for all samples")
        return select_untyped_samples(obs, tables, cfg.one_per_patient, plog)  # smallest id
    bc = tcga.parse_barcodes(ids)
    obs["patient_id"] = bc["patient_id"].to_numpy()
    obs["sample_type"] = bc["sample_code"].fillna("NA").to_numpy()
    keep, dropped = tcga.filter_sample_types(ids, sample_types=cfg.sample_types)
    codes = bc["sample_code"].astype(object).where(bc["sample_code"].notna(), None).to_numpy()
    why = pd.Series([tcga.sample_type_label(c) for c in codes[~keep]], dtype=object)
    plog.drop_samples(dropped, {k: ids[~keep][why.to_numpy() == k] for k in why.unique()})
    if cfg.one_per_patient:
        keep1, _ = tcga.one_per_patient(ids[keep], sample_types=cfg.sample_types)
        sub = np.flatnonzero(keep)
        keep = keep.copy()
        keep[sub[~keep1]] = False
        plog.drop_samples(*_patient_drops(ids[sub], bc["patient_id"].to_numpy()[sub],
                                          codes[sub], keep1))
    plog.step("select_samples", sample_types=list(cfg.sample_types), kept=int(keep.sum()),
              barcodes_respelt=len(respelt_barcodes(ids)),
              one_per_patient=cfg.one_per_patient)
    return keep


OTHER_TYPE_OF_PATIENT = "another sample type of a kept patient (one profile per patient)"


def _patient_drops(ids: np.ndarray, patients: np.ndarray, codes: np.ndarray, kept: np.ndarray
                   ) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """The samples one profile per patient dropped (``~kept``), by reason: a repeat of the
    kept sample's type (vials, portions, aliquots: ``tcga.DUPLICATE_PROFILE``), or another
    type than the kept one's (:data:`OTHER_TYPE_OF_PATIENT`: a normal or metastasis beside
    the primary tumour under ``--sample-types 01,11``, called a "duplicate profile").

    Parameters
    ----------
    ids, patients, codes
        ``(n,)`` the barcodes, their patients and sample-type codes (None: no type).
    kept
        ``(n,)`` bool: one True per patient (:func:`genemoe.data.tcga.one_per_patient`).
    """
    kept_type = dict(zip(patients[kept], codes[kept], strict=True))
    other = np.array([kept_type.get(p) != c for p, c in zip(patients, codes, strict=True)], bool)
    out = {tcga.DUPLICATE_PROFILE: ids[~kept & ~other], OTHER_TYPE_OF_PATIENT: ids[~kept & other]}
    return {why: len(v) for why, v in out.items()}, out


def _make_splits(obs: pd.DataFrame, cfg: PrepareConfig, plog: PrepLog) -> np.ndarray | None:
    """The bundle's split (and k folds on request): by patient, stratified by cancer type
    (and by event when survival was joined, so validation and test hold events)."""
    labels = obs["cancer_type"].to_numpy(dtype=object)
    with_surv = bool(obs["has_survival"].any())
    keys = sp.stratify_keys(labels, obs["event"].to_numpy(dtype=bool)) if with_surv else labels
    groups = obs["patient_id"].astype(str).to_numpy(dtype=object)
    obs["split"] = sp.stratified_split(keys, val_fraction=cfg.val_fraction,
                                    test_fraction=cfg.test_fraction, seed=cfg.seed, groups=groups)
    for part in ("val", "test"):
        absent = set(obs.loc[obs["split"] == part, "cancer_type"]) - set(
            obs.loc[obs["split"] == "train", "cancer_type"])
        if absent:  # cannot happen with stratified_split; guards future split sources
            raise input_error(f"classes {sorted(absent)} are in the {part} split but not in training",
                              where="split", fix="raise --min-class-size or change the split fractions")
    folds = None
    if cfg.n_folds:
        folds = sp.stratified_kfold(keys, n_folds=cfg.n_folds, seed=cfg.seed, groups=groups)
    plog.step("split", seed=cfg.seed, counts=obs["split"].value_counts().to_dict(),
              n_folds=cfg.n_folds, grouped_by="patient_id",
              n_patients=int(obs["patient_id"].nunique()),
              stratified_by="cancer type and event" if with_surv else "cancer type")
    event = obs["event"].to_numpy(bool) & obs["has_survival"].to_numpy(bool) if with_surv else None
    for msg in sp.split_warnings(obs["split"].to_numpy(), folds, event=event, endpoint=cfg.endpoint,
                              fractions={"val": cfg.val_fraction, "test": cfg.test_fraction}):
        plog.warnings.append(msg)
        log.warning(msg)
    return folds


def _refuse_lone_endpoint(cfg: PrepareConfig) -> None:
    """Refuse an ``--endpoint`` other than the default when no survival is at hand (neither
    --clinical nor a genemoe export carrying survival): it was accepted, ignored, and
    recorded as the bundle's endpoint with no sample's survival."""
    default = PrepareConfig.endpoint
    if cfg.endpoint != default:
        raise input_error(f"--endpoint {cfg.endpoint} chooses a survival endpoint, and there is no "
                          "survival: no --clinical table, and no genemoe export (.h5ad) carrying "
                          "survival among the expression files", where="--endpoint",
                          fix="pass --clinical FILE (a survival table with "
                              f"{cfg.endpoint} columns), or drop --endpoint")


def prepare_dataset(
    expression_paths: Sequence[Path | str],
    *,
    out_path: Path | str,
    label_paths: Sequence[Path | str] = (),
    clinical_path: Path | str | Sequence[Path | str] | None = None,
    annotation_path: Path | str | None = None,
    config: PrepareConfig | dict | None = None,
) -> Bundle:
    """Prepare a dataset bundle from expression files (see the module docstring for steps).

    Parameters
    ----------
    expression_paths
        One or more expression matrices (any supported format, genes × samples or
        samples × genes); several files are joined on the genes they share.
    out_path
        The bundle directory to write (atomically).
    label_paths
        Label tables (sample → cancer type), auto-detected columns.
    clinical_path
        Survival table(s): TCGA-CDR, Xena ``survival.tsv`` (one per project is fine), or
        any table :func:`genemoe.data.clinical.read_clinical` recognises; joined by patient.
        Without: the survival a genemoe export's ``obs`` carries, if any.
    annotation_path, config
        Gene annotation (Ensembl TSV or Xena probeMap; ids, lengths); :class:`PrepareConfig`.
        Tables are read from files: a pandas table as any path is refused (write it first).

    Returns
    -------
    Bundle
        The written bundle (matrix in memory).
    """
    if isinstance(config, dict):  # from Python: the options as a dict
        known = {f.name for f in dataclasses.fields(PrepareConfig)}
        unknown = sorted(set(map(str, config)) - known)
        if unknown:  # was "config: config: PrepareConfig.__init__() got an unexpected ..."
            raise input_error(f"unknown option{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(unknown)}{nearest_names(unknown, known)}",
                              where="config", fix="pass PrepareConfig's field names "
                              f"({', '.join(sorted(known))})")
        config = PrepareConfig(**config)
    if config is not None and not isinstance(config, PrepareConfig):  # config=5: AttributeError
        raise input_error(f"must be a PrepareConfig or a dict of its options, got "
                          f"{type(config).__name__}", where="config",
                          fix="pass config=PrepareConfig(...) or config={'drop_unlabelled': True}")
    cfg, t0, plog = config or PrepareConfig(), time.perf_counter(), PrepLog()
    paths = path_list(expression_paths, "expression_paths", example="expression.tsv")  # one path
    label_paths = path_list(label_paths, "label_paths", example="labels.tsv")  # a DataFrame: refused
    clinical_path, annotation_path = _side_tables(clinical_path, annotation_path)
    out_path = path_of(out_path, "out_path")
    check_bundle_out(out_path)  # before any work: a folder of other files is refused
    with warnings_said(plog.warnings):  # every warning said on the way (the record's list
        #   held two kinds of them: clipped negatives, clinical conflicts were said only)
        if not clinical_path and (cfg.time_column or cfg.event_column):  # was ignored, unsaid
            flag = "--time-column" if cfg.time_column else "--event-column"
            raise input_error(f"{flag} names a column of the survival table, and none is given",
                              where=flag, fix=f"pass --clinical FILE, or drop {flag}")
        if not paths:
            raise input_error("no expression file given", where="--expression",
                              fix="pass --expression FILE [FILE ...], or a GDC portal download "
                                  "with --gdc-dir DIR --sample-sheet SHEET")
        if not clinical_path and not any(Path(p).suffix.lower() == ".h5ad" for p in paths):
            _refuse_lone_endpoint(cfg)  # no genemoe export can carry survival: before reading
        check_one_xena_unit(paths)  # by the names: before reading any (large) file
        refuse_layer_for(paths, cfg.layer)  # --layer of a text file: before reading any
        annotation = (ann.read_annotation(Path(annotation_path)) if annotation_path  # an export: its own
                      else exported_annotation([Path(p) for p in paths], plog.step))
        if cfg.protein_coding_only:  # before any matrix is read (it was after all, normalised)
            check_biotypes_at_hand(paths, annotation)
        clinical, clin_report = (read_clinical(clinical_path, endpoint=cfg.endpoint,
                                               time_column=cfg.time_column,
                                               event_column=cfg.event_column, said_on_join=True)
                                 if clinical_path else (None, {}))
        labels_read = read_label_tables(label_paths, cfg, clinical)  # before the expression too
        tables, symbols, methods, biotypes, histories = [], {}, {}, {}, {}
        for p in paths:
            t = read_expression(p, orientation=cfg.orientation, layer=cfg.layer)
            plog.step("read", file=str(p), shape=list(t.shape), orientation=t.orientation,
                      **({"matrix": matrix_said(cfg.layer)} if is_h5ad(p) else {}),
                      id_kind=t.id_kind, value_kind=t.value_kind, notes=t.notes)
            if t.from_export and (history := exported_history(Path(p))):  # kept in inputs
                histories[str(p)] = history
                if said := exported_history_said(Path(p).name, history["exported"]):
                    log.warning("%s", said)
            t, sym = map_table_genes(t, annotation, plog)
            tables.append(t)
            symbols.update(sym)
        if len({t.value_kind for t in tables}) > 1:
            raise input_error("the expression files mix value scales: " + ", ".join(
                f"{t.source_path.name}={t.value_kind}" for t in tables),
                fix="prepare files of one kind together (all raw counts, or all log-scale)")
        tables, lost = shared_genes_first(tables, plog)  # each sample's CPM/TPM/FPKM-UQ scale
        n_shared = len(tables[0].gene_ids)  # over the same genes in every file (was: its own)
        given = xena_given_scale([t.source_path.name for t in tables])  # star_tpm: log2tpm
        for i, t in enumerate(tables):
            tables[i], methods[str(t.source_path)] = normalise_table(t, cfg, annotation, plog,
                                                                     given=given)
            t = tables[i]
            biotypes.update(zip(t.gene_ids, t.gene_biotypes, strict=True) if t.gene_biotypes is not None else [])
        gene_set_warnings(lost, methods, n_shared)
        X, gene_ids = _intersect(tables, plog)
        obs = _sample_frame(tables)
        keep = _filter_samples(obs, tables, cfg, plog)
        attach_labels(obs, tables, label_paths, labels_read, clinical, cfg, plog)
        keep = check_labels(obs, keep, cfg, plog, label_paths, survival=True if clinical is not
                            None else None if any(t.from_export for t in tables) else False)
        clipped = _clipped_counts(tables, plog, keep)  # the file's count held dropped samples'
        X, obs = X[keep], obs.loc[keep].reset_index(drop=True)
        if clinical is None:  # a genemoe export's obs carries its samples' survival
            clinical, clin_report = exported_clinical(tables, cfg.endpoint)
            if clinical is None:
                _refuse_lone_endpoint(cfg)
        if joined := attach_survival(obs, clinical, clin_report, cfg.endpoint):  # no table: no step
            plog.step("join_survival", **joined)
        folds = _make_splits(obs, cfg, plog)
        if said := export_split_note(obs, tables):  # dealt again: said where it moved
            plog.warnings += [said[0]] if said[1] else []
            log.log(logging.WARNING if said[1] else logging.INFO, "%s", said[0])
        gmask, masks = filter_genes(X, obs, folds, gene_ids, annotation, cfg, plog, biotypes)
        X, gene_ids = np.ascontiguousarray(X[:, gmask]), gene_ids[gmask]
        var = var_table(X, obs, gene_ids, symbols, biotypes, annotation, masks)
        obs = obs.drop(columns=["source"])
        obs = obs[_obs_order(obs)]
        inputs = _inputs(paths, label_paths, clinical_path, annotation_path, histories)
        plog.warnings[:0] = [w for w in join_warnings(inputs) if w not in plog.warnings]  # said by
        #   --gdc-dir / --quant-dir's join before prepare began (printed, they were not kept)
        record = {
            "genemoe_version": __version__, "synthetic": _synthetic(cfg, obs, paths, plog), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "config": asdict(cfg), "normalisation": used[0] if len(used := sorted(set(methods.values()))) == 1 else used,
            "inputs": inputs, "steps": plog.steps,
            "dropped": {"samples": plog.dropped_samples | join_dropped(inputs), "genes": plog.dropped_genes | join_dropped_genes(inputs)},
            "dropped_gene_examples": plog.dropped_gene_examples,
            "dropped_sample_examples": plog.dropped_sample_examples,
            "genes": plog.genes, "warnings": plog.warnings,
            **clipped,  # n_values_clipped: the bundle's samples'; _in_files: every one read
            "seconds": round(time.perf_counter() - t0, 2),
        }
    bundle = Bundle(X=X, obs=obs, var=var, record=record, folds=folds)
    write_bundle(bundle, out_path, dropped_genes=dropped_gene_table(plog.dropped_gene_ids))
    bundle.path = absolute(out_path)  # as load_bundle's: a later chdir keeps it
    log.info("wrote bundle %s: %s samples × %s genes%s", out_path, f"{X.shape[0]:,}",
             f"{X.shape[1]:,}", _clipped_said(clipped))
    return bundle


def _side_tables(clinical: object, annotation: object) -> tuple[list[Path] | None, Path | None]:
    """``clinical_path`` as a list of paths (None when not given) and ``annotation_path`` as a
    path (None when not given); a DataFrame is refused naming the argument and saying to write
    it first (both failed inside pandas on the table's truth value), a number or other
    object as not a path (``annotation_path=5`` failed inside pathlib)."""
    def given(value: object) -> bool:
        return value is not None and not (isinstance(value, str) and not value)

    clinical_paths = (path_list(clinical, "clinical_path", example="clinical.tsv")
                      if given(clinical) else [])
    annotation_file = (table_path(annotation, "annotation_path", example="annotation.tsv")
                       if given(annotation) else None)
    return clinical_paths or None, annotation_file


def _synthetic(cfg: PrepareConfig, obs: pd.DataFrame, paths: list[Path], plog: PrepLog) -> bool:
    """genemoe's own synthetic cohort however prepared: every barcode of its project code
    (``SYNT-``) or its ``SYNTHETIC_README.txt`` beside an input (prepared from the written
    files, such bundles were "real data" on every report); said, and in the record."""
    if cfg.synthetic:
        return True
    by_ids = bool(len(obs)) and obs["sample_id"].astype(str).str.startswith(f"{SYNTHETIC_PROJECT}-").all()
    if not (by_ids or any((p.parent / "SYNTHETIC_README.txt").is_file() for p in paths)):
        return False
    plog.warnings.append(said := "these are genemoe's synthetic samples (" + (
        "SYNT- barcodes" if by_ids else "SYNTHETIC_README.txt beside the input") + "): the bundle is marked synthetic")
    log.warning("%s", said)
    return True


def _obs_order(obs: pd.DataFrame) -> list[str]:
    first = ["sample_id", "patient_id", "cancer_type", "sample_type", "time", "event",
             "has_survival", "split", "cohort"]
    return [c for c in first if c in obs.columns] + [c for c in obs.columns if c not in first]


def _inputs(paths, label_paths, clinical_path, annotation_path,
            histories: dict[str, dict] | None = None) -> list[dict[str, str]]:
    """The record's ``inputs``: each file's role, path, sha256 and size, with what a join
    (``joined``) or a genemoe export's own preparation (``exported``, ``histories`` by path)
    did to its values before."""
    histories = histories or {}
    items = [("expression", p) for p in paths] + [("labels", p) for p in label_paths]
    clin = [clinical_path] if isinstance(clinical_path, str | Path) else list(clinical_path or [])
    items += [("clinical", p) for p in clin] + [("annotation", a) for a in [annotation_path] if a]
    return [{"role": r, "path": str(Path(p).resolve()), "sha256": file_sha256(Path(p)),
             "bytes": Path(p).stat().st_size, **join_record(Path(p), r),
             **(histories.get(str(p), {}) if r == "expression" else {})} for r, p in items]
