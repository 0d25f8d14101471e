"""Low-level file helpers shared by the matrix and table readers.

Compressed text is recognised by its first bytes, not its name: gzip, bzip2, xz, and a zip
archive holding one file. :func:`reading` turns what a truncated or corrupt file raises
deep inside a decompressor or parser (``EOFError``, ``zlib.error``, ``BadZipFile``, ...)
into one :class:`~genemoe.errors.InputError` that names the file and what to do; the CLI
would otherwise print only "Aborted." (click's answer to ``EOFError``).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from genemoe.errors import InputError, input_error

__all__ = ["NA_TOKENS", "CORRUPT_ERRORS", "compression", "open_binary", "reading",
           "_magic", "_check_path", "_text_stream", "_is_number", "_sniff", "not_utf8",
           "checked_text_stream", "binary_error", "cr_only", "CR_NOTE", "DECIMAL_COMMA",
           "THOUSANDS"]

DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
"""A number written with a decimal comma (``12,5``, ``1,0``); ``1,355`` matches too, so
each reader decides by the table's delimiter (or by :data:`THOUSANDS`) which is meant."""
THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
"""A number written with thousands separators (``1,355``, ``1,003.5``). The peek of a
matrix tests it only on :data:`DECIMAL_COMMA` cells (no point), where the decimal part
never matches: every reader reads the same cell the same way."""
NA_TOKENS = ["", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "NULL", "null", "#N/A", "None", "."]
_SEP_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip"}
CORRUPT_ERRORS: tuple[type[BaseException], ...] = (
    EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, OSError,
)
_REFETCH = ("the file is incomplete or damaged: download or copy it again (`genemoe download "
            "tcga` resumes and checks sizes; a GDC portal file: `gdc-client download` its File "
            "ID), or re-export it")


