"""A data-parallel run killed mid-training resumes from its checkpoint to the same weights.

Run as a script (``torchrun ... test_distributed_resume.py train --data ...``) this file
is ``genemoe`` itself, with rank 0 SIGKILLed after epoch ``$GENEMOE_TEST_KILL_AFTER`` of
the first attempt: the slow test below runs ``genemoe train`` under ``torchrun
--max-restarts=1`` that way.

Two gloo processes on one CPU machine stand in for a torchrun job: rank 0 is SIGKILLed
right after it writes the checkpoint of epoch ``j`` (rank 1 is then mid-epoch ``j + 1``
and is killed by the launcher, as ``torchrun`` kills the surviving workers of a failed
group); the same call, started again, resumes and must end with weights equal to an
uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from test_loop import TinyModel, accuracy, ce_loss, make_classify

from distributed_helpers import free_port
from genemoe.errors import InputError
from genemoe.train import distributed as ddp
from genemoe.train import loop
from genemoe.train.checkpoint import load_checkpoint, newest_copy
from genemoe.train.loop import TrainConfig, train_model

# the whole recipe, so every piece of state a resume must restore is in play: per-rank
# dropout streams, batch order, noise/mixup draws, EMA, warmup + cosine schedule, Adam moments
CFG = TrainConfig(epochs=4, batch_size=10, lr=1e-2, progress=False, patience=None, seed=7,
                  noise_std=0.2, mixup_alpha=0.4, ema_decay=0.8, schedule="cosine",
                  warmup_epochs=1, optimizer="adamw", weight_decay=1e-2, aux_weight=0.1)


def _train(ckpt_path: Path, config: TrainConfig) -> dict:
    X, y = make_classify(n=40, g=6)
    torch.manual_seed(0)
    model = TinyModel(6, 3, dropout=0.3)  # dropout + a soft router with an aux loss
    res = train_model(model, X_train=X[:30], y_train=y[:30], X_val=X[30:], y_val=y[30:],
                      task="classify", config=config, loss_fn=ce_loss, metric_fn=accuracy,
                      checkpoint_path=ckpt_path)
    return {"state": model.state_dict(), "best_epoch": res.best_epoch,
            "history": [{k: v for k, v in h.items() if k != "seconds"} for h in res.history]}


def _die_after(epoch: int) -> None:
    """Make rank 0 SIGKILL itself once the checkpoint of ``epoch`` is on disk (a copy of it
    is kept beside it, as ``*.at-kill``)."""
    save = loop._save

    def save_then_die(run, path, meta):
        save(run, path, meta)
        if run.info.is_main and run.epoch == epoch:
            shutil.copy(path, path.with_name(path.name + ".at-kill"))
            os.kill(os.getpid(), signal.SIGKILL)

    loop._save = save_then_die


def _worker(rank: int, world: int, port: int, out_dir: str, tag: str, kill_after: int,
            config: TrainConfig, node_local: bool) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    if kill_after:
        _die_after(kill_after)
    info = ddp.init_distributed(device="cpu", timeout_s=60)
    try:
        name = f"{tag}-rank{rank}.pt" if node_local else f"{tag}.pt"  # each rank its own disk
        result = _train(Path(out_dir) / name, config)
        if info.is_main:
            torch.save(result, Path(out_dir) / f"{tag}-result.pt")
    finally:
        ddp.destroy_distributed()


def _launch(out_dir: Path, tag: str, config: TrainConfig = CFG, kill_after: int = 0,
            node_local: bool = False) -> None:
    # fork: ~0.1 s a start (spawn re-imports torch); see test_distributed.py
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    mp.start_processes(_worker, nprocs=2, join=True, start_method=method,
                       args=(2, free_port(), str(out_dir), tag, kill_after, config, node_local))


@pytest.fixture
def no_dist_env(monkeypatch):
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> dict:
    """The uninterrupted two-process run."""
    out = tmp_path_factory.mktemp("whole")
    with pytest.MonkeyPatch.context() as mp_env:
        for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
            mp_env.delenv(var, raising=False)
        _launch(out, "whole")
    return torch.load(out / "whole-result.pt", weights_only=True)


def _assert_same_run(resumed: dict, whole: dict) -> None:
    assert resumed["history"] == whole["history"]
    assert resumed["best_epoch"] == whole["best_epoch"]
    for k, v in whole["state"].items():
        assert torch.equal(resumed["state"][k], v), k


def test_a_killed_two_process_run_resumes_to_the_same_weights(tmp_path, no_dist_env, whole):
    with pytest.raises(mp.ProcessExitedException, match="SIGKILL"):
        _launch(tmp_path, "cut", kill_after=2)
    assert not (tmp_path / "cut-result.pt").exists()
    ckpt = load_checkpoint(tmp_path / "cut.pt")
    assert ckpt["epoch"] == 2 and len(ckpt["rng_state"]["ranks"]) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cut")] == []  # no temp left

    _launch(tmp_path, "cut")  # the same command again
    _assert_same_run(torch.load(tmp_path / "cut-result.pt", weights_only=True), whole)
    assert load_checkpoint(tmp_path / "cut.pt")["epoch"] == CFG.epochs


@pytest.mark.parametrize("rank0_copy", [
    "missing", pytest.param("unreadable", marks=pytest.mark.slow)])
def test_resume_uses_the_copy_another_node_holds(tmp_path, no_dist_env, whole, rank0_copy):
    """Node-local disks: after a restart rank 0 may run on a node without the checkpoint
    (torchrun renumbers nodes); the job resumes from the copy rank 1 holds, not afresh."""
    with pytest.raises(mp.ProcessExitedException):
        _launch(tmp_path, "cut", kill_after=2, node_local=True)
    rank0, rank1 = tmp_path / "cut-rank0.pt", tmp_path / "cut-rank1.pt"
    assert not rank1.exists()  # only rank 0 writes
    rank0.replace(rank1)  # the old rank-0 node now runs rank 1
    if rank0_copy == "unreadable":
        rank0.write_bytes(b"not a checkpoint")
    saved = load_checkpoint(rank1)["history"]

    _launch(tmp_path, "cut", node_local=True)
    resumed = torch.load(tmp_path / "cut-result.pt", weights_only=True)
    assert load_checkpoint(rank0)["history"][:2] == saved  # resumed, not retrained: same seconds
    _assert_same_run(resumed, whole)


def _torchrun(args: list[str], *, kill_after: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OMP_NUM_THREADS": "1",
           "GENEMOE_TEST_KILL_AFTER": str(kill_after)}
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(var, None)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
           "--max-restarts=1", "--monitor-interval=0.5", __file__, *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:  # a hung restart: end torchrun and its workers
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@pytest.mark.slow
def test_torchrun_restarts_a_killed_genemoe_train_and_it_resumes(tmp_path):
    """The documented recipe end to end: `genemoe train` under torchrun --max-restarts=1,
    rank 0 SIGKILLed after epoch 2; torchrun restarts both workers, they resume from the
    checkpoint and the run ends as an uninterrupted one does (~40 s on 2 busy cores)."""
    from synthetic_inputs import prepare_synthetic

    bundle, _, _ = prepare_synthetic(tmp_path, n_samples=120, n_genes=60, n_types=3, seed=0)
    args = ["train", "--data", str(bundle.path), "--model", "mlp", "--epochs", "4",
            "--device", "cpu", "--no-progress"]
    whole = _torchrun([*args, "--out", str(tmp_path / "whole")])
    assert whole.returncode == 0, whole.stderr[-3000:]
    cut = _torchrun([*args, "--out", str(tmp_path / "cut")], kill_after=2)
    assert cut.returncode == 0, cut.stderr[-3000:]
    assert "exitcode: -9" in cut.stderr  # the first attempt did die

    saved = load_checkpoint(tmp_path / "cut" / "checkpoint.pt.at-kill")
    assert saved["epoch"] == 2
    lines = (tmp_path / "cut" / "history.jsonl").read_text().splitlines()
    seconds = [json.loads(line)["seconds"] for line in lines]
    assert len(seconds) == 4 and seconds[:2] == [h["seconds"] for h in saved["history"]]  # resumed
    a, b = (torch.load(tmp_path / r / "model.pt", weights_only=False) for r in ("whole", "cut"))
    for k, v in a["state_dict"].items():
        assert torch.equal(b["state_dict"][k], v), k
    assert a["metrics"]["test"] == b["metrics"]["test"]
    assert not (tmp_path / "cut" / "checkpoint.pt").exists()  # complete: removed


def _main() -> None:
    """``genemoe`` with the kill of :func:`_die_after` on torchrun's first attempt."""
    kill_after = int(os.environ.get("GENEMOE_TEST_KILL_AFTER") or 0)
    if kill_after and os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") == "0":
        _die_after(kill_after)
    from genemoe.cli import main

    sys.argv = ["genemoe", *sys.argv[1:]]
    main()


