"""The folders `genemoe report` reads, and its refusals naming every one of them."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.report.html import report_kind

# the files that make each kind of folder, as report_kind looks for them
_FILES = {"benchmark": ("protocol.json", "cells/"), "run": ("metrics.json", "predictions.tsv"),
          "explanation": ("convergence.json", "genes_by_class.csv"),
          "tune": ("summary.json", "trials.csv", "best.yaml"),
          "pretrain": ("pretrained.pt", "summary.json", "history.jsonl"),
          "features": ("summary.json", "latent_gene_correlation.npy"),
          "ablation": ("tables.md", "results.csv"), "demo": ("demo.json",)}


def test_every_kind_report_kind_answers_has_its_command(tmp_path):
    from genemoe.report.damaged import REPORT_KINDS  # new: the refusals list them from here

    for kind, files in _FILES.items():
        d = tmp_path / kind
        d.mkdir()
        for f in files:
            (d / f).mkdir() if f.endswith("/") else (d / f).write_text("{}")
        assert report_kind(d) == kind
    assert set(REPORT_KINDS) == set(_FILES)


@pytest.mark.parametrize("where", ["nope", "empty"])
def test_the_refusal_lists_every_command_report_reads(tmp_path, where):
    """Old behaviour: `genemoe report nope` said "fix: pass the --out directory of genemoe
    train, benchmark, explain or tune", leaving out pretrain, which it reports."""
    d = tmp_path / where
    if where == "empty":
        d.mkdir()
    with pytest.raises(InputError) as info:
        report_kind(d)
    for command in ("train", "benchmark", "explain", "tune", "pretrain", "features", "ablation",
                    "demo"):
        assert f"`genemoe {command}`" in info.value.fix
    if where == "empty":  # a features folder has a page now: no command is said to have none
        assert "no page" not in info.value.fix and "ablation` and" not in info.value.fix
        assert "an ablation, a feature analysis nor a pre-training" in str(info.value)


def test_an_unfinished_ablation_or_features_folder_is_refused_by_name(tmp_path):
    (tmp_path / "abl" / "models").mkdir(parents=True)
    (tmp_path / "abl" / "models" / "protocol.json").write_text("{}")
    with pytest.raises(InputError, match="an unfinished `genemoe ablation` folder"):
        report_kind(tmp_path / "abl")
    (tmp_path / "feat").mkdir()
    (tmp_path / "feat" / "latent_gene_correlation.npy").write_bytes(b"")  # no summary.json yet
    with pytest.raises(InputError, match="an unfinished `genemoe features` folder \\(no "
                                         "summary.json: the analysis writes it last\\)"):
        report_kind(tmp_path / "feat")
    (tmp_path / "feat" / "summary.json").write_text("{}")  # written last: finished
    assert report_kind(tmp_path / "feat") == "features"
