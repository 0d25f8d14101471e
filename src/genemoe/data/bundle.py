"""The dataset bundle: genemoe's one on-disk format for a prepared dataset.

A bundle is a directory::

    BUNDLE/
      X.npy          float32 (n_samples, n_genes): log-scale expression, memory-mapped on load
      obs.parquet    one row per sample (columns below), row order = rows of X
      var.parquet    one row per gene (columns below), row order = columns of X
      record.json    the preparation record: inputs + sha256, every step, counts dropped
      summary.json   n_samples, n_genes, cancer_types, n_with_survival, synthetic, dropped
      folds.tsv      optional: sample_id, fold (k-fold assignment, seeded)
      dropped_genes.tsv.gz  gene_id, reason: every gene prepare dropped (record:
                     ``dropped_genes_file``; absent in bundles of genemoe before it)

``obs`` columns: ``sample_id`` (unique), ``patient_id``, ``cancer_type``, ``sample_type``
(two-digit TCGA code, e.g. ``"01"``), ``time`` (days, float, NaN where unknown), ``event``
(bool; False where unknown), ``has_survival`` (bool), ``split`` (``train``/``val``/``test``),
plus optional ``<endpoint>_time``/``<endpoint>_event`` for every survival endpoint joined
(``os``, ``dss``, ``dfi``, ``pfi``) and ``cohort`` (the input file's cohort name).

``var`` columns: ``gene_id`` (unique; Ensembl without version where known, else the input
identifier), ``symbol``, ``chrom``, ``start``, ``length`` (may be missing), and the
training-split statistics used to scale at train and predict time: ``train_mean``,
``train_std``, ``train_min``, ``train_max``, and ``keep`` (bool): the genes the gene filter
fitted on the training split keeps (the default mask, :meth:`Bundle.gene_mask`). With
k-fold preparation, ``keep_fold<i>`` (bool) marks the genes kept by the gene filter fitted
on fold *i*'s training part. The bundle itself holds every gene that passes a label- and
split-free rule (``record["genes"]["rule"]``), so code that trains or scores must select
columns with :meth:`Bundle.gene_mask`, never use every column of ``X``.

Writes are atomic: everything goes into a temporary sibling directory that is renamed
into place at the end, so an interrupted write never leaves a half bundle.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from genemoe.data.args import absolute, check_flags, folder_of
from genemoe.data.atomic import atomic_dir, atomic_file, atomic_write_text
from genemoe.data.dropped_genes import (
    dropped_genes_entry,
    empty_dropped_genes,
    encode_dropped_genes,
    read_dropped_genes,
)
from genemoe.data.out_dirs import check_out_dir, probe_writable, remove_outputs
from genemoe.data.quant_record import join_change_counts
from genemoe.errors import input_error

__all__ = [
    "Bundle",
    "check_out_dir",
    "file_sha256",
    "sample_set_sha256",
    "remove_outputs",
    "OBS_COLUMNS",
    "VAR_COLUMNS",
    "SPLITS",
    "load_bundle",
    "write_bundle",
    "summarise",
    "atomic_dir",
    "atomic_file",
    "atomic_write_text",
    "is_bundle",
    "check_bundle_out",
]

SPLITS = ("train", "val", "test")
OBS_COLUMNS = (
    "sample_id", "patient_id", "cancer_type", "sample_type",
    "time", "event", "has_survival", "split",
)  # fmt: skip
VAR_COLUMNS = ("gene_id", "symbol", "chrom", "start", "length")
FORMAT_VERSION = 1

Split = Literal["train", "val", "test"]


@dataclass
class Bundle:
    """A prepared dataset: matrix + per-sample and per-gene tables + provenance.

    Attributes
    ----------
    X
        Expression, shape ``(n_samples, n_genes)``, float32 (a read-only memmap after
        :func:`load_bundle`).
    obs
        Per-sample table, ``n_samples`` rows in the order of ``X``'s rows.
    var
        Per-gene table, ``n_genes`` rows in the order of ``X``'s columns.
    record
        The preparation record (JSON-serialisable dict).
    summary
        The summary (JSON-serialisable dict); recomputed by :func:`write_bundle`.
    folds
        Optional k-fold assignment: integer array ``(n_samples,)``; -1 where unassigned.
    path
        Where the bundle was loaded from, if it was.
    fingerprint
        SHA-256 of the ``record.json`` it was loaded from or written as: a step handed this
        object refuses its folder once it was prepared again (it read the new bundle while
        the object still described the old one).
    dropped_genes_dir
        The folder whose ``dropped_genes.tsv.gz`` lists this bundle's dropped genes when it
        is not ``path`` (a subset's: its source's), read on first need and kept.
    """

    X: np.ndarray
    obs: pd.DataFrame
    var: pd.DataFrame
    record: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    folds: np.ndarray | None = None
    path: Path | None = None
    fingerprint: str | None = field(default=None, compare=False)
    dropped_genes_dir: Path | None = field(default=None, compare=False, repr=False)
    dropped_table: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """What ``genemoe prepare`` prints of it: sizes, drops, the dropped-genes file."""
        from genemoe.data.prep_text import bundle_lines  # prep_text reads bundles' parts

        return "\n".join(bundle_lines(self.summary, self.path))

    def __post_init__(self) -> None:
        if self.X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_genes), got shape {self.X.shape}")
        if self.X.shape[0] != len(self.obs) or self.X.shape[1] != len(self.var):
            raise ValueError(
                f"X shape {self.X.shape} does not match obs ({len(self.obs)} rows) "
                f"and var ({len(self.var)} rows)"
            )

    def __repr__(self) -> str:  # the dataclass's ran to 7,922 characters (the whole record)
        s = self.summary or {}
        parts = [f"{self.n_samples:,} samples x {self.n_genes:,} genes"]
        if s.get("n_cancer_types") is not None:
            parts.append(f"{s['n_cancer_types']} cancer type{'' if s['n_cancer_types'] == 1 else 's'}")
        if s.get("n_with_survival"):
            parts.append(f"{s['n_with_survival']} with survival ({s.get('n_events', '?')} events)")
        if s.get("normalisation") or self.record.get("normalisation"):
            parts.append(str(s.get("normalisation") or self.record.get("normalisation")))
        if s.get("synthetic") or self.record.get("synthetic"):
            parts.append("SYNTHETIC")
        where = f" at {self.path}" if self.path else ""
        return f"<Bundle{where}: {', '.join(parts)}>"

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_genes(self) -> int:
        return int(self.X.shape[1])

    @property
    def gene_ids(self) -> np.ndarray:
        return self.var["gene_id"].to_numpy(dtype=object)

    @property
    def sample_ids(self) -> np.ndarray:
        return self.obs["sample_id"].to_numpy(dtype=object)

    @property
    def class_names(self) -> list[str]:
        """Sorted cancer types present in the bundle (the class order of every model)."""
        return sorted(self.obs["cancer_type"].dropna().unique().tolist())

    @property
    def synthetic(self) -> bool:
        return bool(self.record.get("synthetic", False))

    @property
    def endpoint(self) -> str | None:
        """The survival endpoint ``time``/``event`` hold (``OS``, ``PFI``, ...; the join's
        record step), None for a bundle prepared without a survival table."""
        joins = [st for st in self.record.get("steps") or () if st.get("step") == "join_survival"]
        return str(joins[-1]["endpoint"]) if joins and joins[-1].get("endpoint") else None

    def indices(self, split: Split | None = None, *, fold: int | None = None,
                part: Literal["train", "test"] = "test") -> np.ndarray:
        """Row indices of a split, or of one part of a k-fold fold.

        Parameters
        ----------
        split
            ``"train"``, ``"val"`` or ``"test"`` (the bundle's own split).
        fold, part
            With ``fold=i``: ``part="test"`` gives fold *i*'s rows, ``part="train"`` the
            rows of every other fold.

        Returns
        -------
        np.ndarray
            Sorted int64 row indices.
        """
        if fold is not None:
            if self.folds is None:
                raise input_error(
                    "this bundle has no k-fold assignment", path=self.path,
                    fix="prepare it with `genemoe prepare --folds K`",
                )
            mask = self.folds == fold if part == "test" else (self.folds != fold) & (self.folds >= 0)
            return np.flatnonzero(mask)
        if split is None:
            return np.arange(self.n_samples)
        if split not in SPLITS:  # a ValueError an `except InputError` did not catch
            raise input_error(f"unknown split {split!r}", where="split", fix=f"use one of {SPLITS}")
        return np.flatnonzero(self.obs["split"].to_numpy() == split)

    def gene_mask(self, fold: int | None = None) -> np.ndarray:
        """Genes to use ``(n_genes,)`` bool: the main split's filter, or fold *i*'s.

        Bundles without the column (older ones, or a fold mask of a bundle prepared
        without ``--folds``) hold only kept genes (all True).
        """
        col = "keep" if fold is None else f"keep_fold{fold}"
        if col in self.var.columns:
            return self.var[col].to_numpy(dtype=bool)
        if fold is not None and self.folds is None:
            raise input_error("this bundle has no k-fold assignment", path=self.path,
                              fix="prepare it with `genemoe prepare --folds K`")
        return np.ones(self.n_genes, dtype=bool)

    def labels(self, class_names: list[str] | None = None) -> np.ndarray:
        """Integer class index of every sample ``(n_samples,)`` in ``class_names`` order."""
        names = class_names or self.class_names
        lookup = {c: i for i, c in enumerate(names)}
        return np.array([lookup.get(c, -1) for c in self.obs["cancer_type"]], dtype=np.int64)

    @property
    def has_survival_times(self) -> bool:
        """Whether any sample has a survival time: False for a bundle prepared without
        ``--clinical`` (or whose survival table gave no sample a time), whose
        :meth:`survival` is all NaN and all False: no one censored, nothing known."""
        time = self.obs["time"] if "time" in self.obs else pd.Series(dtype=float)
        return bool(np.isfinite(pd.to_numeric(time, errors="coerce").to_numpy(float)).any())

    def survival(self, *, require: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(time, event)`` arrays ``(n_samples,)``: days (NaN unknown) and bool (False
        where unknown: check ``obs["has_survival"]`` per sample).

        A bundle without survival times (:attr:`has_survival_times` False) gives all NaN and
        all False, which reads as "everyone censored": ``require=True`` refuses it instead.

        Raises
        ------
        InputError
            ``require`` and the bundle has no survival times, saying how to re-prepare it.
        """
        if require and not self.has_survival_times:
            why = (f"its survival table gave no sample a {self.endpoint} time and event"
                   if self.endpoint else "it was prepared without --clinical")
            raise input_error(f"the bundle has no survival times ({why})", path=self.path,
                              fix="re-prepare with another --endpoint (OS, DSS, DFI, PFI)"
                                  if self.endpoint else "re-prepare with --clinical (a "
                                  "TCGA-CDR or Xena survival table; Python: clinical_path=)")
        return (self.obs["time"].to_numpy(dtype=np.float64),
                self.obs["event"].to_numpy(dtype=bool))

    def dropped_genes(self) -> pd.DataFrame:
        """Every gene prepare dropped: ``(n_rows, 2)`` ``gene_id``, ``reason`` (the record's
        words; :mod:`genemoe.data.dropped_genes`). Empty for a bundle of an earlier genemoe
        (no ``dropped_genes_file`` in its record: ten examples per reason only).

        Raises
        ------
        InputError
            The record names the file and it is missing or not the one written, or this
            in-memory bundle has no folder to read it from (built by hand, not a subset).
        """
        entry = self.record.get("dropped_genes_file")
        if not entry:
            return empty_dropped_genes()
        if self.dropped_table is None:
            folder = self.path or self.dropped_genes_dir
            if folder is None:
                raise input_error("this bundle is in memory only: its record names the dropped "
                                  "genes' file but not the folder holding it",
                                  where="Bundle.dropped_genes",
                                  fix="call dropped_genes() on the bundle load_bundle returned")
            self.dropped_table = read_dropped_genes(folder, entry)
        return self.dropped_table.copy()

    def subset(self, rows: np.ndarray) -> Bundle:
        """A new in-memory bundle holding only ``rows`` (the matrix is copied). It keeps
        every gene, so its dropped genes are this bundle's (read from here when needed)."""
        rows = np.asarray(rows)
        folds = None if self.folds is None else self.folds[rows]
        return Bundle(
            X=np.ascontiguousarray(self.X[rows]), obs=self.obs.iloc[rows].reset_index(drop=True),
            var=self.var.copy(), record=self.record, summary={}, folds=folds, path=None,
            dropped_genes_dir=self.path or self.dropped_genes_dir, dropped_table=self.dropped_table,
        )


def gene_symbols(symbols: pd.DataFrame | Sequence[object] | None) -> list[str | None] | None:
    """Gene symbols as strings, ``None`` where a symbol is missing or blank.

    Parameters
    ----------
    symbols
        A per-gene table (its ``symbol`` column is used; ``None`` if it has none) or a
        sequence of symbols (``None``/NaN allowed), ``n_genes`` long.

    Returns
    -------
    list or None
        ``n_genes`` entries; a missing symbol stays ``None``, never the text "None" or "nan".
    """
    if isinstance(symbols, pd.DataFrame):
        symbols = symbols["symbol"].tolist() if "symbol" in symbols.columns else None
    if symbols is None:
        return None
    return [None if s is None or (np.ndim(s) == 0 and pd.isna(s)) else (str(s).strip() or None)
            for s in symbols]


def summarise(obs: pd.DataFrame, var: pd.DataFrame, record: dict[str, Any]) -> dict[str, Any]:
    """The bundle summary: counts users and later stages rely on.

    Returns
    -------
    dict
        ``n_samples``, ``n_genes``, ``cancer_types`` (type → count, sorted by type),
        ``n_with_survival``, ``n_events``, ``splits`` (split → count), ``synthetic``,
        ``dropped`` (the record's per-step dropped counts), ``normalisation``,
        ``n_genes_default_mask`` (genes of ``var["keep"]``; all when absent), ``gene_rule``
        (what the bundle keeps, from the record), ``warnings`` (the record's) and
        ``n_values_clipped`` (negative values set to 0 before log2(x + 1), in the bundle's
        samples; ``n_values_clipped_in_files``: in every sample read, dropped ones included),
        and the other changes to the values (:func:`genemoe.data.quant_record.join_change_counts`):
        ``n_counts_rounded`` (a ``--quant-dir`` join's estimated counts rounded to integers),
        ``n_versions_stripped`` (Ensembl versions stripped from gene ids) and
        ``n_transcripts_unmapped`` (transcripts a join left out, absent from its tx2gene).
    """
    counts = obs["cancer_type"].value_counts()
    has_surv = obs["has_survival"].astype(bool) if "has_survival" in obs else pd.Series(False, index=obs.index)
    by_split = obs["split"].value_counts() if "split" in obs else pd.Series(dtype=int)
    return {
        "n_samples": int(len(obs)),
        "n_genes": int(len(var)),
        "cancer_types": {str(k): int(counts[k]) for k in sorted(counts.index)},
        "n_cancer_types": int(len(counts)),
        "n_with_survival": int(has_surv.sum()),
        "n_events": int((obs["event"].astype(bool) & has_surv).sum()) if "event" in obs else 0,
        "splits": {s: int(by_split.get(s, 0)) for s in SPLITS},
        "synthetic": bool(record.get("synthetic", False)),
        "normalisation": record.get("normalisation"),
        "dropped": record.get("dropped", {}),
        "n_genes_default_mask": int(var["keep"].astype(bool).sum()) if "keep" in var else int(len(var)),
        "gene_rule": (record.get("genes") or {}).get("rule"),
        "warnings": list(record.get("warnings") or []),
        "dropped_genes_file": (record.get("dropped_genes_file") or {}).get("file"),  # all by id
        "n_values_clipped": int(record.get("n_values_clipped", 0)),  # negatives set to 0
        "n_values_clipped_in_files": int(record.get("n_values_clipped_in_files",
                                                    record.get("n_values_clipped", 0))),
        **join_change_counts(record),  # were in record.json / joined.json only
    }


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON-serialisable: {type(o)}")


def dump_json(obj: Any) -> str:
    """JSON text with numpy scalars/arrays and paths converted, and NaN and infinities as
    ``null``: ``NaN`` (a per-type C-index below 2 events) is not JSON, and strict parsers
    (jq, JavaScript, ``json.loads(..., parse_constant=...)``) refused the file."""
    return json.dumps(_finite_or_null(obj), indent=2, default=_json_default, sort_keys=False)


def _finite_or_null(o: Any) -> Any:
    if isinstance(o, float | np.floating):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _finite_or_null(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_finite_or_null(v) for v in o]
    if isinstance(o, np.ndarray) and o.dtype.kind == "f":
        return _finite_or_null(o.tolist())
    return o


def _check_tables(obs: pd.DataFrame, var: pd.DataFrame) -> None:
    missing = [c for c in OBS_COLUMNS if c not in obs.columns]
    if missing:
        raise ValueError(f"obs lacks columns {missing}")
    if "gene_id" not in var.columns:
        raise ValueError("var lacks column 'gene_id'")
    dup = obs["sample_id"][obs["sample_id"].duplicated()]
    if len(dup):
        raise ValueError(f"duplicate sample_id in obs: {dup.iloc[:5].tolist()}")
    dupg = var["gene_id"][var["gene_id"].duplicated()]
    if len(dupg):
        raise ValueError(f"duplicate gene_id in var: {dupg.iloc[:5].tolist()}")


def check_bundle_out(path: Path, *, say_replaced: bool = True) -> None:
    """Refuse a bundle's output ``path`` that holds anything but a bundle: the bundle
    replaces its folder whole, and ``prepare --out mydata`` deleted the input matrix and
    notes it held without a word. An earlier bundle there will be replaced once the new one
    is written, said when ``say_replaced`` (it said "replacing it" before the work, and a
    run that then failed left the old bundle).

    Raises
    ------
    InputError
        ``path`` is a file, or a folder holding other files (a few named).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise input_error("a file, not a folder", path=path, where="--out",
                          fix="give a new folder for the bundle")
    try:  # before the work: a place it cannot write failed at the end, naming a temp path
        probe_writable(path.parent)  # the bundle is written beside, then moved in
    except OSError as exc:  # named as given (the probe's folder is its parent)
        raise input_error(f"cannot write a folder here ({exc.strerror or exc})", path=path,
                          where="--out", fix="give a folder in a place you can write") from exc
    if not path.is_dir() or not any(path.iterdir()):
        return
    if not is_bundle(path):
        names = sorted(p.name for p in path.iterdir())
        raise input_error(f"the folder holds other files ({', '.join(names[:3])}"
                          f"{', ...' if len(names) > 3 else ''}): a bundle replaces its folder "
                          "whole", path=path, where="--out",
                          fix="give a new or empty folder for the bundle (e.g. "
                              f"{path.with_name(path.name + '_bundle')})")
    if say_replaced:  # said before the work: what will happen, not what has (write_bundle
        #   replaces the folder atomically, at the end; a failed run leaves the old bundle)
        logging.getLogger(__name__).warning(
            "%s holds a bundle: replacing it at the end (a failed run keeps it)", path)


def write_bundle(bundle: Bundle, path: Path, *, dropped_genes: pd.DataFrame | None = None) -> Path:
    """Write ``bundle`` to directory ``path`` atomically; returns the path.

    ``dropped_genes`` (``gene_id``, ``reason``: every gene prepare dropped) is written as
    ``dropped_genes.tsv.gz`` in the same atomic write, named with its sha256 in the record
    (``dropped_genes_file``), so the bundle's fingerprint covers it. Without it, the
    bundle's own table (:meth:`Bundle.dropped_genes`: a loaded bundle's or a subset's) is
    written again; a bundle built in memory with no folder to read it from loses the
    entry, said in the record's ``dropped_genes_left_out`` (its reader then has the counts).

    The summary is recomputed from the tables and record, so it can never disagree
    with them. A folder holding anything but a bundle is refused
    (:func:`check_bundle_out`).
    """
    path = Path(path)
    check_bundle_out(path, say_replaced=False)
    _check_tables(bundle.obs, bundle.var)
    record = dict(bundle.record)
    record.setdefault("format_version", FORMAT_VERSION)
    if dropped_genes is None and record.get("dropped_genes_file"):
        dropped_genes = _own_dropped_genes(bundle, record)
    if dropped_genes is not None:
        record.pop("dropped_genes_left_out", None)
        dropped_bytes = encode_dropped_genes(dropped_genes)
        record["dropped_genes_file"] = dropped_genes_entry(
            dropped_bytes, dropped_genes, (record.get("dropped") or {}).get("genes") or {})
    summary = summarise(bundle.obs, bundle.var, record)
    with atomic_dir(path) as tmp:
        np.save(tmp / "X.npy", np.ascontiguousarray(bundle.X, dtype=np.float32))
        bundle.obs.reset_index(drop=True).to_parquet(tmp / "obs.parquet", index=False)
        bundle.var.reset_index(drop=True).to_parquet(tmp / "var.parquet", index=False)
        (tmp / "record.json").write_bytes(record_bytes := dump_json(record).encode())
        (tmp / "summary.json").write_text(dump_json(summary))
        if dropped_genes is not None:
            (tmp / record["dropped_genes_file"]["file"]).write_bytes(dropped_bytes)
        if bundle.folds is not None:
            pd.DataFrame({"sample_id": bundle.obs["sample_id"].to_numpy(),
                          "fold": bundle.folds}).to_csv(tmp / "folds.tsv", sep="\t", index=False)
    bundle.summary = summary
    bundle.record = record
    bundle.dropped_table = None if dropped_genes is None else dropped_genes.copy()
    if bundle.path is None or absolute(bundle.path) == absolute(path):  # not another folder's
        bundle.fingerprint = hashlib.sha256(record_bytes).hexdigest()
    return path


def _own_dropped_genes(bundle: Bundle, record: dict[str, Any]) -> pd.DataFrame | None:
    """The table ``bundle`` carries, or None after taking the record's entry out (saying
    so) when nothing holds it: a bundle built in memory from another's record."""
    if bundle.dropped_table is None and bundle.path is None and bundle.dropped_genes_dir is None:
        del record["dropped_genes_file"]
        record["dropped_genes_left_out"] = ("written from a bundle in memory with no folder "
                                            "holding its dropped genes' file: counts only")
        logging.getLogger(__name__).warning("%s", record["dropped_genes_left_out"])
        return None
    return bundle.dropped_genes()