if __name__ == "__main__":
    _main()


def _join(rank: int, world: int, port: int, attempt: int) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      TORCHELASTIC_USE_AGENT_STORE="True",
                      TORCHELASTIC_RESTART_COUNT=str(attempt))
    torch.set_num_threads(1)
    ddp.init_distributed(device="cpu", timeout_s=20)
    try:
        x = torch.ones(1)
        torch.distributed.all_reduce(x)
        assert x.item() == world
    finally:
        ddp.destroy_distributed()


def test_a_restarted_attempt_joins_through_the_agent_store_left_by_the_last(no_dist_env):
    """torchrun's agents keep one store across worker restarts (TORCHELASTIC_USE_AGENT_STORE):
    the second attempt must not read the first attempt's (dead) addresses."""
    port = free_port()
    agent_store = torch.distributed.TCPStore("127.0.0.1", port, is_master=True,
                                             wait_for_workers=False)
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    for attempt in (0, 1):
        mp.start_processes(_join, args=(2, port, attempt), nprocs=2, join=True,
                           start_method=method)
    del agent_store


def test_the_newest_readable_copy_wins_and_none_readable_is_an_error(tmp_path):
    e = {"error": "corrupt"}
    older, newer = {"epoch": 3, "digest": "a"}, {"epoch": 5, "digest": "b"}
    assert newest_copy([None, None], tmp_path) is None  # nothing anywhere: start afresh
    assert newest_copy([older, newer, None], tmp_path) == 1
    assert newest_copy([e, older, {"epoch": 3, "digest": "c"}], tmp_path) == 1  # tie: lowest
    with pytest.raises(InputError, match="rank 0: corrupt"):
        newest_copy([e, None], tmp_path)


