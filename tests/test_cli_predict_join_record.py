"""``genemoe predict --quant-dir`` / ``--gdc-dir``: ``<out>.record.json`` keeps the join's
record (tool, value column, strand, summary rows...) as ``joined``, and the warnings the
join printed under ``warnings``; ``predict_file(joined=...)`` takes it from Python, and a
joined matrix's ``joined.json`` is found beside it as ``prepare`` finds it.

Old behaviour (probe GG, D5): the record held only the joined matrix's path; a printed
``--strand reverse is not used`` warning was missing from its ``warnings``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.quant_dir import assemble_quant_dir
from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file

UNUSED = "--strand reverse is not used"
SUMMARY = ["__no_feature", "__ambiguous", "__too_low_aQual", "__not_aligned",
           "__alignment_not_unique"]


def _htseq_dir(counts_path: Path, d: Path, n: int = 4) -> Path:
    """``n`` samples of the counts as htseq-count writes them: one file each, its five
    summary rows last."""
    counts = pd.read_csv(counts_path, sep="\t", index_col=0).iloc[:, :n]
    d.mkdir()
    for s in counts.columns:
        rows = [f"{g}\t{int(v)}" for g, v in counts[s].items()]
        rows += [f"{r}\t{100 + i}" for i, r in enumerate(SUMMARY)]
        (d / f"{s}.counts").write_text("\n".join(rows) + "\n")
    return d


@pytest.fixture(scope="module")
def run_and_files(labelled_logreg_run):
    return labelled_logreg_run()


def _record(out: Path) -> dict:
    return json.loads(out.with_name(f"{out.stem}.record.json").read_text())


def _check_join_kept(record: dict) -> None:
    join = record["joined"]
    assert join["tool"] == "HTSeq-count" and join["values"] == "counts"
    assert join["strand_unused"] == "reverse" and join["summary_rows"]
    assert len(join["samples"]) == 4
    texts = [w["text"] for w in record["warnings"]]
    assert texts[0].startswith(UNUSED) and record["warnings"][0]["code"] == "joined"
    assert sum(t.startswith(UNUSED) for t in texts) == 1


def test_cli_record_keeps_the_join_and_its_warnings(run_and_files, tmp_path):
    d, files, _ = run_and_files
    quant = _htseq_dir(files["counts"], tmp_path / "ht")
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "run"), "--quant-dir",
                                   str(quant), "--strand", "reverse", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) == 4
    _check_join_kept(_record(out))


def test_python_api_takes_the_join_or_finds_its_joined_json(run_and_files, tmp_path):
    d, files, _ = run_and_files
    quant = _htseq_dir(files["counts"], tmp_path / "ht")
    expr, record = assemble_quant_dir(quant, tmp_path / "joined", strand="reverse")
    predict_file(d / "run", expr, out_path=tmp_path / "given.csv", joined=record)
    _check_join_kept(_record(tmp_path / "given.csv"))
    predict_file(d / "run", expr, out_path=tmp_path / "found.csv")  # joined.json beside it
    _check_join_kept(_record(tmp_path / "found.csv"))
    plain = tmp_path / "plain.tsv"  # a matrix of no join: no section, no join warning
    pd.read_csv(expr, sep="\t", index_col=0).to_csv(plain, sep="\t")
    predict_file(d / "run", plain, out_path=tmp_path / "plain.csv")
    rec = _record(tmp_path / "plain.csv")
    assert "joined" not in rec and all(w["code"] != "joined" for w in rec["warnings"])


def test_a_join_record_of_another_type_is_refused(run_and_files, tmp_path):
    d, files, _ = run_and_files
    with pytest.raises(InputError, match="not a join's record"):
        predict_file(d / "run", files["counts"], out_path=tmp_path / "p.csv",
                     joined="joined.json")
