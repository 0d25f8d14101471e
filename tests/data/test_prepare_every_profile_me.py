"""`genemoe prepare --every-profile` keeps each patient's every profile, one split per patient."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import genemoe.cli as cli
from genemoe.data.bundle import load_bundle


def _inputs(folder):
    rng = np.random.default_rng(0)
    ids, types = [], []
    for t, code in enumerate(("AAAA", "BBBB", "CCCC")):
        for p in range(8):
            for st in ("01A", "11A"):
                ids.append(f"TCGA-{code[:2]}-{t}{p:03d}-{st}-11R-A00{t}-07")
                types.append(["ACC", "UVM", "KICH"][t])
    genes = [f"ENSG{i:011d}" for i in range(40)]
    X = rng.gamma(2.0, 50.0, size=(len(genes), len(ids))).round()
    pd.DataFrame(X, index=pd.Index(genes, name="gene_id"), columns=ids).to_csv(
        folder / "counts.tsv", sep="\t")
    pd.DataFrame({"sample": ids, "cancer_type": types}).to_csv(folder / "labels.tsv", sep="\t",
                                                                index=False)


def _prepare(monkeypatch, tmp_path, out: str, *flags: str) -> None:
    monkeypatch.setattr(cli, "defer_interrupts_in_imports", lambda: None)  # pytest's signals
    monkeypatch.setattr("sys.argv", ["genemoe", "prepare", "--expression", "counts.tsv",
                                     "--labels", "labels.tsv", "--sample-types", "01,11",
                                     "--min-variance", "0", "--min-mean", "0", "--out", out,
                                     *flags])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code in (0, None)


def test_every_profile_keeps_both_sample_types_and_a_patient_in_one_split(tmp_path, monkeypatch):
    """Old behaviour: only ``PrepareConfig(one_per_patient=False)`` in Python kept every
    profile; the CLI had no flag (``--every-profile``: no such option)."""
    monkeypatch.chdir(tmp_path)
    _inputs(tmp_path)
    _prepare(monkeypatch, tmp_path, "one")
    _prepare(monkeypatch, tmp_path, "every", "--every-profile")
    one, every = load_bundle(tmp_path / "one"), load_bundle(tmp_path / "every")
    assert one.n_samples == 24 and every.n_samples == 48
    obs = every.obs
    assert obs.groupby("patient_id")["split"].nunique().max() == 1  # a patient in one split
    assert every.record["config"]["one_per_patient"] is False
