"""A read note is said by the read's caller, once, in its own words.

Old behaviour: the reader logged every note itself (INFO, shown with ``-v``), so ``genemoe
predict -v`` showed prepare's answer to estimated counts ("then prepare them with
--normalisation log2cpm", an option predict has not) above predict's own ("then pass
--normalisation model"), and ``prepare -v`` said each note twice.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.values import COUNTS_QUESTION
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A logreg run on counts, and the same counts given as estimated counts (not whole)."""
    d = tmp_path_factory.mktemp("notes_once")
    b, f, _ = prepare_synthetic(d, n_samples=90, n_genes=60, n_types=2, seed=3, clinical=False)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="logreg", progress=False)
    est = pd.read_csv(f["counts"], sep="\t", index_col=0).iloc[:, :8].astype(float)
    est.iloc[::7, :] += 0.37  # mostly whole: estimated counts?
    est.to_csv(d / "est.tsv", sep="\t")
    return d, f, d / "est.tsv"


def _said(caplog) -> list[str]:  # prepare's lines wrap at 100 (ae287b4): read them joined
    return [" ".join(r.getMessage().split()) for r in caplog.records]


def test_predict_verbose_says_only_its_own_answer(trained, tmp_path, caplog):
    d, _, est = trained
    with caplog.at_level(logging.DEBUG, logger="genemoe"):  # what `genemoe -v` shows
        predict_file(d / "run", est, out_path=tmp_path / "p.csv")
    said = _said(caplog)
    assert not any("log2cpm" in m for m in said), caplog.text  # prepare's answer, was said
    lines = [m for m in said if COUNTS_QUESTION in m and not m.startswith("read: {")]
    assert len(lines) == 1 and "then pass --normalisation model" in lines[0], lines


def test_prepare_says_each_read_note_once(trained, tmp_path, caplog):
    _, f, est = trained
    with caplog.at_level(logging.DEBUG, logger="genemoe"):
        prepare_dataset([est], out_path=tmp_path / "b", label_paths=[f["labels"]],
                        annotation_path=f["annotation"], config=PrepareConfig(synthetic=True))
    said = _said(caplog)
    read = [" ".join(r.getMessage().split()) for r in caplog.records
            if r.name == "genemoe.data.prepare" and r.getMessage().startswith(f"read {est.name}: ")]
    assert len(read) == 1 and COUNTS_QUESTION in read[0]  # under the read line, as before
    assert "--normalisation log2cpm" in read[0]  # prepare's own answer, kept
    assert sum(COUNTS_QUESTION in m for m in said if not m.startswith("read: {")) == 1, said
    counters = [m for m in said if m.startswith("read: {")]  # -v: every note, in the counters
    assert len(counters) == 1 and "gene identifiers: ensembl" in counters[0]
    reader = [r.getMessage() for r in caplog.records if r.name == "genemoe.data.read"]
    assert not any(m.startswith(f"{est.name}: ") for m in reader), reader  # its own copies
