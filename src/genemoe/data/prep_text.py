"""The preparation record (:class:`PrepLog`) and one human line per step, from its entry.

:class:`PrepLog` logs these at INFO (what a user sees by default) and
the full counters at DEBUG (``genemoe -v``); ``record.json`` keeps the counters either way.
Example: ``read TCGA_ACC_Counts.exp.gz: 56,537 genes × 79 samples (genes × samples,
Ensembl, raw counts)``.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genemoe.data.clinical import words_text
from genemoe.data.crossscale import LOG2_SCALES
from genemoe.data.normalise import NEEDS_LENGTH
from genemoe.data.values import LOG10_NOTE, NATURAL_LOG_NOTE

__all__ = ["WIDTH", "PrepLog", "bundle_lines", "step_line", "warnings_said", "wrapped"]

log = logging.getLogger("genemoe.data.prepare")  # PrepLog speaks as prepare

_ID_KINDS = {"ensembl": "Ensembl", "ensembl_versioned": "versioned Ensembl", "entrez": "Entrez",
             "symbol": "gene symbols", "firehose": "Firehose SYMBOL|Entrez", "unknown": "unknown ids"}
_VALUE_KINDS = {"counts": "raw counts", "log_counts": "log2(counts + 1)", "log": "log scale",
                "linear": "linear scale", "transformed": "transformed values"}
_LAYOUTS = {"genes_by_samples": "genes × samples", "samples_by_genes": "samples × genes"}


def _n(v: Any) -> str:
    """``56537`` → ``56,537``; anything else as it is."""
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def _name(info: dict) -> str:
    return Path(str(info.get("file", "?"))).name


def _read(info: dict) -> str:
    n_samples, n_genes = (info.get("shape") or [None, None])[:2]
    what = ", ".join([_LAYOUTS.get(info.get("orientation"), str(info.get("orientation"))),
                      _ID_KINDS.get(info.get("id_kind"), str(info.get("id_kind"))),
                      _VALUE_KINDS.get(info.get("value_kind"), str(info.get("value_kind")))])
    said = [n for n in info.get("notes") or [] if n.startswith(_SAID_NOTES) or "estimated counts" in n
            or "on the floor" in n or n.endswith(_SAID_ENDINGS)
            or _DECIMAL_ENTREZ.match(n)]  # a log2(x + eps) file converted: was in the record only
    said = [_decimal_entrez_short(_other_base_short(n)) for n in said]  # its
    #   ~330 characters were said twice: as the read's warning, and again here
    return "\n  ".join([f"read {_name(info)}: {_n(n_genes)} gene{'s' if n_genes != 1 else ''} × "
                        f"{_n(n_samples)} sample{'s' if n_samples != 1 else ''} ({what})", *said])


# Read notes that change or question what is read: said under the read line, not only kept.
_SAID_NOTES = ("annotation column", "GCT ", "dropped ", "decimal commas", "second header line",
               "named by their Entrez id", "read .X only", "gene ids from var[", "var[",
               NATURAL_LOG_NOTE, LOG10_NOTE, "line endings: ",  # unmarked ln/log10 converted
               "read layers[", "read .raw (--layer")  # the .h5ad matrix --layer read
_SAID_ENDINGS = ("blank line(s) skipped", "surrounding spaces: trimmed")  # counted notes


# read.py's note on Entrez ids written as decimals (613037.0), read as whole numbers: "1 gene
# id is an Entrez id written as a decimal", "8 gene ids are ..." (a record before 2026-12-06:
# "8 gene id(s) are Entrez ids written as decimals", read too)
_DECIMAL_ENTREZ = re.compile(r"([\d,]+) gene (?:id\(s\) are|ids are|id is an) Entrez ids? "
                             r"written as (?:a )?decimals? \((?:e\.g\. )?(\S+)\): read as "
                             r"(?:a )?whole numbers? \((\S+)\)")


def _decimal_entrez_short(note: str) -> str:
    """read.py's note on Entrez ids written as decimals as the read line's count
    (``100 Entrez ids written as decimals read as whole numbers, e.g. 613037.0 → 613037``;
    it was said as a warning only); any other note as it is."""
    if (m := _DECIMAL_ENTREZ.fullmatch(note)) is None:
        return note
    n = int(m.group(1).replace(",", ""))
    if n == 1:  # "1 Entrez id written as decimals read as whole number"
        return f"1 Entrez id written as a decimal read as a whole number: {m.group(2)} → {m.group(3)}"
    return (f"{m.group(1)} Entrez ids written as decimals read as whole numbers, e.g. "
            f"{m.group(2)} → {m.group(3)}")


def _other_base_short(note: str) -> str:
    """An unmarked ln or log10 conversion's note (~330 characters, said as the read's
    warning) as one short pointer to it; any other note as it is."""
    start = next((s for s in (NATURAL_LOG_NOTE, LOG10_NOTE) if note.startswith(s)), None)
    return note if start is None else f"{start}: converted to log2(x + 1) (see the warning)"


def _counted(n: Any, one: str, many: str) -> str:
    """``1 symbol`` / ``2 symbols``: ``n`` with the singular ``one`` or the plural ``many``
    (the mapping line said "1 symbols matched ignoring case")."""
    return f"{_n(n)} {one if n == 1 else many}"


def _map(info: dict) -> str:
    r = info.get("report") or {}
    n_ids, mapped = r.get("n_ids"), r.get("mapped")
    extra = [_counted(r[k], one, many) for k, one, many in (
        ("unmapped", "unmapped", "unmapped"),
        ("duplicates_after_mapping", "duplicate", "duplicates")) if r.get(k)]
    as_given = (r.get("kept_as_given") or 0) + (r.get("entrez_kept") or 0)
    stripped = _counted(r["version_stripped"], "Ensembl version stripped",
                        "Ensembl versions stripped") if r.get("version_stripped") else ""
    if info.get("annotation") is False:  # nothing looked up: "100 of 100 mapped" said otherwise
        how = f"{_n(mapped)} of {_n(n_ids)} used as given (no annotation" + \
            (f"; {stripped})" if stripped else ")")
    else:
        eg = f", e.g. {info['ambiguous_examples'][0]}" if info.get("ambiguous_examples") else ""
        said = [s for s in (f"{_n(as_given)} as given" if as_given else "", stripped) if s] + [
            _counted(r[k], one, many) for k, one, many in (  # were in the record only
                ("ambiguous_symbol_resolved", f"symbol of several genes resolved{eg}",
                 f"symbols of several genes resolved{eg}"),
                ("symbol_case_insensitive", "symbol matched ignoring case",
                 "symbols matched ignoring case"),
                ("ensembl_among_symbols", "Ensembl id among the symbols, mapped as Ensembl id",
                 "Ensembl ids among the symbols, mapped as Ensembl ids"),
                ("ensembl_not_in_annotation", *_without_length(info.get("normalisation"))))
            if r.get(k)]
        found = r.get("matched_in_annotation", (mapped or 0)  # "56,542 of 56,542 mapped"
                      - (r.get("ensembl_not_in_annotation") or 0))  # (an older record's sum)
        how = f"{_n(found)} of {_n(n_ids)} mapped" + (  # beside "164 not in it" before
            f" ({'; '.join(said)})" if said else "")
    return (f"gene ids of {_name(info)}: {how}, {_n(info.get('n_genes'))} kept"
            + (f" ({', '.join(extra)} dropped)" if extra else ""))


def _without_length(method: str | None) -> tuple[str, str]:
    """What becomes of the Ensembl ids the annotation lacks (no symbol, no length) under the
    normalisation ``method``, said of one id and of several; None (not known when the ids
    are mapped, as in ``prepare``): both cases. They were said "kept without symbol or
    length", and log2tpm and fpkm_uq then dropped them."""
    if method in NEEDS_LENGTH:
        then = f", dropped: no length for {method} (counted)"
    elif method is not None:
        then = ", kept without symbol or length"
    else:
        then = (", kept without symbol or length: dropped, and counted, under "
                f"{' or '.join(NEEDS_LENGTH)}, which need one")
    return f"Ensembl id not in the annotation{then}", f"Ensembl ids not in the annotation{then}"


