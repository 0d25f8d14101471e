"""explain --compare on the samples asked for, and --other only with --compare."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.explain.compare import compare_methods
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_compare_explains_the_samples_asked_for(tmp_path):
    """Old behaviour: ``--samples A,B --compare`` explained the whole test split (197
    samples on pancan33, 80 s)."""
    b = prepare_synthetic(tmp_path, n_samples=120, n_genes=60, n_types=3, seed=5)[0]
    run = train_run(b.path, out_dir=tmp_path / "fcn", task="classify", model_name="fcn",
                    epochs=1, progress=False).out_dir
    two = [str(s) for s in b.sample_ids[b.indices("val")][:2]]
    table = compare_methods(run, data=b.path, out_dir=tmp_path / "cmp", methods=("ig",),
                            n_steps=4, samples=two)
    assert table["n_samples"].tolist() == [2]
    got = pd.read_csv(tmp_path / "cmp" / "ig" / "samples.tsv", sep="\t")["sample_id"].astype(str)
    assert sorted(got) == sorted(two)


def test_other_without_compare_is_refused(tmp_path):
    """Old behaviour: ``explain --other RUN`` without ``--compare`` was ignored silently."""
    r = CliRunner().invoke(app, ["explain", "--model", str(tmp_path / "a"), "--data", str(tmp_path),
                                 "--out", str(tmp_path / "o"), "--other", str(tmp_path / "b")])
    assert isinstance(r.exception, InputError) and r.exit_code != 0
    assert str(r.exception) == "--other is used only with --compare\n  fix: add --compare, or leave --other out"