def _magic(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(8)
    except OSError as exc:
        raise input_error(f"cannot read the file ({exc.strerror})", path=path,
                          fix="check the path and its permissions") from exc


def compression(path: Path) -> str | None:
    """``"gzip"``, ``"bzip2"``, ``"xz"``, ``"zip"`` (from the first bytes) or None."""
    head = _magic(path)
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def _zip_member(path: Path) -> tuple[zipfile.ZipFile, str]:
    zf = zipfile.ZipFile(path)
    names = [n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX")]
    if "[Content_Types].xml" in names:
        zf.close()
        raise input_error("an Excel workbook, not a text matrix", path=path,
                          fix="save the sheet as tab- or comma-separated text (.tsv/.csv)")
    if len(names) != 1:
        zf.close()
        raise input_error(f"a zip archive of {len(names)} files ({names[:3]}), not one matrix",
                          path=path, fix="unzip it and pass the file(s) inside")
    return zf, names[0]


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed (gzip, bzip2, xz, or the one file of a zip)."""
    kind = compression(path)
    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bzip2":
        return bz2.open(path, "rb")
    if kind == "xz":
        return lzma.open(path, "rb")
    if kind == "zip":
        with reading(path):
            zf, member = _zip_member(path)
        return zf.open(member)
    return open(path, "rb")


CR_NOTE = "line endings: CR (old Mac) read as lines"


def cr_only(path: Path) -> bool:
    """Whether the text's lines end in a bare CR (classic Mac OS, old Excel for Mac): its
    first 64 KB (decompressed) hold a CR and no LF. Python's text streams split such lines
    (the label and clinical readers' way); a reader of bytes must turn each CR into an LF."""
    with reading(path), open_binary(path) as fh:
        head = fh.read(1 << 16)
    return b"\r" in head and b"\n" not in head


def _check_path(path: Path) -> None:
    if not path.exists():
        raise input_error("no such file", path=path, fix="check the path (and the working directory)")
    if path.is_dir():
        raise input_error(  # "point at the matrix file itself" was said of a --labels folder too
            "is a directory, not a file", path=path,
            fix=f"name the file itself (a shell glob, {path / '*.tsv'}, names each file in it; "
                "a folder of per-sample quantifier files goes to prepare --quant-dir)")
    if path.suffix == ".part":  # a glob such as TCGA-*.clinical.tsv* caught it: a plain one
        #   cut at a line's end was read as whole, silently
        raise input_error("is an unfinished download (genemoe download keeps a .part to "
                          "resume it)", path=path,
                          fix="rerun `genemoe download` to finish it, or delete the .part, and "
                              "leave .part files out of the inputs")


def _text_stream(path: Path) -> io.TextIOBase:
    return io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", errors="replace", newline="")


_TEXT_FIX = "save it as tab- or comma-separated text (.tsv/.csv)"
# What a file that is not text starts with (after gzip/bzip2/xz/zip are undone): what it
# seems to be, and the fix. Text tables may also be given as parquet; matrices as .h5ad.
_BINARY = [
    (b"\x7fELF", "an executable program (ELF), not a table", "check the path: pass the table file"),
    (b"MZ", "a Windows program (.exe/.dll), not a table", "check the path: pass the table file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls) or another old "
     "Office file, not text", f"open it in Excel and {_TEXT_FIX}"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (.h5/.h5ad), not a text table",
     "genemoe reads HDF5 only as an AnnData .h5ad expression matrix (--expression X.h5ad); "
     f"a table: {_TEXT_FIX}"),
    (b"%PDF", "a PDF document, not a table", "pass the data table itself (tab- or comma-separated)"),
    *((magic, "an R workspace (.RData), not text", "export the table from R: write.table(x, "
       "'x.tsv', sep='\\t', quote=FALSE, row.names=FALSE)") for magic in (b"RDX2\n", b"RDX3\n")),
    (b"X\n\x00\x00", "an R object file (.rds), not text", "export the table from R: "
     "write.table(readRDS('x.rds'), 'x.tsv', sep='\\t', quote=FALSE, row.names=FALSE)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it (zstd -d FILE) or gzip it instead"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it (7z x FILE) and pass the file inside"),
    (b"Rar!", "a RAR archive", "unpack it and pass the file inside"),
    (b"\x89PNG", "a PNG image, not a table", "pass the data table itself"),
    (b"\xff\xd8\xff", "a JPEG image, not a table", "pass the data table itself"),
]


def binary_error(path: Path, head: bytes | None = None) -> InputError | None:
    """The error for a file that is not text, saying what it seems to be (an executable, an
    HDF5 or R data file, an old Excel workbook, ...) and the fix; None for text. ``head``:
    the file's first (decompressed) bytes, read here when not given.

    Such a file was told it is "not UTF-8 text: ... an accented letter saved as Latin-1?"
    with an iconv fix, or "only one column found (wrong delimiter?)".
    """
    if head is None:
        with reading(path), open_binary(path) as fh:
            head = fh.read(1 << 16)
    for magic, what, fix in _BINARY:
        if head.startswith(magic) and (magic != b"MZ" or b"\x00" in head[:1024]):
            return input_error(what, path=path, fix=fix)
    if b"\x00" in head[:1 << 16] and (wide := _wide_text(head)) is not None:
        return input_error(wide, path=path, fix=f"save it as UTF-8 text (iconv -f "
                           f"{wide.split()[0]} -t UTF-8 FILE > FILE.tsv)")
    if b"\x00" in head[:1 << 16]:  # text holds no NUL bytes (UTF-16 without its mark aside)
        utf16 = head[1:200:2].count(0) > 50 or head[0:200:2].count(0) > 50
        return input_error("binary data (NUL bytes), not text" + (
            ": UTF-16 text without its byte-order mark?" if utf16 else ""), path=path,
            fix="save it as UTF-8 text (iconv -f UTF-16 -t UTF-8 FILE > FILE.tsv)" if utf16
            else f"check the path; a table: {_TEXT_FIX}, a matrix may be .h5ad or .parquet")
    return None


def _wide_text(head: bytes) -> str | None:
    """What a head with NUL bytes is when it is UTF-32, or UTF-16 with its byte-order mark
    (a UTF-16 labels file with its mark was asked "UTF-16 text without its byte-order
    mark?", and UTF-32 named UTF-16); None otherwise."""
    if head[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32 text (with its byte-order mark), not UTF-8"
    if sum(head[i:200:4].count(0) for i in (1, 2, 3)) > 120:
        return "UTF-32LE text, it seems (no byte-order mark; three NUL bytes in every four), not UTF-8"
    if sum(head[i:200:4].count(0) for i in (0, 1, 2)) > 120:
        return "UTF-32BE text, it seems (no byte-order mark; three NUL bytes in every four), not UTF-8"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16 text (as Excel's 'Unicode Text' saves it, with its byte-order mark), not UTF-8"
    return None


def checked_text_stream(path: Path) -> io.TextIOBase:
    """:func:`_text_stream` of an expression matrix, refused first if its head (what the
    layout is learnt from: <= 8 MB) is UTF-16 or not UTF-8 (its lines would read as noise:
    an orientation error quoting replacement characters)."""
    with open_binary(path) as fh:
        head = fh.read(8 << 20)
    if head[:2] not in (b"\xff\xfe", b"\xfe\xff") and (err := binary_error(path, head)):
        raise err
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: Excel's "Unicode Text"
        raise input_error("UTF-16 text (as Excel's 'Unicode Text' saves it), not UTF-8",
                          path=path, fix="save it as UTF-8 (Excel: 'CSV UTF-8'), or convert "
                          "it: iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.tsv")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # not a character cut at the 8 MB mark: not UTF-8
        cut = len(head) == 8 << 20 and exc.start >= len(head) - 4  # a character the mark cut
        if not cut and (err := not_utf8(path)) is not None:  # (a small file's last line was
            #   taken for one, then pyarrow's traceback)
            raise err from None
    return _text_stream(path)


def not_utf8(path: Path) -> InputError | None:
    """The error for text that is not UTF-8, naming its first such line (pyarrow refuses
    it: "invalid UTF8 data"); None if every line decodes. A binary file: what it seems
    to be (:func:`binary_error`)."""
    if (err := binary_error(path)) is not None:
        return err
    with open_binary(path) as fh:
        for n, line in enumerate(fh, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                before = line[:exc.start].decode("utf-8", "replace")[-30:]
                return input_error(
                    f"not UTF-8 text: byte {line[exc.start]:#04x} after {before!r} (an accented "
                    "letter saved as Latin-1 or Windows-1252?)", path=path, where=f"line {n}",
                    fix="save it as UTF-8, or convert it: iconv -f WINDOWS-1252 -t UTF-8 FILE "
                        "> FILE.utf8.csv")
    return None


def corrupt_error(path: Path, exc: BaseException) -> InputError:
    """The one message for a file that ends early or does not decompress."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return input_error("an Excel workbook, not a text matrix", path=path,
                           fix="save the sheet as tab- or comma-separated text (.tsv/.csv)")
    kind = compression(path) if path.exists() else None
    what = f"{kind} " if kind else ""
    if isinstance(exc, EOFError):
        problem = f"the {what}file ends early (truncated): {exc}"
    elif isinstance(exc, zipfile.BadZipFile):
        problem = f"not a readable zip archive (truncated or damaged): {exc}"
    else:
        problem = f"the {what}file cannot be read (damaged or truncated): {exc}"
    return input_error(problem, path=path, fix=_REFETCH)


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn a truncated or corrupt file's low-level errors into one InputError naming it."""
    try:
        yield
    except InputError:
        raise
    except CORRUPT_ERRORS as exc:
        raise corrupt_error(path, exc) from exc


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


_FEATURECOUNTS = ["geneid", "chr", "start", "end", "strand", "length"]
_FEATURECOUNTS_FIX = ("keep the gene ids and the counts: grep -v '^#' FILE | cut -f1,7- > "
                      "counts.tsv (its sample columns are BAM paths: rename them to sample ids)")


# Per-sample quantification files (one sample each): their header's first cells.
_ONE_SAMPLE = {("name", "length", "effectivelength", "tpm", "numreads"): "Salmon quant.sf",
               ("target_id", "length", "eff_length", "est_counts", "tpm"): "kallisto abundance",
               ("gene_id", "transcript_id(s)", "length", "effective_length"): "RSEM genes.results",
               ("transcript_id", "gene_id", "length", "effective_length"): "RSEM isoforms.results"}
_JOIN_FIX = ("pass the folder holding every sample's file: genemoe prepare --quant-dir FOLDER "
             "(it joins them into one genes × samples matrix, and sums transcripts into genes)")


# a GDC portal file: STAR's gene counts of one aliquot, augmented (read as 6 "samples"
# named unstranded, stranded_first, ... once its comment line and N_ rows were removed)
_GDC_STAR = ["gene_id", "gene_name", "gene_type", "unstranded"]
_GDC_FIX = ("pass the folder of the portal's files with its sample sheet: --gdc-dir FOLDER "
            "--sample-sheet gdc_sample_sheet.<date>.tsv (it names each file's sample and "
            "reads its unstranded counts)")


_GEO_FIX = ("for an RNA-seq series use its counts: the supplementary file, or GEO's "
            "GSE<n>_raw_counts_GRCh38.p13_NCBI.tsv.gz (GeneID × GSM, read as it is); genemoe "
            "models RNA-seq, not microarray probes")


_GEO_BEGIN = "!series_matrix_table_begin"


def _geo_gene_table(path: Path, *, max_lines: int = 200_000) -> tuple[int, str] | None:
    """Where a GEO series matrix's table stands, and its first id, when its ``ID_REF`` are
    Ensembl or Entrez gene ids (an RNA-seq series deposited as a table); None for probes
    (``1007_s_at``, ``ILMN_...``), a numbered run, an empty table or none found."""
    from genemoe.data.ids import detect_id_kind, sample_numbers

    ids: list[str] = []
    begin = None
    with reading(path), _text_stream(path) as fh:
        for number, line in enumerate(fh, start=1):
            if begin is None:
                begin = number + 1 if line.startswith(_GEO_BEGIN) else None
            elif number > begin and (line.startswith("!") or len(ids) >= 50):
                break
            elif number > begin:
                ids.append(line.split("\t", 1)[0].strip().strip('"'))
            if number >= max_lines:
                break
    kind = detect_id_kind(ids)
    if begin is None or not ids or sample_numbers(ids) or kind not in (
            "ensembl", "ensembl_versioned", "entrez"):
        return None
    return begin + 1, ids[0]


def _geo_cut_fix(path: Path) -> str:
    """The command that cuts a series matrix's table out (``zcat`` first for a .gz)."""
    cut = f"sed -n '/^{_GEO_BEGIN}/,/^!series_matrix_table_end/{{//!p}}'"
    cmd = (f"zcat {path.name} | {cut}" if path.name.endswith(".gz") else f"{cut} {path.name}")
    return (f"cut the table out and pass it: {cmd} > table.tsv (check its values' scale: "
            "they are what the submitters deposited); or use the series' counts "
            "(GSE<n>_raw_counts_GRCh38.p13_NCBI.tsv.gz)")


_DOC_FIX = ("pass the data file itself: a tab- or comma-separated table (for --expression "
            "a matrix: gene ids in the first column, one column per sample, or the transpose)")


def _document(path: Path) -> str | None:
    """What a file opening with ``#`` seems to be when it is prose, not a table whose
    first line is a comment: a Markdown document (``# Title`` then text), or lines of
    text with no tab and few commas; None where its other lines look tabular."""
    with reading(path), _text_stream(path) as fh:
        lines = [ln.rstrip("\r\n") for _, ln in zip(range(200), fh, strict=False)]
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")][:30]
    tabular = [ln for ln in body if ln.count("\t") >= 1 or ln.count(",") >= 2]
    if len(tabular) * 2 > len(body) and len({ln.count("\t") for ln in tabular}) <= 2:
        return None  # a comment, then a table: the grep fix fits
    markdown = path.suffix.lower() in (".md", ".markdown", ".rst") or (
        re.match(r"#{1,6} \S", lines[0]) is not None
        and any(re.match(r"(#{1,6} |[-*] |```|\|)", ln) for ln in lines[1:]))
    return "a Markdown document" if markdown else "lines of text, not rows of fields"


def _refuse_non_matrices(header: str, path: Path) -> None:
    """Files that are not a genes × samples matrix, said with the fix (they were read as
    one: a Salmon quant.sf as 4 samples named Length, EffectiveLength, TPM, NumReads; an
    HTSeq-count file, without a header, as 4 samples of 1 gene); a leading ``#`` comment
    line and featureCounts' annotation columns (Chr, Start, End, Strand, Length before the
    counts), with the command that makes a matrix of them."""
    if header.startswith(("!Series_", "^SERIES", "^DATABASE")):
        if (genes := _geo_gene_table(path)) is not None:  # refused as "array probes" too
            raise input_error(
                f"a GEO series matrix: sample annotations ('!' lines), then a table whose "
                f"ID_REF are gene ids (e.g. {genes[1]}, line {genes[0]})", path=path,
                where="line 1", fix=_geo_cut_fix(path))
        raise input_error("a GEO series matrix (or SOFT file): sample annotations, then a "
                          "table of array probes (ID_REF), not a genes × samples RNA-seq matrix",
                          path=path, where="line 1", fix=_GEO_FIX)
    cells = [f.strip().strip('"') for f in re.split(r"[\t,]", header)]
    fields = [c.lower() for c in cells]
    for start, tool in _ONE_SAMPLE.items():
        if tuple(fields[:len(start)]) == start:
            raise input_error(f"a {tool} file: the quantification of one sample (columns "
                              f"{', '.join(cells[:len(start)])} ...), not a genes × samples "
                              "matrix",
                              path=path, where="header line", fix=_JOIN_FIX)
    if header.lower().startswith("# gene-model:") or fields[:4] == _GDC_STAR:
        raise input_error("a GDC portal STAR gene-counts file (*.rna_seq.augmented_star_gene_"
                          "counts.tsv): one aliquot's counts, TPM and FPKM columns, not a genes "
                          "× samples matrix", path=path, where="line 1", fix=_GDC_FIX)
    if re.fullmatch(r"ENS[A-Z]*G\d{6,}(\.\d+)?|N_(unmapped|multimapping|noFeature|ambiguous)",
                    fields[0], flags=re.IGNORECASE):
        raise input_error(f"no header line: the first line already holds a gene "
                          f"({header.split()[0]!r}): a per-sample count file (HTSeq-count, STAR "
                          "ReadsPerGene.out.tab)?", path=path, where="line 1", fix=_JOIN_FIX)
    if header.startswith("#") and not header.lower().startswith("# program:featurecounts"):
        if (doc := _document(path)) is not None:
            raise input_error(f"this does not look like a data table: {doc} ({header[:60]!r})",
                              path=path, where="line 1", fix=_DOC_FIX)
    if header.startswith("#"):
        counts = header.lower().startswith("# program:featurecounts")
        raise input_error(f"the first line is a comment ({header[:60]!r})", path=path,
                          where="line 1", fix=_FEATURECOUNTS_FIX if counts else
                          "remove the comment lines: grep -v '^#' FILE > FILE.tsv")
    if fields[:6] == _FEATURECOUNTS:
        raise input_error("featureCounts output: its columns 2-6 (Chr, Start, End, Strand, "
                          "Length) describe the genes, they are not samples", path=path,
                          where="header line", fix=_FEATURECOUNTS_FIX)


def _sniff(header: str, first: str, sep: str | None, path: Path) -> str:
    _refuse_non_matrices(header, path)
    if sep is not None:
        sep = _SEP_ALIASES.get(sep, sep)
        if header.count(sep) == 0:
            raise input_error(f"only one column found with separator {sep!r}", path=path,
                              where="header line", fix="pass the file's real separator")
        return sep
    cands = [d for d in "\t,;" if header.count(d) > 0 and first.count(d) > 0]
    consistent = [d for d in cands if first.count(d) in (header.count(d), header.count(d) + 1)]
    cands = consistent or cands
    if not cands:
        raise input_error(
            "only one column found (wrong delimiter? tried tab, comma and semicolon)",
            path=path, where="header line",
            fix="save the matrix tab- or comma-separated, ids in the first row and column "
                "(from Python: read_expression(..., sep=) names another separator)",
        )
    return max(cands, key=lambda d: header.count(d))
