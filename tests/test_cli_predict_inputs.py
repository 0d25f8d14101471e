"""predict's one-input refusal names the inputs given (a probe: `--expression F
--sample-sheet S` was blamed on --quant-dir, which was not given)."""

from __future__ import annotations

from typer.testing import CliRunner

from genemoe.cli import app


def test_two_inputs_are_named_as_given(tmp_path):
    (tmp_path / "e.tsv").write_text("gene\ta\n")
    (tmp_path / "s.tsv").write_text("x\n")
    res = CliRunner().invoke(app, ["predict", "--model", str(tmp_path / "r"), "--expression",
                                   str(tmp_path / "e.tsv"), "--sample-sheet",
                                   str(tmp_path / "s.tsv"), "--out", str(tmp_path / "p.csv")])
    said = str(res.exception)
    assert "--expression and --sample-sheet: pass one input" in said and "--quant-dir:" not in said
