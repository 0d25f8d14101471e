"""The GDC portal route: per-sample STAR files + sample sheet prepare like the cohort files."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner
from xena_files import gene_table, raw_counts

from genemoe.cli import app
from genemoe.data.bundle import load_bundle
from genemoe.data.gdc_portal import STAR_SUFFIX, assemble_gdc_dir, read_sample_sheet, read_star_file
from genemoe.errors import InputError

HEADER = ("gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\t"
          "tpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded")
SHEET_COLUMNS = ["File ID", "File Name", "Data Category", "Data Type", "Project ID", "Case ID",
                 "Sample ID", "Sample Type"]


def write_star_file(path: Path, genes: pd.DataFrame, counts: np.ndarray) -> None:
    """One aliquot's file as the GDC writes it: comment line, N_ rows, nine columns."""
    lines = ["# gene-model: GENCODE v36", HEADER]
    lines += [f"{n}\t\t\t{k}\t{k // 2}\t{k - k // 2}\t\t\t" for n, k in
              (("N_unmapped", 1234567), ("N_multimapping", 2345678), ("N_noFeature", 345678),
               ("N_ambiguous", 456789))]
    tpm = counts / counts.sum() * 1e6
    for (gid, name, gtype), c, t in zip(genes.itertuples(index=False), counts, tpm, strict=True):
        lines.append(f"{gid}\t{name}\t{gtype}\t{c}\t{c // 2}\t{c - c // 2}\t{t:.4f}\t{t / 3:.4f}\t{t * 2:.4f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def write_portal_download(root: Path, matrices: dict[str, pd.DataFrame], genes: pd.DataFrame,
                          *, json_sheet: bool = False) -> Path:
    """``root/<file id>/<uuid>.rna_seq...tsv`` per sample column, plus the sample sheet."""
    rows, meta = [], []
    rng = np.random.default_rng(0)
    for project, m in matrices.items():
        for barcode in m.columns:
            fid, fname = str(uuid.UUID(int=int(rng.integers(1 << 62)))), f"{uuid.uuid4()}{STAR_SUFFIX}"
            write_star_file(root / fid / fname, genes, m[barcode].to_numpy(np.int64))
            rows.append([fid, fname, "Transcriptome Profiling", "Gene Expression Quantification",
                         f"TCGA-{project}", barcode[:12], barcode[:16], "Primary Tumor"])
            meta.append({"file_name": fname, "file_id": fid,
                         "associated_entities": [{"entity_submitter_id": barcode}],
                         "cases": [{"project": {"project_id": f"TCGA-{project}"}}]})
    if json_sheet:
        sheet = root / "metadata.cart.2026-11-29.json"
        sheet.write_text(json.dumps(meta))
    else:
        sheet = root / "gdc_sample_sheet.2026-11-29.tsv"
        pd.DataFrame(rows, columns=SHEET_COLUMNS).to_csv(sheet, sep="\t", index=False)
    return sheet


@pytest.fixture
def genes() -> pd.DataFrame:
    g = gene_table(30)
    return pd.DataFrame({"gene_id": g["id"], "gene_name": g["gene"], "gene_type": "protein_coding"})


def _counts(genes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    gt = gene_table(30)
    return {p: raw_counts(p, gt, 6, seed=k) for k, p in enumerate(["ACC", "UVM"])}


def _prepare(*args: object) -> None:
    res = CliRunner().invoke(app, ["prepare", *map(str, args), "--min-variance", "0", "--min-mean", "0",
                                   "--min-class-size", "2"])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("json_sheet", [False, True])
def test_portal_directory_prepares_like_the_cohort_files(tmp_path: Path, genes: pd.DataFrame,
                                                         json_sheet: bool) -> None:
    counts = _counts(genes)
    sheet = write_portal_download(tmp_path / "gdc", counts, genes, json_sheet=json_sheet)
    for p, m in counts.items():
        m.index.name = "gene_id"
        m.to_csv(tmp_path / f"TCGA_{p}_Counts.tsv", sep="\t")
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "portal")
    _prepare("--expression", tmp_path / "TCGA_ACC_Counts.tsv", tmp_path / "TCGA_UVM_Counts.tsv",
             "--out", tmp_path / "cohort")
    a, b = load_bundle(tmp_path / "portal"), load_bundle(tmp_path / "cohort")
    assert a.summary["cancer_types"] == b.summary["cancer_types"] == {"ACC": 6, "UVM": 6}
    ia, ib = a.obs.set_index("sample_id"), b.obs.set_index("sample_id")
    order = [ib.index.get_loc(s) for s in ia.index]
    np.testing.assert_array_equal(a.var["gene_id"], b.var["gene_id"])
    np.testing.assert_allclose(a.X, b.X[order], rtol=1e-6)
    assert (tmp_path / "portal_gdc_inputs" / "expression.tsv.gz").exists()