def _normalise(info: dict) -> str:
    kind = _VALUE_KINDS.get(info.get("value_kind"), info.get("value_kind"))
    notes = [f"{_n(info[k])} {text}" for k, text in
             (("negative_values_clipped_to_0", "negative values clipped to 0"),
              ("samples_with_zero_library", "samples with no counts")) if info.get(k)]
    method, on = info.get("method"), info.get("values_on")
    if on and on != method:  # a genemoe export passed through on its bundle's scale, or
        notes.insert(0, f"{on}: {info['values_on_by']}" if info.get("values_on_by")  # a Xena
                     else f"already {on}, a genemoe export")  # star_tpm file's log2(TPM + 1)
    shown = (f"{method}, {LOG2_SCALES[method]}" if method in LOG2_SCALES  # was "→ log2p1",
             else method)  # the option's name only
    return (f"normalise {_name(info)}: {kind} → {shown}"
            + (f" ({'; '.join(notes)})" if notes else ""))


def _intersect(info: dict) -> str:
    n = info.get("n_cohorts")
    if n == 1:
        return f"genes: {_n(info.get('n_genes'))} (one file)"
    return f"genes shared by the {n} files: {_n(info.get('n_genes'))}"


def _select(info: dict) -> str:
    one = " (one profile per patient)" if info.get("one_per_patient") else ""
    types = ", ".join(info.get("sample_types") or [])
    dotted = info.get("barcodes_respelt") or 0  # R's make.names: TCGA.OR.A5J1.01A
    kept = info.get("kept")
    return (f"sample types {types}: kept {_n(kept)} sample{'s' * (kept != 1)}{one}" + (
        f"; {_n(dotted)} barcode{'s' * (dotted != 1)} written with '.' for '-' read as dashed"
        if dotted else ""))


