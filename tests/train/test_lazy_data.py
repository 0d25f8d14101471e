"""Lazy task data (train/scaled_rows.py): the same values and weights as the eager arrays,
and under data parallelism each process reads only its share of the bundle's rows."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

import genemoe.train.fit as fit
from distributed_helpers import free_port
from genemoe.data.bundle import load_bundle
from genemoe.train import distributed as ddp
from genemoe.train.inference import predict_outputs
from genemoe.train.scaled_rows import ScaledRows
from genemoe.train.task_data import bundle_scaler, task_data

FCN = {"hidden": 8, "latent": 4, "dropout": 0.1}
DDP_FCN = {**FCN, "dropout": 0.0}  # each process draws its own dropout masks
TRAIN = {"epochs": 2, "batch_size": 16, "lr": 1e-2, "seed": 5, "device": "cpu", "patience": None,
         "noise_std": 0.2, "mixup_alpha": 0.3, "ema_decay": 0.9}


class Recorder:
    """Stands for a bundle's memmap and notes every set of rows read from it."""

    def __init__(self, X: np.ndarray) -> None:
        self.X, self.shape, self.reads = X, X.shape, []

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        self.reads.append(np.asarray(rows).copy())
        return self.X[rows]


def _parts(bundle, task="classify", *, lazy: bool, method: str = "standard") -> dict:
    mask = bundle.gene_mask()
    scaler = bundle_scaler(bundle, mask, method=method)
    return {s: task_data(bundle, bundle.indices(s), task, gene_mask=mask, scaler=scaler,
                         class_names=bundle.class_names, lazy=lazy)
            for s in ("train", "val", "test")}


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return load_bundle(synthetic_bundle().path)  # X memory-mapped


@pytest.mark.parametrize(("task", "method"), [("classify", "standard"), ("survival", "global")])
def test_lazy_rows_are_the_eager_values_bit_for_bit(bundle, task, method):
    eager, lazy = _parts(bundle, task, lazy=False), _parts(bundle, task, lazy=True)
    for s in eager:
        E, L = eager[s].X, lazy[s].X
        assert isinstance(L, ScaledRows) and L.shape == E.shape and len(L) == len(E)
        np.testing.assert_array_equal(lazy[s].rows, eager[s].rows)
        assert np.array_equal(np.asarray(L), E)
    E, L = eager["train"].X, lazy["train"].X
    L.chunk_rows = 7  # several reads per call
    idx = np.array([5, 0, 5, len(E) - 1, 3])  # unsorted, a repeat
    assert np.array_equal(L[idx], E[idx]) and L[idx].dtype == np.float32
    assert np.array_equal(L[torch.as_tensor(idx)], E[idx])
    assert np.array_equal(L[2:9], E[2:9]) and np.array_equal(L[-1], E[-1])
    mask = np.arange(len(E)) % 3 == 0
    assert np.array_equal(L[mask], E[mask])
    assert np.array_equal(np.asarray(L.subset(slice(4, 20))[1:3]), E[5:7])
    with pytest.raises(IndexError):
        L[np.array([len(E)])]
    with pytest.raises(TypeError, match="row indices"):
        L[0, 1]


def test_a_model_trained_lazily_equals_one_trained_on_arrays(bundle):
    """Noise, mixup, dropout and the weight average on: the same weights, bit for bit."""
    res = {}
    for lazy in (False, True):
        res[lazy] = fit.fit_model("fcn", "classify", _parts(bundle, lazy=lazy), model_cfg=FCN,
                                  train_cfg=TRAIN, n_outputs=len(bundle.class_names))
    state_e, state_l = res[False].model.state_dict(), res[True].model.state_dict()
    assert all(torch.equal(state_e[k], state_l[k]) for k in state_e)
    assert [h["val_loss"] for h in res[False].history] == [h["val_loss"] for h in res[True].history]
    for s in ("train", "val", "test"):
        np.testing.assert_array_equal(res[True].outputs[s], res[False].outputs[s])


def test_prediction_reads_a_lazy_matrix_one_batch_at_a_time(bundle):
    d = _parts(bundle, lazy=True)["test"]
    d.X.source = rec = Recorder(d.X.source)
    model = fit.create_model("fcn", n_genes=d.X.shape[1], n_outputs=3, task="classify", **FCN)
    out = predict_outputs(model, d.X, batch_size=8, device="cpu")
    assert out.shape == (len(d.X), 3)
    assert max(len(r) for r in rec.reads) <= 8
    np.testing.assert_array_equal(np.sort(np.concatenate(rec.reads)), np.sort(d.rows))


# --------------------------------------------------------------------------- two processes


