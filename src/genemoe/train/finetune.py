"""Transfer a pre-trained Gene-MOE encoder into a fine-tuning model (``--pretrained RUN``).

:func:`load_pretrained_encoder` copies the encoder of ``RUN/pretrained.pt`` (written by
:func:`genemoe.train.pretrain.pretrain_run`) into a ``genemoe`` / ``moe`` model built for
classification or survival: the decoder and the ``logvar`` projection are dropped, the
architecture must match (same ``model:`` widths), and genes are aligned by id: the
input-layer weights of genes the pre-training did not see start at zero, genes it saw
that the fine-tuning bundle lacks are dropped (as if they sat at their training mean,
which is what predict does for missing genes), and too many missing genes are refused.
It also refuses a run that pre-trained on any sample the fine-tuning will test on.

:func:`train_with_frozen_encoder` freezes the encoder for the first N epochs and then
unfreezes it, using the trainer's pause/resume (``max_epochs_this_call`` + checkpoint).
``--encoder-lr`` gives the encoder its own learning rate through
``TrainConfig.module_lr={"encoder": lr}``: its weights form their own optimiser group
(frozen or not, so the group layout, and the checkpoint, are the same in both phases).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from genemoe.errors import input_error
from genemoe.models.genemoe import GeneMoeEncoder
from genemoe.train.checkpoint import load_checkpoint

__all__ = ["read_pretrained", "load_pretrained_encoder", "set_encoder_trainable",
           "train_with_frozen_encoder"]

logger = logging.getLogger(__name__)

_PRETRAINED_FORMAT = "genemoe-pretrained"  # = genemoe.train.pretrain.PRETRAINED_FORMAT
# Encoder tensors with one entry per input gene, and the axis that indexes genes.
_GENE_AXIS = {re.compile(r"^moe\.gate\.w_(gate|noise)$"): 0,
              re.compile(r"^moe\.experts\.\d+\.0\.weight$"): 1}


def read_pretrained(run: Path | str) -> dict[str, Any]:
    """Load ``RUN/pretrained.pt`` (or the file itself); a clear error if it is not one."""
    path = Path(run) / "pretrained.pt" if Path(run).is_dir() else Path(run)
    if not path.is_file():
        raise input_error("no pretrained.pt here", path=path,
                          fix="pre-train first: `genemoe pretrain --data BUNDLE --out RUN`, then "
                              "pass --pretrained RUN")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated or foreign file
        raise input_error(f"cannot read the pre-trained file ({type(exc).__name__})", path=path,
                          fix="re-run `genemoe pretrain`; the file is damaged or not genemoe's") from exc
    if not isinstance(payload, dict) or payload.get("format") != _PRETRAINED_FORMAT:
        raise input_error("not a genemoe pre-training file", path=path,
                          fix="pass the --out directory of `genemoe pretrain`")
    return payload


def _align_genes(state: dict[str, torch.Tensor], src: Sequence[str], dst: Sequence[str],
                 max_missing: float, path: str) -> dict[str, int]:
    """Re-index the gene axis of the input-layer tensors of ``state`` from ``src`` to ``dst``."""
    pos = {g: i for i, g in enumerate(src)}
    dst_idx = np.array([pos.get(g, -1) for g in dst])
    n_shared = int((dst_idx >= 0).sum())
    n_missing = len(src) - n_shared  # pre-trained genes the fine-tuning data lacks
    if n_shared == 0 or n_missing > max_missing * len(src):
        raise input_error(
            f"the fine-tuning bundle has {n_shared} of the {len(src)} genes the encoder was "
            f"pre-trained on ({n_missing} missing; at most {max_missing:.0%} may be)",
            path=path, fix="fine-tune on a bundle prepared like the pre-training ones (same "
            "--annotation and gene filter), or pre-train on this bundle")
    if n_shared == len(src) == len(dst) and (dst_idx == np.arange(len(src))).all():
        return {"n_genes_shared": n_shared, "n_genes_new": 0, "n_genes_missing": 0}
    have = torch.from_numpy(np.flatnonzero(dst_idx >= 0))
    take = torch.from_numpy(dst_idx[dst_idx >= 0])
    for key, t in list(state.items()):
        axis = next((a for pat, a in _GENE_AXIS.items() if pat.match(key)), None)
        if axis is None:
            continue
        shape = list(t.shape)
        shape[axis] = len(dst)
        out = t.new_zeros(shape)  # genes new to the encoder start with zero weight
        out.index_copy_(axis, have, t.index_select(axis, take))
        state[key] = out
    return {"n_genes_shared": n_shared, "n_genes_new": len(dst) - n_shared,
            "n_genes_missing": n_missing}


def load_pretrained_encoder(model: nn.Module, run_dir: Path | str, *, gene_ids: Sequence[str],
                            model_name: str | None = None,
                            test_sample_ids: Sequence[str] | None = None,
                            max_missing: float = 0.2) -> dict[str, Any]:
    """Copy a pre-trained encoder into ``model.encoder`` (in place).

    Parameters
    ----------
    model
        A ``genemoe`` or ``moe`` model built for fine-tuning (``with_decoder=False``).
    run_dir
        A ``genemoe pretrain`` run directory (or its ``pretrained.pt``).
    gene_ids
        The fine-tuning model's input genes, in column order.
    model_name
        The fine-tuning model's registry name; must equal the pre-trained one.
    test_sample_ids
        Samples the fine-tuning run will test on; refused if pre-training used any.
    max_missing
        Largest share of pre-trained genes the fine-tuning data may lack.

    Returns
    -------
    dict
        What was loaded: run, model name, tensor count, gene alignment counts.
    """
    payload = read_pretrained(run_dir)
    where = str(run_dir)
    encoder = getattr(model, "encoder", None)
    if not isinstance(encoder, GeneMoeEncoder):
        raise input_error(f"--pretrained needs a Gene-MOE model; {type(model).__name__} has no "
                          "Gene-MOE encoder", where="--model", fix="fine-tune --model genemoe or moe")
    if model_name is not None and model_name != payload["model_name"]:
        raise input_error(f"the run pre-trained model {payload['model_name']!r}, not {model_name!r}",
                          path=where, fix=f"fine-tune with --model {payload['model_name']}")
    used = set(payload["samples"]["train"]) | set(payload["samples"]["val"])
    leaked = sorted(used.intersection(map(str, test_sample_ids or ())))
    if leaked:
        raise input_error(f"pre-training used {len(leaked)} sample(s) this run tests on "
                          f"(e.g. {', '.join(leaked[:3])})", path=where,
                          fix="pre-train on bundles whose test split holds these samples (genemoe "
                              "pretrain never trains on a test split), or on other cohorts")
    state = {k[len("encoder."):]: v for k, v in payload["state_dict"].items()
             if k.startswith("encoder.") and not k.startswith("encoder.logvar.")}
    genes = _align_genes(state, payload["gene_ids"], list(map(str, gene_ids)), max_missing, where)
    target = encoder.state_dict()
    problems = sorted(set(target) ^ set(state)) + [
        f"{k} {tuple(state[k].shape)} vs {tuple(v.shape)}" for k, v in target.items()
        if k in state and state[k].shape != v.shape]
    if problems:
        raise input_error(
            f"the pre-trained encoder does not fit this model ({'; '.join(problems[:4])})",
            path=where, fix=f"fine-tune with the model: section the run was pre-trained with "
            f"(preset {payload.get('preset')!r}; model.{payload['model_name']} = "
            f"{payload['model_config']})")
    encoder.load_state_dict(state)
    logger.info("loaded the pre-trained encoder from %s (%d tensors; %d genes shared, %d new, "
                "%d missing)", where, len(state), genes["n_genes_shared"], genes["n_genes_new"],
                genes["n_genes_missing"])
    return {"run": where, "model_name": payload["model_name"], "n_tensors": len(state),
            "pretrain_summary": payload.get("summary", {}).get("final", {}), **genes}


def set_encoder_trainable(model: nn.Module, trainable: bool) -> None:
    """Freeze (``False``) or unfreeze the model's ``encoder``; the head stays trainable."""
    encoder = getattr(model, "encoder", None)
    if encoder is None:
        raise input_error("this model has no encoder to freeze", where="--freeze-encoder-epochs",
                          fix="use --model genemoe or moe, or drop --freeze-encoder-epochs")
    encoder.requires_grad_(trainable)


