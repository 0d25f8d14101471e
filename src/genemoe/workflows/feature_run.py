"""The run whose latent features ``genemoe features`` analyses: its model rebuilt from a
``genemoe pretrain`` run (with its decoder) or a ``genemoe train`` run of a latent model,
the scalers it stored, and the samples it trained or validated on (refused as held-out
evidence). Split out of :mod:`genemoe.workflows.features`."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from genemoe.data.anndata_io import value_scale
from genemoe.data.bundle import Bundle
from genemoe.data.scaling import Scaler
from genemoe.data.splits import default_patient_ids
from genemoe.errors import input_error
from genemoe.explain.bundle_genes import LISTED, zero_filled, zero_filled_note

log = logging.getLogger(__name__)

_TCGA_PATIENT = re.compile(r"^[A-Z][A-Z0-9]{3}-[A-Z0-9]{2}-[A-Z0-9]{4}$")  # a barcode-form
#   patient (TCGA-OR-A5J1; the synthetic cohort's SYNT-A3-0008)

__all__ = ["RunModel", "load_run_model", "used_samples", "used_sample_patients", "bundle_key",
           "bundle_patients", "seen_rows", "ZeroFilled", "zero_filled_genes"]


@dataclass
class RunModel:
    """A model read from a run directory, with what is needed to feed it."""

    model: torch.nn.Module
    kind: Literal["pretrain", "train"]
    model_name: str
    gene_ids: list[str]
    scaler: Scaler | None  # None: use the bundle's own training-split scaler (pre-training)
    path: Path
    pretrained_from: Path | None = None  # a train run's --pretrained run, if any
    # A pre-training run's stored scalers, by the resolved path of the bundle each scaled.
    bundle_scalers: dict[str, Scaler] = field(default_factory=dict)
    collapse: list[str] = field(default_factory=list)  # a pre-training run's collapse warnings
    record: dict[str, Any] | None = None  # a train run's bundle's record (where genes were read)
    gene_lengths: list[float] | None = None  # a train run's gene lengths (the run's order)
    # The normalisation of the values the run read, as fine-tuning checks it
    # (:func:`genemoe.train.finetune.check_normalisation`'s payload keys); None: not recorded.
    values: dict[str, Any] | None = None
    # A train run's model file's ``split_ids`` (``{"train": [...], "val": [...], ...}``);
    # None: an older model file (its predictions.tsv is the record then).
    split_ids: dict[str, list[str]] | None = None
    # The run's gene symbols as its model file keeps them (None: none kept); features falls
    # back to them where the bundle names none.
    symbols: list[str | None] | None = None


_LATENT_MODELS = ("genemoe", "moe", "vaecox")  # models with a (variational) encoder


def load_run_model(run_dir: Path | str) -> RunModel:
    """Rebuild the model of a ``genemoe pretrain`` run (with its decoder) or a ``genemoe train`` run."""
    from genemoe.models.registry import create_model

    run_dir = Path(run_dir)
    if (run_dir / "pretrained.pt").is_file() or run_dir.name == "pretrained.pt":
        from genemoe.train.finetune import read_pretrained

        p = read_pretrained(run_dir)
        model = create_model(p["model_name"], n_genes=p["n_genes"], n_outputs=1, task="classify",
                             with_decoder=True, **p["model_config"])
        missing, unexpected = model.load_state_dict(p["state_dict"], strict=False)
        bad = [k for k in missing if not k.startswith("head.")] + list(unexpected)
        if bad:
            raise input_error(f"the pre-trained weights do not fit the model ({bad[:3]})",
                              path=run_dir, fix="re-run `genemoe pretrain` with this genemoe version")
        root = run_dir if run_dir.is_dir() else run_dir.parent
        gene_ids = list(map(str, p["gene_ids"]))
        return RunModel(model.eval(), "pretrain", p["model_name"], gene_ids, None, root,
                        bundle_scalers=_stored_scalers(p, len(gene_ids)),
                        collapse=list((p.get("summary") or {}).get("collapse", {})
                                      .get("warnings", [])),
                        values=({k: p.get(k) for k in _VALUE_KEYS} if "normalisations" in p
                                else None), symbols=_symbols(p.get("symbols")))
    if not run_dir.exists():  # was "neither pretrained.pt nor model.pt here"
        raise input_error("no such folder", path=run_dir,
                          fix="check the path (and the working directory); pass the --out "
                              "directory of `genemoe pretrain` or `genemoe train`")
    if not (run_dir / "model.pt").is_file():
        raise _no_model_error(run_dir)
    from genemoe.train.model_file import load_model_file

    p = load_model_file(run_dir)
    if p.get("kind") != "torch":
        raise input_error(f"{p['model_name']!r} is a classical model: it has no latent features",
                          path=run_dir, fix="analyse a genemoe, moe or vaecox run")
    if p["model_name"] == "ensemble":  # was "a 'ensemble' run: ... analyse a genemoe run"
        member, k = p["model_config"].get("member"), p["model_config"].get("k")
        raise input_error(f"an ensemble of {k} {member!r} models: each member has latent "  # was
                          "axes of its own", path=run_dir,  # a 193-character line, unwrapped
                          fix=f"analyse a run trained without --ensemble: genemoe train --model "
                              f"{member if member in _LATENT_MODELS else 'genemoe'} ... --out RUN")
    if p["model_name"] not in _LATENT_MODELS:  # was "FcnModel has no latent encoder"
        raise input_error(f"a {p['model_name']!r} run: it has no latent encoder", path=run_dir,
                          fix="analyse a genemoe, moe or vaecox run (or a `genemoe pretrain` run)")
    model = create_model(p["model_name"], n_genes=len(p["gene_ids"]), n_outputs=p["n_outputs"],
                         task=p["task"], **p["model_config"])
    model.load_state_dict(p["state_dict"])
    pre = (p.get("config") or {}).get("pretrained") or {}
    return RunModel(model.eval(), "train", p["model_name"], list(map(str, p["gene_ids"])),
                    Scaler.from_dict(p["scaler"]), run_dir,
                    Path(pre["run"]) if pre.get("run") else None,
                    record=p.get("record"), gene_lengths=p.get("gene_lengths"),
                    values=_trained_values(p.get("normalisation")),
                    split_ids=_split_ids(p.get("split_ids")), symbols=_symbols(p.get("symbols")))


def _symbols(symbols: Any) -> list[str | None] | None:
    """A model file's ``symbols`` as strings (None for a gene without one); None where it
    keeps none."""
    if not isinstance(symbols, (list, tuple)) or not any(symbols):
        return None
    return [None if s is None or str(s) in ("", "nan") else str(s) for s in symbols]


def _split_ids(splits: Any) -> dict[str, list[str]] | None:
    """A model file's ``split_ids`` as lists of strings; None where it has none."""
    if not isinstance(splits, dict) or not splits:
        return None
    return {str(name): [str(s) for s in ids or ()] for name, ids in splits.items()}


