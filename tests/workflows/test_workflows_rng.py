"""``run_benchmark`` and ``tune_run`` give the caller's global random states back, on a
process's first run too (a probe: the first classical-model benchmark or tune in a fresh
interpreter left Python's ``random`` changed, a first import drawing from it; only
``train_run`` was wrapped whole). Each in a fresh interpreter, so the imports happen inside."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_SCRIPT = """
import json, random, sys
import numpy as np
import torch
from genemoe.workflows.benchmark import run_benchmark
from genemoe.workflows.tune import tune_run

random.seed(1); np.random.seed(1); torch.manual_seed(1)
py, npy, th = random.getstate(), np.random.get_state()[1].tolist(), torch.get_rng_state()
if sys.argv[3] == "benchmark":
    run_benchmark(sys.argv[1], task="classify", models=["logreg"], n_folds=2,
                  out_dir=sys.argv[2], progress=False)
else:
    tune_run(sys.argv[1], out_dir=sys.argv[2], model_name="logreg", n_trials=2, progress=False)
print(json.dumps({"random": random.getstate() == py,
                  "numpy": np.random.get_state()[1].tolist() == npy,
                  "torch": bool(torch.equal(torch.get_rng_state(), th))}))
"""


@pytest.mark.parametrize("what", ["benchmark", "tune"])
def test_a_first_benchmark_or_tune_keeps_the_global_random_states(synthetic_bundle, tmp_path, what):
    bundle = synthetic_bundle(seed=5, clinical=False)
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(bundle.path), str(tmp_path / "o"),
                           what], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    kept = json.loads(done.stdout.strip().splitlines()[-1])
    assert kept == {"random": True, "numpy": True, "torch": True}, kept
