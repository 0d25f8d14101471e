"""Finding a ``--quant-dir`` folder's per-sample quantification files and telling their tool.

The tool is told from each file's header (not its name); the sample's name comes from its
folder (``quant.sf``, ``abundance.tsv``) or its file name's start (RSEM, STAR, HTSeq-count).
See :mod:`genemoe.data.quant_dir` for the join.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from genemoe.data.textio import _is_number, _text_stream, reading
from genemoe.errors import input_error

__all__ = ["FORMATS", "QuantFormat", "find_quant_files", "first_lines", "samples_without_file"]

_TEXT_SUFFIXES = (".counts", ".count", ".txt", ".tsv", ".tab", ".htseq", ".cnt")
_SIDE_FOLDERS = {"aux_info", "libParams", "logs"}  # Salmon's, beside quant.sf in each sample
_SIDE_FOLDER_ENDS = ("_STARgenome", "_STARtmp", "_STARpass1", ".stat")  # STAR's, RSEM's
# What a run leaves in its sample folder before (or without) the quantification file.
_RUN_TRACES = ("cmd_info.json", "lib_format_counts.json", "aux_info", "libParams", "logs",
               "run_info.json", "abundance.h5")


@dataclass(frozen=True)
class QuantFormat:
    """One tool's per-sample file: its header's first cells and where its values are."""

    tool: str
    header: tuple[str, ...] | None  # lower-case first cells; None: no header line
    level: Literal["gene", "transcript"]
    counts: str | int
    tpm: str | int | None


FORMATS = {
    "salmon": QuantFormat("Salmon quant.sf", ("name", "length", "effectivelength", "tpm",
                                              "numreads"), "transcript", "NumReads", "TPM"),
    "salmon_genes": QuantFormat("Salmon quant.genes.sf", ("name", "length", "effectivelength",
                                                          "tpm", "numreads"), "gene",
                                "NumReads", "TPM"),
    "kallisto": QuantFormat("kallisto abundance.tsv", ("target_id", "length", "eff_length",
                                                       "est_counts", "tpm"), "transcript",
                            "est_counts", "tpm"),
    "rsem_genes": QuantFormat("RSEM genes.results", ("gene_id", "transcript_id(s)", "length",
                                                     "effective_length"), "gene",
                              "expected_count", "TPM"),
    "rsem_isoforms": QuantFormat("RSEM isoforms.results", ("transcript_id", "gene_id", "length",
                                                           "effective_length"), "gene",
                                 "expected_count", "TPM"),  # summed by its own gene_id column
    "star": QuantFormat("STAR ReadsPerGene.out.tab", None, "gene", 1, None),
    "htseq": QuantFormat("HTSeq-count", None, "gene", 1, None),
}
_FAMILY = {"salmon": "Salmon", "salmon_genes": "Salmon", "kallisto": "kallisto",
           "rsem_genes": "RSEM", "rsem_isoforms": "RSEM", "star": "STAR", "htseq": "HTSeq-count"}
_HTSEQ_SUMMARY = frozenset({"__no_feature", "__ambiguous", "__too_low_aqual", "__not_aligned",
                            "__alignment_not_unique"})  # HTSeq-count's own rows, lower-cased
_FEATURECOUNTS_HEADER = ["geneid", "chr", "start", "end", "strand", "length"]
_PREFERRED = {"salmon": "salmon_genes", "rsem_isoforms": "rsem_genes"}  # gene-level first


def _known_name(name: str) -> bool:
    return (name in ("quant.sf", "quant.genes.sf", "abundance.tsv")
            or name.endswith((".genes.results", ".isoforms.results", "ReadsPerGene.out.tab")))


def first_lines(path: Path, n: int = 2) -> list[str]:
    """The file's first ``n`` lines (gzip or not), line ends removed."""
    with reading(path), _text_stream(path) as fh:
        return [fh.readline().rstrip("\r\n") for _ in range(n)]