_VALUE_KEYS = ("normalisation", "normalisations", "value_scale")  # of pretrained.pt


def _trained_values(normalisation: Any) -> dict[str, Any] | None:
    """A ``genemoe train`` run's normalisation (its model file's) in the keys of a
    pre-training file's (:data:`_VALUE_KEYS`); None where it is not recorded."""
    if normalisation is None:
        return None
    return {"normalisation": normalisation, "normalisations": [normalisation],
            "value_scale": value_scale(normalisation)[0]}


def _no_model_error(run_dir: Path) -> Exception:
    """An unfinished run, said as `genemoe report` says it (was "neither pretrained.pt nor
    model.pt here"), or no run at all."""
    if not (run_dir / "checkpoint.pt").is_file():
        return input_error("no model here (neither pretrained.pt nor model.pt)", path=run_dir,
                           fix="pass the --out directory of a finished `genemoe pretrain` or "
                               "`genemoe train` run")
    try:  # a pre-training epoch's record carries the critic gap
        with (run_dir / "history.jsonl").open() as f:
            pre = "loss/critic_gap" in f.readline()
    except (OSError, UnicodeDecodeError):
        pre = False
    kind, command, made = ("pre-training", "pretrain", "pretrained.pt") if pre else (
        "training", "train", "model.pt")
    return input_error(f"an unfinished {kind} run (a checkpoint, no {made} yet)", path=run_dir,
                       fix=f"run the same `genemoe {command}` command again: it resumes from "
                           f"the checkpoint and writes {made}; then analyse the run")


