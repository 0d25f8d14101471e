"""IG's refinement checks what convergence.json reports (probeJJ nit 5).

Old behaviour: ``explain`` (train_ig, ``--n-steps 20 --max-steps 80``) said "1 above the 1%
tolerance after 20 steps" with ``samples_by_steps {"20": 20}``: nothing was integrated
again, because the refinement checked each reference alone while the summary checks the
sample, their mean (each reference within 1%, the mean 1.4% off).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

import genemoe.explain.methods as methods
from genemoe.explain.convergence import _refined
from genemoe.explain.summary_text import still_off_text


class _Risk(nn.Module):
    """A one-gene survival model (only its ``task`` is read: IG is stubbed)."""

    task = "survival"

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.ones(1))


def _fake_ig(model, X, *, target, n_steps, baseline, **_):
    """Each reference's delta 0.5% of its own change below 80 steps (within the 1%
    tolerance), 0 from 80 on; changes +1 and -0.9 nearly cancel in their mean."""
    change = (np.asarray(X, np.float64) - np.asarray(baseline, np.float64)).sum(1)
    d = 0.005 * np.abs(change) if n_steps < 80 else np.zeros_like(change)
    return (change + d)[:, None].astype(np.float32), d.astype(np.float32)


def test_train_ig_integrates_again_the_samples_it_reports_above_tolerance(monkeypatch):
    monkeypatch.setattr(methods, "attribute", _fake_ig)
    X = np.zeros((2, 1), np.float32)
    train_X = np.array([[-1.0], [0.9]], np.float32)  # both drawn: f(x) - f(b) = +1, -0.9
    used: list = []
    attr, delta, _ = methods.attribute_with("train_ig", _Risk(), X, target=None, train_X=train_X,
                                            n_steps=20, n_draws=2, max_steps=80, steps_used=used)
    refine = _refined(attr, delta, used, 80)
    assert refine["samples_by_steps"] == {"80": 2}  # was {"20": 2}
    assert refine["n_samples_above_tolerance"] == 0  # was 2, said "after 20 steps"
    assert np.abs(delta).max() == 0


def test_samples_left_above_tolerance_short_of_max_steps_are_said_why():
    attr = np.array([[1.0], [1.0]])
    delta = np.array([0.0, 0.1])  # the second 10% off
    members = [np.array([20, 20]), np.array([20, 20])]  # an ensemble: each member converged
    refine = _refined(attr, delta, members, 80)
    assert refine["n_samples_above_tolerance"] == 1
    assert "ensemble member" in refine["not_integrated_again"]
    assert "ensemble member" in still_off_text(refine)
    once = _refined(attr, delta, [np.array([20, 20])], 10)  # --max-steps below --n-steps
    assert once["not_integrated_again"].startswith("--max-steps 10 is not above --n-steps")
    done = _refined(attr, delta, [np.array([20, 80])], 80)  # integrated to the most: no reason
    assert "not_integrated_again" not in done
