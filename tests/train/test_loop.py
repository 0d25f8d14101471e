"""The trainer: learning, determinism, early stopping, logs, schedules, samplers."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from genemoe.errors import InputError
from genemoe.models.base import AuxLossMixin, GeneModel
from genemoe.train.loop import (
    LRSchedule,
    TrainConfig,
    build_optimizer,
    parameter_groups,
    predict_outputs,
    train_model,
)
from genemoe.train.losses import LossOutput, cox_ph_loss
from genemoe.train.sampling import SurvivalTarget, shuffled_batches, stratified_event_batches


class _Route(nn.Module, AuxLossMixin):
    """A soft router over ``k`` linear blocks that records an aux loss and a load stat."""

    def __init__(self, d: int, k: int) -> None:
        super().__init__()
        self.gate = nn.Linear(d, k)
        self.blocks = nn.ModuleList(nn.Linear(d, d) for _ in range(k))
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = torch.softmax(self.gate(x), dim=-1)  # (B, k)
        out = sum(p[:, i : i + 1] * b(x) for i, b in enumerate(self.blocks))
        imp = p.sum(0)
        self.last_aux = {"importance": imp.var() / imp.mean() ** 2}
        self.last_stats = {"load": F.one_hot(p.argmax(1), self.k).float().mean(0).detach()}
        return out


class TinyModel(GeneModel):
    def __init__(self, n_genes: int, n_outputs: int, *, task: str = "classify", hidden: int = 8,
                 dropout: float = 0.1, route: bool = True) -> None:
        super().__init__(n_genes, n_outputs, task=task, n_features=hidden)
        self.inp = nn.Linear(n_genes, hidden)
        self.route = _Route(hidden, 3) if route else nn.Identity()
        self.drop = nn.Dropout(dropout)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, g) -> (B, hidden)
        return self.drop(self.route(torch.relu(self.inp(x))))


def make_classify(n: int = 120, g: int = 10, c: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, n)
    centres = rng.normal(0, 2.0, (c, g))
    X = (centres[y] + rng.normal(0, 1.0, (n, g))).astype(np.float32)
    return X, y


def make_survival(n: int = 120, g: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (n, g)).astype(np.float32)
    risk = 2.0 * X[:, 0] - X[:, 1]
    time = rng.exponential(np.exp(-risk)) * 365
    event = rng.random(n) < 0.6
    return X, {"time": time, "event": event}


def ce_loss(output, y):
    loss = F.cross_entropy(output.out, y)
    return LossOutput(loss=loss, components={"ce": loss.detach()})


def cox_loss(output, target):
    assert isinstance(target, SurvivalTarget)
    loss = cox_ph_loss(output.out.squeeze(-1), target["time"], target.event)
    return LossOutput(loss=loss, components={"cox": loss.detach()})


def accuracy(out: np.ndarray, y) -> float:
    return float((out.argmax(1) == np.asarray(y)).mean())


def cindex(out: np.ndarray, y) -> float:
    """Harrell's C (O(n^2); fine for tests)."""
    r, t, e = out.reshape(-1), np.asarray(y["time"]), np.asarray(y["event"])
    num = den = 0.0
    for i in np.flatnonzero(e):
        comparable = t > t[i]
        den += comparable.sum()
        num += (r[i] > r[comparable]).sum() + 0.5 * (r[i] == r[comparable]).sum()
    return num / den if den else math.nan


def classify_run(config: TrainConfig, **kw):
    X, y = make_classify()
    torch.manual_seed(0)
    model = TinyModel(X.shape[1], 3)
    res = train_model(model, X_train=X[:90], y_train=y[:90], X_val=X[90:], y_val=y[90:],
                      task="classify", config=config, loss_fn=ce_loss, metric_fn=accuracy, **kw)
    return model, res


def no_time(history):
    return [{k: v for k, v in h.items() if k != "seconds"} for h in history]


FAST = TrainConfig(epochs=8, batch_size=32, lr=1e-2, progress=False, aux_weight=0.5)


