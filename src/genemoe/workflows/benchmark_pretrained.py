"""Where a benchmark's neural models start: one ``genemoe pretrain`` run for every fold, or
one per fold (:class:`FoldPretrained`), as ``protocol.json``'s ``pretrained`` records them;
and which of those runs collapsed (:func:`collapsed_runs`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genemoe.data.args import folder_of
from genemoe.errors import input_error
from genemoe.workflows.folds import FoldPlan

__all__ = ["FoldPretrained", "pretrained_run", "pretrained_options", "collapsed_runs"]


@dataclass(frozen=True)
class FoldPretrained:
    """One pre-trained run per fold: ``runs[(repeat, fold)]`` starts that fold's cells.

    ``recipe`` (JSON-ready) says how every run was made (e.g. the resolved ``pretrain:``
    options and "on each fold's training part"); it enters the cells' fingerprint in place
    of a single run's hash, so the cells stay valid when repeats are added. Each cell also
    records the sha256 of its own run's ``pretrained.pt`` content (weights, genes, scalers,
    samples: :func:`~genemoe.train.finetune.pretrained_sha256`) and is recomputed when it
    differs.
    """

    runs: Mapping[tuple[int, int], Path | str]
    recipe: Mapping[str, Any]


def pretrained_run(opts: dict, plan: FoldPlan) -> Path:
    """The pre-trained run that starts ``plan``'s cells (one for all folds, or its own)."""
    pre = opts["pretrained"]
    return Path(pre["runs"][f"r{plan.repeat}_f{plan.fold}"] if isinstance(pre, dict) else pre)


def pretrained_options(pretrained: Path | str | FoldPretrained | None,
                        plans: list[FoldPlan]) -> str | dict | None:
    """``opts["pretrained"]``: a run's path, or (per fold) the recipe and every fold's run;
    a run given as the result ``pretrain_run`` returned is its folder (its repr was taken)."""
    if pretrained is None or not isinstance(pretrained, FoldPretrained):
        return None if pretrained is None else str(folder_of(pretrained, "pretrained"))
    runs = {f"r{r}_f{f}": str(folder_of(p, "pretrained.runs")) for (r, f), p in pretrained.runs.items()}
    missing = [f"r{p.repeat}_f{p.fold}" for p in plans if f"r{p.repeat}_f{p.fold}" not in runs]
    if missing:
        raise input_error(f"no pre-trained run for fold(s) {', '.join(missing)}",
                          where="pretrained", fix="give a run for every (repeat, fold)")
    return {"per_fold": dict(pretrained.recipe), "runs": runs}


def collapsed_runs(pre: str | dict | None) -> dict[str, str]:
    """The pre-training runs whose own collapse checks fired (their ``summary.json``), each
    with its first warning: said in summary.md and the report (an ablation's pretrained/
    part did not say that both its pre-trainings had collapsed)."""
    runs = {} if pre is None else pre["runs"] if isinstance(pre, dict) else {"every fold": pre}
    out = {}
    for key, run in runs.items():
        try:
            c = json.loads((Path(run) / "summary.json").read_text()).get("collapse") or {}
        except (OSError, ValueError):
            continue
        if c.get("collapsed"):
            out[key] = str((c.get("warnings") or ["collapsed"])[0])
    return out