def test_star_file_reader_drops_summary_rows(tmp_path: Path, genes: pd.DataFrame) -> None:
    p = tmp_path / f"x{STAR_SUFFIX}"
    write_star_file(p, genes, np.arange(30))
    s = read_star_file(p, "unstranded")
    assert len(s) == 30 and s.index[0].startswith("ENSG") and s.iloc[3] == 3
    assert read_star_file(p, "tpm_unstranded").sum() == pytest.approx(1e6, rel=1e-4)


def test_a_file_without_the_column_lists_all_its_columns(tmp_path: Path) -> None:
    """Only gene_id and the value column are parsed; the error still names every column."""
    p = tmp_path / f"x{STAR_SUFFIX}"
    p.write_text("# gene-model: GENCODE v22\ngene_id\tgene_name\tcounts\nENSG00000000003.14\tTSPAN6\t5\n")
    with pytest.raises(InputError, match=r"columns are \['gene_id', 'gene_name', 'counts'\]"):
        read_star_file(p, "unstranded")


def test_whole_counts_are_written_as_integers(tmp_path: Path, genes: pd.DataFrame) -> None:
    sheet = write_portal_download(tmp_path / "gdc", _counts(genes), genes)
    expr, _, _ = assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    with gzip.open(expr, "rt") as fh:
        lines = fh.readlines()
    assert lines[0].split("\t")[:3] == ["gene_id", "gene_name", "gene_type"]
    rows = [line.rstrip("\n").split("\t")[3:] for line in lines[1:]]
    assert all(cell.isdigit() for row in rows for cell in row)


def test_sample_sheet_without_the_needed_columns(tmp_path: Path) -> None:
    p = tmp_path / "sheet.tsv"
    p.write_text("File ID\tCase ID\nabc\tTCGA-OR-A5J1\n")
    with pytest.raises(InputError, match="'File Name'") as info:
        read_sample_sheet(p)
    assert "sample sheet" in str(info.value)


def test_files_missing_from_the_sheet_are_named(tmp_path: Path, genes: pd.DataFrame) -> None:
    counts = _counts(genes)
    sheet = write_portal_download(tmp_path / "gdc", counts, genes)
    write_star_file(tmp_path / "gdc" / "extra" / f"stray{STAR_SUFFIX}", genes, np.ones(30, np.int64))
    with pytest.raises(InputError, match="not in the sample sheet") as info:
        assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "out")
    assert f"stray{STAR_SUFFIX}" in str(info.value)


