"""What a ``genemoe train`` run records and says beside its table, split out of
:mod:`genemoe.workflows.train`: the lines under the terminal table (a temperature that
raised ECE, what a fine-tuned model started from, the genes a sparse linear model gives
weight), metrics.json's ``protocol.pretrained`` and the copy of a pre-training's samples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genemoe.data.args import shown_path
from genemoe.data.atomic import atomic_write_text
from genemoe.explain.linear import fitted_weight_text
from genemoe.text_wrap import wrapped
from genemoe.train.finetune import transfer_lines

__all__ = ["PRETRAINED_KEYS", "ece_rose_text", "keep_pretrain_samples", "pretrained_record",
           "pretrained_text", "weight_text"]


def ece_rose_text(calib: dict[str, Any] | None) -> str:
    """A line under the table when the kept temperature raised the validation ECE (said at
    INFO only, behind -v: a 0.041 -> 0.061 rise went unsaid), wrapped at 100 characters (it
    ran to 117)."""
    if not calib or not calib.get("ece_rose") or round(calib["ece_after"], 3) <= round(
            calib["ece_before"], 3):
        return ""
    t = float(calib["temperature"])  # "T = 1.00 raised ECE" read as no scaling changing it
    return "\n" + wrapped(
        f"  temperature T = {t:.2f}{'' if round(t, 2) != 1 else f' ({t:.4f})'} raised "
        f"validation ECE {calib['ece_before']:.3f} → {calib['ece_after']:.3f}; kept (it "
        f"minimises log-loss; ECE of {calib['n']} samples is noisy)", first_whole=False)


def weight_text(info: dict[str, Any]) -> str | None:
    """``"6 genes carry weight (of 2,000 selected; 19,076 in the model)"`` for a sparse
    linear model's fit (``fit.info``'s ``params``: Coxnet's ``fitted.n_nonzero``), recorded
    as metrics.json's ``protocol.genes_with_weight`` and said under train's table (it was in
    config.yaml alone); None for other models."""
    params = info.get("params")
    return fitted_weight_text(params) if isinstance(params, dict) else None


def pretrained_text(pre: dict[str, Any] | None) -> str:
    """The lines under the table that say what a fine-tuned model started from (from
    Python they were said nowhere: the transfer was an INFO line, its warnings aside), each
    wrapped at 100 characters (:func:`~genemoe.text_wrap.wrapped`: the line of the
    pre-training's genes the model lacks ran to 155)."""
    if not pre:
        return ""
    lines = transfer_lines(pre, shown_path(pre["run"]) if pre.get("run") else None)
    lines[-1] += " (metrics.json: protocol.pretrained)"
    # a collapsed pre-training is a warning (shown from Python too), kept in the record
    return "".join("\n" + wrapped(f"  {line}", first_whole=False) for line in lines)


# what metrics.json's protocol keeps of load_pretrained_encoder's record (and the options)
PRETRAINED_KEYS = ("run", "model_name", "encoder_modules", "n_tensors", "n_genes_pretrained",
                   "n_genes_shared", "n_genes_new", "n_genes_missing", "n_genes_absent",
                   "n_genes_filtered", "freeze_encoder_epochs", "freeze_encoder_epochs_asked",
                   "encoder_unfrozen", "normalisation", "normalisation_check",
                   "encoder_lr", "collapse_warnings")


def pretrained_record(info: dict[str, Any]) -> dict[str, Any] | None:
    """``protocol.pretrained`` of metrics.json: what the encoder was loaded from (an
    ensemble's first member's record: every member loads the same run alike)."""
    members = (info.get("ensemble") or {}).get("members") or []
    pre = info.get("pretrained") or next((m["pretrained"] for m in members
                                          if m.get("pretrained")), None)
    if not pre:
        return None
    return {**{k: pre[k] for k in PRETRAINED_KEYS if k in pre},
            "new_genes_start": "zero input weights"}


def keep_pretrain_samples(pretrained: Path | None, out_dir: Path) -> None:
    """A copy of the pre-training run's ``samples.tsv`` (the samples it trained and validated
    on, with their patients) as ``OUT/pretrain_samples.tsv``: ``genemoe features`` refuses
    those as held-out evidence, and needed the pre-training folder itself to know them (a
    fine-tuned run whose pre-training was moved could not be analysed). A copy an earlier
    run left in ``out_dir`` is removed where this one started from no pre-training."""
    kept = out_dir / "pretrain_samples.tsv"
    source = None if pretrained is None else Path(pretrained) / "samples.tsv"
    if source is not None and source.is_file():
        atomic_write_text(kept, source.read_text())
    elif kept.exists():
        kept.unlink()
