"""Checkpoints: atomic writes, clear errors, and exact resumption of training."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from test_loop import TinyModel, accuracy, ce_loss, make_classify, no_time  # tests/train sibling

from genemoe.errors import InputError
from genemoe.train import checkpoint as ckpt_mod
from genemoe.train.checkpoint import load_checkpoint, save_checkpoint
from genemoe.train.loop import TrainConfig, train_model

CFG = TrainConfig(epochs=6, batch_size=32, lr=1e-2, progress=False, aux_weight=0.5,
                  schedule="cosine", warmup_epochs=1, patience=None)
# the training recipe on: its draws and the weight average must resume exactly too
RECIPE = TrainConfig(**{**CFG.to_dict(), "noise_std": 0.3, "mixup_alpha": 0.4, "ema_decay": 0.9})


def run(cfg=CFG, **kw):
    X, y = make_classify()
    torch.manual_seed(0)
    model = TinyModel(X.shape[1], 3, dropout=0.2)  # dropout: the torch RNG must resume too
    res = train_model(model, X_train=X[:90], y_train=y[:90], X_val=X[90:], y_val=y[90:],
                      task="classify", config=cfg, loss_fn=kw.pop("loss_fn", ce_loss),
                      metric_fn=accuracy, **kw)
    return model, res


def assert_same_run(a, b):
    (m1, r1), (m2, r2) = a, b
    sd1, sd2 = m1.state_dict(), m2.state_dict()
    assert sd1.keys() == sd2.keys()
    assert all(torch.equal(sd1[k], sd2[k]) for k in sd1)
    assert all(torch.equal(r1.best_state[k], r2.best_state[k]) for k in sd1)
    assert no_time(r1.history) == no_time(r2.history)
    assert (r1.best_epoch, r1.best_val_metric) == (r2.best_epoch, r2.best_val_metric)


@pytest.mark.parametrize("cfg", [CFG, RECIPE], ids=["plain", "noise+mixup+ema"])
def test_pause_and_resume_reaches_identical_weights_and_history(tmp_path, cfg, caplog):
    full = run(cfg)
    path, log = tmp_path / "ckpt.pt", tmp_path / "log.jsonl"
    _, part = run(cfg, checkpoint_path=path, log_path=log, max_epochs_this_call=3,
                  extra_state={"class_names": ["a", "b", "c"], "genes": ["g1", "g2"]})
    assert not part.finished and part.epochs_run == 3
    c = load_checkpoint(path)
    assert c["epoch"] == 3 and c["meta"]["class_names"] == ["a", "b", "c"]
    assert (c["extra"]["ema"] is None) == (cfg.ema_decay is None)
    with caplog.at_level("WARNING"):  # said without -v (an INFO line: a resume looked fresh)
        resumed = run(cfg, checkpoint_path=path, log_path=log)
    assert f"resuming from {path} after epoch 3 (delete it to start afresh)" in caplog.text
    assert resumed[1].finished and len(resumed[1].history) == 6
    assert_same_run(full, resumed)
    assert len(log.read_text().splitlines()) == 6
    # a finished run resumes to the same result without training again
    again = run(cfg, checkpoint_path=path)
    assert_same_run(full, again)


def test_crash_mid_epoch_resumes_from_the_last_checkpoint(tmp_path):
    full = run()
    calls = {"n": 0}

    def crashing_loss(output, y):
        calls["n"] += 1
        if calls["n"] == 3 * 4 + 2:  # 3 batches + 1 val loss per epoch: die inside epoch 4
            raise KeyboardInterrupt
        return ce_loss(output, y)

    path = tmp_path / "ckpt.pt"
    with pytest.raises(KeyboardInterrupt):
        run(checkpoint_path=path, loss_fn=crashing_loss)
    assert load_checkpoint(path)["epoch"] == 3
    assert_same_run(full, run(checkpoint_path=path))


def test_checkpoint_every_k_epochs(tmp_path):
    path = tmp_path / "ckpt.pt"
    cfg = TrainConfig(**{**CFG.to_dict(), "checkpoint_every": 2})
    run(cfg, checkpoint_path=path, max_epochs_this_call=3)
    assert load_checkpoint(path)["epoch"] == 3  # the last epoch of a call is always saved
    assert_same_run(run(), run(cfg, checkpoint_path=path))


def test_resume_refuses_a_different_setup(tmp_path):
    path = tmp_path / "ckpt.pt"
    run(checkpoint_path=path, max_epochs_this_call=1)
    with pytest.raises(InputError, match="lr: 0.01 -> 0.1") as err:
        run(TrainConfig(**{**CFG.to_dict(), "lr": 0.1}), checkpoint_path=path)
    assert "--checkpoint" not in err.value.fix and "resume=False" not in err.value.fix  # no such
    assert "delete it to start afresh, or train into another --out" in err.value.fix  # options
    for key, value in (("noise_std", 0.1), ("label_smoothing", 0.1), ("ema_decay", 0.9)):
        with pytest.raises(InputError, match=key):  # another recipe is another run
            run(TrainConfig(**{**CFG.to_dict(), key: value}), checkpoint_path=path)
    _, fresh = run(TrainConfig(**{**CFG.to_dict(), "lr": 0.1}), checkpoint_path=path,
                   resume=False, max_epochs_this_call=1)
    assert load_checkpoint(path)["extra"]["train_config"]["lr"] == 0.1


def _save(path, **over):
    kw = dict(model_state={"w": torch.ones(2)}, optimizer_state={}, scheduler_state={}, epoch=1,
              rng_state=ckpt_mod.capture_rng_state(np.random.default_rng(0)), best_state=None,
              best_metric=float("nan"), history=[{"epoch": 1}], meta={"genes": ["A"]})
    return save_checkpoint(path, **{**kw, **over})


def test_a_killed_write_never_replaces_the_good_checkpoint(tmp_path, monkeypatch):
    path = _save(tmp_path / "ckpt.pt")
    # a previous writer killed mid-write leaves a garbage temporary sibling behind
    (tmp_path / ".ckpt.pt.12345.tmp").write_bytes(b"PK\x03\x04 half a zip")
    assert torch.equal(load_checkpoint(path)["model_state"]["w"], torch.ones(2))

    def dying_save(obj, fh, *a, **k):
        fh.write(b"PK\x03\x04 partial")
        raise KeyboardInterrupt  # killed mid-write

    monkeypatch.setattr(ckpt_mod.torch, "save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        _save(path, model_state={"w": torch.zeros(2)}, epoch=2)
    monkeypatch.undo()
    c = load_checkpoint(path)
    assert c["epoch"] == 1 and torch.equal(c["model_state"]["w"], torch.ones(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ckpt.pt.12345.tmp", "ckpt.pt"]


def test_corrupt_or_foreign_files_get_errors_naming_the_file(tmp_path):
    path = _save(tmp_path / "ckpt.pt")
    data = path.read_bytes()
    bad = tmp_path / "truncated.pt"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"truncated\.pt.*corrupt or truncated"):
        load_checkpoint(bad)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.ones(1)}, other)
    with pytest.raises(InputError, match=r"other\.pt.*not a genemoe checkpoint"):
        load_checkpoint(other)
    with pytest.raises(InputError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")


def test_meta_with_arbitrary_objects_needs_trust(tmp_path):
    path = _save(tmp_path / "ckpt.pt", meta={"mean": np.arange(3.0)})
    with pytest.raises(InputError, match="trusted=True"):
        load_checkpoint(path)
    np.testing.assert_array_equal(load_checkpoint(path, trusted=True)["meta"]["mean"], np.arange(3.0))
    assert not any(p.suffix == ".tmp" for p in tmp_path.iterdir())
    assert os.path.getsize(path) > 0


def test_resume_refuses_other_data_or_another_model_in_words(tmp_path):
    """Old behaviour (a probe): resuming with another --model ended in a 134-line traceback
    from load_state_dict, another --data in a size-mismatch traceback, and other data of the
    same gene count went on from the other run's weights without a word."""
    path = tmp_path / "ckpt.pt"
    run(checkpoint_path=path, max_epochs_this_call=1)
    X, y = make_classify()
    with pytest.raises(InputError, match="written for other data") as err:
        train_model(TinyModel(X.shape[1], 3, dropout=0.2), X_train=X[:90], y_train=y[::-1][:90],
                    X_val=X[90:], y_val=y[90:], task="classify", config=CFG, loss_fn=ce_loss,
                    metric_fn=accuracy, checkpoint_path=path)  # as many genes, other targets
    assert "delete it to start afresh" in err.value.fix
    with pytest.raises(InputError, match=r"another model or gene set \(weight .* of shape"):
        train_model(TinyModel(X.shape[1], 3, dropout=0.2, hidden=7), X_train=X[:90],
                    y_train=y[:90], X_val=X[90:], y_val=y[90:], task="classify", config=CFG,
                    loss_fn=ce_loss, metric_fn=accuracy, checkpoint_path=path)


def test_a_checkpoint_past_the_epochs_asked_now_is_said_kept_as_trained(tmp_path, caplog):
    """Old behaviour: a member checkpointed at epoch 4, resumed with epochs 2, was recorded as
    trained 2 epochs (its best epoch 4), unsaid (a probe: `--ensemble 3 --epochs 15`, stopped,
    then `--epochs 10`)."""
    path = tmp_path / "ckpt.pt"
    run(CFG, checkpoint_path=path, max_epochs_this_call=4)
    fewer = TrainConfig(**{**CFG.to_dict(), "epochs": 2})
    with caplog.at_level("WARNING"):
        _, res = run(fewer, checkpoint_path=path)
    assert res.epochs_run == 4
    assert (f"{path} is past the 2 epochs asked now: kept as trained, 4 epochs (its record says "
            "epochs_trained); delete it to train 2") in caplog.text