def bundle_key(path: Path | str) -> str:
    """A bundle's resolved path: the key of a run's stored scalers."""
    return str(Path(path).expanduser().resolve())


def _stored_scalers(payload: dict[str, Any], n_genes: int) -> dict[str, Scaler]:
    """A pre-training run's ``scalers`` (over its genes), keyed by their bundle's resolved path."""
    found: dict[str, Scaler] = {}
    for source, d in zip(payload.get("bundles") or [], payload.get("scalers") or [], strict=False):
        path = source.get("path") if isinstance(source, dict) else None
        if path and isinstance(d, dict) and len(d.get("shift") or []) == n_genes:
            found.setdefault(bundle_key(path), Scaler.from_dict(d))
    return found


def _with_patients(table: pd.DataFrame) -> dict[str, str]:
    """Sample id → patient id of a table's rows: its ``patient_id`` where given, else the
    patient of a TCGA-style barcode, else the sample id (as pre-training and fine-tuning)."""
    table = table[table["sample_id"].notna()]
    ids = table["sample_id"].astype(str).to_numpy(object)
    patients = default_patient_ids(ids)
    if "patient_id" in table.columns:
        given = table["patient_id"]
        patients = np.where(given.notna().to_numpy(), given.astype(str).to_numpy(object), patients)
    return dict(zip(ids.tolist(), map(str, patients), strict=True))


def used_sample_patients(run: RunModel) -> dict[str, str]:
    """Sample id → patient id of every sample the run (or the pre-training it started from)
    trained or validated on.

    A train run's samples are its model file's ``split_ids`` (``train`` and ``val``) and its
    ``predictions.tsv``'s rows of those splits: a run without predictions.tsv had its
    training samples analysed as held out. A run with neither is refused.

    The patient is the one recorded (a pre-training run's ``samples.tsv`` ``patient_id``;
    older runs: ``pretrained.pt``'s ``sample_patients``), else the patient of a TCGA-style
    barcode (:func:`genemoe.data.splits.default_patient_ids`), else the sample id: a second
    bundle of the same tumours spelling the barcodes differently (``TCGA-44-4112-01`` and
    ``TCGA-44-4112-01A-11R-A000-07``) shares their patients, not their ids.
    """
    used: dict[str, str] = {}
    for pre in [run.path] if run.kind == "pretrain" else [run.pretrained_from]:
        if pre is None:
            continue
        if run.kind == "train" and (kept := run.path / "pretrain_samples.tsv").is_file():
            used.update(_with_patients(pd.read_csv(kept, sep="\t", dtype=str)))  # its copy
            continue
        tsv = Path(pre) / "samples.tsv"
        if run.kind == "train" and not (tsv.is_file() or (Path(pre) / "pretrained.pt").is_file()):
            raise _pretraining_gone(run, Path(pre))
        if tsv.is_file():
            used.update(_with_patients(pd.read_csv(tsv, sep="\t", dtype=str)))
        else:  # older runs: the same lists live in pretrained.pt
            from genemoe.train.finetune import read_pretrained

            p = read_pretrained(pre)
            s = p.get("samples", {})
            ids = [*map(str, s.get("train", [])), *map(str, s.get("val", []))]
            recorded = {str(k): v for k, v in (p.get("sample_patients") or {}).items()}
            used.update(_with_patients(pd.DataFrame(
                {"sample_id": ids, "patient_id": [recorded.get(i) for i in ids]}, dtype=object)))
    if run.kind != "train":
        return used
    splits = getattr(run, "split_ids", None)  # None: an older model file
    if splits is not None:  # the model file's own record: predictions.tsv may be gone
        ids = [*splits.get("train", ()), *splits.get("val", ())]
        used.update(_with_patients(pd.DataFrame({"sample_id": ids}, dtype=object)))
    if (run.path / "predictions.tsv").is_file():
        pred = pd.read_csv(run.path / "predictions.tsv", sep="\t", dtype=str)
        if "split" not in pred.columns:  # built by hand or by an older version: was KeyError
            log.warning("%s has no split column: every sample in it is taken as one the run "
                        "trained or validated on", run.path / "predictions.tsv")
            return used | _with_patients(pred)
        used.update(_with_patients(pred[pred["split"].isin(["train", "val"])]))
    elif splits is None:  # a run without predictions.tsv analysed its training
        raise _no_split_record(run)  # samples as held out, unsaid
    return used


