"""A benchmark's preset values chosen on data (its ``tuned_on:``), as protocol.json and
summary.md tell them: which models used each entry, and a survival tune's endpoint that is
not the bundle's (:func:`~genemoe.config_presets.endpoint_mismatch`, as ``genemoe train``
says it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genemoe.config_presets import (
    endpoint_mismatch,
    endpoint_mismatches,
    load_preset,
    preset_layers,
    tuned_on_in_force,
)
from genemoe.evaluate.benchmark_tables import tuned_on_in_run, tuned_on_used_by
from genemoe.train.fit import train_options_read

__all__ = ["preset_tuned_on", "models_in_force", "used_endpoint_mismatch"]



def preset_tuned_on(opts: dict, in_force: dict[str, dict], endpoint: str | None = None) -> dict:
    """The preset's ``tuned_on:`` (protocol.json's ``preset_tuned_on``).

    Parameters
    ----------
    opts
        The benchmark's options (``preset``, ``task``, ``pretrained``).
    in_force
        Each model's entries in force (:func:`models_in_force`).
    endpoint
        The bundle's survival endpoint (a survival benchmark), else None.

    Returns
    -------
    dict
        Each entry with the models and the per-fold pre-training (a recipe of the preset's
        ``pretrain:``) that used its values
        (:func:`~genemoe.evaluate.benchmark_tables.tuned_on_used_by`), and, for survival,
        ``endpoint_mismatch`` where it was tuned on another endpoint than ``endpoint``.
    """
    layers, pre = preset_layers(opts["preset"]), opts.get("pretrained")
    if isinstance(pre, dict) and isinstance(recipe := pre["per_fold"].get("pretrain"), dict):
        in_force = {**in_force, "per-fold pre-training": tuned_on_in_force(
            layers, {"pretrain": recipe}, str(pre["per_fold"].get("model")), opts["task"])}
    out = tuned_on_used_by(load_preset(opts["preset"]).get("tuned_on") or {}, in_force)
    if opts["task"] == "survival":  # an OS tune's options benchmarked on a PFI bundle: unsaid
        for entry in out.values():
            if said := endpoint_mismatch(entry, endpoint):
                entry["endpoint_mismatch"] = said
    return out


def models_in_force(configs: dict[str, tuple], opts: dict) -> dict[str, dict]:
    """Each model's ``tuned_on:`` entries in force: told against the values it ran with
    (``configs``: :func:`~genemoe.train.fit.resolve_config`'s, per model), each entry's value
    read from the preset file that wrote it. Told against the merged preset, the small
    preset's patience 20 and dropout 0.5 were "used by fcn" in a run whose own preset
    (``extends: small``) gave it patience 5 and dropout 0.2."""
    epochs = opts.get("epochs")
    layers = [*preset_layers(opts["preset"]),
              ("--epochs", {} if epochs is None else {"train": {"epochs": epochs}})]
    return {m: tuned_on_in_force(layers, {"model": model_cfg} | (  # Coxnet reads survival_selection
        {"train": read} if (read := train_options_read(m, opts["task"], train_cfg)) else {}),
        m, opts["task"]) for m, (_, model_cfg, train_cfg) in configs.items()}


def used_endpoint_mismatch(tuned_on: Mapping[str, Any] | None) -> dict[str, str]:
    """protocol.json's ``tuned_endpoint_mismatch``: the endpoint warnings of the entries the
    benchmark's models used (one tuned for a model it does not run changes no number), in
    one line (:func:`~genemoe.config_presets.endpoint_mismatches`); empty where none."""
    return endpoint_mismatches(tuned_on_in_run(tuned_on)[0])