def test_gdc_dir_needs_its_sample_sheet(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["prepare", "--gdc-dir", str(tmp_path), "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError) and "--sample-sheet" in str(res.exception)


def test_real_cohorts_in_the_portal_layout_prepare_to_the_same_matrix(
    shared_data: Path, tmp_path: Path,
) -> None:
    """CHOL and UCS from gdc_counts_6types (first 2,000 genes), written per aliquot."""
    mats, cohort_files = {}, []
    for p in ("CHOL", "UCS"):
        with gzip.open(shared_data / "gdc_counts_6types" / f"TCGA_{p}_Counts.exp.gz", "rt") as fh:
            m = pd.read_csv(fh, sep="\t", index_col=0, nrows=2000)
        mats[p] = m
        m.to_csv(tmp_path / f"TCGA_{p}_Counts.tsv", sep="\t")
        cohort_files.append(tmp_path / f"TCGA_{p}_Counts.tsv")
    genes = pd.DataFrame({"gene_id": mats["CHOL"].index, "gene_name": ".", "gene_type": "."})
    sheet = write_portal_download(tmp_path / "gdc", mats, genes, json_sheet=True)  # aliquot ids
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "portal")
    _prepare("--expression", *cohort_files, "--out", tmp_path / "cohort")
    a, b = load_bundle(tmp_path / "portal"), load_bundle(tmp_path / "cohort")
    assert a.summary["cancer_types"] == b.summary["cancer_types"]
    order = [b.obs["sample_id"].tolist().index(s) for s in a.obs["sample_id"]]
    np.testing.assert_allclose(a.X, b.X[order], rtol=1e-6)


def test_a_sheet_sample_without_its_file_is_said_and_the_join_recorded(
    tmp_path: Path, genes: pd.DataFrame, caplog,
) -> None:
    """An incomplete download (a sheet row whose file is not in the folder) was left out
    without a word, and the bundle's record named only the joined matrix: now the join's
    joined.json (sheet and its SHA-256, value column, N_ rows, files left out) is in it."""
    from genemoe.data.bundle import file_sha256

    sheet = write_portal_download(tmp_path / "gdc", _counts(genes), genes)
    rows = pd.read_csv(sheet, sep="\t")
    extra = rows.iloc[[0]].assign(**{"File Name": f"missing{STAR_SUFFIX}",
                                     "Sample ID": "TCGA-OR-ZZZZ-01A", "Case ID": "TCGA-OR-ZZZZ"})
    pd.concat([rows, extra]).to_csv(sheet, sep="\t", index=False)
    with caplog.at_level("WARNING"):
        _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b")
    assert "1 sample(s) of the sample sheet have no file in" in caplog.text
    assert "TCGA-OR-ZZZZ-01A" in caplog.text
    joined = load_bundle(tmp_path / "b").record["inputs"][0]["joined"]
    assert joined["sheet_samples_without_file"] == ["TCGA-OR-ZZZZ-01A"]
    assert joined["sample_sheet_sha256"] == file_sha256(sheet) and len(joined["samples"]) == len(rows)
    assert joined["values"] == "unstranded column" and list(joined["summary_rows"])[0].startswith("N_")
    # counted with the other dropped samples (was in joined.json only)
    import json

    dropped = json.loads((tmp_path / "b" / "summary.json").read_text())["dropped"]["samples"]
    assert dropped["sample sheet entry without its file (incomplete download)"] == 1


def test_a_repeated_sample_keeps_its_deepest_file_and_says_which(tmp_path: Path, genes: pd.DataFrame,
                                                                  caplog) -> None:
    """Old behaviour (a probe's cart: one tumour sequenced twice): the file of the folder (file
    id) that sorted first was kept, the half-depth one there, though the warning said "the
    first by file name"; joined.json named no kept file and the bundle's dropped counts left
    the repeat out."""
    counts = _counts(genes)
    sheet = write_portal_download(tmp_path / "gdc", counts, genes)
    barcode = counts["ACC"].columns[0]
    deep = counts["ACC"][barcode].to_numpy(np.int64)
    shallow = deep // 2  # another aliquot at half the depth, in a folder that sorts first
    name = f"zzz{STAR_SUFFIX}"
    write_star_file(tmp_path / "gdc" / "000-rerun" / name, genes, shallow)
    rows = pd.read_csv(sheet, sep="\t")
    extra = rows.loc[rows["Sample ID"] == barcode[:16]].assign(**{"File ID": "000-rerun", "File Name": name})
    pd.concat([rows, extra]).to_csv(sheet, sep="\t", index=False)
    with caplog.at_level("WARNING", logger="genemoe"):
        expr, _, record = assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    joined = pd.read_csv(expr, sep="\t", index_col=0)
    np.testing.assert_array_equal(joined[barcode[:16]].to_numpy(), deep)
    original = rows.loc[rows["Sample ID"] == barcode[:16], "File Name"].iloc[0]
    assert record["repeated_files_left_out"] == [name]
    assert record["samples"][barcode[:16]].endswith(original)
    r = record["repeated_samples"][barcode[:16]]
    assert r["kept"] == original and r["counts"] == {original: int(deep.sum()), name: int(shallow.sum())}
    assert "the deepest library kept (most unstranded gene counts)" in caplog.text
    # was "e.g. S: KEPT of KEPT (n), OTHER (m)" (a verification probe)
    assert (f"kept {original} ({int(deep.sum()):,} counts) over {name} "
            f"({int(shallow.sum()):,})") in caplog.text
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b")
    dropped = load_bundle(tmp_path / "b").record["dropped"]["samples"]
    assert dropped["file repeating a sample (the deepest library kept)"] == 1
    # old behaviour: printed, this warning was in neither joined.json nor (README: "every
    # printed warning") the bundle's warnings, which held the split's only
    said = [w for w in record["warnings"] if "repeat a sample" in w]
    assert len(said) == 1 and said[0] in caplog.text
    assert json.loads((tmp_path / "o" / "joined.json").read_text())["warnings"] == record["warnings"]


def test_join_warnings_are_gathered_from_the_inputs_records() -> None:
    from genemoe.data.quant_dir import join_warnings

    inputs = [{"role": "expression", "joined": {"warnings": ["a", "b"]}}, {"role": "labels"},
              {"role": "expression", "joined": {"warnings": ["b", "c"]}}]
    assert join_warnings(inputs) == ["a", "b", "c"]


def test_predict_scores_a_portal_download_as_prepare_joins_it(tmp_path: Path, genes: pd.DataFrame) -> None:
    """Old behaviour: `predict` had no portal route, and `--quant-dir` on a portal folder said
    "no per-sample quantification files found" without naming the files it had seen."""
    from genemoe.workflows.train import train_run

    counts = _counts(genes)
    sheet = write_portal_download(tmp_path / "gdc", counts, genes)
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b")
    train_run(tmp_path / "b", out_dir=tmp_path / "run", model_name="logreg", progress=False)
    res = CliRunner().invoke(app, ["predict", "--model", str(tmp_path / "run"), "--gdc-dir",
                                   str(tmp_path / "gdc"), "--sample-sheet", str(sheet), "--out",
                                   str(tmp_path / "p.tsv")])
    assert res.exit_code == 0, res.output
    n = sum(m.shape[1] for m in counts.values())
    assert f"joined {n} GDC portal STAR files" in res.output
    got = pd.read_csv(tmp_path / "p.tsv", sep="\t").set_index("sample_id")
    run = pd.read_csv(tmp_path / "run" / "predictions.tsv", sep="\t").set_index("sample_id")
    assert (got["scale_rule"] == "same").all() and len(got) == n
    probs = [c for c in run if c.startswith("prob_")]
    np.testing.assert_allclose(got.loc[run.index, probs], run[probs], atol=1e-6)
    res = CliRunner().invoke(app, ["predict", "--model", str(tmp_path / "run"), "--quant-dir",
                                   str(tmp_path / "gdc"), "--out", str(tmp_path / "q.tsv")])
    assert res.exit_code != 0 and "is a GDC portal file" in str(res.exception)
    assert "--gdc-dir FOLDER --sample-sheet SHEET" in str(res.exception)


def test_what_gdc_client_writes_beside_the_files_is_not_a_counts_file(tmp_path: Path,
                                                                       genes: pd.DataFrame) -> None:
    """Old behaviour: ``<File ID>/logs/<file name>.parcel`` (gdc-client's state) matched
    ``*<suffix>*`` and the folder was refused: "22 STAR file(s) are not in the sample sheet,
    e.g. ['...star_gene_counts.tsv.parcel']"."""
    counts = _counts(genes)
    sheet = write_portal_download(tmp_path / "gdc", counts, genes)
    for f in list((tmp_path / "gdc").glob(f"*/*{STAR_SUFFIX}")):
        (f.parent / "logs").mkdir()
        (f.parent / "logs" / f"{f.name}.parcel").write_text('{"completed": []}')
        (f.parent / "annotations.txt").write_text("id\tentity_type\n")
    first = next((tmp_path / "gdc").glob(f"*/*{STAR_SUFFIX}"))
    (first.parent / f"{first.name}.partial").write_bytes(first.read_bytes()[:100])
    (tmp_path / "gdc" / "MANIFEST.txt").write_text("id\tfilename\n")
    _, _, record = assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    assert len(record["samples"]) == sum(m.shape[1] for m in counts.values())
    assert not any("logs" in p or p.endswith((".parcel", ".partial")) for p in record["samples"].values())


def _one_file(tmp_path: Path, genes: pd.DataFrame, text: str | None = None) -> Path:
    p = tmp_path / f"x{STAR_SUFFIX}"
    write_star_file(p, genes, np.arange(30))
    if text is not None:
        p.write_text(text)
    return p


def test_an_empty_file_is_one_error_that_says_download_it_again(tmp_path: Path,
                                                                 genes: pd.DataFrame) -> None:
    """Old behaviour: a 0-byte file (an interrupted copy) ended a traceback with pandas'
    ``EmptyDataError: No columns to parse from file``."""
    for text in ("", "# gene-model: GENCODE v36\n"):
        with pytest.raises(InputError, match="empty") as info:
            read_star_file(_one_file(tmp_path, genes, text), "unstranded")
        assert "download it again" in str(info.value) and STAR_SUFFIX in str(info.value)


def test_a_non_numeric_value_is_shown_as_written_with_its_line(tmp_path: Path,
                                                               genes: pd.DataFrame) -> None:
    """Old behaviour: ``missing or non-numeric unstranded value np.float64(nan)`` for an
    ``NA`` (the text read as NaN, then shown as numpy's repr), and no line."""
    p = _one_file(tmp_path, genes)
    lines = p.read_text().splitlines()
    cells = lines[9].split("\t")
    p.write_text("\n".join([*lines[:9], "\t".join([*cells[:3], "NA", *cells[4:]]), *lines[10:]]) + "\n")
    with pytest.raises(InputError, match="non-numeric unstranded value 'NA'") as info:
        read_star_file(p, "unstranded")
    assert "line 10" in str(info.value) and cells[0] in str(info.value)
    p.write_text("\n".join(lines[:-1] + [lines[-1][:20]]) + "\n")  # a short row
    with pytest.raises(InputError, match="missing unstranded value") as info:
        read_star_file(p, "unstranded")
    assert f"line {len(lines)}" in str(info.value) and "download it again" in str(info.value)
    last = lines[-1].split("\t")  # cut inside its count (29 -> 2): read as 2, unsaid
    p.write_text("\n".join([*lines[:-1], "\t".join([*last[:3], last[3][:1]])]))
    with pytest.raises(InputError, match="cut mid-row"):
        read_star_file(p, "unstranded")


def test_a_gene_twice_in_a_file_is_damage_not_a_release(tmp_path: Path, genes: pd.DataFrame) -> None:
    """Old behaviour: a duplicated row passed the reader; the join then said "its genes
    differ from the other files' (another GENCODE release?)"."""
    p = _one_file(tmp_path, genes)
    lines = p.read_text().splitlines()
    p.write_text("\n".join(lines[:8] + [lines[7]] + lines[8:]) + "\n")
    with pytest.raises(InputError, match="appears twice") as info:
        read_star_file(p, "unstranded")
    assert "lines 8 and 9" in str(info.value) and "download it again" in str(info.value)


def test_a_sheet_without_sample_ids_names_the_portal_spelling(tmp_path: Path) -> None:
    """Old behaviour: "no 'Sample Id' column"; the portal's header says ``Sample ID``."""
    p = tmp_path / "sheet.tsv"
    p.write_text("File ID\tFile Name\tCase ID\nabc\tx.tsv\tTCGA-OR-A5J1\n")
    with pytest.raises(InputError, match="no 'Sample ID' column"):
        read_sample_sheet(p)


@pytest.mark.parametrize("change", ["short", "release"])
def test_a_short_file_is_told_from_another_release(tmp_path: Path, genes: pd.DataFrame,
                                                  change: str) -> None:
    """Old behaviour: a file missing its last genes (cut on a line boundary) was called
    "another GENCODE release?" like a file of other genes."""
    sheet = write_portal_download(tmp_path / "gdc", _counts(genes), genes)
    p = sorted((tmp_path / "gdc").glob(f"*/*{STAR_SUFFIX}"))[3]
    lines = p.read_text().splitlines()
    if change == "short":
        lines = lines[:-3]
    else:
        lines[-1] = lines[-1].replace("ENSG", "ENSGX", 1)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    msg = str(info.value)
    assert p.name in msg
    if change == "short":
        assert "3 gene(s) fewer" in msg and "download it again" in msg and "release" not in msg
    else:
        assert "another GENCODE release" in msg and "1 not there" in msg


def test_the_files_own_gene_names_reach_the_bundle_without_an_annotation(
    tmp_path: Path, genes: pd.DataFrame, caplog,
) -> None:
    """Old behaviour: gene_name and gene_type were thrown away at the join: without
    --annotation the bundle's genes had no symbols. A name two gene ids share (PAR genes,
    some lncRNAs) is counted and said; the genes stay keyed by their ids."""
    genes = genes.assign(gene_type=["protein_coding"] * 20 + ["lncRNA"] * 10)
    genes.loc[29, "gene_name"] = genes.loc[28, "gene_name"]
    sheet = write_portal_download(tmp_path / "gdc", _counts(genes), genes)
    with caplog.at_level("WARNING", logger="genemoe"):
        _, _, record = assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    info = record["gene_info"]
    assert info["gene_types"] == {"protein_coding": 20, "lncRNA": 10}
    assert info["duplicated_names"] == 1 and record["genes"] == 30
    assert info["duplicated_examples"] == {genes.loc[28, "gene_name"]: list(genes["gene_id"][28:])}
    assert "1 gene name(s) are shared by several gene ids" in caplog.text
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b")
    var = load_bundle(tmp_path / "b").var.set_index("gene_id")
    want = genes.set_index(genes["gene_id"].str.split(".").str[0])["gene_name"]
    kept = var.index.intersection(want.index)
    assert len(kept) > 20
    assert var.loc[kept, "symbol"].tolist() == want[kept].tolist()


def test_a_damaged_file_names_its_file_id_and_random_bytes_are_damage(tmp_path: Path,
                                                                      genes: pd.DataFrame) -> None:
    """Old behaviour (a verification probe): the fix said "gdc-client download <its File ID>"
    though the folder gdc-client made is named by it, and a file of random bytes was told to
    point --gdc-dir at another folder."""
    file_id = "0e7fdb16-1a2b-4c3d-8e9f-0123456789ab"
    p = tmp_path / file_id / f"x{STAR_SUFFIX}"
    p.parent.mkdir()
    p.write_text("")
    with pytest.raises(InputError, match=f"gdc-client download {file_id}"):
        read_star_file(p, "unstranded")
    p.write_bytes(bytes(range(1, 40)) + b"\n")
    with pytest.raises(InputError, match=f"damaged: download it again \\(gdc-client download {file_id}"):
        read_star_file(p, "unstranded")


def test_protein_coding_only_takes_the_files_own_gene_types(tmp_path: Path, genes: pd.DataFrame) -> None:
    """Old behaviour (note42): ``--protein-coding-only`` on a portal folder stopped with
    "needs gene biotypes ... pass --annotation" although every counts file carries its
    gene_type. The file's biotypes are used (their source recorded); an annotation's win."""
    genes = genes.assign(gene_type=["protein_coding"] * 20 + ["lncRNA"] * 9 + [""])
    sheet = write_portal_download(tmp_path / "gdc", _counts(genes), genes)
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b",
             "--protein-coding-only")
    b = load_bundle(tmp_path / "b")
    pc = set(genes["gene_id"][:20].str.split(".").str[0])
    assert set(b.var["gene_id"]) <= pc and len(b.var) >= 15
    step = next(s for s in b.record["steps"] if s["step"] == "biotypes")
    assert step["n_protein_coding"] == 20 and step["n_without"] == 1
    assert b.record["dropped"]["genes"]["not protein-coding"] == 10  # 9 lncRNA, 1 without a type