def _frozen_phase_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    from types import SimpleNamespace

    from genemoe.models.registry import create_model
    from genemoe.train.finetune import train_with_frozen_encoder

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    calls: list[int | None] = []

    def train_fn(model, *, checkpoint_path, max_epochs_this_call=None, **kwargs):
        calls.append(max_epochs_this_call)
        return SimpleNamespace(finished=True, epochs_run=0)

    model = create_model("vaecox", n_genes=6, n_outputs=1, task="survival", hidden=8, latent=4)
    try:
        train_with_frozen_encoder(train_fn, model, freeze_epochs=3, config=CFG,
                                  checkpoint_path=Path(out_dir) / f"ckpt-rank{rank}.pt")
        (Path(out_dir) / f"calls-{rank}.json").write_text(json.dumps(calls))
    finally:
        ddp.destroy_distributed()


def test_every_rank_takes_the_same_frozen_phase_from_the_newest_copy(tmp_path, no_dist_env):
    """--freeze-encoder-epochs on node-local disks: rank 0 holds the epoch-2 checkpoint,
    rank 1 none. The old code read the epoch per rank before the processes met, so rank 1
    froze the encoder for 3 epochs while rank 0 froze it for 1: two models in one job."""
    from dataclasses import replace

    _train(tmp_path / "ckpt-rank0.pt", replace(CFG, epochs=2))  # rank 0's disk: epoch 2
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    mp.start_processes(_frozen_phase_worker, nprocs=2, join=True, start_method=method,
                       args=(2, free_port(), str(tmp_path)))
    calls = [json.loads((tmp_path / f"calls-{r}.json").read_text()) for r in (0, 1)]
    assert calls[0] == calls[1] == [1]  # both: the 1 frozen epoch left, then done