def test_classify_learns_and_logs_every_component(tmp_path):
    model, res = classify_run(FAST, log_path=tmp_path / "log.jsonl")
    assert res.best_val_metric > 0.8
    h = res.history[-1]
    for key in ("epoch", "lr", "seconds", "train_loss", "loss/ce", "aux/importance", "val_loss",
                "val_metric", "stats/route/load", "stats/route/load_entropy",
                "stats/route/load_dead_experts"):
        assert key in h, key
    assert len(h["stats/route/load"]) == 3
    assert 0 <= h["stats/route/load_entropy"] <= math.log(3) + 1e-9
    # train loss = task loss + aux_weight * aux loss (batch-size-weighted means are linear)
    assert h["train_loss"] == pytest.approx(h["loss/ce"] + 0.5 * h["aux/importance"], rel=1e-5)
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == list(range(1, 9))
    # the model holds the best epoch's weights
    for k, v in model.state_dict().items():
        assert torch.equal(v, res.best_state[k])
    assert res.finished and not res.stopped_early and res.epochs_run == 8


def test_training_is_deterministic_for_a_seed():
    m1, r1 = classify_run(FAST)
    m2, r2 = classify_run(FAST)
    assert no_time(r1.history) == no_time(r2.history)
    for k, v in m1.state_dict().items():
        assert torch.equal(v, m2.state_dict()[k])
    _, r3 = classify_run(TrainConfig(**{**FAST.to_dict(), "seed": 1}))
    assert no_time(r3.history) != no_time(r1.history)


def test_training_leaves_the_callers_random_state_as_it_was():
    """Old behaviour (a probe from Python): training seeded torch's global generator and left
    it so: after `train_run`, a notebook's `torch.rand(3)` gave the same numbers whatever
    seed the user had set. numpy's and Python's global states are kept too."""
    import random

    X, y = make_classify()
    model = TinyModel(X.shape[1], 3)

    def draws(seed: int, train: bool) -> tuple:
        torch.manual_seed(seed)
        np.random.seed(seed)  # noqa: NPY002
        random.seed(seed)
        if train:
            train_model(model, X_train=X[:90], y_train=y[:90], X_val=X[90:], y_val=y[90:],
                        task="classify", config=FAST, loss_fn=ce_loss, metric_fn=accuracy)
        return torch.rand(3).tolist(), np.random.rand(), random.random()  # noqa: NPY002

    for seed in (123, 999):
        assert draws(seed, train=True) == draws(seed, train=False)


def test_early_stopping_on_a_flat_validation_metric():
    X, y = make_classify()
    model = TinyModel(X.shape[1], 3)
    cfg = TrainConfig(epochs=50, patience=3, progress=False)
    res = train_model(model, X_train=X[:90], y_train=y[:90], X_val=X[90:], y_val=y[90:],
                      task="classify", config=cfg, loss_fn=ce_loss, metric_fn=lambda o, y: 0.5)
    assert res.stopped_early and len(res.history) == 4  # patience counts from epoch 1
    # a flat metric ties every epoch: the lowest validation loss keeps the weights
    assert res.best_epoch == 1 + int(np.argmin([h["val_loss"] for h in res.history]))


def test_on_epoch_end_can_stop_training():
    """The hook tuning prunes trials with: called once per epoch with the val metric."""
    X, y = make_classify()
    seen = []
    res = train_model(TinyModel(X.shape[1], 3), X_train=X[:90], y_train=y[:90], X_val=X[90:],
                      y_val=y[90:], task="classify", config=TrainConfig(epochs=20, progress=False),
                      loss_fn=ce_loss, metric_fn=lambda o, y: 0.5,
                      on_epoch_end=lambda e, m: (seen.append((e, m)), e >= 3)[1])
    assert seen == [(1, 0.5), (2, 0.5), (3, 0.5)] and res.stopped_early and res.epochs_run == 3


