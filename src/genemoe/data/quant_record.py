"""What a ``--gdc-dir`` / ``--quant-dir`` join's record (``joined.json``) gives the bundle.

Split from :mod:`genemoe.data.quant_dir` (the join): the bundle's record keeps each join's
``joined.json`` under its input (:func:`join_record`); from it come the bundle's dropped
samples and genes (:func:`join_dropped`, :func:`join_dropped_genes`), its warnings
(:func:`join_warnings`), the counts of the changes the join made to the values that the
bundle's ``summary.json`` carries (:func:`join_change_counts`), and the terminal's lines
(:func:`joined_lines`, which names the first transcripts a map lacked: :func:`some_ids`).
Nothing here reads a quantification file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["RECORD_IDS_KEPT", "join_change_counts", "join_dropped", "join_dropped_genes",
           "join_record", "join_warnings", "joined_lines", "some_ids"]


RECORD_IDS_KEPT = 1000
"""Ids of a join's long lists (:data:`_LONG_LISTS`) a bundle's record keeps; the join's own
``joined.json`` keeps them all."""
_LONG_LISTS = ("unmapped_transcript_ids", "genes_lost_unmapped_ids")


def join_record(path: Path, role: str) -> dict[str, Any]:
    """``{"joined": record}`` for a matrix a ``--quant-dir`` join wrote (its ``joined.json``
    beside it), so that a bundle's record keeps what the join changed; else ``{}``.

    A list of transcripts a partial ``--tx2gene`` left out (or of genes it lost) longer than
    :data:`RECORD_IDS_KEPT` keeps its first ids there, with ``<key>_total`` and
    ``<key>_full_list`` (the ``joined.json`` holding them all): every id of a map from
    another annotation (tens of thousands) went into record.json, which every later step
    reads and hashes."""
    record = path.with_name("joined.json")
    if role != "expression" or path.name != "expression.tsv.gz" or not record.is_file():
        return {}
    joined = json.loads(record.read_text())
    for key in _LONG_LISTS:
        ids = joined.get(key)
        if isinstance(ids, list) and len(ids) > RECORD_IDS_KEPT:
            joined |= {key: ids[:RECORD_IDS_KEPT], f"{key}_total": len(ids),
                       f"{key}_full_list": str(record)}
    return {"joined": joined}


def join_dropped(inputs: list[dict[str, Any]]) -> dict[str, int]:
    """Samples a join left out, by reason, for a bundle's ``dropped`` counts (a GDC sample
    sheet's samples without their file, and files repeating a sample, were in joined.json
    and said, but not counted; a ``--quant-dir`` sample folder without its file was not
    even said)."""
    def count(key: str) -> int:
        return sum(len((i.get("joined") or {}).get(key) or []) for i in inputs)

    n, repeated = count("sheet_samples_without_file"), count("repeated_files_left_out")
    failed = count("samples_without_file")
    return ({"sample sheet entry without its file (incomplete download)": n} if n else {}) | (
        {"file repeating a sample (the deepest library kept)": repeated} if repeated else {}) | (
        {"sample folder without its quantification file (failed run?)": failed} if failed else {})


def join_dropped_genes(inputs: list[dict[str, Any]]) -> dict[str, int]:
    """Genes a ``--quant-dir`` join lost because none of their transcripts is in the
    ``--tx2gene`` map (``genes_lost_unmapped``, known where transcript names carry their
    gene), for a bundle's ``dropped`` gene counts (they were in joined.json only)."""
    n = sum(int((i.get("joined") or {}).get("genes_lost_unmapped") or 0) for i in inputs)
    return {"no transcript in the tx2gene map (its reads left out)": n} if n else {}