def test_real_portal_gene_types_choose_the_genes_the_annotation_does(shared_data: Path,
                                                                      tmp_path: Path) -> None:
    """UCS from gdc_counts_6types (first 3,000 genes) written per aliquot with each gene's
    Ensembl 105 biotype as its gene_type: ``--protein-coding-only`` without ``--annotation``
    (the files' own types; it was refused, note42) keeps the genes the annotation keeps."""
    ann = pd.read_csv(shared_data / "annotation" / "ensembl105_genes.tsv.gz", sep="\t",
                      usecols=["gene_id", "biotype"]).set_index("gene_id")["biotype"]
    with gzip.open(shared_data / "gdc_counts_6types" / "TCGA_UCS_Counts.exp.gz", "rt") as fh:
        m = pd.read_csv(fh, sep="\t", index_col=0, nrows=3000)
    m.to_csv(tmp_path / "TCGA_UCS_Counts.tsv", sep="\t")
    types = ann.reindex(m.index).fillna("").to_numpy()
    genes = pd.DataFrame({"gene_id": m.index, "gene_name": ".", "gene_type": types})
    sheet = write_portal_download(tmp_path / "gdc", {"UCS": m}, genes)
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "portal",
             "--protein-coding-only")
    _prepare("--expression", tmp_path / "TCGA_UCS_Counts.tsv", "--annotation",
             shared_data / "annotation" / "ensembl105_genes.tsv.gz", "--protein-coding-only",
             "--out", tmp_path / "annotated")
    a, b = load_bundle(tmp_path / "portal"), load_bundle(tmp_path / "annotated")
    assert len(a.var) > 500 and a.var["gene_id"].tolist() == b.var["gene_id"].tolist()
    assert set(a.var["biotype"]) == {"protein_coding"}