def test_survival_with_cox_loss_and_event_batches():
    X, yd = make_survival(n=200)
    torch.manual_seed(0)
    model = TinyModel(X.shape[1], 1, task="survival", route=False, dropout=0.0)
    tr = {k: v[:150] for k, v in yd.items()}
    va = (yd["time"][150:], yd["event"][150:])  # a (time, event) pair works too
    cfg = TrainConfig(epochs=20, batch_size=40, lr=3e-2, progress=False, schedule="cosine",
                      warmup_epochs=2)
    res = train_model(model, X_train=X[:150], y_train=tr, X_val=X[150:], y_val=va, task="survival",
                      config=cfg, loss_fn=cox_loss,
                      metric_fn=lambda o, y: cindex(o, {"time": y[0], "event": y[1]}))
    assert res.best_val_metric > 0.7  # the true risk scores 0.81 on this validation split
    assert math.isfinite(res.history[-1]["val_loss"]) and "loss/cox" in res.history[-1]


def test_predict_outputs_batches_in_eval_mode_and_restores_mode():
    X, _ = make_classify(n=50)
    model = TinyModel(X.shape[1], 3, dropout=0.5).train()
    a = predict_outputs(model, X, batch_size=7, device="cpu")
    b = predict_outputs(model, X, batch_size=50, device="cpu")
    assert a.shape == (50, 3) and a.dtype == np.float32 and model.training
    np.testing.assert_allclose(a, b, atol=1e-6)  # dropout off: deterministic


def test_lr_schedule_warmup_cosine_and_plateau():
    p = nn.Parameter(torch.zeros(1))
    cfg = TrainConfig(epochs=10, lr=1.0, schedule="cosine", warmup_epochs=2)
    sched = LRSchedule(torch.optim.SGD([p], lr=1.0), cfg, steps_per_epoch=2)
    assert sched.lr_at(1, 0) == pytest.approx(0.25)
    assert sched.lr_at(2, 1) == pytest.approx(1.0)
    assert sched.lr_at(3, 0) == pytest.approx(1.0)
    assert sched.lr_at(10, 1) == pytest.approx(0.5 * (1 + math.cos(math.pi * 15 / 16)))
    lin = LRSchedule(torch.optim.SGD([p], lr=1.0), TrainConfig(epochs=4, lr=1.0, schedule="linear_decay"), 1)
    assert [lin.lr_at(e, 0) for e in range(1, 5)] == pytest.approx([1.0, 0.75, 0.5, 0.25])
    pl = LRSchedule(torch.optim.SGD([p], lr=1.0),
                    TrainConfig(lr=1.0, schedule="plateau", plateau_patience=1), 1)
    for m in (0.5, 0.4, 0.4):
        pl.epoch_end(m)
    assert pl.lr_at(4, 0) == pytest.approx(0.5)
    pl2 = LRSchedule(torch.optim.SGD([p], lr=1.0), pl.config, 1)
    pl2.load_state_dict(pl.state_dict())
    assert pl2.lr_at(4, 0) == pytest.approx(0.5)


def test_module_lr_groups_follow_the_schedule_at_their_own_ratio():
    model = TinyModel(10, 3)
    cfg = TrainConfig(epochs=10, lr=1.0, schedule="cosine", warmup_epochs=2,
                      module_lr={"route": 0.1, "route.gate": 0.01})
    groups = parameter_groups(model, cfg)
    names = {id(p): n for n, p in model.named_parameters()}
    placed = {g["lr_module"]: sorted(names[id(p)] for p in g["params"]) for g in groups}
    assert placed == {None: ["head.bias", "head.weight", "inp.bias", "inp.weight"],
                      "route": sorted(n for n in names.values() if n.startswith("route.blocks.")),
                      "route.gate": ["route.gate.bias", "route.gate.weight"]}  # longest path wins
    opt = build_optimizer(groups, cfg)
    sched = LRSchedule(opt, cfg, steps_per_epoch=2)
    for epoch, step, base in ((1, 0, 0.25), (2, 1, 1.0), (10, 1, 0.5 * (1 + math.cos(math.pi * 15 / 16)))):
        assert sched.set_step(epoch, step) == pytest.approx(base)
        assert [g["lr"] for g in opt.param_groups] == pytest.approx([base, 0.1 * base, 0.01 * base])
    assert sched.module_lrs() == pytest.approx({"route": 0.1 * base, "route.gate": 0.01 * base})
    sched.scale = 0.5  # a plateau cut scales every group
    sched.set_step(3, 0)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([0.5, 0.05, 0.005])
    with pytest.raises(ValueError, match="module_lr names \\['encoder'\\], which hold no param"):
        parameter_groups(model, TrainConfig(module_lr={"encoder": 1e-3}))
    for bad in ({"route": 0}, {"route": -1e-3}, {"": 1e-3}, ["route"]):
        with pytest.raises(ValueError, match="module_lr"):
            TrainConfig(module_lr=bad)
    assert len(parameter_groups(model, TrainConfig())) == 1  # no module_lr: one group


