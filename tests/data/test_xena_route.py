"""From today's Xena hub to a bundle: download from a local server, then prepare, as in the README.

The server serves files in the exact shapes ucscXena/xena-GDC-ETL writes (see
``xena_files.py``) under the hub's current names.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from xena_files import write_gdc_hub_files

from genemoe.cli import app
from genemoe.cli_args import spread_multi_values
from genemoe.data.bundle import load_bundle
from genemoe.data.read import read_clinical, read_expression, read_labels
from genemoe.errors import InputError
from local_http import serving


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A static server: ``<root>/download/<hub file names>``; yields the base URL."""
    root = tmp_path_factory.mktemp("hub")
    write_gdc_hub_files(root / "download", ["ACC", "UVM", "KICH"],
                        values=("star_fpkm-uq", "star_counts", "star_tpm"))
    handler = functools.partial(_Quiet, directory=str(root))
    with serving(handler) as url:
        yield url


def _cli(*args: object) -> str:
    res = CliRunner().invoke(app, [str(a) for a in args])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def fetched(hub: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fetch") / "xena"
    text = _cli("download", "tcga", "--projects", "ACC,UVM", "--out", out, "--base-url", hub)
    assert "7 files" in text
    return out


def test_download_then_prepare_as_in_the_readme(fetched: Path, tmp_path: Path, caplog) -> None:
    """Old behaviour also: the probeMap's "lengths are genomic spans ... approximations" was
    warned on reading it, though log values use no length (probe: prepare and predict of
    star_fpkm-uq both warned)."""
    x = fetched
    _cli("prepare", "--expression", x / "TCGA-ACC.star_fpkm-uq.tsv.gz", x / "TCGA-UVM.star_fpkm-uq.tsv.gz",
         "--labels", x / "TCGA-ACC.clinical.tsv.gz", x / "TCGA-UVM.clinical.tsv.gz",
         "--clinical", x / "TCGA-*.survival.tsv.gz",  # a glob the shell did not expand
         "--annotation", x / "gencode.v36.annotation.gtf.gene.probemap", "--out", tmp_path / "b")
    b = load_bundle(tmp_path / "b")
    s = b.summary
    assert s["cancer_types"] == {"ACC": 12, "UVM": 12}
    assert s["n_with_survival"] == 24 and s["normalisation"] == "none"
    assert s["dropped"]["samples"] == {"Solid Tissue Normal (11)": 2}
    steps = {st["step"]: st for st in b.record["steps"]}
    assert steps["labels"]["sources"] == {"label table": 26}  # normals included (dropped later)
    assert all(n.startswith("ENSG") and "." not in n for n in b.var["gene_id"])  # v36 ids mapped
    assert b.var["symbol"].str.startswith("GENE").all()
    assert all(st["value_kind"] == "log" for st in b.record["steps"] if st["step"] == "read")
    assert "genomic spans" not in caplog.text


def test_labels_come_from_the_project_names_without_label_tables(fetched: Path, tmp_path: Path) -> None:
    _cli("prepare", "--expression", fetched / "TCGA-*.star_fpkm-uq.tsv.gz",
         "--clinical", fetched / "TCGA-ACC.survival.tsv.gz", fetched / "TCGA-UVM.survival.tsv.gz",
         "--out", tmp_path / "b")
    b = load_bundle(tmp_path / "b")
    assert b.summary["cancer_types"] == {"ACC": 12, "UVM": 12}
    assert {st["step"]: st for st in b.record["steps"]}["labels"]["sources"] == {"cohort name": 26}


def test_xena_clinical_table_is_a_label_table(fetched: Path) -> None:
    lab = read_labels(fetched / "TCGA-ACC.clinical.tsv.gz")
    assert lab.attrs["label_column"] == "project_id.project"
    assert set(lab["cancer_type"]) == {"ACC"} and "sample_type" in lab.columns
    assert lab["sample_id"].str.len().eq(16).all()


def test_xena_star_matrix_reads_as_log_scale(fetched: Path) -> None:
    t = read_expression(fetched / "TCGA-UVM.star_fpkm-uq.tsv.gz")
    assert t.orientation == "genes_by_samples" and t.id_kind == "ensembl_versioned"
    assert t.value_kind == "log" and t.shape == (13, 40)


def test_several_survival_files_stack(fetched: Path) -> None:
    frame, rep = read_clinical([fetched / "TCGA-ACC.survival.tsv.gz",
                                fetched / "TCGA-UVM.survival.tsv.gz"])
    assert len(frame) == 24 and set(frame["cancer_type"]) == {"ACC", "UVM"}
    assert rep["format"] == "xena_survival" and len(rep["files"]) == 2
    assert rep["n_duplicate_rows"] == 2  # the normal samples' rows repeat their patients


def test_cancer_type_labels_a_single_cohort_file(hub: str, tmp_path: Path) -> None:
    _cli("download", "tcga", "--projects", "KICH", "--out", tmp_path / "x", "--base-url", hub)
    m = pd.read_csv(tmp_path / "x" / "TCGA-KICH.star_fpkm-uq.tsv.gz", sep="\t", index_col=0)
    m.to_csv(tmp_path / "cohort.tsv", sep="\t")  # a name that says nothing
    _cli("prepare", "--expression", tmp_path / "cohort.tsv", "--cancer-type", "KICH",
         "--out", tmp_path / "b")
    b = load_bundle(tmp_path / "b")
    assert b.summary["cancer_types"] == {"KICH": 12}
    assert {st["step"]: st for st in b.record["steps"]}["labels"]["sources"] == {"--cancer-type": 13}


def test_a_glob_matching_nothing_names_the_pattern(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["prepare", "--expression", str(tmp_path / "none*.tsv"),
                                   "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)
    assert "none*.tsv" in str(res.exception) and "--expression" in str(res.exception)


@pytest.mark.parametrize(("argv", "expected"), [
    (["prepare", "--expression", "a", "b", "--out", "o"],
     ["prepare", "--expression", "a", "--expression", "b", "--out", "o"]),
    (["-v", "prepare", "--labels", "l1", "l2", "--expression=e1", "e2", "--drop-unlabelled"],
     ["-v", "prepare", "--labels", "l1", "--labels", "l2", "--expression=e1", "--expression", "e2",
      "--drop-unlabelled"]),
    (["prepare", "--expression", "a", "--expression", "b"],
     ["prepare", "--expression", "a", "--expression", "b"]),
    (["train", "--data", "a", "b"], ["train", "--data", "a", "b"]),
    (["prepare", "--clinical", "c1", "c2", "--", "x"],
     ["prepare", "--clinical", "c1", "--clinical", "c2", "--", "x"]),
])
def test_several_values_after_one_flag(argv: list[str], expected: list[str]) -> None:
    assert spread_multi_values(argv) == expected


def test_summary_written_for_the_readme_walkthrough(fetched: Path, tmp_path: Path) -> None:
    x = fetched
    _cli("prepare", "--expression", *sorted(x.glob("TCGA-*.star_fpkm-uq.tsv.gz")),
         "--labels", *sorted(x.glob("TCGA-*.clinical.tsv.gz")),
         "--clinical", *sorted(x.glob("TCGA-*.survival.tsv.gz")),
         "--annotation", x / "gencode.v36.annotation.gtf.gene.probemap", "--out", tmp_path / "b")
    s = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert s["n_samples"] == 24 and s["n_with_survival"] == 24


def _readme_walkthrough() -> list[list[str]]:
    """The commands of the README's first block under "From download to a prepared bundle"."""
    import re
    import shlex

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## From download to a prepared bundle"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    lines = [ln.split("#", 1)[0] for ln in block.replace("\\\n", " ").splitlines()]
    return [shlex.split(ln) for ln in lines if ln.strip()]


def test_the_readme_walkthrough_runs_as_written(hub: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import glob

    monkeypatch.chdir(tmp_path)
    commands = _readme_walkthrough()
    assert [c[:3] for c in commands] == [["genemoe", "download", "tcga"]] * 2 + [
        ["genemoe", "prepare", "--expression"]]
    for cmd in commands:
        args = [a for tok in cmd[1:] for a in (sorted(glob.glob(tok)) or [tok])]  # the shell's glob
        if args[0] == "download":
            args += ["--base-url", hub]
        _cli(*args)
    b = load_bundle(tmp_path / "bundles" / "three_types")
    assert b.summary["cancer_types"] == {"ACC": 12, "KICH": 12, "UVM": 12}
    assert b.summary["n_with_survival"] == 36


def test_span_lengths_are_warned_once_where_a_normalisation_uses_them(hub: str, tmp_path: Path,
                                                                      caplog) -> None:
    """star_counts (log2(counts + 1)) → FPKM-UQ through the probeMap's spans: warned once for
    both files, and recorded (it was warned on reading the probeMap, used or not)."""
    x = tmp_path / "x"
    _cli("download", "tcga", "--projects", "ACC,UVM", "--values", "counts", "--out", x,
         "--base-url", hub)
    with caplog.at_level("WARNING"):
        _cli("prepare", "--expression", x / "TCGA-ACC.star_counts.tsv.gz", x / "TCGA-UVM.star_counts.tsv.gz",
             "--annotation", x / "gencode.v36.annotation.gtf.gene.probemap", "--out", tmp_path / "b")
    assert caplog.text.count("gene lengths are genomic spans") == 1
    assert "fpkm_uq computed from them is an approximation" in caplog.text
    assert any("genomic spans" in w for w in load_bundle(tmp_path / "b").record["warnings"])


def test_xena_files_of_different_units_are_refused(hub: str, tmp_path: Path) -> None:
    """Old behaviour: TCGA-ACC.star_tpm beside TCGA-UVM.star_fpkm-uq read alike (both
    log2(x + 1)) and were joined into one matrix without a word (a probe)."""
    x = tmp_path / "x"
    _cli("download", "tcga", "--projects", "ACC", "--out", x, "--base-url", hub, "--values", "tpm")
    _cli("download", "tcga", "--projects", "UVM", "--out", x, "--base-url", hub)
    res = CliRunner().invoke(app, ["prepare", "--expression", str(x / "TCGA-ACC.star_tpm.tsv.gz"),
                                   str(x / "TCGA-UVM.star_fpkm-uq.tsv.gz"), "--out",
                                   str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)  # the CLI prints it as one error, status 2
    text = str(res.exception)
    assert ("UCSC Xena matrices of different units: TCGA-ACC.star_tpm.tsv.gz (tpm), "
            "TCGA-UVM.star_fpkm-uq.tsv.gz (fpkm_uq)") in text
    assert "--values fpkm_uq" in text and not (tmp_path / "b").exists()
