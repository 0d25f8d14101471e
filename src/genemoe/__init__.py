"""genemoe: pan-cancer RNA-seq tumour typing, survival risk and explanations.

Public API (see the README for the CLI and "From Python")::

    from genemoe import prepare_dataset, PrepareConfig, load_bundle, create_model, list_models
    from genemoe import train_run, predict_file, explain_run, tune_run, run_benchmark
    from genemoe import run_ablation, pretrain_run, analyse_features, compare_methods
    from genemoe import write_report, write_h5ad
    from genemoe import GenemoeError, InputError   # what they raise for bad input

The workflows are the CLI commands' own functions (``genemoe train`` is :func:`train_run`);
each returns a result whose ``describe()`` is the command's terminal summary.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "prepare_dataset", "PrepareConfig", "load_bundle", "create_model",
           "list_models", "train_run", "predict_file", "explain_run", "tune_run",
           "run_benchmark", "run_ablation", "pretrain_run", "analyse_features",
           "compare_methods", "write_report", "write_h5ad", "GenemoeError", "InputError"]

# name -> module that defines it; imported on first use, so importing genemoe stays cheap
# (no torch at import)
_LAZY = {"prepare_dataset": "genemoe.data.prepare", "PrepareConfig": "genemoe.data.prepare",
         "load_bundle": "genemoe.data.bundle", "create_model": "genemoe.models.registry",
         "list_models": "genemoe.models.registry", "train_run": "genemoe.workflows.train",
         "predict_file": "genemoe.workflows.predict", "explain_run": "genemoe.explain.api",
         "tune_run": "genemoe.workflows.tune", "run_benchmark": "genemoe.workflows.benchmark",
         "run_ablation": "genemoe.workflows.ablation", "pretrain_run": "genemoe.workflows.pretrain",
         "analyse_features": "genemoe.workflows.features",
         "compare_methods": "genemoe.explain.compare", "write_report": "genemoe.report.html",
         "write_h5ad": "genemoe.data.anndata_io", "GenemoeError": "genemoe.errors",
         "InputError": "genemoe.errors"}


def __dir__() -> list[str]:  # tab completion lists the lazy names (it showed none of them)
    return sorted({*__all__, *(n for n in globals() if n.startswith("__"))})


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'genemoe' has no attribute {name!r} (its functions: "
                             f"{', '.join(sorted(_LAZY))})")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