def _labels(info: dict) -> str:
    src = info.get("sources") or {}
    unused = info.get("label_rows_naming_no_sample") or 0
    other = info.get("not_tcga_codes") or []
    return "cancer types (of every sample read, kept or not): " + (", ".join(f"{_n(v)} from the {k}" if k != "--cancer-type" else
                                         f"{_n(v)} from --cancer-type" for k, v in src.items())
                               or "none found") + (
        f"; {_n(unused)} label-table rows name no sample of the expression" if unused else "") + (
        "; labelled with another type than the " + ", ".join(
            f"{k} gives: {_n(v)}" for k, v in disagree.items())
        if (disagree := info.get("labels_disagreeing")) else "") + (
        f"; {_n(dotted)} label-table barcode{'s' * (dotted != 1)} written with '.' for '-' "
        "matched as dashed" if (dotted := info.get("barcodes_respelt")) else "") + (
        f"; kept as given, not TCGA codes: {', '.join(map(repr, other[:5]))}"
        + (f" and {len(other) - 5} more" if len(other) > 5 else "") if other else "") + (
        f"; respelt as TCGA codes: {_n(n_re)} label{'s' * (n_re != 1)}, table rows included ("
        + ", ".join(list(respelt)[:3]) + (", ..." if len(respelt) > 3 else "") + ")"
        if (n_re := sum((respelt := info.get("respelt") or {}).values())) else "")


def _survival(info: dict) -> str:
    units = (info.get("clinical_report") or {}).get("time_units") or {}
    converted = units.get(info.get("endpoint"))
    report = info.get("clinical_report") or {}
    export = report.get("format", "").startswith("genemoe export")
    recoded = (report.get("endpoints") or {}).get(info.get("endpoint"), {}).get("n_recoded_from_1_2")
    words = (report.get("event_words") or {}).get(info.get("endpoint"))  # Dead/Alive: was unsaid
    conflicts = report.get("n_conflicting_duplicates")
    return (f"survival ({info.get('endpoint')}): {_n(info.get('n_with_survival'))} samples with "
            f"time and event, {_n(info.get('n_events'))} events; {_n(info.get('n_without'))} "
            "without" + _without(info) + (f"; times converted ({converted})" if converted else "")
            + ("; events coded 1/2 read as 1 censored, 2 event" if recoded else "")
            + (f"; events written as words read as {words_text(words)}" if words else "")
            + (f"; {_n(commas)} time{'s' * (commas != 1)} with a decimal comma read as a point"
               if (commas := report.get("n_decimal_comma_times")) else "")
            + (f"; {_n(ev)} event{'s' * (ev != 1)} with a decimal comma (1,0 / 0,0) read as 1 / 0"
               if (ev := report.get("n_decimal_comma_events")) else "")
            + (f"; {_n(dotted)} barcode{'s' * (dotted != 1)} written with '.' for '-' read as "
               "dashed" if (dotted := report.get("n_barcodes_respelt")) else "")
            + (f"; {_n(thousands)} time{'s' * (thousands != 1)} with a thousands separator read "
               "without it" if (thousands := report.get("n_thousands_separator_times")) else "")
            + (f"; {_n(upper)} barcode{'s' * (upper != 1)} in lower case read upper-cased"
               if (upper := report.get("n_barcodes_uppercased")) else "")
            + (f"; {_n(conflicts)} patient(s) with disagreeing rows, the first complete row kept"
               if conflicts else "")
            + (f"; {_n(k)} empty _PATIENT taken from the sample barcode"
               if (k := report.get("n_patients_from_sample")) else "")
            + (f"; {_n(k)} row(s) naming no patient dropped"
               if (k := report.get("n_rows_without_patient")) else "")
            + (f"; {_n(unmatched)} of the table's {_n(report.get('n_patients'))} patients have "
               "no sample here" + (f" (e.g. {', '.join(info.get('table_patients_without_sample_examples') or [])})"
                                   if info.get("n_without") else "")
               if (unmatched := info.get("n_table_patients_without_sample")) else "")
            + (" (from the genemoe export's obs)" if export else ""))


