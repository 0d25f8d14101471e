"""``predict_file`` and ``explain_run`` give the caller's global random states back, as
train, tune, benchmark, ablation and pretrain do (a probe: both advanced torch's)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from genemoe.explain.api import explain_run
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def run(synthetic_bundle, tmp_path_factory):
    bundle = synthetic_bundle(seed=5, clinical=False)
    d = tmp_path_factory.mktemp("rng_run")
    res = train_run(bundle.path, out_dir=d / "run", model_name="genemoe", epochs=1,
                    model_options=TINY_GENEMOE, device="cpu", progress=False)
    return bundle, res.out_dir


def _states():
    return random.getstate(), np.random.get_state()[1].tolist(), torch.get_rng_state()  # noqa: NPY002


def _same(a, b) -> bool:
    return a[0] == b[0] and a[1] == b[1] and bool(torch.equal(a[2], b[2]))


def test_predict_keeps_the_global_random_states(run, tmp_path):
    bundle, out = run
    files = sorted(bundle.path.parent.glob("**/*counts*"))  # the cohort's raw file, if any
    expr = files[0] if files else None
    if expr is None:
        pytest.skip("the synthetic bundle keeps no raw counts file beside it")
    torch.manual_seed(3)
    before = _states()
    predict_file(out, expr, out_path=tmp_path / "p.tsv")
    assert _same(before, _states())


def test_explain_keeps_the_global_random_states(run, tmp_path):
    bundle, out = run
    torch.manual_seed(3)
    before = _states()
    explain_run(out, data=bundle.path, out_dir=tmp_path / "ex", max_samples_per_class=2)
    assert _same(before, _states())
