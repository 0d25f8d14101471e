"""The self-describing model file (``RUN/model.pt``): written atomically, read with checks.

A model file holds the weights (or the fitted estimator) and everything ``predict``,
``explain`` and ``report`` need: the model name and config, gene ids and symbols, class
names, the scaler, the normalisation and the bundle's preparation record, the metrics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from genemoe.data.bundle import atomic_file, is_bundle
from genemoe.errors import input_error

__all__ = ["save_model_file", "load_model_file", "rebuild_model", "MODEL_FORMAT"]

MODEL_FORMAT = "genemoe-model"


def save_model_file(path: Path, payload: dict[str, Any]) -> None:
    """Write the self-describing model file atomically (temporary file + rename)."""
    with atomic_file(path) as tmp:
        torch.save(payload, tmp)


def load_model_file(run: Path | str) -> dict[str, Any]:
    """Load ``RUN/model.pt`` (or a model file) written by :func:`save_model_file`."""
    path = Path(run) / "model.pt" if Path(run).is_dir() else Path(run)
    if not Path(run).exists():
        from genemoe.models.registry import list_models

        named = str(run) in list_models()  # train's --model: a model's name
        raise input_error("no such run folder or model file" + (
            f": {str(run)!r} is a model's name, where a trained run's folder goes" if named else ""),
            path=Path(run), fix=(f"train one (genemoe train --model {run} ... --out RUN) and "
                                 "pass RUN" if named else "pass the --out folder of a `genemoe "
                                 "train` run (check the path)"))
    if Path(run).is_file() and _is_table(Path(run)):  # was "unpickling stack underflow"
        raise input_error("a table or record (such as predict's output), not a model file",
                          path=Path(run), fix=_PASS_RUN)
    if not path.exists() and _is_tuning(Path(run)):  # was "model.pt: no model file"
        raise input_error("a tuning folder (genemoe tune): it keeps the best options "
                          "(best.yaml), not a model", path=Path(run), fix=_tuned_fix(Path(run)))
    if not path.exists():
        what = ("a dataset bundle, not a trained run" if is_bundle(Path(run)) else
                "a pre-training run, not a trained run" if (Path(run) / "pretrained.pt").exists()
                else "a benchmark folder: a benchmark keeps no models" if _is_benchmark(Path(run))
                else "no model file")  # a bundle was "no model file"; a benchmark "train one"
        raise input_error(what, path=path if what == "no model file" else Path(run),
                          fix=_PASS_RUN if what.startswith("a benchmark") else
                          "train one with `genemoe train --data BUNDLE ... --out RUN` and pass RUN")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # truncated or foreign file
        raise input_error(f"cannot read the model file ({exc})", path=path,
                          fix="re-run `genemoe train`; the file is damaged or not a genemoe model") from exc
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise input_error("not a genemoe model file", path=path, fix="pass a RUN directory of `genemoe train`")
    return payload


def rebuild_model(payload: dict[str, Any], *, n_genes: int | None = None) -> torch.nn.Module:
    """The neural network of a loaded model file (:func:`load_model_file`), its saved
    weights in place (train mode, on the CPU; the caller moves it and sets its mode).

    An ImageNet backbone, alone or as an ensemble's member, is built ``restored``
    (:func:`~genemoe.models.backbones.create_backbone`): its saved state dict replaces every
    weight, so the rebuilding config's ``weights: none`` beside the run's frozen depth
    (``finetune: head`` in a model file of an older genemoe) is no frozen *random* network,
    which predict and explain said of a network fine-tuned from pretrained weights.

    Parameters
    ----------
    payload
        A loaded model file of a neural run (``kind`` torch).
    n_genes
        The network's input width (default: the model file's genes).
    """
    from genemoe.models.registry import create_model

    model = create_model(payload["model_name"],
                         n_genes=len(payload["gene_ids"]) if n_genes is None else n_genes,
                         n_outputs=payload["n_outputs"], task=payload["task"],
                         **_restored_config(payload["model_name"], payload["model_config"]))
    model.load_state_dict(payload["state_dict"])
    return model


def _restored_config(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with ``restored`` set for an ImageNet backbone (an ensemble's members too)."""
    from genemoe.models.backbones import BACKBONES

    if name in BACKBONES:
        return {**config, "restored": True}
    if name == "ensemble" and config.get("member") in BACKBONES:
        return {**config, "member_config": _restored_config(config["member"],
                                                            dict(config.get("member_config") or {}))}
    return dict(config)


_PASS_RUN = ("pass the `genemoe train` run folder (its --out), or train one with `genemoe "
             "train --data BUNDLE ... --out RUN`")
_TABLES = (".tsv", ".csv", ".parquet", ".txt", ".tsv.gz", ".csv.gz", ".json")


def _is_table(path: Path) -> bool:
    """A prediction table or other data file, by its name (``pred.tsv``, ``results.csv``)."""
    return path.name.lower().endswith(_TABLES)


def _is_tuning(folder: Path) -> bool:
    """A ``genemoe tune`` folder: its ``best.yaml`` or ``study.db`` (it keeps no model)."""
    return folder.is_dir() and ((folder / "best.yaml").is_file() or (folder / "study.db").is_file())


def _tuned_fix(folder: Path) -> str:
    """Train with a tuning folder's best options first: the command, with the model, task
    and bundle of its ``summary.json`` where it names them (else placeholders)."""
    import json

    try:
        summary = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        summary = {}
    summary = summary if isinstance(summary, dict) else {}
    if not (folder / "best.yaml").is_file():  # an interrupted tune before its first trial ended
        return f"finish the search first (genemoe tune ... --out {folder}), then train with its best.yaml"
    words = [f"--model {summary['model']}" if summary.get("model") else "--model MODEL",
             f"--task {summary['task']}" if summary.get("task") else "",
             f"--data {summary['bundle']}" if summary.get("bundle") else "--data BUNDLE"]
    return (f"train with its best options first: genemoe train --config {folder / 'best.yaml'} "
            f"{' '.join(w for w in words if w)} --out RUN, then pass RUN")


def _is_benchmark(folder: Path) -> bool:
    """A ``genemoe benchmark`` folder: its ``results.csv`` or ``cells/`` (it keeps no model)."""
    return folder.is_dir() and ((folder / "results.csv").is_file() or (folder / "cells").is_dir())
