"""A fine-tuned run says what it started from, from Python too (an outside probe).

``train_run(..., pretrained=RUN)`` said the transfer in a log line only (unseen from Python
without logging set up): ``describe()`` left it out and metrics.json had none of it. It is
now in metrics.json's ``protocol.pretrained`` and under describe()'s table, and the log
line is no longer INFO there (the CLI prints describe(): it would say it twice).
"""

from __future__ import annotations

import json

import pytest

from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def setup(tiny_pretrained):
    """The shared tiny pre-training (tests/conftest.py): ``(bundle, config, its folder)``."""
    return tiny_pretrained


def test_describe_and_metrics_say_what_was_loaded_once(setup, tmp_path, caplog):
    bundle, cfg, pre = setup
    with caplog.at_level("INFO", logger="genemoe"):
        res = train_run(bundle.path, out_dir=tmp_path / "ft", config_path=cfg, epochs=2,
                        device="cpu", progress=False, pretrained=pre, freeze_encoder_epochs=1)
    n = int(bundle.gene_mask().sum())
    recorded = json.loads((tmp_path / "ft" / "metrics.json").read_text())["protocol"]["pretrained"]
    assert recorded["run"] == str(pre.absolute()) and recorded["n_tensors"] > 0
    assert (recorded["n_genes_shared"], recorded["n_genes_new"], recorded["n_genes_missing"],
            recorded["n_genes_pretrained"]) == (n, 0, 0, n)
    assert recorded["freeze_encoder_epochs"] == 1
    assert recorded["new_genes_start"] == "zero input weights"
    said = res.describe()
    words = " ".join(said.split())  # its lines are wrapped at 100 characters
    assert "started from the pre-trained Gene-MOE encoder (encoder) of " in words, said
    assert ", frozen for the first 1 epochs" in words
    assert f"{n} of the model's {n} genes pre-trained, 0 new" in said
    assert words.endswith("0 new (zero input weights) (metrics.json: protocol.pretrained)")
    genes_line = next(line for line in said.splitlines() if "genes pre-trained" in line)
    assert len(genes_line) <= 120  # short lines
    assert recorded["collapse_warnings"]  # (one tiny epoch) recorded; a warning, not a line
    assert "collapsed" not in said  # here (the warning is said from Python too: not twice)
    logged = [r for r in caplog.records if "started from the pre-trained" in r.getMessage()
              and r.levelno >= 20]
    assert not logged  # the CLI prints describe(): once, not twice


def test_a_run_from_scratch_says_nothing_of_pre_training(setup, tmp_path):
    bundle, cfg, _ = setup
    res = train_run(bundle.path, out_dir=tmp_path / "lr", model_name="logreg", progress=False)
    assert "pretrained" not in res.metrics["protocol"]
    assert "started from" not in res.describe()
