"""explain's time estimate takes the input's gradient only, as captum does: it called
backward(), which also computed every trainable parameter's gradient — a rebuilt image
backbone (every layer trainable since 939adbd) then timed a whole training step."""

from __future__ import annotations

import numpy as np
import torch

from genemoe.explain.cost import seconds_per_row
from genemoe.models.registry import create_model


def test_no_parameter_gradient_is_computed():
    torch.manual_seed(0)
    model = create_model("mlp", n_genes=6, n_outputs=3, task="classify")
    fired = []
    for p in model.parameters():
        p.register_hook(lambda g: fired.append(g.shape))
    took = seconds_per_row(model, np.ones(6, np.float32), target=1, batch=4)
    assert took > 0
    assert fired == []
    assert all(p.grad is None for p in model.parameters())
