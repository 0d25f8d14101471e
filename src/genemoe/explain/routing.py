"""Where the gates send each tumour type: per-type expert usage of a sparse model.

The gate is what sets Gene-MOE apart from a dense network, so a run reports whether it
routes by tumour type. For every top-k gate in the model (the MoE layer's, the MOAE
layer's), the mean gate value of each expert over the samples of each cancer type gives a
``(n_types, n_experts)`` usage table (rows sum to 1). How much the routing depends on the
type is the mutual information between type and expert, ``I(T; E) = H(E) − H(E | T)``
with ``p(e | t)`` the usage row of type t and ``p(t)`` the types' frequencies, divided by
``H(E)``: 0 when every type uses the experts alike, 1 when the expert fixes the type.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from genemoe.models.moe import TopKGate

__all__ = ["gate_values", "usage_by_group", "type_separation", "routing_report"]


def gate_values(model: nn.Module, X: np.ndarray, *, batch_size: int = 512) -> dict[str, np.ndarray]:
    """Each gate's values for every row of ``X`` ``(n, n_genes)`` (eval mode, no noise), on
    the device the model is on (a model trained with ``--device cuda`` stays there: the rows
    went in on the CPU, and train's routing report stopped the run).

    Returns
    -------
    dict
        Gate module name → ``(n, n_experts)`` float array (k non-zeros per row, summing to 1).
    """
    gates = {name: m for name, m in model.named_modules() if isinstance(m, TopKGate)}
    if not gates:
        return {}
    seen: dict[str, list[np.ndarray]] = {name: [] for name in gates}
    hooks = [m.register_forward_hook(lambda _m, _i, out, name=name: seen[name].append(
        out.gates.detach().float().cpu().numpy())) for name, m in gates.items()]
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for i in range(0, len(X), batch_size):
                model(torch.as_tensor(np.asarray(X[i:i + batch_size], np.float32), device=dev))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return {name: np.concatenate(v) for name, v in seen.items() if v}


def usage_by_group(gates: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Mean gate value of each expert per group: ``(n_groups, n_experts)``, rows sum to 1."""
    df = pd.DataFrame(gates, columns=[f"expert{j}" for j in range(gates.shape[1])])
    return df.groupby(np.asarray(groups, dtype=object)).mean()


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def type_separation(usage: pd.DataFrame, counts: pd.Series) -> float:
    """``I(T; E) / H(E)`` of a usage table (see the module docstring); NaN if H(E) = 0."""
    pt = counts.reindex(usage.index).to_numpy(float)
    pt = pt / pt.sum()
    cond = usage.to_numpy(float)
    pe = pt @ cond
    h_e = _entropy(pe)
    if h_e <= 0:
        return float("nan")
    h_e_t = float(sum(w * _entropy(row) for w, row in zip(pt, cond, strict=True)))
    return (h_e - h_e_t) / h_e


def routing_report(model: nn.Module, X: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    """Per gate: the usage table by type, the type separation and the share of dead experts.

    Returns an empty dict for a model without top-k gates (dense models, classical ones).
    """
    out: dict[str, Any] = {}
    counts = pd.Series(np.asarray(groups, dtype=object)).value_counts()
    for name, g in gate_values(model, X).items():
        usage = usage_by_group(g, groups)
        out[name] = {"usage_by_type": usage.round(4).to_dict(orient="index"),
                     "type_separation": type_separation(usage, counts),
                     "unused_experts": int((g.sum(0) == 0).sum()), "n_samples": int(len(g))}
    return out