WITHOUT_WORDS = {"no row in the table": "no table row", "no time and no event": "empty",
                 "time or event missing": "incomplete"}
"""The join's reasons (``without``) in the summary line's words: a patient missing from the
table; its time and event both empty; one of them missing (or left out as invalid)."""


def _without(info: dict) -> str:
    """Why the samples without survival have none (the join's ``without``, in
    :data:`WITHOUT_WORDS`): ``" (17 empty, 3 incomplete)"``; "" for a record without it
    ('20 without' did not tell 17 PFI cells empty in the table from 3 events without a time)."""
    why = info.get("without") or {}
    return " (" + ", ".join(f"{_n(v)} {WITHOUT_WORDS.get(k, k)}" for k, v in why.items()) + ")" \
        if why else ""


def _shared(info: dict) -> str:
    """Files of other gene sets cut to the genes they share before normalising: per file
    the genes left out and the share kept, and the smallest file(s), which limit the set.
    The shared count itself is the ``intersect_genes`` line's (it was said twice)."""
    files = info["files"]
    fewest = min(f["n_genes"] for f in files)
    small = info.get("limited_by") or [f["file"] for f in files if f["n_genes"] == fewest]
    sizes = {f["file"]: f["n_genes"] for f in files}

    def kept(f: dict) -> str:  # 0.5% kept; never a rounded 0.0% or 100.0%
        pct = 100 * (f["n_genes"] - f["n_left_out"]) / f["n_genes"]
        return "<0.1" if pct < 0.05 else ">99.9" if pct >= 99.95 else f"{pct:.1f}"

    return ("left out before normalising, not in every file (each sample's scale taken over "
            "the same genes): " + ", ".join(
                f"{f['file']} {_n(f['n_left_out'])} of {_n(f['n_genes'])} ({kept(f)}% kept)"
                for f in files if f["n_left_out"])
            + "; the set is limited by " + " and ".join(
                f"{name} ({_n(sizes.get(name, fewest))} genes)" for name in small))


def _split(info: dict) -> str:
    counts = info.get("counts") or {}
    parts = " · ".join(f"{k} {_n(counts[k])}" for k in ("train", "val", "test") if k in counts)
    folds = f"; {info['n_folds']} folds" if info.get("n_folds") else ""
    return (f"split {parts}{folds} (seed {info.get('seed')}, by patient, stratified by "
            f"{info.get('stratified_by')})")


def _genes(info: dict) -> str:
    return (f"gene filter: {_n(info.get('n_in_bundle'))} genes kept in the bundle "
            f"({info.get('rule')}); {_n(info.get('n_default_mask'))} pass the training split's "
            "variance/mean filter")


def _sample_types(info: dict) -> str:
    return f"sample types: {info.get('note')}; patients: {info.get('patients')}"


def _cross_pipeline(info: dict) -> str:
    """predict's scale rule for another pipeline's values (``negatives_clipped`` counted)."""
    n = int(info.get("negatives_clipped") or 0)
    clipped = (f"; {_n(n)} negative value{'s' if n != 1 else ''} clipped to 0 before "
               "log2(x + 1)") if n else ""
    return f"onto the model's scale: {info.get('rule')}{clipped}"