def test_empty_or_nan_gene_names_stay_missing_not_a_gene_called_nan(tmp_path: Path,
                                                                     genes: pd.DataFrame,
                                                                     caplog) -> None:
    """Old behaviour (outside tester): a portal file's empty gene_name cells (and names a
    table saved from pandas wrote as "nan") were counted as names, shared by several genes
    ("e.g. nan: ENSG..."), and var.symbol held "nan" (or ""); they are unnamed, counted."""
    genes.loc[[3, 5], "gene_name"] = ""
    genes.loc[[7, 9, 11], "gene_name"] = "nan"
    sheet = write_portal_download(tmp_path / "gdc", _counts(genes), genes)
    with caplog.at_level("WARNING", logger="genemoe"):
        _, _, record = assemble_gdc_dir(tmp_path / "gdc", sheet, tmp_path / "o")
    info = record["gene_info"]
    assert info["with_name"] == 25 and info["without_name"] == 5
    assert info["duplicated_names"] == 0 and info["missing_name_markers"] == {"nan": 3}
    assert "shared by several" not in caplog.text and "'nan' 3x" in caplog.text
    _prepare("--gdc-dir", tmp_path / "gdc", "--sample-sheet", sheet, "--out", tmp_path / "b")
    var = load_bundle(tmp_path / "b").var.set_index("gene_id")
    unnamed = set(genes["gene_id"][[3, 5, 7, 9, 11]].str.split(".").str[0]) & set(var.index)
    assert unnamed and var.loc[sorted(unnamed), "symbol"].isna().all()
    assert not var["symbol"].isin(["nan", ""]).any()