def _worker(rank: int, world: int, port: int, bundle_path: str, out_dir: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    ddp.init_distributed(device="cpu", timeout_s=60)
    try:
        b = load_bundle(bundle_path)
        data = _parts(b, lazy=True)
        recs = {}
        for s, d in data.items():
            d.X.source = recs[s] = Recorder(d.X.source)
        res = fit.fit_model("fcn", "classify", data, model_cfg=DDP_FCN,
                            train_cfg={**TRAIN, "mixup_alpha": 0.0}, n_outputs=len(b.class_names))
        torch.save({"reads": {s: [r.tolist() for r in rec.reads] for s, rec in recs.items()},
                    "outputs": res.outputs}, Path(out_dir) / f"rank{rank}.pt")
    finally:
        ddp.destroy_distributed()


def test_each_of_two_processes_reads_only_its_share_of_the_bundle(bundle, tmp_path, monkeypatch):
    """Every epoch the two processes' training reads are disjoint and together cover the
    training split once; each reads its half of the validation split; only rank 0 reads
    the parts again after training, to score them."""
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    cfg = {**TRAIN, "mixup_alpha": 0.0}  # mixup would also read each row's partner
    single = fit.fit_model("fcn", "classify", _parts(bundle, lazy=False), model_cfg=DDP_FCN,
                           train_cfg=cfg, n_outputs=len(bundle.class_names))
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    mp.start_processes(_worker, args=(2, free_port(), str(bundle.path), str(tmp_path)), nprocs=2,
                       join=True, start_method=method)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in (0, 1))
    parts = _parts(bundle, lazy=True)
    n_train, epochs = len(parts["train"].rows), TRAIN["epochs"]
    steps = -(-n_train // TRAIN["batch_size"]) * epochs  # one read per rank per step
    assert len(r1["reads"]["train"]) == steps and len(r0["reads"]["train"]) == steps + 1
    for e in range(epochs):
        per_rank = [np.concatenate(r["reads"]["train"][e * steps // epochs:(e + 1) * steps // epochs])
                    for r in (r0, r1)]
        assert abs(len(per_rank[0]) - len(per_rank[1])) <= steps // epochs  # ~half each
        both = np.concatenate(per_rank)
        np.testing.assert_array_equal(np.sort(both), np.sort(parts["train"].rows))  # each once
        val = [np.asarray(r["reads"]["val"][e]) for r in (r0, r1)]
        assert min(map(len, val)) > 0 and not np.intersect1d(*val).size
        np.testing.assert_array_equal(np.sort(np.concatenate(val)), np.sort(parts["val"].rows))
    # after training: rank 0 scores every part (one batch each here), rank 1 reads nothing more
    assert len(r1["reads"]["val"]) == epochs and r1["reads"]["test"] == [] and r1["outputs"] == {}
    assert len(r0["reads"]["val"]) == epochs + 1 and len(r0["reads"]["test"]) == 1
    for s in ("train", "val", "test"):
        np.testing.assert_allclose(r0["outputs"][s], single.outputs[s], atol=1e-5)


# --------------------------------------------------------------------------- genemoe train


def test_a_lazy_run_writes_the_run_of_an_eager_one(bundle, tmp_path):
    """``train_run(lazy_data=True)``: the same weights, metrics and predictions (routing and
    unfamiliar-sample statistics on rank 0 read the lazy parts batch by batch)."""
    from genemoe.train.model_file import load_model_file
    from genemoe.workflows.train import train_run

    runs = {lazy: train_run(bundle.path, out_dir=tmp_path / str(lazy), task="survival",
                            model_name="genemoe", epochs=2, progress=False, device="cpu",
                            lazy_data=lazy) for lazy in (False, True)}
    assert runs[True].metrics.keys() == runs[False].metrics.keys()
    for name in ("metrics.json", "predictions.tsv", "routing.json"):  # (NaN != NaN in a dict)
        assert (tmp_path / "True" / name).read_text() == (tmp_path / "False" / name).read_text()
    m_e, m_l = (load_model_file(tmp_path / str(lazy)) for lazy in (False, True))
    assert all(torch.equal(m_e["state_dict"][k], m_l["state_dict"][k]) for k in m_e["state_dict"])
    assert np.array_equal(m_e["train_risk"], m_l["train_risk"])
    assert m_e["ood"]["threshold"] == m_l["ood"]["threshold"]


def test_train_run_is_lazy_under_torchrun_by_default(bundle, tmp_path, monkeypatch):
    import genemoe.workflows.train as wf

    seen = []

    def spy(*args, lazy=False, **kw):
        seen.append(lazy)
        raise RuntimeError("stop here")

    monkeypatch.setattr(wf, "task_data", spy)
    for world, expected in (("2", True), ("1", False)):
        monkeypatch.setenv("WORLD_SIZE", world)
        with pytest.raises(RuntimeError, match="stop here"):
            wf.train_run(bundle.path, out_dir=tmp_path / world, model_name="fcn", progress=False)
        assert seen.pop() is expected
    with pytest.raises(RuntimeError, match="stop here"):
        wf.train_run(bundle.path, out_dir=tmp_path / "x", model_name="fcn", lazy_data=False)
    assert seen.pop() is False


def test_ranks_other_than_0_skip_scoring_and_so_does_an_ensemble_of_them(bundle, monkeypatch):
    from genemoe.train.ensemble import fit_ensemble

    monkeypatch.setattr(fit, "get_dist_info", lambda: ddp.DistInfo(1, 2, 1, False))
    cfg = {**TRAIN, "epochs": 1}
    data = _parts(bundle, lazy=True)
    res = fit.fit_model("fcn", "classify", data, model_cfg=FCN, train_cfg=cfg, n_outputs=3)
    assert res.outputs == {} and res.info["best_epoch"] == 1
    ens = fit_ensemble("fcn", "classify", data, 2, model_cfg=FCN, train_cfg=cfg, n_outputs=3)
    assert ens.outputs == {} and ens.info["ensemble"]["k"] == 2
