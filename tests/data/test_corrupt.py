"""Corrupt and truncated inputs end with one clear error naming the file and what to do.

Never click's bare "Aborted." (its answer to EOFError), never a traceback, no bundle.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.read import read_clinical, read_expression, read_labels
from genemoe.errors import InputError

SAMPLES = [f"TCGA-OR-{1000 + i:04d}-01A" for i in range(6)]
GENES = [f"ENSG{i:011d}" for i in range(300)]


def _matrix_text() -> bytes:
    m = pd.DataFrame(np.random.default_rng(0).poisson(30, (300, 6)), index=GENES, columns=SAMPLES)
    m.index.name = "gene_id"
    return m.to_csv(sep="\t").encode()


TEXT = _matrix_text()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data"), [
    ("m.tsv.gz", gzip.compress(TEXT)),
    ("m.tsv.bz2", bz2.compress(TEXT)),
    ("m.tsv.xz", lzma.compress(TEXT)),
    ("m.zip", _zip({"m.tsv": TEXT})),
])
def test_compressed_matrices_are_read(tmp_path: Path, name: str, data: bytes) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    t = read_expression(p)
    assert t.shape == (6, 300) and t.value_kind == "counts"


def _parquet(tmp_path: Path) -> bytes:
    df = pd.read_csv(io.BytesIO(TEXT), sep="\t")
    df.to_parquet(tmp_path / "full.parquet")
    return (tmp_path / "full.parquet").read_bytes()


def _h5ad(tmp_path: Path) -> bytes:
    import anndata

    x = np.random.default_rng(0).poisson(30, (6, 300)).astype(np.float32)
    anndata.AnnData(X=x, obs=pd.DataFrame(index=SAMPLES), var=pd.DataFrame(index=GENES)).write_h5ad(
        tmp_path / "full.h5ad")
    return (tmp_path / "full.h5ad").read_bytes()


@pytest.mark.parametrize(("name", "make", "cut", "words"), [
    ("m.tsv.gz", lambda d: gzip.compress(TEXT), 0.5, "ends early"),
    ("m.tsv.bz2", lambda d: bz2.compress(TEXT), 0.5, "ends early"),
    ("m.tsv.xz", lambda d: lzma.compress(TEXT), 0.5, "ends early"),
    ("m.zip", lambda d: _zip({"m.tsv": TEXT}), 0.5, "zip"),
    ("m.tsv.gz", lambda d: gzip.compress(TEXT)[:10] + b"\x00" * 50 + gzip.compress(TEXT)[60:], 1.0,
     "cannot be read"),
    ("m.parquet", _parquet, 0.6, "parquet"),
    ("m.h5ad", _h5ad, 0.5, "h5ad"),
    ("m.tsv", lambda d: TEXT, 0.7, "cut off mid-row"),
])
def test_truncated_or_damaged_matrix_names_the_file_and_the_fix(
    tmp_path: Path, name: str, make, cut: float, words: str,
) -> None:
    data = make(tmp_path)
    if name == "m.tsv":  # cut inside a row, after its second field
        end = int(len(data) * cut)
        end = data.index(b"\t", data.index(b"\t", data.rindex(b"\n", 0, end) + 1) + 1)
        data = data[:end]
    else:
        data = data[: int(len(data) * cut)]
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_expression(p)
    msg = str(info.value)
    assert str(p) in msg and "fix:" in msg
    assert words.lower() in msg.lower() or "damaged" in msg or "truncated" in msg


def test_excel_and_multi_file_zips_say_what_to_do(tmp_path: Path) -> None:
    p = tmp_path / "sheet.xlsx"
    p.write_bytes(_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}))
    with pytest.raises(InputError, match="Excel"):
        read_expression(p)
    p = tmp_path / "two.zip"
    p.write_bytes(_zip({"a.tsv": TEXT, "b.tsv": TEXT}))
    with pytest.raises(InputError, match="unzip it"):
        read_expression(p)


def test_truncated_label_and_survival_tables(tmp_path: Path) -> None:
    lab = "sample\tproject_id.project\n" + "".join(f"{s}\tTCGA-ACC\n" for s in SAMPLES * 200)
    p = tmp_path / "TCGA-ACC.clinical.tsv.gz"
    data = gzip.compress(lab.encode())
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="ends early") as info:
        read_labels(p)
    assert str(p) in str(info.value)
    surv = "sample\tOS\t_PATIENT\tOS.time\n" + "".join(f"{s}\t1\t{s[:12]}\t10\n" for s in SAMPLES * 200)
    p = tmp_path / "TCGA-ACC.survival.tsv.gz"
    data = gzip.compress(surv.encode())
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="ends early"):
        read_clinical(p)


def test_cli_truncated_gzip_is_a_clear_error_not_aborted(tmp_path: Path) -> None:
    """The defect: `genemoe prepare` on a truncated .gz printed only "Aborted."."""
    p = tmp_path / "TCGA-ACC.star_counts.tsv.gz"
    p.write_bytes(gzip.compress(TEXT)[:2000])
    r = subprocess.run([sys.executable, "-m", "genemoe.cli", "prepare", "--expression", str(p),
                        "--out", str(tmp_path / "b")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Aborted" not in r.stderr and "Traceback" not in r.stderr
    assert str(p) in r.stderr and "fix:" in r.stderr
    assert not (tmp_path / "b").exists()


def test_cli_group_turns_a_stray_eoferror_into_a_user_error(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import genemoe.data.prepare as prep
    from genemoe.cli import app
    from genemoe.errors import GenemoeError

    def boom(*a: object, **k: object) -> None:
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")

    monkeypatch.setattr(prep, "prepare_dataset", boom)
    res = CliRunner().invoke(app, ["prepare", "--expression", str(tmp_path / "x.tsv"),
                                   "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, GenemoeError) and "truncated or corrupt" in str(res.exception)


def test_prepare_of_a_truncated_h5ad_names_the_file_not_a_traceback(tmp_path: Path) -> None:
    """Old behaviour: prepare looked for a genemoe export's annotation first, and h5py's
    OSError ("truncated file") escaped as a 98-line traceback."""
    from genemoe.data.prepare import prepare_dataset

    data = _h5ad(tmp_path)
    p = tmp_path / "cut.h5ad"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        prepare_dataset([p], out_path=tmp_path / "b")
    # and then h5py's own words in parentheses, asking whether it was another HDF5 file
    assert str(info.value) == (
        f"{p}: the file is truncated: {len(data) // 2:,} of its {len(data):,} bytes are here\n"
        "  fix: copy or download it again (an interrupted transfer), or write it again with "
        "adata.write_h5ad")


def test_a_file_given_as_a_bundle_is_said_to_be_a_file(tmp_path: Path) -> None:
    """``--data expression.tsv`` said "not a genemoe bundle: X.npy is missing"."""
    from genemoe.data.bundle import load_bundle

    path = tmp_path / "expression.tsv"
    path.write_text("gene\tS1\nTP53\t1\n")
    with pytest.raises(InputError, match=r"(?s)a file, not a bundle directory.*genemoe prepare "
                                         r"--expression .*expression.tsv"):
        load_bundle(path)
    # a file of a bundle folder (`--data d/bundle/X.npy`) was told to make a bundle of it
    for part in ("X.npy", "obs.parquet", "var.parquet", "record.json"):
        (tmp_path / part).write_text("")
    with pytest.raises(InputError) as info:
        load_bundle(tmp_path / "X.npy")
    assert str(info.value) == (f"{tmp_path / 'X.npy'}: a file inside the bundle folder "
                               f"{tmp_path}, not the bundle\n  fix: pass the folder: --data "
                               f"{tmp_path}")


def test_an_unwritable_output_names_the_file_not_its_temporary_sibling(monkeypatch, tmp_path):
    """``export --out /proc/x.h5ad`` said "/proc/.x.h5ad.esuqspl4.h5ad: No such file or
    directory": the temporary file's name, which the user never gave."""
    import errno
    import tempfile

    from genemoe.data.bundle import atomic_write_text

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise FileNotFoundError(errno.ENOENT, "No such file or directory",
                                str(tmp_path / ".x.h5ad.esuqspl4.h5ad"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(FileNotFoundError) as caught:
        atomic_write_text(tmp_path / "x.h5ad", "x")
    assert caught.value.filename == str(tmp_path / "x.h5ad")


def test_json_outputs_are_strict_json() -> None:
    """metrics.json held ``NaN`` (a per-type C-index below 2 events): not JSON, and strict
    parsers (jq, JavaScript, ``json.loads(..., parse_constant=...)``) refused the file."""
    import json

    from genemoe.data.bundle import dump_json

    def strict(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    text = dump_json({"c_index": float("nan"), "per_type": {"DLBC": np.float32("nan")},
                      "ci": [np.inf, 0.5], "values": np.array([np.nan, 2.0]), "n": np.int64(3)})
    assert json.loads(text, parse_constant=strict) == {
        "c_index": None, "per_type": {"DLBC": None}, "ci": [None, 0.5], "values": [None, 2.0],
        "n": 3}


@pytest.mark.parametrize(("head", "what", "fix"), [
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "an executable program (ELF)", "check the path"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(300), "Excel 97-2003 workbook", "tab- or comma-separated"),
    (b"\x89HDF\r\n\x1a\n" + bytes(300), "an HDF5 file", ".h5ad expression matrix"),
    (b"RDX3\nX\n\x00\x00\x00\x03", "an R workspace", "write.table"),
    (b"abc\x00\x00\x01\x02\n" * 10, "binary data (NUL bytes), not text", "check the path"),
])
def test_a_binary_file_says_what_it_seems_to_be_not_latin1(tmp_path: Path, head: bytes, what: str,
                                                           fix: str) -> None:
    """Old behaviour (outside tester): an executable, an old Excel or an HDF5 file was told
    "not UTF-8 text: byte 0x.. (an accented letter saved as Latin-1?)" with an iconv fix, or
    "only one column found (wrong delimiter?)", or "empty matrix" (NUL bytes)."""
    p = tmp_path / "table.tsv"
    p.write_bytes(head)
    readers = [read_labels, read_clinical] + ([] if head.startswith(b"\x89HDF") else [read_expression])
    for reader in readers:
        with pytest.raises(InputError) as e:
            reader(p)
        msg = str(e.value)
        assert what in msg and fix in msg and "Latin-1" not in msg, (reader, msg)
    gz = tmp_path / "table.tsv.gz"  # what it is, whatever it was packed in
    gz.write_bytes(gzip.compress(head))
    with pytest.raises(InputError, match=what.replace("(", r"\(").replace(")", r"\)")):
        read_labels(gz)


def test_a_markdown_or_text_document_is_not_told_to_strip_comment_lines(tmp_path: Path) -> None:
    """Old behaviour (outside tester): a README.md given as --expression was told "the first
    line is a comment" and to grep -v '^#' it; a table under a comment line still is."""
    doc = tmp_path / "README.md"
    doc.write_text("# genemoe\n\nA toolkit for RNA-seq.\n\n## Install\n\n- pip install genemoe\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("# notes\nsome words here\nmore words, here\n")
    for p, what in ((doc, "a Markdown document"), (notes, "lines of text")):
        with pytest.raises(InputError, match=f"does not look like a data table: {what}") as e:
            read_expression(p)
        assert "grep" not in str(e.value)
    table = tmp_path / "m.tsv"
    table.write_text("# exported by tool v1\ngene\tS1\tS2\nG1\t1\t2\nG2\t3\t4\n")
    with pytest.raises(InputError, match="(?s)the first line is a comment.*grep -v"):
        read_expression(table)