def _sniff_kind(path: Path) -> str | None:
    """The :data:`FORMATS` key of a file, from its first lines; None if none fits."""
    first, second = first_lines(path)
    cells = [c.strip().strip('"').lower() for c in first.split("\t")]
    for kind, fmt in FORMATS.items():
        if fmt.header is not None and tuple(cells[:len(fmt.header)]) == fmt.header:
            if kind.startswith("salmon"):
                return "salmon_genes" if ".genes." in path.name else "salmon"
            return kind
    numeric = len(cells) > 1 and all(_is_number(c) for c in cells[1:])
    if len(cells) == 4 and numeric and (cells[0].startswith("n_") or path.name.endswith(
            ("ReadsPerGene.out.tab", "ReadsPerGene.out.tab.gz"))):
        return "star"
    if len(cells) == 2 and (numeric or (second.count("\t") == 1
                                        and _is_number(second.split("\t")[1]))):
        return "htseq"  # a header line (htseq-count --with-header) is allowed
    if len(cells) >= 3 and (_is_number(cells[-1]) or _is_number(second.split("\t")[-1])) and (
            _htseq_own(path, len(cells))):  # htseq-count --additional-attr gene_name: the
        return "htseq"  # attributes between id and count (was "no quantification files")
    return None


def _sample_name(path: Path) -> str:
    name = path.name.removesuffix(".gz")
    if name in ("quant.sf", "quant.genes.sf", "abundance.tsv"):
        return path.parent.name
    for suffix in (".genes.results", ".isoforms.results", "ReadsPerGene.out.tab"):
        if name.endswith(suffix):
            return name.removesuffix(suffix).rstrip("._-") or path.parent.name
    while (stem := Path(name)).suffix.lower() in _TEXT_SUFFIXES:
        name = stem.stem
    return name.removesuffix(".htseq").rstrip("._-") or path.parent.name


def find_quant_files(quant_dir: Path | str) -> tuple[str, dict[str, Path], list[Path]]:
    """The tool's kind, its files by sample name, and the files skipped.

    Files below a tool's side folders (see :func:`_in_side_folder`) are not read; tables
    of another shape are skipped, and so are two-column tables that only look like
    HTSeq-count's (:func:`_htseq_own`) beside another tool's files.

    Raises :class:`~genemoe.errors.InputError` for a folder without such files (featureCounts
    tables named, with the command that joins them for ``--expression``), with two tools'
    files (HTSeq-count's own among them: its ``__`` summary rows), or with two files of the
    kind kept for one sample name.
    """
    quant_dir = Path(quant_dir)
    if not quant_dir.is_dir():
        raise input_error("not a folder" if quant_dir.exists() else "no such folder",
                          path=quant_dir,
                          fix="point --quant-dir at the folder holding every sample's file")
    by_kind: dict[str, dict[str, list[Path]]] = {}  # a sample's files: refused below if
    skipped: list[Path] = []  # two of the kind kept (stray tables may repeat names)
    for p in sorted(quant_dir.rglob("*")):
        base = p.name.removesuffix(".gz")
        if not p.is_file() or p.name.startswith(".") or _in_side_folder(p, quant_dir) or not (
                _known_name(base) or Path(base).suffix.lower() in _TEXT_SUFFIXES):
            continue
        kind = _sniff_kind(p)
        if kind is None:
            if _known_name(base):
                raise input_error(f"named like a quantification file but its first line is "
                                  f"{first_lines(p, 1)[0][:60]!r}", path=p,
                                  fix="the file looks damaged: produce or copy it again")
            skipped.append(p)
            continue
        by_kind.setdefault(kind, {}).setdefault(_sample_name(p), []).append(p)
    if not by_kind and (h5 := next(quant_dir.rglob("abundance.h5"), None)) is not None:
        raise input_error("kallisto's abundance.h5 files but not the abundance.tsv beside them",
                          path=h5.parent, fix="write the text table of each sample: kallisto "
                                              "h5dump -o SAMPLE_DIR SAMPLE_DIR/abundance.h5")
    if not by_kind:
        _refuse_featurecounts(skipped, quant_dir)
        portal = next(quant_dir.rglob("*.augmented_star_gene_counts.tsv*"), None)
        raise input_error("no per-sample quantification files found (Salmon quant.sf, kallisto "
                          "abundance.tsv, RSEM *.genes.results, STAR *ReadsPerGene.out.tab, "
                          "HTSeq-count tables)" + (f"; {portal.name} is a GDC portal file"
                                                   if portal else ""), path=quant_dir,
                          fix="pass GDC portal files as --gdc-dir FOLDER --sample-sheet SHEET (the "
                              "cart's sample sheet names their samples)" if portal else
                              "point --quant-dir at the pipeline's output folder")
    for transcript_kind, gene_kind in _PREFERRED.items():
        if gene_kind in by_kind and transcript_kind in by_kind:
            if set(by_kind[gene_kind]) == set(by_kind[transcript_kind]):
                skipped += _flat(by_kind.pop(transcript_kind))
    if "htseq" in by_kind and len(by_kind) > 1:  # told by content only: stray two-column
        skipped += _set_aside_look_alikes(by_kind)  # tables beside a named tool's files
        if not by_kind["htseq"]:
            del by_kind["htseq"]
    if len(by_kind) > 1:
        _refuse_mix(by_kind, quant_dir)
    kind, found = next(iter(by_kind.items()))
    for sample, paths in found.items():  # only the kind kept: a stray table set aside above
        if len(paths) > 1:  # (Salmon's aux_info/ambig_info.tsv in each sample) was refused
            raise input_error(f"two files name sample {sample!r}: {paths[0]} and this one",
                              path=paths[1], fix="keep one file per sample in the folder (the "
                              "sample name is its folder's name or its file name's start)")
    return kind, {sample: paths[0] for sample, paths in found.items()}, skipped