def is_bundle(path: Path) -> bool:
    """True when ``path`` is a bundle directory."""
    path = Path(path)
    return path.is_dir() and (path / "X.npy").exists() and (path / "obs.parquet").exists()


@contextmanager
def _damaged_part(path: Path, part: str) -> Iterator[None]:
    """A bundle file that is cut short or damaged (copied in part, overwritten): one error
    naming it, not numpy's, pyarrow's or json's traceback."""
    import pyarrow as pa

    try:
        yield
    except (ValueError, EOFError, KeyError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise input_error(f"{part} is truncated or damaged ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:120] if str(exc) else 'unreadable'})",
                          path=path / part,
                          fix="copy the bundle again, or re-create it with `genemoe prepare`") from exc


def load_bundle(path: Path | str, *, mmap: bool = True) -> Bundle:
    """Load a bundle; the matrix is memory-mapped read-only unless ``mmap=False``.

    Raises
    ------
    InputError
        When ``path`` is not a bundle or a part is missing or inconsistent, or ``mmap`` is
        not True or False (``mmap="no"`` memory-mapped it).
    """
    check_flags((mmap, "mmap"), call="load_bundle")
    path = folder_of(path, "path", check_fresh=False)  # a Bundle's own folder (read again)
    if not path.exists():
        raise input_error("no such bundle directory", path=path,
                          fix="create it with `genemoe prepare ... --out BUNDLE`")
    parts = ("X.npy", "obs.parquet", "var.parquet", "record.json")
    if path.is_file() and all((path.parent / part).exists() for part in parts):  # was told
        raise input_error(f"a file inside the bundle folder {path.parent}, not the bundle",
                          path=path, fix=f"pass the folder: --data {path.parent}")  # to prepare it
    if path.is_file():  # was "not a genemoe bundle: X.npy is missing"
        raise input_error("a file, not a bundle directory", path=path,
                          fix=f"make a bundle of it first: genemoe prepare --expression {path} "
                              "--labels LABELS --out BUNDLE, then pass --data BUNDLE")
    for part in parts:
        if not (path / part).exists():
            raise input_error(f"not a genemoe bundle: {part} is missing", path=path,
                              fix="point --data at a directory written by `genemoe prepare`")
    with _damaged_part(path, "X.npy"):
        X = np.load(path / "X.npy", mmap_mode="r" if mmap else None)
    with _damaged_part(path, "obs.parquet"):
        obs = pd.read_parquet(path / "obs.parquet")
    with _damaged_part(path, "var.parquet"):
        var = pd.read_parquet(path / "var.parquet")
    with _damaged_part(path, "record.json"):
        record = json.loads(record_bytes := (path / "record.json").read_bytes())
    summary = {}
    if (path / "summary.json").exists():
        with _damaged_part(path, "summary.json"):
            summary = json.loads((path / "summary.json").read_text())
    folds = None
    if (path / "folds.tsv").exists():
        with _damaged_part(path, "folds.tsv"):
            f = pd.read_csv(path / "folds.tsv", sep="\t")
            lookup = dict(zip(f["sample_id"].astype(str), f["fold"].astype(int), strict=True))
        folds = np.array([lookup.get(s, -1) for s in obs["sample_id"].astype(str)], dtype=np.int64)
    try:
        return Bundle(X=X, obs=obs, var=var, record=record, summary=summary, folds=folds,
                      path=absolute(path),  # recorded by runs: readable from any folder
                      fingerprint=hashlib.sha256(record_bytes).hexdigest())
    except ValueError as exc:
        raise input_error(str(exc), path=path, fix="re-create the bundle with `genemoe prepare`") from exc


def sample_set_sha256(sample_ids: Sequence[Any]) -> str:
    """SHA-256 of sample ids, one per line (a tune's and a benchmark's fingerprint of the
    samples it ran on; the report checks a bundle against it)."""
    return hashlib.sha256("\n".join(map(str, sample_ids)).encode()).hexdigest()


def file_sha256(path: Path | str, *, chunk: int = 1 << 22) -> str:
    """Hex sha256 of the file at ``path`` (recorded for inputs, downloads and encoders)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