def _annotation(info: dict) -> str:
    return (f"annotation: {info['source']} ({_n(info['n_genes'])} genes: {_n(info['with_symbol'])} "
            f"with symbols, {_n(info['with_chrom'])} with positions, {_n(info['with_biotype'])} "
            "with biotypes)")


def _biotypes(info: dict) -> str:
    """--protein-coding-only by the expression file's own biotype column (no annotation's)."""
    n = int(info["n_without"])
    return (f"biotypes: {info['source']} ({_n(info['n_protein_coding'])} protein-coding"
            + (f", {_n(n)} gene{'s' if n != 1 else ''} without a type" if n else "") + ")")


_LINES: dict[str, Callable[[dict], str]] = {
    "read": _read, "map_gene_ids": _map, "normalise": _normalise, "intersect_genes": _intersect,
    "select_samples": _select, "labels": _labels, "join_survival": _survival, "split": _split,
    "gene_filter": _genes, "sample_types": _sample_types, "cross_pipeline": _cross_pipeline,
    "annotation": _annotation, "biotypes": _biotypes, "shared_genes": _shared,
}


WIDTH = 100
"""The longest terminal line of a step (:func:`wrapped`)."""


_BREAKS = ("; ", " (", ", ")
"""Where a long line is cut, in order: after a clause, before a parenthesis, after a comma."""


def wrapped(text: str, width: int = WIDTH) -> str:
    """``text`` (a step's line, perhaps with indented sub-lines) with every line longer than
    ``width`` cut (:func:`_cut`), each continuation indented 4 more than its line. Every word
    kept (a word longer than ``width``, e.g. a path, stays whole). The gene-id, cancer-type
    and gene-filter lines ran 130-230 characters."""
    out: list[str] = []
    for line in text.split("\n"):
        lead = line[:len(line) - len(line.lstrip(" "))]
        out.extend(_cut(line, width, lead + "    "))
    return "\n".join(out)


def _cut(line: str, width: int, indent: str, breaks: tuple[str, ...] = _BREAKS) -> list[str]:
    """``line`` as rows of at most ``width``, each after the first starting with ``indent``:
    its pieces at ``breaks[0]`` packed greedily, a row still too long cut at the next break
    (a phrase is kept whole where it can be), and at last at spaces."""
    if len(line) <= width:
        return [line]
    if not breaks:
        return textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                             break_on_hyphens=False)
    cut, mark = breaks[0], breaks[0].strip()
    parts = line.split(cut)
    pieces = ([parts[0], *(mark + p for p in parts[1:])] if cut.startswith(" ")
              else [*(p + mark for p in parts[:-1]), parts[-1]])
    rows: list[str] = []
    for piece in pieces:
        if rows and len(rows[-1]) + 1 + len(piece) <= width:
            rows[-1] += " " + piece
        else:
            rows.append(indent + piece if rows else piece)
    return [sub for row in rows for sub in _cut(row, width, indent, breaks[1:])]


def step_line(name: str, info: dict[str, Any]) -> str:
    """The human line of one preparation step (a step with no formatter: its scalar fields)."""
    fmt = _LINES.get(name)
    if fmt is not None:
        try:
            return fmt(info)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # a shape not planned
            pass
    scalars = {k: v for k, v in info.items() if isinstance(v, str | int | float | bool)}
    return f"{name}: " + ", ".join(f"{k}={_n(v)}" for k, v in scalars.items())


@contextmanager
def warnings_said(into: list[str]) -> Iterator[None]:
    """Append each warning the ``genemoe`` loggers say inside the block to ``into`` (once,
    in order): a bundle's record keeps every warning ``prepare`` printed (it kept two kinds,
    while clipped negatives, clinical conflicts and ``--normalisation none`` were said only).

    Kept, a warning is still printed where no handler is set up (Python calling
    ``prepare_dataset`` without ``logging`` configured): as Python's last resort prints it,
    once; under the CLI's handler the CLI prints it, once."""
    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if (msg := record.getMessage()) not in into:
                into.append(msg)
            if not _other_handlers(record, self):  # from Python, no logging set up: the
                _last_resort(record)  # capture hid every warning Python's own would print

    keep, logger = _Keep(logging.WARNING), logging.getLogger("genemoe")
    logger.addHandler(keep)
    try:
        yield
    finally:
        logger.removeHandler(keep)


