"""``genemoe predict``: score new samples with a trained run.

New samples in any supported format and identifier style are mapped to the model's genes
(versions stripped; symbols, Entrez and ``SYMBOL|ENTREZ`` through the annotation),
normalised exactly as in training (same per-sample method, then the training split's
scaler), and scored. Genes the model needs but the file lacks are filled with the training
mean and counted per sample; above ``max_missing`` of the model's genes it refuses.

Neural models score in float32 by default; ``precision="bf16"`` (``--precision bf16``) runs
their forward in bfloat16 (about twice the samples/s on CPUs with bf16 matmuls, ~3
significant digits in the logits; probabilities are still a float32 softmax, but the
temperature divides the logits first, so with T < 1 they differ from float32's in the second
digit: 0.868 against 0.842 at T = 0.35 in a probe), and its output's float columns are
written to 4 significant digits. Classical
estimators score in float64 and refuse ``bf16``.

With ``labels_path`` (``--labels``) a classification run is scored against the cohort's
known types (external validation, :mod:`~genemoe.workflows.predict_score`): the headline
over the samples that are not the model's own training or validation samples, of the
sample types it was trained on; the rest scored apart. With ``clinical_path``
(``--clinical``) a survival run's risk is scored against the patients' survival so
(:mod:`~genemoe.workflows.predict_survival`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import genemoe
from genemoe.data import annotation as ann
from genemoe.data.args import folder_of, path_of
from genemoe.data.bundle import atomic_file, atomic_write_text, dump_json
from genemoe.data.crossscale import (
    check_request,
    gene_set_note,
    refuse_transformed,
    scale_rule,
)
from genemoe.data.normalise import NEEDS_LENGTH
from genemoe.data.prep_text import warnings_said
from genemoe.data.prepare import PrepareConfig, PrepLog, normalise_table
from genemoe.data.quant_dir import join_record
from genemoe.data.read import ExpressionTable, read_expression
from genemoe.data.scaling import Scaler, clip_report
from genemoe.data.values import check_one_scale, odd_scale_samples
from genemoe.errors import InputError, input_error
from genemoe.explain.summary_text import ensemble_of, members_text
from genemoe.train.model_file import load_model_file
from genemoe.train.rng import keeps_global_rng
from genemoe.workflows import predict_survival as surv
from genemoe.workflows.model_split import model_splits  # noqa: F401 (a name of this module)
from genemoe.workflows.predict_align import (
    GIVEN_SHIFT_WARN,
    OWN_SCALE_SHIFT,
    align_to_model,
    check_floor_converted,
    check_missing_weight,
    gene_weights,
    given_shift,
    given_step_words,
    median_shift,
    own_log_notes,
    own_log_shifts,
    own_log_totals,
    quantile_aligned,
    scale_words,
    training_levels,
    unit_totals_notes,
    unmapped_ids,
    weighted_missing,
)
from genemoe.workflows.predict_checks import (
    annotation_for,
    blank_empty,
    check_negatives,
    check_output,
    clipped_negative_notes,
    label_paths,
    linear_unit_notes,
    mapped_genes,
    negative_log_notes,
    not_a_file,
    not_counts_notes,
)
from genemoe.workflows.predict_companions import (
    check_companions,
    check_not_foreign,
    drop_stale_missing,
    drop_stale_scores,
    record_path,
)
from genemoe.workflows.predict_forward import (
    Precision,
    check_precision,
    device_used,
    model_outputs,
    trust_columns,
)
from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_layer import check_predict_layer, matrix_read, predict_read_notes
from genemoe.workflows.predict_missing import (
    gene_set_shift,
    keep_missing_list,
    missing_genes_report,
    side_file_needed,
)
from genemoe.workflows.predict_score import (
    LABELS_COLUMN,
    match_labels,
    patient_keys,
    read_cohort_labels,
    refuse_columns_without_labels,
    refuse_labels_for_survival,
    sample_groups,
    score_predictions,
    scores_path,
    scores_table,
)
from genemoe.workflows.predict_text import (
    estimated_counts_notes,
    given_shift_notes,
    headline,
    lines,
    logged_notes,
    note,
    read_notes,
    recorded,
    significant,
    summary_notes,
    unfamiliar_counts,
    wrapped,
)

__all__ = ["predict_file", "predict_table", "align_to_model"]

log = logging.getLogger(__name__)

BF16_DIGITS = 4  # significant digits written from a bf16 forward (~3 in its logits)
FP32_DIGITS = 6  # and to a CSV from a float32 one (~7); Parquet keeps every digit


def _admitted(payload: dict) -> list[str]:
    """The TCGA sample-type codes the model's bundle admitted (``[]``: every one)."""
    return [str(c) for c in (payload.get("record") or {}).get("config", {}).get("sample_types")
            or ()]


