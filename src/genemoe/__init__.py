"""genemoe: pan-cancer RNA-seq tumour typing, survival risk and explanations.

Public API (see the README for the CLI)::

    from genemoe import prepare_dataset, load_bundle, create_model, list_models
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "prepare_dataset", "PrepareConfig", "load_bundle", "create_model",
           "list_models"]


def __getattr__(name: str):  # lazy: importing genemoe stays cheap (no torch at import)
    if name in ("prepare_dataset", "PrepareConfig"):
        from genemoe.data import prepare

        return getattr(prepare, name)
    if name == "load_bundle":
        from genemoe.data.bundle import load_bundle

        return load_bundle
    if name in ("create_model", "list_models"):
        from genemoe.models import registry

        return getattr(registry, name)
    raise AttributeError(name)