def test_module_lr_trains_logs_and_resumes_exactly(tmp_path):
    cfg = TrainConfig(**{**FAST.to_dict(), "epochs": 4, "schedule": "linear_decay",
                         "module_lr": {"inp": 1e-3}})
    whole_model, whole = classify_run(cfg)
    assert [h["lr/inp"] for h in whole.history] == pytest.approx(
        [0.1 * h["lr"] for h in whole.history])
    path = tmp_path / "ckpt.pt"
    _, part = classify_run(cfg, checkpoint_path=path, max_epochs_this_call=2)
    assert not part.finished
    model, res = classify_run(cfg, checkpoint_path=path)
    assert no_time(res.history) == no_time(whole.history)
    for k, v in model.state_dict().items():
        assert torch.equal(v, whole_model.state_dict()[k]), k
    with pytest.raises(InputError, match="module_lr"):  # another encoder lr is another run
        classify_run(TrainConfig(**{**cfg.to_dict(), "module_lr": {"inp": 2e-3}}),
                     checkpoint_path=path)


def test_fused_optimizer_falls_back_with_a_note(monkeypatch, caplog):
    class NoFused(torch.optim.Adam):
        def __init__(self, params, fused=None, **kw):
            if fused:
                raise RuntimeError("fused kernel not supported here")
            super().__init__(params, **kw)

    monkeypatch.setattr(torch.optim, "Adam", NoFused)
    with caplog.at_level(logging.INFO, logger="genemoe.train.optim"):
        opt = build_optimizer([nn.Parameter(torch.zeros(2))], TrainConfig())
    assert not opt.defaults.get("fused") and "fused adam unavailable" in caplog.text
    with pytest.raises(RuntimeError):
        build_optimizer([nn.Parameter(torch.zeros(2))], TrainConfig(fused=True))


def test_bad_config_and_inputs_are_reported():
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=0)
    with pytest.raises(ValueError, match="y_train has 5 labels"):
        train_model(TinyModel(10, 3), X_train=np.zeros((6, 10), np.float32), y_train=np.zeros(5),
                    X_val=np.zeros((2, 10), np.float32), y_val=np.zeros(2), task="classify",
                    config=TrainConfig(progress=False), loss_fn=ce_loss, metric_fn=accuracy)


def test_shuffled_batches_cover_rows_and_merge_a_tiny_tail():
    b = shuffled_batches(10, 4, generator=np.random.default_rng(0))
    assert [len(x) for x in b] == [4, 4, 2]
    assert sorted(np.concatenate(b)) == list(range(10))
    assert [len(x) for x in shuffled_batches(9, 4, generator=np.random.default_rng(0), min_size=2)] == [4, 5]
    assert [len(x) for x in shuffled_batches(9, None, generator=np.random.default_rng(0))] == [9]
    again = shuffled_batches(10, 4, generator=np.random.default_rng(0))
    assert all(np.array_equal(x, z) for x, z in zip(b, again, strict=True))


def test_stratified_event_batches_spread_events():
    rng = np.random.default_rng(1)
    event = np.zeros(50, bool)
    event[rng.choice(50, 9, replace=False)] = True
    batches = stratified_event_batches(event, 8, generator=np.random.default_rng(0), min_events=2)
    assert len(batches) == 4  # ceil(50 / 8) = 7 lowered to 9 // 2 = 4
    assert sorted(np.concatenate(batches)) == list(range(50))
    assert all(event[b].sum() >= 2 for b in batches)
    assert max(len(b) for b in batches) - min(len(b) for b in batches) <= 1
    assert len(stratified_event_batches(event, 100, generator=np.random.default_rng(0))) == 1
    with pytest.raises(ValueError, match="1 events"):
        stratified_event_batches(np.eye(1, 20, dtype=bool)[0], 5, generator=np.random.default_rng(0))