def _other_handlers(record: logging.LogRecord, mine: logging.Handler) -> bool:
    """True when a handler other than ``mine`` takes ``record`` on its way up the loggers (as
    :meth:`logging.Logger.callHandlers` walks them); False: Python would use its last resort."""
    logger: logging.Logger | None = logging.getLogger(record.name)
    while logger is not None:
        if any(h is not mine and record.levelno >= h.level for h in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False


def _last_resort(record: logging.LogRecord) -> None:
    """Print ``record`` as Python prints a warning of unconfigured logging (stderr)."""
    last = logging.lastResort
    if last is not None and record.levelno >= last.level:
        last.handle(record)


@dataclass
class PrepLog:
    """Accumulates the preparation record's steps and dropped counts."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    genes: dict[str, Any] = field(default_factory=dict)  # the gene rule and counts
    dropped_samples: dict[str, int] = field(default_factory=dict)
    # file → negative values clipped to 0 per sample (normalise; the bundle counts its own)
    clipped_per_sample: dict[str, Any] = field(default_factory=dict)
    _gene_sets: dict[str, set[str]] = field(default_factory=dict)
    _sample_sets: dict[str, set[str]] = field(default_factory=dict)

    @property
    def dropped_genes(self) -> dict[str, int]:
        """Distinct genes dropped per reason (a gene missing from several files counts once)."""
        return {k: len(v) for k, v in self._gene_sets.items() if v}

    @property
    def dropped_gene_examples(self) -> dict[str, list[str]]:
        """Up to 10 of the genes dropped per reason, sorted (the record named none)."""
        return {k: sorted(v)[:10] for k, v in self._gene_sets.items() if v}

    @property
    def dropped_gene_ids(self) -> dict[str, list[str]]:
        """Every gene dropped per reason, sorted (the bundle's ``dropped_genes.tsv.gz``)."""
        return {k: sorted(v) for k, v in self._gene_sets.items() if v}

    @property
    def dropped_sample_examples(self) -> dict[str, list[str]]:
        """Up to 10 of the samples dropped per reason, sorted (the record named none)."""
        return {k: sorted(v)[:10] for k, v in self._sample_sets.items() if v}

    def step(self, name: str, **info: Any) -> None:
        """Record step ``name`` (``record.json``); its human line (INFO, :func:`wrapped` to
        :data:`WIDTH`), counters (DEBUG)."""
        self.steps.append({"step": name, **info})
        log.info("%s", wrapped(step_line(name, info)))
        log.debug("%s: %s", name, info)

    def drop_samples(self, reasons: dict[str, int], ids: dict[str, Any] | None = None) -> None:
        """Count dropped samples per reason; ``ids`` (reason → sample ids) names them."""
        for k, v in ((k, v) for k, v in reasons.items() if v):
            self.dropped_samples[k] = self.dropped_samples.get(k, 0) + int(v)
        for k, v in (ids or {}).items():
            self._sample_sets.setdefault(k, set()).update(str(s) for s in v)

    def drop_genes(self, reason: str, gene_ids: Any) -> None:
        """Record dropped ``gene_ids`` (an iterable of ids) under ``reason``."""
        self._gene_sets.setdefault(reason, set()).update(str(g) for g in gene_ids)


def bundle_lines(summary: dict, path: Path | None) -> list[str]:
    """What ``genemoe prepare`` says of the bundle it wrote (and ``Bundle.describe()``):
    sizes, then what it dropped, then where every dropped gene is listed."""
    lines = [f"bundle: {path}",
             f"  samples: {summary['n_samples']:,}  genes: {summary['n_genes']:,}  "
             f"types: {summary['n_cancer_types']}  with survival: {summary['n_with_survival']:,}"
             + ("  [SYNTHETIC DATA]" if summary.get("synthetic") else "")]
    for kind in ("samples", "genes"):
        for reason, n in summary.get("dropped", {}).get(kind, {}).items():
            lines.append(f"  dropped {n:,} {kind if n != 1 else kind[:-1]}: {reason}")
    if path is not None and summary.get("dropped_genes_file") and summary.get(
            "dropped", {}).get("genes"):
        lines.append(f"  every dropped gene, by id and reason: {path / summary['dropped_genes_file']}")
    return lines