def _class_probs(df: pd.DataFrame, class_names: list[str]) -> np.ndarray | None:
    """The ``prob_<type>`` columns ``(n_samples, n_classes)`` in the model's class order;
    None where one is absent."""
    cols = [f"prob_{c}" for c in class_names]
    return df[cols].to_numpy(float) if all(c in df for c in cols) else None


def _join_of(joined: dict[str, Any] | None, expression_path: Path) -> dict[str, Any] | None:
    """The record of the join that wrote ``expression_path`` (``--quant-dir``,
    ``--gdc-dir``): ``joined`` as given, else the ``joined.json`` beside a joined matrix
    (as ``prepare`` finds it), else None."""
    if joined is None:
        return join_record(expression_path, "expression").get("joined")
    if not isinstance(joined, dict):
        raise input_error(f"joined is a {type(joined).__name__}, not a join's record",
                          where="joined", fix="pass the record assemble_quant_dir or "
                          "assemble_gdc_dir returned (or its joined.json, read), or None")
    return joined


def _join_notes(joined: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The join's warnings (printed before predict began) as the record's notes, code
    ``joined``: they were missing from the record's ``warnings``."""
    return [note("joined", "warning", str(w)) for w in (joined or {}).get("warnings") or []]


def _check_not_swapped(payload: dict, table: Any) -> None:
    """Refuse a table whose sample ids are the model's gene ids while its gene ids are not:
    read the wrong way round (``--orientation samples_by_genes`` on a genes × samples file
    was refused for "two scales in one matrix", naming gene ids as samples)."""
    def base(ids: Any) -> set[str]:
        return {str(i).split(".")[0] for i in ids}

    genes = base(payload["gene_ids"])
    as_samples = len(base(table.sample_ids) & genes)  # a whole-genome file: the model's genes
    if as_samples >= max(3, min(len(table.sample_ids), len(genes)) // 2) and not base(table.gene_ids) & genes:
        other = "genes_by_samples" if table.orientation == "samples_by_genes" else "samples_by_genes"
        raise input_error(f"read as {table.orientation.replace('_', ' ')}, its samples are the "
                          f"model's genes ({as_samples:,} of {len(table.sample_ids):,}) and none "
                          "of its genes are: the file was read the wrong way round",
                          path=table.source_path, fix=f"pass --orientation {other} (or auto)" if
                          table.source_path.suffix != ".h5ad" else "transpose it: adata.T.write_h5ad(...)")


def predict_table(payload: dict, table: ExpressionTable, *, annotation: ann.GeneAnnotation | None,
                  max_missing: float = 0.2, precision: Precision = "fp32",
                  normalisation: str = "auto", device: str = "auto"
                  ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score one expression table with a loaded model payload.

    Parameters
    ----------
    payload
        A loaded model file (:func:`~genemoe.train.model_file.load_model_file`).
    table
        New samples, any identifier style.
    annotation
        Maps symbols / Entrez ids to the model's genes (None: ids as they are).
    max_missing
        Largest allowed share of the model's genes missing from a sample.
    precision
        ``fp32`` (default) or ``bf16``: the neural forward in bfloat16 (faster on CPU,
        ~3 significant digits in the logits, ~2 in the temperature-scaled probabilities);
        refused for classical estimators.
    normalisation
        How the table comes onto the model's scale (:mod:`genemoe.data.crossscale`):
        ``auto`` (the model's own normalisation for the kind of input it was trained on,
        else log2(x + 1) and quantile alignment to the training distribution; log2(x + 1)
        values for a model of log2(x + 1) of linear values taken as given where they sit on
        its training distribution; centred or log-ratio data refused), ``model`` (always
        the model's own normalisation) or ``quantile`` (always align).
    device
        Where a neural model's forward runs: ``auto`` (CUDA when available), ``cpu``,
        ``cuda`` or ``cuda:N``; classical models run on the CPU (scikit-learn).

    Returns
    -------
    tuple
        One row per sample: ``predicted_type``, ``confidence`` and ``prob_<type>``
        (calibrated), ``top1``..``top3`` with ``top<k>_prob``, ``calibration`` (the
        method), or ``risk`` and ``risk_percentile`` (among the training patients); then
        ``ood_score`` and ``looks_like_training`` (the score at or below the threshold
        chosen on validation for a 5 % false-alarm rate; model files written before
        these were stored lack them), ``model_split`` (``train``, ``val`` or ``test``
        for a sample of the model's own bundle, by id or TCGA patient and sample type
        (:func:`model_splits`), ``<split> patient`` for another sample type of such a
        patient, else ``new``; model files since 2026-12), ``n_missing_genes``
        and ``empty_profile`` (every value 0 or missing: left unscored, its type,
        probabilities and risk empty and ``looks_like_training`` False); where they occur,
        ``n_values_clipped`` (negative linear values clipped to 0; more than a trace below
        -1 is refused, as ``prepare`` refuses it) and ``n_negative_values`` (log values
        below 0). And a report
        dict (``precision``, ``n_unfamiliar`` among the samples outside the training
        split, ``n_train`` and ``n_val`` included).
    """
    check_precision(payload, precision)
    _check_not_swapped(payload, table)
    method = payload.get("normalisation") or "auto"
    if not isinstance(method, str):
        raise input_error(f"the model was trained on mixed normalisations {method}",
                          fix="retrain on a bundle of one value scale")
    rule = scale_rule(table.value_kind, method, normalisation,
                      exported_normalisation=table.exported_normalisation)
    check_floor_converted(payload, table, rule)  # an older genemoe's log2(x + eps) model
    scale_notes = estimated_counts_notes(table, method, rule, normalisation)  # predict's own
    for n in (unit := linear_unit_notes(table, method, rule, normalisation)):  # the file's
        log.warning("%s", n["text"])  # own genes' totals: why linear TPM was aligned (unsaid)
    scale_notes += unit
    plog = PrepLog()  # answer, not prepare's --normalisation log2cpm (predict has none)
    plog.step("read", file=str(table.source_path), shape=list(table.shape),  # as prepare says it
              orientation=table.orientation, **matrix_read(table), id_kind=table.id_kind,
              value_kind=table.value_kind,  # the .h5ad's matrix read (--layer), as prepare's
              notes=read_notes(predict_read_notes(table.notes), scale_notes))
    totals = (own_log_totals(payload, table)  # on the file's own genes, before the mapping
              if rule == "quantile" and normalisation == "auto" else None)
    table = mapped_genes(table, annotation, plog)  # sample ids as gene ids: --orientation
    own_shift = None  # each sample's distance, log values on the model's (mapped) genes
    if rule == "quantile":  # log2(unit + 1) of a log2p1/log2tpm/... model's unit: as given
        #   (aligned, a log2tpm model's risks moved 0.43 against counts), on the model's genes,
        #   its totals the unit's (log2(FPKM + 1) sat 0.49 from log2(TPM + 1), taken as TPM)
        own_shift = own_log_shifts(payload, table)  # reused below: "given" and "quantile"
        rule = scale_rule(table.value_kind, method, normalisation,
                          exported_normalisation=table.exported_normalisation,
                          own_log_shift=median_shift(own_shift),
                          own_log_totals=None if totals is None else totals.verdict)
        for n in (off := unit_totals_notes(totals) if rule == "quantile" else []):
            log.warning("%s", n["text"])
        scale_notes += off
    values = np.asarray(table.values)
    if table.value_kind == "linear" and rule in ("same", "quantile"):
        check_negatives(values, table)  # refused as prepare refuses them (was clipped, scored)
    checks = [*negative_log_notes(table, values, rule),
              *not_counts_notes(table, values, method, rule)]
    for n in checks:  # said on stderr, recorded with their data
        log.warning("%s", n["text"])
    scale_notes += checks
    empty = [str(sid) for sid, row in zip(table.sample_ids, values, strict=True)
             if not np.any(np.isfinite(row) & (row != 0))]  # scored as the training mean, unsaid
    scaler = Scaler.from_dict(payload["scaler"])
    if rule == "refuse":
        refuse_transformed(table.source_path)
    odd_scale = odd_scale_samples(table)  # log2 profiles among linear ones (or the reverse)
    if odd_scale is not None and rule != "quantile":
        try:
            check_one_scale(table)
        except InputError as exc:  # one normalisation for both scales would be wrong for some
            raise exc.with_fix("put every sample on one scale, or use --normalisation quantile "
                               "(each sample aligned from its own ranks)") from exc
    shift, note, moved = None, None, None
    if rule in ("exported", "given"):  # an export of the model's normalisation, or as told
        plog.step("cross_pipeline", rule=f"none: a genemoe export of a {method} bundle, "
                  "already on the model's scale" if rule == "exported" else
                  f"none: taken as the model's scale ({scale_words(method)}), as asked"
                  if normalisation == "none" else given_step_words(method))
        # the model's input, missing genes filled with the training means (the distance's
        #   alignment fills them with NaN, left out of it: another matrix)
        X, n_missing = align_to_model(table, payload["gene_ids"], fill=scaler.shift,
                                      max_missing=max_missing, unmapped=unmapped_ids(plog))
        if rule == "given":  # at the user's word: Xena's STAR FPKM-UQ sat ~6 units off, unsaid
            shift = (own_shift if own_shift is not None  # the same table, genes and fill
                     else given_shift(payload, table, method))
            off = (given_shift_notes(shift, warn_above=GIVEN_SHIFT_WARN, own_below=OWN_SCALE_SHIFT)
                   if normalisation == "none" else own_log_notes(shift, method, totals))  # auto: why
            for n in off:  # recorded with its numbers (was code "logged", the text only)
                log.warning("%s", n["text"])
            scale_notes += off
    elif rule == "same":
        try:  # prepare's fixes name prepare's options: predict gives its own
            table, _ = normalise_table(table, PrepareConfig(normalisation=method), annotation, plog,
                                       subject="it")
        except InputError as exc:
            lengths = ("pass --annotation (gene lengths), or "
                       if method in NEEDS_LENGTH and annotation is None else "")
            other = "quantile" if normalisation == "auto" else "auto or quantile"  # not auto again
            given = (f", or none if they are this model's log2 {method} values already (a "
                     "genemoe export; Xena's star_fpkm-uq is another FPKM-UQ, ~15 log2 units "
                     "lower)" if table.value_kind == "log" else "")
            raise exc.with_fix(
                f"{lengths}use --normalisation {other} (align the values to the "
                f"model's training distribution){given}",
                problem=f"the model's own normalisation ({method}) cannot be applied: "
                        f"{exc.problem}") from exc
        note = gene_set_note(table.values.shape[1], payload.get("record") or {}, method)  # said
        moved = gene_set_shift(table, payload["gene_ids"], training_levels(scaler),  # absent
                               payload.get("gene_lengths"), method)  # top genes: ~0.9 log2, unsaid
        X, n_missing = align_to_model(table, payload["gene_ids"], fill=scaler.shift,
                                      max_missing=max_missing, unmapped=unmapped_ids(plog))
    else:
        X, n_missing, shift = quantile_aligned(payload, table, scaler, max_missing, plog,
                                               shift=own_shift)  # log values: the same
    missing = missing_genes_report(table, payload["gene_ids"], payload.get("symbols"))  # named
    weights = gene_weights(payload)  # a linear model's per gene (None: other models)
    weight_share = check_missing_weight(payload, table, max_missing, weights)
    out = model_outputs(payload, scaler.transform(X), precision, device)
    beyond = clip_report(X, scaler)  # what the model's clip changed: was unsaid
    df = pd.DataFrame({"sample_id": table.sample_ids})
    if "probs" in out:
        names = np.asarray(payload["class_names"], dtype=object)
        df["predicted_type"] = names[out["probs"].argmax(1)]
        df["confidence"] = out["probs"].max(1)
        for j, c in enumerate(names):
            df[f"prob_{c}"] = out["probs"][:, j]
    else:
        df["risk"] = out["risk"]
    trust_columns(df, payload, out)
    df["n_missing_genes"] = n_missing
    if weight_share is not None:  # the genes' count said 0.1% where the weight was all gone
        df["missing_weight_share"] = weight_share
    df["empty_profile"] = df["sample_id"].astype(str).isin(empty)  # was said on the terminal only
    blank_empty(df, empty)  # not scored: a sample of zeros was called CHOL at 0.999
    df["scale_rule"] = rule
    if beyond["n_values"]:  # per sample, as the training's clip of ±10 z cuts them
        df["n_scaled_clipped"] = (np.abs((X - scaler.shift) / scaler.scale) > scaler.clip).sum(1)
    n_clipped = sum(int(st.get("negative_values_clipped_to_0") or st.get("negatives_clipped") or 0)
                    for st in plog.steps)  # the normalise and cross-pipeline steps' counts
    if n_clipped:  # were said on stderr only: counted per sample in the output
        df["n_values_clipped"] = (np.nan_to_num(values, nan=0.0) < 0).sum(1)
        scale_notes += clipped_negative_notes(table, values, n_clipped)  # a record warning
        if rule != "same":  # normalisation logs its own, in these words
            log.warning("%s", scale_notes[-1]["text"])
    if any(n["code"] == "negative_log_values" for n in scale_notes):
        df["n_negative_values"] = (np.nan_to_num(values, nan=0.0) < 0).sum(1)
    if rule == "quantile" and "calibration" in df and df["calibration"].iloc[0] != "none":
        df["calibration"] += "; on the model's own scale, not checked on aligned inputs"
    if shift is not None:
        df["input_shift"] = shift
    unused = sorted(set(map(str, table.gene_ids)) - set(map(str, payload["gene_ids"])))
    report = {"n_samples": len(df), "task": payload["task"], "normalisation": method,
              "scale_rule": rule,
              "n_values_clipped": n_clipped, "scaled_clipped": beyond,
              "n_file_genes": len(table.gene_ids), "unused_genes": unused, "gene_set_note": note,
              "gene_set_shift": moved,
              "value_kind": table.value_kind, "steps": plog.steps,
              "max_missing_genes": int(n_missing.max()) if len(df) else 0,
              **missing,  # the genes absent from the file, named; those missing in some samples
              **weighted_missing(weights, table, payload["gene_ids"]),  # missing-genes line
              **({} if weight_share is None or not len(df) else
                 {"max_missing_weight_share": float(weight_share.max())}),
              **unfamiliar_counts(df),
              "dropped_genes": plog.dropped_genes, "empty_profiles": empty,
              "other_scale_profiles": odd_scale[0] if odd_scale else [],
              "precision": "fp64, classical" if payload["kind"] == "sklearn" else precision,
              "device": device_used(payload, device),
              "scale_notes": scale_notes}  # the record's warnings with their data (predict_file)
    return df, report


@keeps_global_rng  # the caller's random states back (torch's advanced before)
def predict_file(run: Path | str, expression_path: Path | str, *, out_path: Path | str,
                 annotation_path: Path | str | None = None, max_missing: float = 0.2,
                 orientation: str = "auto", precision: Precision = "fp32",
                 normalisation: str = "auto", device: str = "auto",
                 labels_path: Path | str | Sequence[Path | str] | None = None,
                 sample_column: str | None = None, label_column: str | None = None,
                 clinical_path: Path | str | Sequence[Path | str] | None = None,
                 time_column: str | None = None, event_column: str | None = None,
                 joined: dict[str, Any] | None = None, layer: str | None = None) -> str:
    """Read, align, normalise and score ``expression_path``; write CSV or Parquet.

    Parameters
    ----------
    run
        A ``genemoe train`` run directory or its ``model.pt``.
    expression_path
        New samples in any supported format.
    out_path
        ``.csv``, ``.tsv`` (tab-separated; ``.txt`` too) or ``.parquet`` output.
    annotation_path
        Annotation mapping symbols / Entrez ids (default: the one recorded at preparation).
    max_missing
        Largest allowed share of the model's genes missing from a sample.
    orientation
        ``auto``, ``genes_by_samples`` or ``samples_by_genes``.
    precision
        ``fp32`` (default) or ``bf16`` (neural models only; see :func:`predict_table`).
    normalisation
        ``auto``, ``model``, ``quantile`` or ``none``: how another pipeline's values come
        onto the model's scale (``genemoe predict --normalisation``).
    device
        ``auto`` (CUDA when available), ``cpu``, ``cuda`` or ``cuda:N`` (neural models).
    labels_path
        A sample → cancer-type table of these samples, or several (``genemoe predict
        --labels``; read and matched as ``prepare --labels``): a classification run's
        predictions are scored against it (:mod:`~genemoe.workflows.predict_score`), the
        given type written in a ``labels`` column; refused for a survival run.
    sample_column, label_column
        The label tables' columns (detected when None), as ``prepare``'s options; refused
        without ``labels_path``.
    clinical_path, time_column, event_column
        Survival table(s) of these samples' patients and their columns (``genemoe predict
        --clinical``; read and joined as ``prepare --clinical``, for the run's endpoint): a
        survival run's risk is scored against them (Harrell's and Uno's C,
        :mod:`~genemoe.workflows.predict_survival`), ``time`` and ``event`` written beside
        ``risk``, the record's ``clinical`` and ``survival_scores`` sections and
        ``<out stem>.scores.tsv`` (per part: n, events, C-index and interval); refused for a
        classification run. A genemoe export carrying survival is scored without it.
    joined
        The record of the join that wrote ``expression_path`` from per-sample files (what
        :func:`~genemoe.data.quant_dir.assemble_quant_dir` or
        :func:`~genemoe.data.gdc_portal.assemble_gdc_dir` returned, as in its
        ``joined.json``; ``genemoe predict --quant-dir`` / ``--gdc-dir`` pass it): kept as
        the record's ``joined`` section (tool, value column, strand, summary rows, rounding,
        unmapped transcripts), its ``warnings`` first among the record's. None: the
        ``joined.json`` beside a joined ``expression.tsv.gz``, if any (as ``prepare`` reads it).
    layer
        An ``.h5ad``'s matrix to score instead of ``X`` (``genemoe predict --layer``): a
        layer's name (``counts``) or ``raw`` for its ``.raw``; recorded as the read step's
        ``matrix``. Refused for other files and for a name the file lacks (naming its layers).

    Returns
    -------
    str
        A short human-readable report (names the precision); the predictions are in
        ``out_path`` (``pandas.read_csv`` / ``read_parquet`` it back), and beside it
        ``<out>.record.json``: every step and count, and under ``warnings`` each warning
        and caveat the report or the log said (``code``, ``level``, ``text`` and its data,
        e.g. the repeated patients' sample ids), the model's genes absent from the file in
        ``missing_gene_ids`` (more than 5,000: ``<out stem>.missing_genes.tsv``, named by
        ``missing_genes_file``; :mod:`~genemoe.workflows.predict_missing`) and those missing
        in some samples counted; with ``labels_path`` the record's
        ``labels`` (file, matching counts) and ``scores`` sections, and
        ``<out stem>.scores.tsv``: per given type its n, recall, precision, F1 and
        confusion counts of the headline's samples (not written when none is scored).
        Companions that belong to another output of the same stem still on disk
        (``pred.tsv``'s, for ``pred.parquet``) are refused, not replaced
        (:mod:`~genemoe.workflows.predict_companions`).
    """
    if not isinstance(expression_path, str | os.PathLike):  # a bare TypeError from pathlib
        raise not_a_file(expression_path, "expression_path")
    out_path = path_of(out_path, "out_path")
    run = folder_of(run, "run")  # a RunResult too
    check_output(out_path, max_missing)  # before reading anything
    check_predict_layer(expression_path, layer)  # --layer of a TSV: before the model is read
    check_companions(out_path)  # pred.tsv's record and scores are pred.parquet's names too
    check_not_foreign(out_path, [("--expression", Path(expression_path)),  # a run's own
                                 *(("--labels", p) for p in label_paths(labels_path)),
                                 *(("--clinical", p) for p in label_paths(clinical_path))])
    joined = _join_of(joined, Path(expression_path))
    payload = load_model_file(Path(run))
    check_precision(payload, precision)  # before reading a large expression file
    if payload["kind"] != "sklearn":  # so too a device this machine lacks
        device_used(payload, device)
    check_request(normalisation)  # so too the normalisation asked for
    refuse_labels_for_survival(payload, labels_path)
    refuse_columns_without_labels(labels_path, sample_column, label_column)
    surv.refuse_clinical_for_classification(payload, clinical_path)
    surv.refuse_columns_without_clinical(clinical_path, time_column, event_column)
    labels = (read_cohort_labels(label_paths(labels_path), sample_column=sample_column,
                                 label_column=label_column) if labels_path is not None else None)
    said: list[str] = []  # warnings logged on the way (stderr): kept in the record too
    with warnings_said(said):
        clinical = (surv.read_run_clinical(label_paths(clinical_path), payload,
                                           time_column=time_column, event_column=event_column)
                    if clinical_path else None)
        annotation = annotation_for(payload, Path(annotation_path) if annotation_path else None)
        table = read_expression(Path(expression_path), orientation=orientation, one_scale=False,
                                layer=layer)
        df, report = predict_table(payload, table, annotation=annotation, max_missing=max_missing,
                                   precision=precision, normalisation=normalisation,
                                   device=device)
        admitted = _admitted(payload)
        groups = sample_groups(df["sample_id"], df.get("model_split"), admitted)  # both scores'
        if labels is not None:  # before anything is written: a table naming no sample is refused
            given, report["labels"] = match_labels(df["sample_id"], labels,
                                                   ", ".join(labels.attrs["files"]))
            df.insert(df.columns.get_loc("predicted_type") + 1, LABELS_COLUMN, given.to_numpy())
            report["scores"] = score_predictions(df["predicted_type"], given,
                                                 payload["class_names"], groups,
                                                 patients=patient_keys(df["sample_id"]),
                                                 probs=_class_probs(df, payload["class_names"]))
        report |= surv.survival_scoring(df, payload, table, clinical, groups, admitted)
        if out_path.exists():  # as train and explain say it (was overwritten silently)
            log.warning("%s exists: replacing it", out_path)
        scored = (labels is not None and bool(report["scores"]["confusion"]["types"])
                  or surv.survival_scored(report))
        drop_stale_scores(out_path, scored)  # this output's earlier --labels scores
        drop_stale_missing(out_path, side_file_needed(len(report["missing_gene_ids"])))
    text_out = out_path.suffix.lower() != ".parquet"  # a float32 forward's digits (a CSV showed 16)
    digits = BF16_DIGITS if precision == "bf16" else FP32_DIGITS if text_out else None
    if digits:
        df, report["significant_digits"] = significant(df, digits), digits
    if not text_out:
        with atomic_file(out_path) as tmp:
            df.to_parquet(tmp, index=False)
    else:
        sep = "\t" if out_path.suffix.lower() in (".tsv", ".txt") else ","
        atomic_write_text(out_path, df.to_csv(index=False, sep=sep))
    keep_missing_list(report, out_path, record_path(out_path).name)  # record, or a side file
    notes = summary_notes(df, payload, report)  # the terminal's lines: their caveats recorded
    if labels is not None:
        notes += label_notes(report["scores"], report["labels"], payload["class_names"])
        report["scores"]["table"] = str(scores_path(out_path)) if scored else None
        if scored:  # an empty table read as a scoring (all types empty) was written
            atomic_write_text(scores_path(out_path),
                              scores_table(report["scores"]).to_csv(index=False, sep="\t"))
    notes += surv.cancer_type_notes(report)  # (an export naming types, without survival too)
    if "survival_scores" in report:
        notes += surv.clinical_notes(report["clinical"],
                                                                      report["survival_scores"])
        if scored:
            atomic_write_text(scores_path(out_path), surv.survival_scores_table(
                report["survival_scores"]).to_csv(index=False, sep="\t"))
    scale_notes = recorded(report.pop("scale_notes"))  # said on stderr (read, scale steps)
    record = record_path(out_path)  # every step and count (stderr only); names its output
    ensemble = ensemble_of(payload.get("config"))  # k and member scheme (config.yaml's names)
    atomic_write_text(record, dump_json({
        "model": str(Path(run)), "expression": str(expression_path), "output": str(out_path),
        **({"joined": joined} if joined is not None else {}),  # what the join read, changed
        "genemoe_version": genemoe.__version__,
        "model_synthetic": bool((payload.get("record") or {}).get("synthetic")),
        **({"ensemble": ensemble} if ensemble else {}), **report,
        "warnings": _join_notes(joined) + logged_notes(said, scale_notes) + recorded(notes)}))
    synthetic = " [model trained on SYNTHETIC data]" if payload.get("record", {}).get("synthetic") else ""
    n = report["n_samples"]
    said = f" ({members})" if (members := members_text(ensemble)) else ""  # the scheme
    name = (f"an ensemble of {ensemble['k']} {(payload.get('config') or {}).get('model')}"
            f"{said}" if ensemble else payload["model_name"])
    return headline(f"scored {n:,} sample{'s' if n != 1 else ''} with {name} "
            f"({payload['task']}, {report['precision']}"
            + (f", on {report['device']}" if report["device"] != "cpu (scikit-learn)" else "")
            + (f"; values to {BF16_DIGITS} significant digits" if precision == "bf16"
               else "") + f"){synthetic}", out_path) + wrapped(lines(notes)
            + (f"\n  scores: {scores_path(out_path).name} (" + ("per part: n, events, C-index"
               if "survival_scores" in report else "per type: n, recall, confusion counts")
               + ")" if scored else "")
            + f"\n  record: {record.name} (every step, count and warning)")
