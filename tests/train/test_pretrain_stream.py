"""Streaming pre-training: rows read from disk per batch equal the in-memory rows, in the
same seeded order, so a streamed run trains the very same model."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch
import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.train import pretrain_stream
from genemoe.train.finetune import read_pretrained
from genemoe.train.pretrain import PretrainConfig
from genemoe.train.pretrain_data import load_pretrain_data
from genemoe.train.pretrain_stream import BatchFeed, NpyRows, StreamingRows, should_stream
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE

TIMING = ("seconds", "throughput/", "memory/", "stream")  # measured or mode, not computed
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, clinical=False)


@pytest.fixture(scope="module")
def two_bundles(bundle, tmp_path_factory):
    """The bundle and a copy whose first third of genes are renamed (not shared)."""
    other = load_bundle(bundle.path)
    var = other.var.copy()
    third = len(var) // 3
    var.loc[var.index[:third], "gene_id"] = [f"NEW{i}" for i in range(third)]
    other.var = var
    other.obs = other.obs.assign(sample_id="copy-" + other.obs["sample_id"].astype(str),
                                 patient_id="copy-" + other.obs["patient_id"].astype(str))
    path = write_bundle(other, tmp_path_factory.mktemp("other") / "bundle")
    return [bundle.path, path]


@pytest.fixture(scope="module")
def tiny_yaml(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 2, "batch_size": 32, "lr": 3e-3, "n_critic": 2,
                     "critic_widths": [16]}}))
    return path


def test_streamed_rows_equal_the_in_memory_rows_on_shared_genes(two_bundles):
    mem = load_pretrain_data(two_bundles, min_shared_genes=0.5, stream=False)
    streamed = load_pretrain_data(two_bundles, min_shared_genes=0.5, stream=True)
    X = streamed.X_train
    assert isinstance(X, StreamingRows) and X.shape == mem.X_train.shape
    assert X.nbytes == mem.X_train.nbytes
    idx = np.random.default_rng(0).permutation(len(X))  # rows of both bundles, any order
    assert np.array_equal(X.read(idx), mem.X_train[idx])  # bit-identical, gathered and scaled
    assert np.array_equal(X[idx[:7]].numpy(), mem.X_train[idx[:7]])
    for name in ("X_val", "X_val_log", "val_bundle"):
        assert np.array_equal(getattr(streamed, name), getattr(mem, name))
    assert streamed.gene_ids == mem.gene_ids and streamed.samples.equals(mem.samples)


def test_npy_rows_reads_runs_and_scattered_rows_and_survives_pickling(tmp_path):
    M = np.random.default_rng(1).standard_normal((40, 13)).astype(np.float32)
    np.save(tmp_path / "c.npy", M)
    np.save(tmp_path / "f.npy", np.asfortranarray(M))  # not row-contiguous: read via mmap
    rows = np.array([0, 1, 2, 3, 9, 20, 21, 39])
    for name in ("c.npy", "f.npy"):
        reader = NpyRows(tmp_path / name)
        assert reader.shape == (40, 13) and reader.direct == (name == "c.npy")
        assert np.array_equal(reader.read(rows), M[rows])
        clone = pickle.loads(pickle.dumps(reader))  # what a DataLoader worker gets
        assert clone._fd is None and np.array_equal(clone.read(rows), M[rows])


@pytest.mark.parametrize(("workers", "prefetch"), [(0, 0), (0, 2), (1, 2)])
def test_batch_feed_yields_the_batches_in_order(bundle, workers, prefetch):
    X = load_pretrain_data([bundle.path], stream=True).X_train
    batches = [np.array([5, 1, 9]), np.array([0, 2]), np.arange(10, 30)]
    feed = BatchFeed(X, batches, device=CPU, workers=workers, prefetch=prefetch)
    got = list(feed)
    assert [g.numpy().tolist() for g in got] == [X.read(b).tolist() for b in batches]
    stats = feed.stats(2.0)
    assert feed.n_rows == 25 and stats["throughput/samples_per_s"] == 12.5
    assert 0 <= stats["throughput/data_wait_fraction"] == feed.wait_seconds / 2.0


def test_a_read_error_reaches_the_training_loop(bundle):
    X = load_pretrain_data([bundle.path], stream=True).X_train
    batches = [np.array([0, 1]), np.array([10**6])]  # the second batch does not exist
    feed = iter(BatchFeed(X, batches, device=CPU, prefetch=2))
    assert next(feed).shape[0] == 2
    with pytest.raises(IndexError):
        next(feed)


def test_streamed_pretraining_trains_the_same_model(bundle, tiny_yaml, tmp_path):
    runs = {}
    for stream, workers in ((False, 0), (True, 0), (True, 1)):
        cfg = tmp_path / f"w{workers}.yaml"
        y = yaml.safe_load(tiny_yaml.read_text())
        y["pretrain"]["stream_workers"] = workers
        cfg.write_text(yaml.safe_dump(y))
        runs[stream, workers] = pretrain_run([bundle.path], out_dir=tmp_path / f"{stream}{workers}",
                                             config_path=cfg, device="cpu", progress=False,
                                             stream=stream)
    base = runs[False, 0]
    for key, res in runs.items():
        assert [r["stream"] for r in res.history] == [key[0]] * 2
        assert res.summary["stream"] is key[0]
        for r in res.history:
            assert r["throughput/samples_per_s"] > 0 and r["memory/rss_peak_mib"] > 0
            assert 0 <= r["throughput/data_wait_fraction"] <= 1
        strip = [{k: v for k, v in r.items() if not k.startswith(TIMING)} for r in res.history]
        assert strip == [{k: v for k, v in r.items() if not k.startswith(TIMING)}
                         for r in base.history]
        a, b = read_pretrained(base.out_dir)["state_dict"], read_pretrained(res.out_dir)["state_dict"]
        assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_run_started_in_memory_resumes_streaming(bundle, tiny_yaml, tmp_path):
    whole = pretrain_run([bundle.path], out_dir=tmp_path / "whole", config_path=tiny_yaml,
                         device="cpu", progress=False, stream=False)
    out = tmp_path / "half"
    pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu", progress=False,
                 stream=False, max_epochs_this_call=1)
    res = pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu",
                       progress=False, stream=True)
    assert res.finished and [r["stream"] for r in res.history] == [False, True]
    a, b = read_pretrained(whole.out_dir)["state_dict"], read_pretrained(out)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_auto_streams_only_above_the_memory_share(bundle, monkeypatch):
    assert should_stream(1000, 1000, memory_fraction=0.5, available=7 * 10**6)  # 4 MB > 7 MB / 2
    assert not should_stream(1000, 1000, memory_fraction=0.5, available=9 * 10**6)
    monkeypatch.setattr(pretrain_stream, "available_memory", lambda: 10**12)
    assert isinstance(load_pretrain_data([bundle.path], stream="auto").X_train, np.ndarray)
    monkeypatch.setattr(pretrain_stream, "available_memory", lambda: 1000)
    assert isinstance(load_pretrain_data([bundle.path], stream="auto").X_train, StreamingRows)


def test_streaming_monitors_a_bounded_validation_subset(bundle):
    full = load_pretrain_data([bundle.path], stream=True)
    capped = load_pretrain_data([bundle.path], stream=True, val_rows=5)
    assert len(capped.X_val) == len(capped.X_val_log) == len(capped.val_bundle) == 5
    rows = [np.flatnonzero((full.X_val_log == r).all(1))[0] for r in capped.X_val_log]
    assert np.array_equal(capped.X_val, full.X_val[rows])  # a subset of the same rows
    assert capped.samples.equals(full.samples)  # every validation sample still recorded
    assert capped.bundles[0]["n_val_monitored"] == 5 and "n_val_monitored" not in full.bundles[0]
    assert len(load_pretrain_data([bundle.path], stream=False, val_rows=5).X_val) == len(full.X_val)


def test_bad_stream_options_are_refused():
    for bad in ({"stream": "yes"}, {"stream_workers": -1}, {"stream_memory_fraction": 0},
                {"stream_val_rows": 0}):
        with pytest.raises(InputError, match="invalid pre-training value"):
            PretrainConfig.from_dict(bad)


def test_cli_pretrain_stream(bundle, tiny_yaml, tmp_path):
    from typer.testing import CliRunner

    from genemoe.cli import app

    r = CliRunner().invoke(app, ["pretrain", "--data", str(bundle.path), "--out",
                                 str(tmp_path / "p"), "--config", str(tiny_yaml), "--epochs", "1",
                                 "--device", "cpu", "--no-progress", "--stream"])
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "p" / "history.jsonl").read_text().splitlines()[0])
    assert rec["stream"] is True and rec["throughput/samples_per_s"] > 0
    assert json.loads((tmp_path / "p" / "summary.json").read_text())["stream"] is True


def test_pretrain_under_torchrun_is_refused(tmp_path, monkeypatch):
    """Each torchrun worker used to pre-train its own copy into the same run directory."""
    from genemoe.workflows.pretrain import pretrain_run

    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(InputError, match="one process"):
        pretrain_run(tmp_path / "no_bundle_needed", out_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()
