"""predict's read and scale notes: answered with predict's own options, recorded with data.

Old behaviour: a file of estimated counts was told "then prepare them with --normalisation
log2cpm" by predict's read step (predict has no log2cpm; its --normalisation takes auto, model,
quantile or none), and the note was absent from ``<out>.record.json``; the warning on values
given as the model's scale far from it was recorded as code ``logged``, its numbers in its text.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import load_bundle
from genemoe.data.read import ExpressionTable
from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_text import estimated_counts_notes, given_shift_notes
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("scale_notes")
    b, f, _ = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=2, seed=3, clinical=False)
    assert b.record["normalisation"] == "fpkm_uq"  # counts with gene lengths
    train_run(b.path, out_dir=d / "run", task="classify", model_name="logreg", progress=False)
    return d, f


def _estimated_counts(f: dict, path: Path) -> Path:
    """Eight samples of the counts, one gene in seven given a fraction: mostly whole values."""
    est = pd.read_csv(f["counts"], sep="\t", index_col=0).iloc[:, :8].astype(float)
    est.iloc[::7, :] += 0.37
    est.to_csv(path, sep="\t")
    return path


def test_estimated_counts_are_answered_with_predicts_options_and_recorded(trained, tmp_path,
                                                                          caplog):
    d, f = trained
    est = _estimated_counts(f, tmp_path / "est.tsv")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        predict_file(d / "run", est, out_path=tmp_path / "p.csv")
    said = [" ".join(r.getMessage().split()) for r in caplog.records  # wrapped at 100
            if r.name == "genemoe.data.prepare"]
    read_line = next(m for m in said if m.startswith("read est.tsv"))
    assert "estimated counts" in read_line and "log2cpm" not in read_line
    assert "then pass --normalisation model (the model's fpkm_uq, as for counts)" in read_line
    record = json.loads((tmp_path / "p.record.json").read_text())
    (note,) = [w for w in record["warnings"] if w["code"] == "estimated_counts"]
    assert note["level"] == "caveat" and note["text"] in read_line  # word for word
    assert note["file"] == str(est) and 0.5 <= note["whole_share"] <= 1
    assert (note["named_counts"], note["normalisation"], note["scale_rule"]) == (
        False, "fpkm_uq", "quantile")
    (step,) = [s for s in record["steps"] if s["step"] == "read"]
    assert note["text"] in step["notes"] and not any("log2cpm" in n for n in step["notes"])
    assert "scale_notes" not in record  # in the warnings only
    # the option it names is one predict takes: then normalised as counts, and said so
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="genemoe"):
        predict_file(d / "run", est, out_path=tmp_path / "m.csv", normalisation="model")
    assert (pd.read_csv(tmp_path / "m.csv")["scale_rule"] == "same").all()
    record = json.loads((tmp_path / "m.record.json").read_text())
    assert not any(w["code"] == "estimated_counts" for w in record["warnings"])  # as asked
    assert "normalised as counts with the model's fpkm_uq, as asked" in caplog.text


def _table(values: np.ndarray, name: str = "x.tsv") -> ExpressionTable:
    n, g = values.shape
    return ExpressionTable(values=values.astype(np.float32), sample_ids=np.array([f"s{i}" for i in range(n)]),
                           gene_ids=np.array([f"G{j}" for j in range(g)]), source_path=Path(name),
                           orientation="samples_by_genes", id_kind="symbol", value_kind="linear")


def test_estimated_counts_answer_follows_the_models_normalisation_and_the_rule():
    """A log2p1 model's own normalisation has no depth normalisation: quantile is offered;
    where predict aligns anyway, nothing is asked of the user (not recorded)."""
    values = np.random.default_rng(0).poisson(20.0, (6, 200)) + 0.0
    values[:, ::5] += 0.5  # non-integer, mostly whole
    table = _table(values)
    (note,) = estimated_counts_notes(table, "log2p1", "same")
    assert note["level"] == "caveat" and "then pass --normalisation quantile" in note["text"]
    assert "now the model's own log2(x + 1), with no library-size normalisation" in note["text"]
    (note,) = estimated_counts_notes(table, "none", "quantile")
    assert note["level"] == "info" and "aligned from its ranks" in note["text"]
    (note,) = estimated_counts_notes(table, "log2cpm", "quantile", "quantile")  # as asked
    assert note["level"] == "info"
    assert not any("log2cpm" in n["text"] and "prepare" in n["text"]
                   for n in estimated_counts_notes(table, "log2cpm", "quantile"))
    assert estimated_counts_notes(_table(values + 0.3), "log2cpm", "quantile") == []  # TPM-like
    named = estimated_counts_notes(_table(values + 0.3, "gene_counts.tsv"), "log2cpm", "quantile")
    assert named[0]["named_counts"] is True and named[0]["text"].startswith("named counts")


def test_values_far_from_the_models_scale_are_recorded_with_their_numbers(trained, tmp_path,
                                                                          caplog):
    d, _ = trained
    bundle = load_bundle(load_model_file(d / "run")["bundle_path"])
    X = pd.DataFrame(np.asarray(bundle.X)[:8], index=bundle.sample_ids[:8],
                     columns=bundle.gene_ids)
    X.index.name = "sample_id"
    star = np.log2((np.exp2(X) - 1) / 2.0 ** 15.3 + 1)  # Xena's star_fpkm-uq of the same
    star.to_csv(tmp_path / "star.tsv", sep="\t")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        predict_file(d / "run", tmp_path / "star.tsv", out_path=tmp_path / "s.csv",
                     normalisation="none")
    shift = pd.read_csv(tmp_path / "s.csv")["input_shift"]
    record = json.loads((tmp_path / "s.record.json").read_text())
    (note,) = [w for w in record["warnings"] if w["code"] == "given_scale_shift"]
    assert note["level"] == "warning" and note["text"] in caplog.text  # said, word for word
    assert f"a median {note['median_shift']:.1f} log2 units" in note["text"]
    assert note["median_shift"] == pytest.approx(shift.median(), abs=1e-3)
    assert (note["warn_above"], note["own_scale_below"]) == (3.0, 1.5)
    assert note["n_samples_above"] == note["n_samples"] == 8
    assert not any(w["code"] == "logged" and "log2 units" in w["text"]
                   for w in record["warnings"])  # once, with its code
    assert caplog.text.count("log2 units from the model's training distribution") == 1


def test_the_shift_warning_needs_a_median_above_the_threshold():
    assert given_shift_notes(None, warn_above=3.0, own_below=1.5) == []
    assert given_shift_notes(np.array([0.5, 2.0, 9.0]), warn_above=3.0, own_below=1.5) == []
    (note,) = given_shift_notes(np.array([4.0, np.nan, 6.0, 1.0]), warn_above=3.0, own_below=1.5)
    assert (note["median_shift"], note["n_samples_above"], note["n_samples"]) == (4.0, 2, 3)
