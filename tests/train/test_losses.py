"""Losses against references: a NumPy transcription of the partial-likelihood formulas,
lifelines' CoxPHFitter (Efron ties), ``F.cross_entropy`` (with ``label_smoothing``) and a
NumPy transcription of the soft-target focal loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from genemoe.errors import InputError
from genemoe.train.losses import (
    CoxPHLoss,
    FocalLoss,
    LossOutput,
    class_alpha,
    cox_ph_loss,
    focal_loss,
)


def _reference_neg_log_pl(eta: np.ndarray, time: np.ndarray, event: np.ndarray, ties: str) -> float:
    """Negative Cox partial log-likelihood, straight from the formulas.

    Breslow (1974) approximation, per distinct event time t with d events D and risk set R:
        l_t = sum_{i in D} eta_i - d * log(sum_{j in R} exp(eta_j))
    Efron (1977):
        l_t = sum_{i in D} eta_i - sum_{l=0}^{d-1} log(sum_{j in R} exp(eta_j)
                                                      - l/d * sum_{i in D} exp(eta_i))
    """
    total = 0.0
    for t in np.unique(time[event]):
        dead = (time == t) & event
        at_risk = time >= t
        d = dead.sum()
        s_r, s_d = np.exp(eta[at_risk]).sum(), np.exp(eta[dead]).sum()
        total += eta[dead].sum()
        if ties == "breslow":
            total -= d * np.log(s_r)
        else:
            total -= sum(np.log(s_r - rank / d * s_d) for rank in range(d))
    return -total


@pytest.fixture
def tied_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = 40
    time = rng.integers(1, 9, size=n).astype(float)  # 8 distinct times: many ties
    event = rng.random(n) < 0.6
    eta = rng.normal(size=n)
    assert len(np.unique(time[event])) < event.sum()  # ties among events, for real
    return eta, time, event


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_cox_matches_formula_with_ties(tied_data, ties: str) -> None:
    eta, time, event = tied_data
    ref = _reference_neg_log_pl(eta, time, event, ties)
    got_sum = cox_ph_loss(
        torch.tensor(eta), torch.tensor(time), torch.tensor(event), ties=ties, reduction="sum"
    )
    got_mean = cox_ph_loss(
        torch.tensor(eta)[:, None], torch.tensor(time), torch.tensor(event), ties=ties
    )
    assert got_sum.item() == pytest.approx(ref, rel=1e-10)
    assert got_mean.item() == pytest.approx(ref / event.sum(), rel=1e-10)


def test_breslow_and_efron_differ_with_ties_and_agree_without(tied_data, rng) -> None:
    eta, time, event = (torch.tensor(a) for a in tied_data)
    assert cox_ph_loss(eta, time, event, ties="breslow") > cox_ph_loss(
        eta, time, event, ties="efron"
    )
    distinct = torch.tensor(rng.permutation(len(eta)).astype(float))
    b = cox_ph_loss(eta, distinct, event, ties="breslow")
    e = cox_ph_loss(eta, distinct, event, ties="efron")
    assert b.item() == pytest.approx(e.item(), rel=1e-12)


def test_cox_gradient_finite_and_stable_for_large_risks(tied_data) -> None:
    eta, time, event = tied_data
    risk = (torch.tensor(eta, dtype=torch.float32) * 300).requires_grad_()  # exp would overflow
    loss = CoxPHLoss(ties="efron")(risk, torch.tensor(time), torch.tensor(event))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(risk.grad).all()
    assert risk.grad.abs().sum() > 0


def test_cox_no_events_returns_attached_zero() -> None:
    risk = torch.randn(5, requires_grad=True)
    loss = cox_ph_loss(risk, torch.arange(5.0), torch.zeros(5, dtype=torch.bool))
    assert loss.item() == 0.0 and loss.requires_grad
    loss.backward()
    assert torch.equal(risk.grad, torch.zeros(5))


def test_cox_shape_mismatch_is_input_error() -> None:
    with pytest.raises(InputError, match="risk"):
        cox_ph_loss(torch.randn(4, 2), torch.ones(4), torch.ones(4, dtype=torch.bool))


def test_cox_matches_lifelines_efron_log_likelihood(rng) -> None:
    pd = pytest.importorskip("pandas")
    lifelines = pytest.importorskip("lifelines")
    n = 30
    x = rng.normal(size=(n, 2))
    time = rng.integers(1, 7, size=n).astype(float)  # ties
    event = rng.random(n) < 0.7
    df = pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "T": time, "E": event.astype(int)})
    cph = lifelines.CoxPHFitter().fit(df, duration_col="T", event_col="E")
    risk = torch.tensor(x @ cph.params_[["x0", "x1"]].to_numpy())
    ours = cox_ph_loss(risk, torch.tensor(time), torch.tensor(event), ties="efron", reduction="sum")
    assert ours.item() == pytest.approx(-cph.log_likelihood_, rel=1e-6)


def test_focal_gamma0_equals_cross_entropy(rng) -> None:
    logits = torch.tensor(rng.normal(size=(16, 5)) * 3, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 5, size=16))
    ours = focal_loss(logits, target, gamma=0.0)
    assert ours.item() == pytest.approx(F.cross_entropy(logits, target).item(), rel=1e-6)
    per = focal_loss(logits, target, gamma=0.0, reduction="none")
    ref = F.cross_entropy(logits, target, reduction="none")
    torch.testing.assert_close(per, ref)


def test_focal_down_weights_easy_examples_and_applies_alpha() -> None:
    logits = torch.tensor([[4.0, 0.0], [0.0, 0.1]])  # easy (p~0.98), hard (p~0.52)
    target = torch.tensor([0, 1])
    ce = F.cross_entropy(logits, target, reduction="none")
    fl = focal_loss(logits, target, gamma=2.0, reduction="none")
    assert (fl < ce).all() and fl[0] / ce[0] < fl[1] / ce[1]
    alpha = torch.tensor([1.0, 3.0])
    fla = FocalLoss(gamma=2.0, alpha=alpha, reduction="none")(logits, target)
    torch.testing.assert_close(fla, fl * alpha[target])


def test_focal_gradient_finite_at_certainty() -> None:
    logits = torch.tensor([[60.0, -60.0]], requires_grad=True)
    focal_loss(logits, torch.tensor([0]), gamma=0.5).backward()
    assert torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_smoothed_focal_gamma0_equals_label_smoothed_cross_entropy(rng, eps: float) -> None:
    logits = torch.tensor(rng.normal(size=(16, 5)) * 3, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 5, size=16))
    ours = focal_loss(logits, target, gamma=0.0, label_smoothing=eps)
    ref = F.cross_entropy(logits, target, label_smoothing=eps)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-6)
    per = focal_loss(logits, target, gamma=0.0, reduction="none", label_smoothing=eps)
    torch.testing.assert_close(per, F.cross_entropy(logits, target, reduction="none",
                                                    label_smoothing=eps))
    assert ours.item() != pytest.approx(focal_loss(logits, target, gamma=0.0).item())


def test_smoothed_focal_reduces_to_focal_and_matches_its_formula(rng) -> None:
    logits = torch.tensor(rng.normal(size=(12, 4)) * 2, dtype=torch.float64)
    target = torch.tensor(rng.integers(0, 4, size=12))
    alpha = torch.tensor([0.5, 1.0, 1.5, 1.0])
    hard = focal_loss(logits, target, gamma=2.0, alpha=alpha, reduction="none")
    tiny = focal_loss(logits, target, gamma=2.0, alpha=alpha, reduction="none",
                      label_smoothing=1e-9)  # the soft-target path at (almost) e = 0
    torch.testing.assert_close(tiny, hard.to(tiny.dtype), rtol=1e-6, atol=1e-7)
    # -sum_c alpha_c q_c (1 - p_c)^gamma log p_c, q = (1 - e) onehot + e / C, in NumPy
    eps, x = 0.2, logits.numpy()
    log_p = x - np.log(np.exp(x).sum(1, keepdims=True))
    q = np.full_like(log_p, eps / 4)
    q[np.arange(12), target.numpy()] += 1 - eps
    ref = -(alpha.numpy() * q * (1 - np.exp(log_p)) ** 2 * log_p).sum(1)
    ours = FocalLoss(gamma=2.0, alpha=alpha, reduction="none", label_smoothing=eps)(logits, target)
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-5)


def test_smoothed_focal_gradient_finite_at_certainty_and_range_checked() -> None:
    logits = torch.tensor([[60.0, -60.0]], requires_grad=True)
    focal_loss(logits, torch.tensor([0]), gamma=0.5, label_smoothing=0.1).backward()
    assert torch.isfinite(logits.grad).all()
    for bad in (-0.1, 1.0):
        with pytest.raises(InputError, match="label_smoothing"):
            focal_loss(logits, torch.tensor([0]), label_smoothing=bad)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("inverse", [1 / 100, 1 / 25, 1 / 1]),
        ("inverse_sqrt", [1 / 10, 1 / 5, 1 / 1]),
        ("none", [1.0, 1.0, 1.0]),
    ],
)
def test_class_alpha(method: str, expected: list[float]) -> None:
    a = class_alpha([100, 25, 0], method=method)  # the absent class counts as one sample
    e = torch.tensor(expected)
    torch.testing.assert_close(a, (e / e.mean()).float())
    assert a.mean().item() == pytest.approx(1.0)


def test_loss_output_defaults() -> None:
    out = LossOutput(loss=torch.tensor(1.0))
    assert out.components == {}