def _flat(files: dict[str, list[Path]]) -> list[Path]:
    return [p for paths in files.values() for p in paths]


def _htseq_own(path: Path, n_columns: int = 2) -> bool:
    """True for HTSeq-count's own output: ``n_columns`` columns (two; more with
    ``--additional-attr``: the attributes between the id and the count), whole counts last
    and at least one of its summary rows (``__no_feature``, ``__ambiguous``, ...); False for
    a table that only looks like one (Qualimap's profiles, DESeq2 QC's size factors: no
    ``__`` rows, or fractions).

    A header line (``htseq-count --with-header``) is allowed.
    """
    summary = False
    with reading(path), _text_stream(path) as fh:
        for i, line in enumerate(fh):
            cells = line.rstrip("\r\n").split("\t")
            if not line.strip():
                continue
            if len(cells) != n_columns:
                return False
            if cells[0].strip().lower() in _HTSEQ_SUMMARY:
                summary = True
            elif not cells[-1].strip().isdigit() and (i > 0 or _is_number(cells[-1])):
                return False
    return summary


def _set_aside_look_alikes(by_kind: dict[str, dict[str, list[Path]]]) -> list[Path]:
    """The files taken for HTSeq-count's that only look like it, removed from ``by_kind``;
    HTSeq-count's own files (:func:`_htseq_own`) stay, to be refused beside another tool's."""
    found = by_kind["htseq"]
    alike = [p for p in _flat(found) if not _htseq_own(p)]
    gone = set(alike)
    for sample in list(found):
        found[sample] = [p for p in found[sample] if p not in gone]
        if not found[sample]:
            del found[sample]
    return alike


def _refuse_mix(by_kind: dict[str, dict[str, list[Path]]], quant_dir: Path) -> None:
    """Refuse a folder holding two kinds of files, naming each tool with an example file."""
    what = " and ".join(f"{len(_flat(v))} {FORMATS[k].tool}" for k, v in by_kind.items())
    examples = "; ".join(str(_flat(v)[0].relative_to(quant_dir)) for v in by_kind.values())
    if len({_FAMILY[k] for k in by_kind}) == 1:
        raise input_error(f"the folder mixes {what} files (not one of each for every sample; "
                          f"e.g. {examples})", path=quant_dir,
                          fix="point --quant-dir at one tool's output, with the same file for "
                              "every sample")
    tools = " and ".join(_FAMILY[k] for k in dict.fromkeys(by_kind))
    raise input_error(f"the folder mixes {what} files (e.g. {examples}): {tools} output "
                      "cannot be joined into one matrix", path=quant_dir,
                      fix="keep one tool's files per folder: move each tool's files to a folder "
                          "of their own and point --quant-dir at one of them (to join every "
                          "sample, quantify them all with one tool)")


def _featurecounts_columns(path: Path) -> int | None:
    """The number of columns of a featureCounts table (its ``# Program:featureCounts`` line,
    or its header ``Geneid, Chr, Start, End, Strand, Length, <BAM>...``), else None."""
    first, second = first_lines(path)
    program = first.lower().startswith("# program:featurecounts")
    cells = [c.strip().strip('"').lower() for c in (second if program else first).split("\t")]
    return len(cells) if program or cells[:6] == _FEATURECOUNTS_HEADER else None