def _no_split_record(run: RunModel) -> Exception:
    """A train run whose samples cannot be told: no ``split_ids`` in its model file (an
    older one) and no ``predictions.tsv`` beside it."""
    return input_error(
        "the run records neither which samples it trained and validated on (its model.pt "
        "predates split_ids) nor predictions.tsv: the analysed samples cannot be checked as "
        "held out", path=run.path / "predictions.tsv", where="--model",
        fix=f"put the run's predictions.tsv back in {run.path}, or re-run `genemoe train` "
            "(its model.pt then names its samples)")


def _pretraining_gone(run: RunModel, pre: Path) -> Exception:
    """A fine-tuned run whose pre-training folder was moved or removed: the samples that
    pre-training read (refused as held-out evidence) are known from its ``samples.tsv`` only
    for a run fine-tuned before the run kept a copy (``pretrain_samples.tsv``). It said "no such folder ... or pre-train
    first", naming a path the user never passed."""
    what = "is gone" if not pre.exists() else "holds neither samples.tsv nor pretrained.pt"
    return input_error(
        f"the run was fine-tuned from the pre-training run {pre} (recorded in its model.pt), "
        f"which {what}: its samples.tsv is needed to tell which samples that pre-training "
        "read, and they are not held-out evidence", path=run.path, where="--model",
        fix=f"move or copy that pre-training run back to {pre} (genemoe features has no "
            "option to read it from elsewhere)")


def used_samples(run: RunModel) -> set[str]:
    """Sample ids the run (or the pre-training it started from) trained or validated on."""
    return set(used_sample_patients(run))


def bundle_patients(bundle: Bundle, rows: np.ndarray) -> np.ndarray:
    """``(len(rows),)`` patients: the bundle's ``patient_id``, else the barcode's patient,
    else the sample id (as pre-training reads them)."""
    derived = default_patient_ids(bundle.sample_ids[rows].astype(str))
    if "patient_id" not in bundle.obs.columns:
        return derived
    given = bundle.obs["patient_id"].iloc[rows]
    return np.where(given.notna().to_numpy(), given.astype(str).to_numpy(object), derived)


def seen_rows(bundle: Bundle, rows: np.ndarray, used: dict[str, str],
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``rows``: the run read this sample id; it read another sample of its
    patient (not this id: a second vial, or the same tumour's barcode spelled otherwise)."""
    every = bundle.indices(None)
    here = dict(zip(bundle.sample_ids[every].astype(str), bundle_patients(bundle, every),
                    strict=True))
    patients = ({p for p in used.values() if _TCGA_PATIENT.match(p)}  # a barcode's patient is
                #   one across bundles; another id is compared only through this bundle's own
                #   samples (two cohorts numbering patients 1, 2, ... shared none)
                | {here[s] for s in used if s in here})
    ids = bundle.sample_ids[rows].astype(str)
    by_id = np.array([s in used for s in ids], bool)
    by_patient = ~by_id & np.array([p in patients for p in bundle_patients(bundle, rows)], bool)
    return by_id, by_patient


@dataclass(frozen=True)
class ZeroFilled:
    """The run's genes a bundle lacks because prepare dropped them as zero in every sample.

    ``mask`` ``(n_genes,)`` bool, in the run's gene order; ``source``: how they were known
    (:data:`~genemoe.explain.bundle_genes.LISTED` or ``INFERRED``).
    """

    mask: np.ndarray
    source: str = LISTED

    def note(self, gene_ids: list[str]) -> dict[str, Any] | None:
        """summary.json's ``zero_filled_genes``, as explain records it (None where none)."""
        filled = [gene_ids[i] for i in np.flatnonzero(self.mask)]
        return zero_filled_note(filled, len(gene_ids), self.source)


def zero_filled_genes(bundle: Bundle, run: RunModel, missing: np.ndarray) -> ZeroFilled:
    """Which of the run's ``missing`` genes ``(n_genes,)`` the bundle dropped as zero in
    every sample (:func:`genemoe.explain.bundle_genes.zero_dropped`, as explain fills them):
    their value is known, zero on the bundle's scale, not the training mean."""
    return ZeroFilled(*zero_filled(bundle, run.gene_ids, missing, gene_lengths=run.gene_lengths,
                                   model_record=run.record))
