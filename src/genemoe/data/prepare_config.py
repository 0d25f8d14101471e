"""The options of ``genemoe prepare`` (:class:`PrepareConfig`), checked when made: unknown
values and wrong types are refused before any file is read."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Literal

import numpy as np

from genemoe.data import normalise as norm
from genemoe.data import splits as sp
from genemoe.data import tcga
from genemoe.data.anndata_layers import check_layer_name
from genemoe.data.args import check_flags
from genemoe.data.clinical import check_endpoint
from genemoe.errors import input_error

__all__ = ["PrepareConfig"]

log = logging.getLogger(__name__)


_NUMBER_FIELDS = {"min_class_size": int, "seed": int, "n_folds": int, "val_fraction": (int, float),
                  "test_fraction": (int, float), "min_variance": (int, float), "min_mean": (int, float)}
_KIND_TEXT = {int: "a whole number", (int, float): "a number"}
_FLAG_FIELDS = ("one_per_patient", "drop_unlabelled", "protein_coding_only", "synthetic")
_TEXT_FIELDS = {"label_column": "'cancer_type'", "cancer_type": "'BRCA'",
                "sample_column": "'sample_id'", "time_column": "'OS.time'", "event_column": "'OS'"}
_ORIENTATIONS = ("auto", "genes_by_samples", "samples_by_genes")


@dataclass(frozen=True)
class PrepareConfig:
    """Options of ``genemoe prepare`` (every one is recorded in the bundle)."""

    sample_types: tuple[str, ...] = ("01", "03")  # primary tumour; 03 = primary blood cancer
    one_per_patient: bool = True  # deterministic rule: see genemoe.data.tcga.one_per_patient
    orientation: Literal["auto", "genes_by_samples", "samples_by_genes"] = "auto"
    normalisation: Literal["auto", "log2cpm", "log2tpm", "fpkm_uq", "log2p1", "none"] = "auto"
    label_column: str | None = None  # override label-table auto-detection
    cancer_type: str | None = None  # label for samples no table names (a single-cohort file)
    sample_column: str | None = None
    drop_unlabelled: bool = False  # default: samples without a label are an error
    min_class_size: int = 3  # smaller classes are dropped (counted) so splits stay stratified
    min_variance: float = 0.4  # the paper's filter: drop if var < 0.4 AND mean < 0.8
    min_mean: float = 0.8
    protein_coding_only: bool = False
    endpoint: Literal["OS", "DSS", "DFI", "PFI"] = "OS"
    time_column: str | None = None  # survival columns, when the table's names are not recognised
    event_column: str | None = None
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    n_folds: int | None = None
    seed: int = 0
    synthetic: bool = False  # set by genemoe.data.synthetic / `genemoe demo`
    layer: str | None = None  # an .h5ad's layer read instead of X ("raw": its .raw); --layer

    def __post_init__(self) -> None:  # unknown values are refused before any file is read
        _check_types(self)
        for name in _FLAG_FIELDS:  # numpy's bool kept as Python's: the record is JSON
            object.__setattr__(self, name, bool(getattr(self, name)))
        object.__setattr__(self, "sample_types", _two_digit_codes(
            _sample_type_tuple(self.sample_types)))
        if self.orientation not in _ORIENTATIONS:  # "x" was read as if stated
            raise input_error(f"unknown orientation {self.orientation!r}",
                              where="--orientation / orientation",  # the CLI's flag too
                              fix=f"use one of: {', '.join(_ORIENTATIONS)} (auto, the default, "
                                  "reads it from the ids), e.g. --orientation auto; Python: "
                                  "PrepareConfig(orientation='auto')")
        check_layer_name(self.layer)  # 5 or "" refused; a name the file lacks: when read
        norm.check_method(self.normalisation)
        check_endpoint(self.endpoint)
        _check_validation_share(self.val_fraction)
        sp.check_split_options(self.val_fraction, self.test_fraction, self.n_folds)
        if not 0 <= self.seed < 2**32:  # -1 ended in numpy's "expected non-negative integer"
            raise input_error(f"{self.seed} is not a seed", where="seed / --seed",
                              fix=f"use a whole number from 0 to {2**32 - 1} (0 by default)")
        if self.min_class_size < 1:  # -1 ran, keeping every class
            raise input_error(f"must be at least 1 sample, got {self.min_class_size}",
                              where="--min-class-size", fix="pass --min-class-size 1 (keep "
                                                            "every class) or more (3 by default); "
                                                            "Python: PrepareConfig(min_class_size=1)")
        if not (np.isfinite(self.min_variance) and self.min_variance >= 0 and np.isfinite(self.min_mean)):
            raise input_error(f"--min-variance {self.min_variance} / --min-mean {self.min_mean}",
                              where="gene filter", fix="a variance of 0 or more and a finite mean "
                                                       "(e.g. 0.4 and 0.8; 0 and 0 keep every gene; "
                                                       "Python: PrepareConfig(min_variance=0.4, "
                                                       "min_mean=0.8))")


def _check_types(cfg: PrepareConfig) -> None:
    """Refuse a field of the wrong type, naming it and the Python fix: numbers as numbers
    ("0.1" failed in a comparison), True/False fields as bools (``drop_unlabelled="no"``
    was true: the samples were dropped and the record said "no"), column names and the
    cancer type as text (``label_column=5``, ``cancer_type=["BRCA"]`` were kept)."""
    for name, kind in _NUMBER_FIELDS.items():
        value = getattr(cfg, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
            raise input_error(f"{name}={value!r} is not {_KIND_TEXT[kind]}", where=name,
                              fix=f"pass {name} as a number, e.g. {name}="
                                  f"{getattr(PrepareConfig, name, None) or 1!r}")
    check_flags(*((getattr(cfg, name), name) for name in _FLAG_FIELDS), call="PrepareConfig")
    for name, example in _TEXT_FIELDS.items():
        value = getattr(cfg, name)
        if value is not None and not isinstance(value, str):
            raise input_error(f"must be text (a str) or None, got {type(value).__name__} "
                              f"{repr(value)[:40]}", where=name,
                              fix=f"pass one name, e.g. PrepareConfig({name}={example}), or "
                                  "leave it out")


def _sample_type_tuple(value: Any) -> tuple[str, ...]:
    """``sample_types`` as a tuple of text codes or names: ``"01,03"`` or ``1`` as the CLI's
    comma list (``"01"`` was its characters '0', '1'), a list's whole numbers as text
    (``["01", 3]`` is ``("01", "3")``: the record held a list of mixed types); an item that
    is neither text nor a whole number (``None``, ``1.5``, ``True``) is refused."""
    if isinstance(value, str | Integral) and not isinstance(value, bool):
        return tuple(t.strip() for t in str(value).split(",") if t.strip())
    items = list(value) if isinstance(value, Iterable) and not isinstance(value, Mapping) else None
    if items is None:
        raise input_error(f"must be sample type codes or names, got {type(value).__name__} "
                          f"{repr(value)[:40]}", where="sample_types",
                          fix="pass e.g. PrepareConfig(sample_types=('01', '03')) (the default) "
                              "or sample_types='TP,NT'")
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, str | Integral):
            raise input_error(f"is {type(item).__name__} {repr(item)[:40]}, not a sample type "
                              "code or name", where=f"sample_types[{i}]",
                              fix="pass codes or short names as text, e.g. "
                                  "PrepareConfig(sample_types=('01', '03')) (the default)")
    return tuple(str(int(t)) if isinstance(t, Integral) else t.strip() for t in items)


def _two_digit_codes(types: tuple[str, ...]) -> tuple[str, ...]:
    """``types`` with each numeric code as TCGA's two digits (``"1"`` → ``"01"``), said
    when one changes (it was recorded and shown as "1"); names (``"TP"``) kept as given.
    An unknown code or name is refused (:func:`genemoe.data.tcga.sample_type_list`)."""
    codes = tcga.sample_type_list(types)
    out = tuple(c if t.isdigit() else t for t, c in zip(types, codes, strict=True))
    if changed := [f"{t} as {c}" for t, c in zip(types, out, strict=True) if t != c]:
        log.info("--sample-types: %d code%s read as two digits (TCGA's): %s", len(changed),
                 "s" * (len(changed) != 1), ", ".join(changed))
    return out


def _check_validation_share(val_fraction: float) -> None:
    """Refuse a ``val_fraction`` of 0 or less: the bundle had no validation part, and
    ``train`` and ``tune`` refused it only then (they choose the epoch and calibrate on it).
    ``genemoe prepare --val-fraction 0`` is refused by the CLI, naming its flag."""
    if val_fraction <= 0:
        raise input_error(f"{val_fraction!r} leaves no validation split: train and tune need one "
                          "(they choose the epoch and calibrate on it)", where="val_fraction",
                          fix="pass a share above 0 and below 1, e.g. val_fraction=0.1 (the "
                              "default), enough for a validation sample of every type")