def _refuse_featurecounts(skipped: list[Path], quant_dir: Path) -> None:
    """Refuse a folder of featureCounts tables (not a per-sample file ``--quant-dir`` joins)
    with the command that makes one genes × samples matrix of them for ``--expression``."""
    tables = {p: n for p in skipped if (n := _featurecounts_columns(p)) is not None}
    if not tables:
        return
    names = [shlex.quote(str(p.relative_to(quant_dir))) for p in tables]
    if len(tables) == 1 and max(tables.values()) > 7:  # one run over every BAM: a matrix
        raise input_error(f"a featureCounts matrix ({names[0]}: {tables[next(iter(tables))] - 6}"
                          " samples), not per-sample files", path=quant_dir,
                          fix=f"keep its gene ids and counts, then pass it as --expression: "
                              f"grep -v '^#' {names[0]} | cut -f1,7- > counts.tsv (its sample "
                              "columns are BAM paths: rename them to sample ids)")
    n = len(tables)
    cols = " ".join(f"<(grep -v '^#' {name} | cut -f{'1,7-' if i == 0 else '7-'})"
                    for i, name in enumerate(names[:2]))
    raise input_error(f"the folder holds {n:,} featureCounts table{'s' if n != 1 else ''} "
                      f"(e.g. {names[0]}), not files --quant-dir joins", path=quant_dir,
                      fix=f"join their count columns (column 7 on) into one matrix, then pass it "
                          f"as --expression: cd {shlex.quote(str(quant_dir))} && paste {cols}"
                          f"{' ...' if n > 2 else ''} > counts.tsv (one <(...) per file, the "
                          "genes in one order in each; the columns are BAM paths: rename them "
                          "to sample ids)")


def _in_side_folder(path: Path, quant_dir: Path) -> bool:
    """True for a file below a tool's side folder (Salmon's ``aux_info/``, ``libParams/``,
    ``logs/``; STAR's ``_STARgenome/``, ``_STARtmp/``, ``_STARpass1/``; RSEM's ``.stat/``):
    their tables (Salmon's ``ambig_info.tsv``: two integer columns; STAR's
    ``chrNameLength.txt``) are not quantifications, though some look like HTSeq-count's."""
    return any(part in _SIDE_FOLDERS or part.endswith(_SIDE_FOLDER_ENDS)
               for part in path.relative_to(quant_dir).parts[:-1])


def samples_without_file(quant_dir: Path | str, kind: str, files: dict[str, Path]) -> list[str]:
    """Samples a run left a trace of, but not its file (a failed or unfinished run), sorted.

    Parameters
    ----------
    quant_dir
        The folder :func:`find_quant_files` searched.
    kind
        The :data:`FORMATS` key it found.
    files
        Its files by sample name.

    Returns
    -------
    list of str
        Where every sample has its own folder (named as the sample): the folders beside them
        that are empty or hold a run's traces (Salmon's ``cmd_info.json``, ``logs/``...,
        kallisto's ``run_info.json``, STAR's ``Log.out``) but not the file. Where files lie
        side by side: RSEM's ``<sample>.stat/`` and STAR's ``<sample>Log.out`` without the
        sample's file.
    """
    quant_dir = Path(quant_dir)
    folders = {p.parent for p in files.values()}
    missing: set[str] = set()
    if all(p.parent.name == s and p.parent != quant_dir for s, p in files.items()):
        for parent in {d.parent for d in folders}:
            missing |= {d.name for d in parent.iterdir() if d.is_dir() and d not in folders
                        and not d.name.startswith(".") and _run_traces_only(d)}
    for folder in folders:  # side by side: another sample's run traces beside these files
        for p in folder.iterdir():
            if kind.startswith("rsem") and p.is_dir() and p.name.endswith(".stat"):
                missing.add(p.name.removesuffix(".stat"))
            elif kind == "star" and p.is_file() and p.name.endswith("Log.out"):
                missing.add(p.name.removesuffix("Log.out").rstrip("._-"))
    return sorted(missing - set(files) - {""})


def _run_traces_only(folder: Path) -> bool:
    """True for an empty folder or one holding what a run writes beside its file."""
    inside = [p.name for p in folder.iterdir()]
    return not inside or any(n in _RUN_TRACES or n.endswith("Log.out") for n in inside)
