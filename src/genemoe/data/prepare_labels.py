"""The cancer-type labels of ``genemoe prepare``'s samples: attached from the label tables,
the files' own metadata, ``--cancer-type``, the cohort name or the clinical table (first that
has the sample), then checked (unlabelled samples refused or dropped, tiny classes dropped;
every drop counted in the :class:`~genemoe.data.prep_text.PrepLog`)."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data import tcga
from genemoe.data.ids import dashed_barcode, respelt_barcodes
from genemoe.data.prep_text import PrepLog
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.read import ExpressionTable, read_labels
from genemoe.data.tables import agreeing_labels, chained_respellings, respellings
from genemoe.data.textio import NA_TOKENS, open_binary
from genemoe.errors import InputError, input_error

__all__ = ["attach_labels", "check_labels", "label_marks", "label_rows_naming_no_sample",
           "marks_text", "meta_label_column", "names_sample_type", "read_label_tables"]

log = logging.getLogger("genemoe.data.prepare")  # said as prepare's steps are


def _match_labels(obs: pd.DataFrame, labels: pd.DataFrame) -> pd.Series:
    """Label per obs row from a label table: exact id, then the 15-character sample id, then
    the patient (a table keyed by 12-character TCGA patient barcodes). Barcodes written with
    '.' or '_' for '-' (R's make.names) match in their dashed form, on either side."""
    labels = labels.assign(sample_id=labels["sample_id"].map(dashed_barcode))
    ids = obs["sample_id"].map(dashed_barcode)
    exact = labels.drop_duplicates("sample_id").set_index("sample_id")["cancer_type"]
    out = ids.map(exact)
    keyed = labels.assign(k=labels["sample_id"].str[:15])
    short = keyed.drop_duplicates("k").set_index("k")["cancer_type"]
    miss = out.isna()
    _refuse_ambiguous(ids[miss], keyed)
    out[miss] = ids[miss].str[:15].map(short)
    miss = out.isna()
    out[miss] = obs.loc[miss, "patient_id"].astype(str).map(exact)
    return out


def _refuse_ambiguous(ids: pd.Series, keyed: pd.DataFrame) -> None:
    """Refuse a sample (``ids``: dashed ids not matched exactly) whose 15-character id
    matches label rows of different cancer types (two aliquots typed ACC and UVM): the
    first row decided, unsaid. ``keyed``: the label rows with their 15-character key ``k``."""
    typed = keyed.dropna(subset=["cancer_type"])
    types = typed.groupby("k")["cancer_type"].agg(
        lambda v: sorted({tcga.normalise_cancer_type(str(x)) for x in v}))
    bad = [(sid, sid[:15]) for sid in ids if len(types.get(sid[:15], [])) > 1]
    if bad:
        sid, key = bad[0]
        rows = typed[typed["k"] == key]
        raise input_error(
            f"sample {sid}: its label is ambiguous: by its 15-character sample id ({key}) it "
            "matches label rows of different cancer types: " + ", ".join(
                f"{r} {t}" for r, t in zip(rows["sample_id"], rows["cancer_type"], strict=True))
            + (f"; {len(bad) - 1} more sample(s) alike" if len(bad) > 1 else ""),
            where="--labels", fix="list the exact sample ids in the label table (the exact id "
                                  "decides first), or remove the row of the wrong type")


def read_label_tables(label_paths: Sequence[Path], cfg: PrepareConfig,
                      clinical: pd.DataFrame | None) -> list[pd.DataFrame]:
    """Every label table read and checked, one per path (see
    :func:`genemoe.data.read.read_labels`). Called before any expression file is read: a bad
    label table was refused only after minutes of reading a large matrix."""
    tables = [read_labels(p, sample_column=cfg.sample_column, label_column=cfg.label_column,
                          survival_unread=clinical is None) for p in label_paths]
    for path, table in zip(label_paths, tables, strict=True):
        _refuse_sample_type_labels(Path(path), table, cfg)
    return tables


# TCGA sample-type names (and PanCanAtlas/Xena spellings), squashed: "primarysolidtumor"
_SAMPLE_TYPE_WORDS = tuple(sorted(
    {re.sub(r"[^a-z0-9]", "", name.lower()) for name, _ in tcga.SAMPLE_TYPES.values()
     if not name.startswith("sample type")}
    | {"primarytumor", "primarytumour", "recurrenttumor", "recurrenttumour", "metastasis"}))


def names_sample_type(value: object) -> bool:
    """Whether a label names a TCGA sample type rather than a cancer type: it holds a sample
    type's name, alone (``Primary Solid Tumor``, ``Solid Tissue Normal``) or glued to a type
    (PanCanAtlas' ``id_for_stratification``: ``GBMPrimary Solid Tumor``); any case.

    >>> names_sample_type("Primary Solid Tumor"), names_sample_type("GBMPrimary Solid Tumor")
    (True, True)
    >>> names_sample_type("ACC"), names_sample_type("Metastatic melanoma")
    (False, True)
    """
    if not isinstance(value, str):
        return False
    key = re.sub(r"[^a-z0-9]", "", value.lower())
    return any(word in key for word in _SAMPLE_TYPE_WORDS)


def _refuse_sample_type_labels(path: Path, table: pd.DataFrame, cfg: PrepareConfig) -> None:
    """Refuse a label column every value of which names a TCGA sample type (``--label-column
    sample_type`` of PanCanAtlas' ``samples.tsv.gz``): it was read as two "cancer types",
    ``Primary Solid Tumor`` and ``Primary Blood Derived Cancer - Peripheral Blood``, said
    only as labels "kept as given, not TCGA codes". A column of real types some of which
    mention one (``Metastatic melanoma`` beside ``Uveal melanoma``) passes."""
    types = pd.unique(table["cancer_type"].dropna())
    if not len(types) or not all(names_sample_type(t) for t in types):
        return
    col = table.attrs.get("label_column")
    shown = ", ".join(repr(str(t)) for t in types[:2]) + (", ..." if len(types) > 2 else "")
    other = _other_label_column(path, cfg, col)
    raise input_error(
        f"it holds TCGA sample types, not cancer types ({shown})", path=path,
        where=f"column {col!r}" + (" (--label-column)" if cfg.label_column else ""),
        fix=(f"pass --label-column {other}" if other else
             "pass --label-column with the table's cancer-type column")
            + " (the sample type is read from each barcode; --sample-types chooses them)")


def _other_label_column(path: Path, cfg: PrepareConfig, used: str | None) -> str | None:
    """The cancer-type column the table's own detection finds, when it is not ``used``."""
    if not cfg.label_column:
        return None
    try:
        found = read_labels(path, sample_column=cfg.sample_column).attrs.get("label_column")
    except InputError:
        return None
    return found if found != used else None


def attach_labels(obs: pd.DataFrame, tables: list[ExpressionTable], label_paths: Sequence[Path],
                  read: Sequence[pd.DataFrame], clinical: pd.DataFrame | None,
                  cfg: PrepareConfig, plog: PrepLog) -> None:
    """Each sample's cancer type from the first source that has it: the label tables
    (``read``: :func:`read_label_tables` of ``label_paths``), the file's own metadata,
    ``--cancer-type``, the cohort name, the clinical table; respellings, disagreements and
    unused label rows counted in the ``labels`` step."""
    obs["cancer_type"] = pd.Series(np.nan, index=obs.index, dtype=object)
    sources = obs["cancer_type"].copy()
    unused, empty = 0, {}
    if label_paths:
        unused = label_rows_naming_no_sample(label_paths, read, obs)
        empty = _empty_label_rows(label_paths, read)
        got = _match_labels(obs, labels := agreeing_labels(read, label_paths))
        obs["cancer_type"] = got.astype(object)  # every label empty: float64, and a text
        sources[got.notna()] = "label table"  # filled in later warned (pandas 3 refuses it)
    used = bool(label_paths)  # --label-column named a label table's column (read_labels)
    for t in tables:
        meta = t.sample_meta
        col = None if meta is None else meta_label_column(meta, cfg.label_column, t.source_path.name)
        if col is not None:
            used |= col == cfg.label_column
            m = obs["cancer_type"].isna() & obs["source"].eq(t.source_path.name)
            obs.loc[m, "cancer_type"] = obs.loc[m, "sample_id"].map(meta[col].astype(object))
            sources[m & obs["cancer_type"].notna()] = "file metadata"
    if cfg.label_column and not used:  # was accepted, then ignored unsaid
        _say_label_column_unused(cfg.label_column, tables)
    if cfg.cancer_type:
        m = obs["cancer_type"].isna()
        obs.loc[m, "cancer_type"], sources[m] = cfg.cancer_type, "--cancer-type"
    m = obs["cancer_type"].isna() & obs["cohort"].notna()
    obs.loc[m, "cancer_type"], sources[m] = obs.loc[m, "cohort"], "cohort name"
    if clinical is not None and "cancer_type" in clinical.columns:
        m = obs["cancer_type"].isna()
        obs.loc[m, "cancer_type"] = obs.loc[m, "patient_id"].map(clinical["cancer_type"])
        sources[m & obs["cancer_type"].notna()] = "clinical table"
    given = obs["cancer_type"].copy()
    obs["cancer_type"] = given.map(
        lambda v: tcga.normalise_cancer_type(v) if isinstance(v, str) and v.strip() else np.nan)
    respelt = chained_respellings(Counter(labels.attrs["respelt"] if label_paths else {}),
                                  respellings(given, obs["cancer_type"]))  # the tables' too
    other = sorted({str(v) for v in obs["cancer_type"].dropna()} - set(tcga.TCGA_PROJECTS))
    clinical_types = (obs["patient_id"].astype(str).map(clinical["cancer_type"])
                      if clinical is not None and "cancer_type" in clinical.columns else None)
    disagree = {what: n for what, other_types, source in (
        ("clinical table", clinical_types, "clinical table"),
        ("cohort name", obs["cohort"], "cohort name")) if other_types is not None
        and (n := _disagreeing(obs, sources, other_types, source, what))}
    plog.step("labels", sources={str(k): int(v) for k, v in sources.value_counts().items()},
              respelt=dict(respelt), label_rows_naming_no_sample=unused, not_tcga_codes=other,
              label_rows_without_cancer_type=empty, labels_disagreeing=disagree,
              barcodes_respelt=sum(len(respelt_barcodes(t["sample_id"].dropna()))
                                   for t in read) if label_paths else 0,
              **_read_counts(label_paths, read if label_paths else []))


# a file's own sample metadata (an .h5ad obs): columns named as a label table's cancer type
_META_LABELS = ("cancertype", "cancertypeabbreviation", "acronym", "projectid", "diseasecode",
                "tumortype", "tumourtype", "primarydisease", "disease")


def meta_label_column(meta: pd.DataFrame, given: str | None, name: str) -> str | None:
    """The column of a file's own sample metadata (an ``.h5ad``'s ``obs``) holding the cancer
    type: ``given`` (``--label-column``) where the metadata has it, else ``cancer_type``, else
    the one column named as a label table's would be (``project_id``, ``tumor_type``,
    ``disease``, ...; any case and punctuation); None without one, or with several (warned).

    Only ``cancer_type`` was read: an ``obs['tumor_type']`` was ignored, ``--label-column
    tumor_type`` too. The column used, when not ``cancer_type``, is said.
    """
    cols = [str(c) for c in meta.columns]
    if given is not None and given in cols:
        col = given
    elif "cancer_type" in cols:
        return "cancer_type"
    else:
        hits = [c for c in cols if re.sub(r"[^a-z0-9]", "", c.lower()) in _META_LABELS]
        if len(hits) > 1:
            log.warning("%s: several obs columns could hold the cancer type (%s): none used; "
                        "name one with --label-column", name, ", ".join(hits))
        if len(hits) != 1:
            return None
        col = hits[0]
    if col != "cancer_type":
        log.info("%s: cancer types from its own obs column %r", name, col)
    return col


def _say_label_column_unused(given: str, tables: list[ExpressionTable]) -> None:
    """Warn that ``--label-column`` named no column: no ``--labels`` table, and no file's own
    sample metadata holds it; the metadata's columns listed."""
    cols = sorted({str(c) for t in tables if t.sample_meta is not None for c in t.sample_meta.columns})
    log.warning("--label-column %s was not used: no --labels table, and %s", given,
                f"no file's sample metadata has it (obs columns: {', '.join(cols[:20])}"
                f"{', ...' if len(cols) > 20 else ''})" if cols else
                "the expression files carry no sample metadata (only an .h5ad's obs does)")


def _read_counts(paths: Sequence[Path], tables: Sequence[pd.DataFrame]) -> dict[str, dict]:
    """What reading the label tables changed, per file name: cells that said the type is
    missing (``[Not Available]``: read as empty) and empty rows beside a typed row of the
    same sample (left out): both were warned of and not recorded."""
    return {key: {p.name: t.attrs[key] for p, t in zip(paths, tables, strict=True)
                  if t.attrs.get(key)}
            for key in ("missing_words", "empty_rows_beside_typed")}


def _disagreeing(obs: pd.DataFrame, sources: pd.Series, other: pd.Series, source: str,
                 what: str) -> int:
    """Samples whose label (from another source) names another type than ``other`` (the
    clinical table's acronym of their patient, or their file's cohort), warned with
    examples; the label is kept. A label table marking ACC patients as UVM passed unsaid.

    ``obs``: one row per sample (``cancer_type`` normalised, ``sample_id``); ``sources``:
    where each label came from; ``other``: the other source's type per row (NaN: none)."""
    theirs = other.map(lambda v: tcga.normalise_cancer_type(v)
                       if isinstance(v, str) and v.strip() else np.nan)
    theirs = theirs.where(theirs.isin(tcga.TCGA_PROJECTS))  # a COADREAD file holds COAD, READ
    bad = (theirs.notna() & obs["cancer_type"].notna() & sources.ne(source)
           & theirs.ne(obs["cancer_type"]))
    if n := int(bad.sum()):
        eg = ", ".join(f"{sid} {lab} (there {o})" for sid, lab, o in zip(
            obs.loc[bad, "sample_id"][:3], obs.loc[bad, "cancer_type"][:3], theirs[bad][:3],
            strict=True))
        log.warning("%s sample%s labelled with another type than the %s gives (e.g. %s): the "
                    "labels kept; check the label table", f"{n:,}", "s" * (n != 1), what, eg)
    return n


def _empty_label_rows(paths: Sequence[Path], tables: Sequence[pd.DataFrame]) -> dict[str, int]:
    """``{file name: rows}`` of the label tables whose cancer type is empty, each warned of:
    their samples take a label from elsewhere (``--cancer-type``, the cohort name) or none,
    as if the table did not list them (was said at INFO only, and not recorded)."""
    out = {}
    for path, table in zip(paths, tables, strict=True):
        if n := int(table["cancer_type"].isna().sum()):
            out[path.name] = n
            k = sum((table.attrs.get("missing_words") or {}).values())  # warned by the reader
            marks = label_marks(path, table.attrs.get("label_column"))
            said = [f"{k:,} written as missing, said above"] if k else []
            said += [marks_text(marks)] if marks else []
            log.warning("%s: %s of its %s rows %s an empty cancer type%s: their samples are "
                        "labelled as if it did not list them (from --cancer-type, the file's "
                        "metadata, the cohort name or --clinical), or stay unlabelled",
                        path.name, f"{n:,}", f"{len(table):,}", "has" if n == 1 else "have",
                        f" ({'; '.join(said)})" if said else "")
    return out


def label_marks(path: Path | str, column: str | None) -> dict[str, int]:
    """``{mark: cells}`` of the cells of ``column`` of the label table ``path`` that hold a
    missing-value mark (``#N/A``, ``NA``, ``NULL``, …: :data:`~genemoe.data.textio.NA_TOKENS`
    but the empty cell), which the reader reads as empty cells, unsaid; ``{}`` for a parquet
    table, a column not found or a file not read (said as empty cells, as before)."""
    if column is None:
        return {}
    try:
        with open_binary(Path(path)) as raw:
            if raw.read(4) == b"PAR1":
                return {}
        with io.TextIOWrapper(open_binary(Path(path)), encoding="utf-8-sig", errors="replace",
                              newline="") as fh:
            df = pd.read_csv(fh, sep=None, engine="python", dtype=str, keep_default_na=False)
    except (OSError, ValueError, csv.Error):
        return {}
    df.columns = [str(c).strip() for c in df.columns]
    if column not in df.columns:
        return {}
    cells = df[column].fillna("").str.strip()
    return {str(k): int(v) for k, v in cells[cells.isin(NA_TOKENS) & (cells != "")]
            .value_counts().items()}


def marks_text(marks: dict[str, int]) -> str:
    """The missing-value marks of a label column as text: ``'#N/A' in 1 row: a spreadsheet's
    missing-value mark (a lookup that found nothing?), read as empty``."""
    shown = ", ".join(f"{k!r} in {v:,} row{'s' * (v != 1)}" for k, v in marks.items())
    what = ("a spreadsheet's missing-value mark (a lookup that found nothing?)"
            if set(marks) == {"#N/A"} else "missing-value marks")
    return f"{shown}: {what}, read as empty"


def label_rows_naming_no_sample(paths: Sequence[Path], tables: Sequence[pd.DataFrame],
                                 obs: pd.DataFrame) -> int:
    """Rows of the label tables that name no sample of the expression (by id, its first 15
    characters or its patient). A table none of whose rows does (another cohort's, ids in
    another form) is refused: it was silently unused, the samples labelled from elsewhere
    (the file name). Beside tables that do name samples, the fix is to leave it out (it
    said to pass "the label table of these samples", which was given).

    Parameters
    ----------
    paths
        The ``--labels`` files, named in the error.
    tables
        Their tables (``sample_id``, ``cancer_type``), one per path, in order.
    obs
        ``(n_samples, 2+)`` the expression's ``sample_id`` and ``patient_id``.

    Returns
    -------
    int
        The rows (of all tables) that name no sample.

    Raises
    ------
    InputError
        A table none of whose rows names a sample (``genemoe predict --labels`` runs the
        same check, so both commands refuse the same files).
    """
    given = obs["sample_id"].map(dashed_barcode)  # R's make.names' dots, on either side
    ids = set(given) | set(given.str[:15]) | set(obs["patient_id"].astype(str))
    keys = [t["sample_id"].map(dashed_barcode) for t in tables]
    named = [k.isin(ids) | k.str[:15].isin(ids) for k in keys]
    idle = [i for i, (t, m) in enumerate(zip(tables, named, strict=True)) if len(t) and not m.any()]
    if not idle:
        return int(sum((~m).sum() for m in named))
    first = tables[idle[0]]
    seen = f"it has {first['sample_id'].iloc[0]!r}; the expression {obs['sample_id'].iloc[0]!r}"
    if len(idle) == len(tables):  # no table names a sample: the ids or their column are wrong
        raise input_error(
            f"none of its {len(first):,} sample ids names a sample of the expression ({seen})",
            path=paths[idle[0]], fix="pass the label table of these samples, or name its "
                                     "sample column with --sample-column")
    n_named = len(set().union(*(set(t.loc[m, "sample_id"]) for t, m in zip(tables, named, strict=True))))
    names = ", ".join(paths[i].name for i in idle)
    what = (f"none of its {len(first):,} sample ids names a sample of the expression ({seen})"
            if len(idle) == 1 else f"{len(idle)} of the {len(tables)} --labels tables name no "
            f"sample of the expression (the first {seen.removeprefix('it ')})")
    raise input_error(
        f"{what}, while the other --labels table{'s' if len(tables) - len(idle) > 1 else ''} "
        f"name{'' if len(tables) - len(idle) > 1 else 's'} the expression's samples "
        f"({n_named:,} of {'their' if len(tables) - len(idle) > 1 else 'its'} ids)",
        path=", ".join(str(paths[i]) for i in idle),
        fix=f"leave {names} out of --labels (no sample of {'it' if len(idle) == 1 else 'them'} "
            "is in the expression files)")


def check_labels(obs: pd.DataFrame, keep: np.ndarray, cfg: PrepareConfig, plog: PrepLog,
                  label_paths: Sequence[Path], survival: bool | None = None) -> np.ndarray:
    """Unlabelled samples are an error (or dropped and counted); tiny classes dropped. A
    bundle of one cancer type is warned, worded by ``survival``: whether it will hold
    survival data (None: not known here; it was said to serve survival without any)."""
    unl = keep & obs["cancer_type"].isna().to_numpy()
    if unl.any():
        ex = ", ".join(map(str, obs.loc[unl, "sample_id"].iloc[:5]))  # was a Python list
        if not cfg.drop_unlabelled:
            raise input_error(
                f"{int(unl.sum()):,} sample{'s' if unl.sum() != 1 else ''} with no cancer-type "
                f"label (e.g. {ex})", path=", ".join(map(str, label_paths)) or None,
                where="sample ids", fix="add them to a --labels table, name cohort files "
                "TCGA_<TYPE>_..., pass --cancer-type TYPE for a file of one cohort, --clinical "
                "with an acronym column, or --drop-unlabelled to drop them (Python: "
                "config=PrepareConfig(drop_unlabelled=True))")
        plog.drop_samples({"no cancer-type label": int(unl.sum())},
                          {"no cancer-type label": obs.loc[unl, "sample_id"]})
        keep = keep & ~unl
    counts = obs.loc[keep, "cancer_type"].value_counts()
    small = counts[counts < cfg.min_class_size]
    if len(small):
        m = keep & obs["cancer_type"].isin(small.index).to_numpy()
        log.warning("dropping classes with fewer than %d samples: %s", cfg.min_class_size,
                    ", ".join(f"{k} ({int(v)})" for k, v in small.items()))
        why = f"in a class with fewer than {cfg.min_class_size} samples"  # "40 in a class ..."
        plog.drop_samples({why: int(m.sum())}, {why: obs.loc[m, "sample_id"]})
        keep = keep & ~m
    if not keep.any():  # a traceback in the gene table before
        raise _nothing_left(obs, cfg, plog.dropped_samples, small=why if len(small) else None)
    if obs.loc[keep, "cancer_type"].nunique() < 2:  # written unsaid: train then scored
        log.warning("the bundle holds one cancer type (%s): %s",  # 1.000 on it
                    obs.loc[keep, "cancer_type"].iloc[0], {
                        True: "it serves survival, not classification (train refuses it)",
                        False: "it serves neither: not classification (train refuses it), "
                               "and it holds no survival data (pass --clinical for survival)",
                        None: "it serves survival only with survival data (--clinical, or "
                              "an export's), not classification (train refuses it)"}[survival])
    return keep


def _nothing_left(obs: pd.DataFrame, cfg: PrepareConfig, dropped: dict[str, int], *,
                  small: str | None) -> InputError:
    """"No sample is left", the counts in words and the fix of the main reason (it wrote
    the counts as a Python dict and always named --min-class-size, also when
    --sample-types dropped every sample)."""
    said = ", ".join(f"{n:,} {why}" for why, n in sorted(dropped.items(), key=lambda kv: -kv[1]))
    main = max(dropped, key=dropped.get, default=None)
    present = obs["sample_type"].astype(str).value_counts() if "sample_type" in obs else None
    types = {tcga.sample_type_label(c): c for c in (present.index if present is not None else [])
             if c != "NA"}
    if main in types:
        fix = (f"keep sample types the data holds, e.g. --sample-types {types[main]} (present: "
               + ", ".join(f"{n:,} {tcga.sample_type_label(c)}" for c, n in present.items()
                           if c != "NA") + ")")
    elif main is not None and main == small:
        fix = (f"lower --min-class-size (now {cfg.min_class_size}) for a small cohort, or add "
               "samples of these types")
    else:
        fix = "check the labels (--labels, --cancer-type, --clinical) and --sample-types"
    return input_error(f"no sample is left to prepare (dropped: {said or 'none'})", fix=fix)