def _float_dtypes(model: nn.Module) -> set[torch.dtype]:
    return {t.dtype for t in [*model.parameters(), *model.buffers()] if t.is_floating_point()}


def test_predict_outputs_bf16_agrees_with_fp32_on_genemoe():
    from genemoe.models.registry import create_model

    torch.manual_seed(0)
    X = np.random.default_rng(0).uniform(-1, 1, (512, 200)).astype(np.float32)
    clf = create_model("genemoe", n_genes=200, n_outputs=6, task="classify").train()
    a = predict_outputs(clf, X, device="cpu")
    b = predict_outputs(clf, X, device="cpu", precision="bf16")
    assert b.dtype == np.float32 and b.shape == a.shape and np.isfinite(b).all()
    top2 = np.sort(a, 1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 0.05  # fp32 margins that are not tiny (~80% of rows)
    assert clear.mean() > 0.5
    assert (a.argmax(1) == b.argmax(1))[clear].mean() >= 0.95
    # the caller's model: still float32, same mode, same outputs
    assert _float_dtypes(clf) == {torch.float32} and clf.training
    np.testing.assert_array_equal(predict_outputs(clf, X, device="cpu"), a)

    surv = create_model("genemoe", n_genes=200, n_outputs=1, task="survival")
    r32 = predict_outputs(surv, X, device="cpu")[:, 0]
    r16 = predict_outputs(surv, X, device="cpu", precision="bf16")[:, 0]
    assert np.corrcoef(r32, r16)[0, 1] > 0.99
    assert _float_dtypes(surv) == {torch.float32}


def test_predict_outputs_bf16_keeps_integer_buffers_of_image_models():
    """hybrid_cnn's gene → pixel map (int64) and ``fitted`` flag (bool) survive the bf16 copy."""
    from genemoe.models.registry import create_model

    torch.manual_seed(0)
    X = np.random.default_rng(1).uniform(-1, 1, (64, 49)).astype(np.float32)
    model = create_model("hybrid_cnn", n_genes=49, n_outputs=1, task="survival")
    r32 = predict_outputs(model, X, device="cpu")[:, 0]
    r16 = predict_outputs(model, X, device="cpu", precision="bf16")[:, 0]
    assert np.corrcoef(r32, r16)[0, 1] > 0.99
    assert model.to_image.pixel_of_gene.dtype == torch.int64 and model.to_image.fitted.dtype == torch.bool
    assert _float_dtypes(model) == {torch.float32}


class _Float32Only(TinyModel):
    """A model holding a float32 tensor outside its buffers: cannot run in bf16."""

    def __init__(self, n_genes: int, n_outputs: int) -> None:
        super().__init__(n_genes, n_outputs, route=False)
        self.proj = torch.eye(n_genes)  # a plain attribute: `.to(dtype)` does not cast it

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward_features(x @ self.proj)


def test_predict_outputs_bf16_refuses_clearly_and_checks_its_argument():
    X, _ = make_classify(n=20)
    model = _Float32Only(X.shape[1], 3)
    assert predict_outputs(model, X, device="cpu").shape == (20, 3)
    with pytest.raises(InputError, match=r"(?s)precision bf16.*cannot run in bfloat16.*fix: use fp32"):
        predict_outputs(model, X, device="cpu", precision="bf16")
    with pytest.raises(InputError, match="unknown precision 'fp16'"):
        predict_outputs(model, X, device="cpu", precision="fp16")  # type: ignore[arg-type]


def test_a_tie_on_the_metric_goes_to_the_lower_val_loss_without_resetting_patience():
    X, y = make_classify()
    model = TinyModel(X.shape[1], 3)
    cfg = TrainConfig(epochs=50, patience=4, progress=False, lr=3e-2)
    res = train_model(model, X_train=X[:90], y_train=y[:90], X_val=X[90:], y_val=y[90:],
                      task="classify", config=cfg, loss_fn=ce_loss, metric_fn=lambda o, y: 1.0)
    losses = [h["val_loss"] for h in res.history]
    assert res.stopped_early and len(res.history) == 5  # patience counts from epoch 1
    assert res.best_epoch == 1 + int(np.argmin(losses))  # the saturated metric's lowest loss
    for k, v in model.state_dict().items():
        assert torch.equal(v, res.best_state[k])


# --- the training recipe (noise, mixup, EMA, label smoothing; AdamW + warmup + cosine) ---

RECIPE_ON = {"noise_std": 0.3, "mixup_alpha": 0.4, "ema_decay": 0.9}
RECIPE_OFF = {"noise_std": 0.0, "mixup_alpha": 0.0, "ema_decay": None, "label_smoothing": 0.0}


def _with(**kw) -> TrainConfig:
    return TrainConfig(**{**FAST.to_dict(), "epochs": 4, **kw})


@pytest.mark.parametrize("key", sorted(RECIPE_ON))
def test_each_recipe_option_changes_training_only_when_on(key):
    base_model, base = classify_run(_with())
    off_model, off = classify_run(_with(**{key: RECIPE_OFF[key]}))
    assert no_time(off.history) == no_time(base.history)  # off is exactly today's training
    assert all(torch.equal(v, off_model.state_dict()[k]) for k, v in base_model.state_dict().items())
    _, on = classify_run(_with(**{key: RECIPE_ON[key]}))
    changed = "val_loss" if key == "ema_decay" else "train_loss"  # EMA: same steps, other weights
    assert [h[changed] for h in on.history] != [h[changed] for h in base.history]
    assert on.best_val_metric > 0.6  # still learns


def test_recipe_training_is_deterministic_for_a_seed():
    cfg = _with(**RECIPE_ON)
    m1, r1 = classify_run(cfg)
    m2, r2 = classify_run(cfg)
    assert no_time(r1.history) == no_time(r2.history)
    assert all(torch.equal(v, m2.state_dict()[k]) for k, v in m1.state_dict().items())


def test_mixup_calls_the_loss_on_each_rows_targets_and_their_partners():
    calls: list[torch.Tensor] = []

    def recording_ce(output, y):
        calls.append(y.clone())
        return ce_loss(output, y)

    X, y = make_classify()
    torch.manual_seed(0)
    train_model(TinyModel(X.shape[1], 3), X_train=X[:90], y_train=y[:90], X_val=X[90:],
                y_val=y[90:], task="classify", config=_with(epochs=1, mixup_alpha=0.4),
                loss_fn=recording_ce, metric_fn=accuracy)
    steps = calls[:-1]  # the last call is the validation loss
    assert len(steps) == 2 * 3  # 90 rows in batches of 32: 3 steps, two calls each
    for own, partner in zip(steps[::2], steps[1::2], strict=True):
        assert own.shape == partner.shape and not torch.equal(own, partner)
        assert sorted(own.tolist()) == sorted(partner.tolist())  # a permutation of the batch


def test_ema_weights_are_validated_kept_and_returned(tmp_path):
    path = tmp_path / "ckpt.pt"
    model, res = classify_run(_with(ema_decay=0.9, restore_best=False), checkpoint_path=path)
    from genemoe.train.checkpoint import load_checkpoint

    c = load_checkpoint(path)
    ema = {k.removeprefix("module."): v for k, v in c["extra"]["ema"].items() if k != "n_averaged"}
    raw = c["model_state"]
    assert int(c["extra"]["ema"]["n_averaged"]) == 4 * 3  # one update per step
    assert any(not torch.equal(raw[k], ema[k]) for k in raw)  # the average is not the weights
    for k, v in model.state_dict().items():  # restore_best=False: the last epoch's average
        assert torch.equal(v, ema[k]), k
    # validation read the average: its predictions give the logged last val metric
    out = predict_outputs(model, make_classify()[0][90:], device="cpu")
    assert accuracy(out, make_classify()[1][90:]) == res.history[-1]["val_metric"]
    best_model, best = classify_run(_with(ema_decay=0.9))  # restore_best: the best epoch's average
    assert all(torch.equal(v, best.best_state[k]) for k, v in best_model.state_dict().items())


def test_classification_only_options_are_refused_for_survival():
    X, yd = make_survival(n=40)
    for key, value in (("mixup_alpha", 0.2), ("label_smoothing", 0.1)):
        with pytest.raises(InputError, match=f"(?s){key}.*classification only.*fix: set {key}: 0"):
            train_model(TinyModel(X.shape[1], 1, task="survival", route=False),
                        X_train=X[:30], y_train={k: v[:30] for k, v in yd.items()},
                        X_val=X[30:], y_val={k: v[30:] for k, v in yd.items()},
                        task="survival", config=TrainConfig(progress=False, **{key: value}),
                        loss_fn=cox_loss, metric_fn=cindex)


def test_survival_trains_with_noise_and_ema():
    X, yd = make_survival(n=120)
    torch.manual_seed(0)
    cfg = TrainConfig(epochs=3, batch_size=40, lr=3e-2, progress=False, noise_std=0.2,
                      ema_decay=0.8)
    res = train_model(TinyModel(X.shape[1], 1, task="survival", route=False), X_train=X[:90],
                      y_train={k: v[:90] for k, v in yd.items()}, X_val=X[90:],
                      y_val={k: v[90:] for k, v in yd.items()}, task="survival", config=cfg,
                      loss_fn=cox_loss, metric_fn=cindex)
    assert all(math.isfinite(h["train_loss"]) for h in res.history)


@pytest.mark.parametrize("bad", [
    {"epochs": 0}, {"lr": 0.0}, {"weight_decay": -1.0}, {"batch_size": 0},
    {"warmup_epochs": -1}, {"checkpoint_every": 0}, {"grad_clip": 0.0}, {"patience": 0},
    {"select_window": 0}, {"plateau_factor": 1.0}, {"eval_batch_size": 0},
    {"optimizer": "sgd"}, {"schedule": "cos"}, {"device": "gpu"}, {"log_every": 0},
    {"noise_std": -0.1}, {"label_smoothing": 1.0}, {"mixup_alpha": -1.0},
    {"routing_mi_weight": -1.0}, {"ema_decay": 1.0}, {"module_lr": {"encoder": 0.0}},
])
def test_a_bad_training_value_is_an_input_error_naming_what_it_may_be(bad):
    """``genemoe train --epochs 0`` (or ``train: {lr: -1}`` in a YAML) ended in a traceback
    ("ValueError: invalid TrainConfig value(s)"), with no word of what the value may be."""
    from genemoe.errors import InputError
    from genemoe.train.train_config import VALID

    (key, value), = bad.items()
    with pytest.raises(InputError) as info:
        TrainConfig(**bad)
    problem, fix = str(info.value).split("\n")
    assert f"{key}={value!r}" in problem
    assert fix.startswith(f"  fix: set {key} {VALID[key]}") and "--config" in fix


def test_recipe_keys_are_checked():
    for bad in ({"noise_std": -0.1}, {"label_smoothing": 1.0}, {"mixup_alpha": -1.0},
                {"ema_decay": 1.0}, {"ema_decay": 0.0}, {"noise_std": math.nan}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            TrainConfig(**bad)
    cfg = TrainConfig(label_smoothing=0.1)  # the loss applies it; the config carries it
    assert cfg.to_dict()["label_smoothing"] == 0.1


def test_adamw_with_warmup_and_cosine_trains():
    cfg = _with(epochs=6, optimizer="adamw", weight_decay=1e-2, schedule="cosine",
                warmup_epochs=2, patience=None)
    opt = build_optimizer(parameter_groups(TinyModel(10, 3), cfg), cfg)
    assert isinstance(opt, torch.optim.AdamW) and opt.param_groups[0]["weight_decay"] == 1e-2
    _, res = classify_run(cfg)
    lrs = [h["lr"] for h in res.history]  # each epoch's last step: 3 steps per epoch
    assert lrs[0] < lrs[1] == pytest.approx(1e-2)  # warmup reaches the peak at epoch 2
    assert lrs[1] > lrs[2] > lrs[3] > lrs[4] > lrs[5] >= 0  # then the cosine decays
    assert res.best_val_metric > 0.8


def test_batchnorm_models_train_when_the_last_batch_would_hold_one_row():
    """33 rows in batches of 32 once left a 1-row batch: batch norm cannot train on it."""
    from genemoe.models.registry import create_model

    X, y = make_classify(n=43)
    torch.manual_seed(0)
    model = create_model("mlp", n_genes=X.shape[1], n_outputs=3, task="classify", widths=[8])
    res = train_model(model, X_train=X[:33], y_train=y[:33], X_val=X[33:], y_val=y[33:],
                      task="classify", config=_with(epochs=1), loss_fn=ce_loss,
                      metric_fn=accuracy)
    assert res.epochs_run == 1


def _scripted_metric(values):
    it = iter(values)
    return lambda out, y: next(it)


@pytest.mark.parametrize(("window", "kept", "first_eligible"), [(1, 1, 1), (3, 6, 3)])
def test_select_window_keeps_the_best_run_of_epochs_not_one_lucky_epoch(window, kept,
                                                                        first_eligible):
    """A spike at epoch 1 (a small validation part's luck) wins alone; a window of 3 keeps
    the last epoch of the best three-epoch stretch (epochs 4-6, mean 0.8)."""
    X, y = make_classify()
    values = [0.9, 0.5, 0.5, 0.8, 0.8, 0.8, 0.2, 0.2, 0.2, 0.2]
    model = TinyModel(X.shape[1], 3)
    cfg = TrainConfig(epochs=10, patience=None, progress=False, select_window=window)
    res = train_model(model, X_train=X[:90], y_train=y[:90], X_val=X[90:], y_val=y[90:],
                      task="classify", config=cfg, loss_fn=ce_loss,
                      metric_fn=_scripted_metric(values))
    assert res.best_epoch == kept
    assert [h["val_metric"] for h in res.history] == values  # the raw metric is still logged
    if window > 1:
        sel = [h["val_selection"] for h in res.history]
        assert all(math.isnan(v) for v in sel[:first_eligible - 1])
        assert res.best_val_metric == pytest.approx(0.8) and sel[5] == pytest.approx(0.8)
    for k, v in model.state_dict().items():
        assert torch.equal(v, res.best_state[k])


def test_a_run_shorter_than_the_window_selects_on_all_its_epochs():
    """Old behaviour: 2 epochs under select_window 3 left no epoch eligible: best_val_metric
    NaN in config.yaml and the last epoch kept without a word."""
    X, y = make_classify()
    cfg = TrainConfig(epochs=2, patience=None, progress=False, select_window=3)
    res = train_model(TinyModel(X.shape[1], 3), X_train=X[:90], y_train=y[:90], X_val=X[90:],
                      y_val=y[90:], task="classify", config=cfg, loss_fn=ce_loss,
                      metric_fn=_scripted_metric([0.4, 0.6]))
    assert res.best_epoch == 2 and res.best_val_metric == pytest.approx(0.5)


def test_select_window_must_be_a_positive_int():
    with pytest.raises(ValueError, match="select_window"):
        TrainConfig(select_window=0)


@pytest.mark.parametrize(("train", "said"), [
    ({"epochs": "three"}, "epochs='three'"), ({"lr": "fast"}, "lr='fast'"),
    ({"batch_size": "32"}, "batch_size='32'"), ({"epochs": 2.7}, "epochs=2.7"),
])
def test_a_train_value_of_the_wrong_type_is_an_input_error(train, said):
    """``epochs: three`` in a --config YAML crashed with a TypeError traceback ('>=' between
    str and int); ``epochs: 2.7`` was kept and trained 3 epochs."""
    with pytest.raises(InputError, match="invalid training value") as err:
        TrainConfig(**train)
    assert said in str(err.value)
