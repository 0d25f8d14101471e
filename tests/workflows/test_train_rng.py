"""``train_run`` gives the caller's global random states back, on a process's first run too.

The first classical-model run in a process left Python's ``random`` state changed: its first
``import sklearn.metrics`` pulled in ``rich.style``, which draws from ``random`` at import,
outside the fit that :func:`~genemoe.train.rng.keeps_global_rng` wrapped. Tested in a fresh
interpreter, so that the import really happens inside the run.
"""

from __future__ import annotations

import json
import subprocess
import sys

_SCRIPT = """
import json, random, sys
import numpy as np
import torch
from genemoe.workflows.train import train_run

random.seed(1); np.random.seed(1); torch.manual_seed(1)
py, npy, th = random.getstate(), np.random.get_state()[1].tolist(), torch.get_rng_state()
train_run(sys.argv[1], out_dir=sys.argv[2], model_name="logreg", progress=False)
print(json.dumps({"random": random.getstate() == py,
                  "numpy": np.random.get_state()[1].tolist() == npy,
                  "torch": bool(torch.equal(torch.get_rng_state(), th))}))
"""


def test_first_run_in_a_process_keeps_the_global_random_states(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=5, clinical=False)
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(bundle.path), str(tmp_path / "r")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    kept = json.loads(done.stdout.strip().splitlines()[-1])
    assert kept == {"random": True, "numpy": True, "torch": True}, kept