def test_nan_gene_names_in_a_text_matrix_and_an_annotation_are_no_names(tmp_path: Path) -> None:
    """Old behaviour: a matrix's gene_name column and an annotation's gene_name kept "nan" /
    "NA" as the symbol of those genes."""
    from genemoe.data.annotation import read_annotation
    from genemoe.data.read import read_expression

    m = pd.DataFrame({"gene_id": [f"ENSG{i:011d}" for i in range(1, 5)],
                      "gene_name": ["TP53", "nan", "NA", "EGFR"],
                      "S1": [1, 2, 3, 4], "S2": [5, 6, 7, 8], "S3": [2, 2, 2, 2]})
    m.to_csv(tmp_path / "m.tsv", sep="\t", index=False)
    t = read_expression(tmp_path / "m.tsv")
    assert t.gene_symbols.tolist() == ["TP53", None, None, "EGFR"]
    assert any("2 gene name(s) written as a missing-value marker" in n for n in t.notes)
    a = m[["gene_id", "gene_name"]].assign(biotype="protein_coding", chrom="1", start=1, end=9,
                                            length=9)
    a.to_csv(tmp_path / "a.tsv", sep="\t", index=False)
    assert read_annotation(tmp_path / "a.tsv").table["symbol"].tolist() == ["TP53", None, None,
                                                                             "EGFR"]