def train_with_frozen_encoder(train_fn: Callable[..., Any], model: nn.Module, *,
                              freeze_epochs: int, checkpoint_path: Path, **kwargs: Any) -> Any:
    """``train_fn(model, checkpoint_path=..., **kwargs)`` with the encoder frozen at first.

    The first ``freeze_epochs`` epochs run with the encoder frozen (the trainer pauses via
    ``max_epochs_this_call``), the rest with it trainable, resuming from the checkpoint.
    A run interrupted in either phase resumes in the right one. ``freeze_epochs`` at or
    above the run's epochs freezes the whole run.
    """
    if freeze_epochs <= 0:
        return train_fn(model, checkpoint_path=checkpoint_path, **kwargs)
    done = int(load_checkpoint(checkpoint_path)["epoch"]) if Path(checkpoint_path).is_file() else 0
    if done < freeze_epochs:
        set_encoder_trainable(model, False)
        result = train_fn(model, checkpoint_path=checkpoint_path,
                          max_epochs_this_call=freeze_epochs - done, **kwargs)
        if result.finished:  # all epochs run (or stopped early) while frozen
            set_encoder_trainable(model, True)
            return result
        logger.info("unfreezing the encoder after epoch %d", result.epochs_run)
    set_encoder_trainable(model, True)
    return train_fn(model, checkpoint_path=checkpoint_path, **kwargs)
