"""One process at a time writes a train or pretrain --out folder.

Before: two ``genemoe train`` commands started on one --out both ran and both printed their
result (test macro-F1 0.957 and 0.952); the folder held only one run, the other's result was
in no file (an outside probe).
"""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from genemoe.errors import InputError
from genemoe.workflows.cell_claims import FOLDER_CLAIM
from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=4, n_samples=90, n_genes=50, n_types=3, clinical=False)


def _claim(out, pid: int, **command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{FOLDER_CLAIM}.claim").write_text(json.dumps(
        {"host": socket.gethostname(), "pid": pid, "since": time.time(), **command}))


def test_a_second_train_into_a_folder_being_written_is_refused(bundle, tmp_path):
    out = tmp_path / "run"
    _claim(out, os.getppid(), command="pretrain")  # a live process: this test's parent
    # the holder's own command (a pretrain's claim was called "another genemoe train")
    with pytest.raises(InputError, match=r"(?s)--out: .*another genemoe pretrain \(pid \d+ on "
                                         r".*is writing into this folder.*fix: wait for it"):
        train_run(bundle.path, out_dir=out, model_name="logreg", progress=False)
    assert not (out / "metrics.json").exists()
    _claim(out, os.getppid())  # a claim that names no command (another host's, older)
    with pytest.raises(InputError, match=r"(?s)another genemoe command .*if that process is "
                                         r"gone, delete .*\.genemoe\.claim"):
        train_run(bundle.path, out_dir=out, model_name="logreg", progress=False)


def test_a_claim_whose_holder_is_gone_is_taken_over_and_removed_after(bundle, tmp_path):
    out = tmp_path / "run"
    _claim(out, 2**22 + 12345)  # no such process
    run = train_run(bundle.path, out_dir=out, model_name="logreg", progress=False)
    assert (run.out_dir / "metrics.json").is_file()
    assert not (out / f"{FOLDER_CLAIM}.claim").exists()  # gone once the run is written
    assert not (out / ".takeover.lock").exists()  # the take-over's lock file was left behind


def test_a_refused_call_leaves_no_folder_of_its_own(bundle, tmp_path):
    with pytest.raises(InputError):
        train_run(bundle.path, out_dir=tmp_path / "new", model_name="nope", progress=False)
    assert not (tmp_path / "new").exists()