def join_change_counts(record: Mapping[str, Any]) -> dict[str, int]:
    """Counts of the changes made to the values on their way into a bundle, for its
    ``summary.json`` (they were in ``record.json`` and the joins' ``joined.json`` only).

    Parameters
    ----------
    record
        A bundle's record: its ``inputs`` (each ``joined``: a join's record) and ``steps``.

    Returns
    -------
    dict
        ``n_counts_rounded``: estimated counts a ``--quant-dir`` join rounded to integers;
        ``n_versions_stripped``: Ensembl ids whose version (``ENSG….12``) prepare stripped
        (``map_gene_ids`` steps); ``n_transcripts_unmapped``: transcripts a join left out as
        absent from its transcript → gene map (their reads in no gene).
    """
    joins = [i.get("joined") or {} for i in record.get("inputs") or [] if isinstance(i, Mapping)]
    unmapped = sum(int(j.get("unmapped_transcript_ids_total") or len(j["unmapped_transcript_ids"]))
                   if j.get("unmapped_transcript_ids") is not None
                   else int(j.get("unmapped_transcripts") or 0) for j in joins)
    return {"n_counts_rounded": sum(int(j.get("counts_rounded") or 0) for j in joins),
            "n_versions_stripped": sum(
                int(((s.get("report") or {}).get("version_stripped")) or 0)
                for s in record.get("steps") or []
                if isinstance(s, Mapping) and s.get("step") == "map_gene_ids"),
            "n_transcripts_unmapped": unmapped}


def some_ids(ids: Iterable[str], n: int = 3) -> str:
    """The first ``n`` ids, a transcript name cut at its first ``|`` (GENCODE's
    ``ENST…|ENSG…|…`` names run to ~80 characters), then ``...`` if there are more."""
    ids = list(ids)
    shown = ", ".join(str(i).split("|")[0] for i in ids[:n])
    return shown + (", ..." if len(ids) > n else "")


def join_warnings(inputs: list[dict[str, Any]]) -> list[str]:
    """The warnings the joins of a bundle's inputs said (``--gdc-dir``, ``--quant-dir``:
    their ``joined.json``'s ``warnings``), in order, for the bundle's record: printed before
    ``prepare`` read the joined matrix, they were missing from its ``warnings``."""
    out: list[str] = []
    for item in inputs:
        out += [w for w in (item.get("joined") or {}).get("warnings") or [] if w not in out]
    return out


def joined_lines(record: dict[str, Any]) -> list[str]:
    """Short lines for the terminal: what the join read and changed."""
    lines = [f"joined {len(record['samples'])} {record['tool']} files ({record['values']}): "
             f"{record['genes']:,} genes"]
    if record.get("gene_map"):
        n_out, n_tx = record.get("unmapped_transcripts", 0), record.get("transcripts", 0)
        lines.append(f"transcripts summed into genes (map: {record['gene_map']}): " + (
            f"{n_out:,} of {n_tx:,} not in the map, left out" if n_out else
            f"all {n_tx:,} in it"))
        if record.get("unmapped_transcript_ids"):  # which: they were counted only
            missing = record["unmapped_transcript_ids"]
            lines.append(f"  not in it: {some_ids(missing)} (all {len(missing):,} in joined.json)")
        if lost := record.get("genes_lost_unmapped_ids"):  # none of their transcripts in it
            lines.append(f"  genes lost: {some_ids(lost)} (all {len(lost):,} in joined.json)")
    if record.get("gene_level_ids"):
        lines.append(record["gene_level_ids"])
    if record.get("strand"):
        lines.append("STAR column: " + ", ".join(f"{k} ({v} samples)"
                                                 for k, v in record["strand"].items()))
    if record.get("summary_rows"):
        rows = list(record["summary_rows"])  # HTSeq's five were said as five, four named
        lines.append(f"{len(rows)} summary rows left out ({', '.join(rows[:6])}"
                     f"{', ...' if len(rows) > 6 else ''})")
    if record.get("counts_rounded"):
        lines.append(f"{record['counts_rounded']:,} estimated counts rounded to integers "
                     "(as DESeq2 takes tximport's)")
    for key, what in (("repeated_files_left_out", "file(s) repeating a sample left out"),
                      ("sheet_samples_without_file", "sample(s) of the sheet without a file"),
                      ("samples_without_file", "sample folder(s) without their file left out")):
        if record.get(key):
            lines.append(f"{len(record[key]):,} {what} (all in joined.json)")
    skipped = record.get("skipped_files")
    if skipped:
        n = len(skipped)
        lines.append(f"{n} other file{'s' if n != 1 else ''} skipped "
                     f"(e.g. {skipped[0]}; all in joined.json)")
    return lines
