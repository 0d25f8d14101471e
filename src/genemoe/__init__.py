"""genemoe: pan-cancer RNA-seq tumour typing, survival risk and explanations.

Public API (see the README for the CLI and "From Python")::

    from genemoe import prepare_dataset, PrepareConfig, load_bundle, create_model, list_models
    from genemoe import train_run, predict_file, explain_run, tune_run, run_benchmark
    from genemoe import run_ablation, pretrain_run, analyse_features, compare_methods
    from genemoe import write_report, write_h5ad
    from genemoe import GenemoeError, InputError   # what they raise for bad input

The workflows are the CLI commands' own functions (``genemoe train`` is :func:`train_run`).
What each returns:

- a result whose ``describe()`` is the command's terminal summary (and whose ``out_dir``
  is its folder): :func:`train_run`, :func:`explain_run`, :func:`tune_run`,
  :func:`run_benchmark`, :func:`run_ablation`, :func:`pretrain_run`, :func:`analyse_features`;
- :func:`prepare_dataset` and :func:`load_bundle`: the ``Bundle``, whose ``describe()`` is
  prepare's summary (its ``summary`` dict is ``summary.json``, its warnings
  ``summary["warnings"]``);
- :func:`predict_file`: the summary text itself (the predictions are its ``out_path`` file);
- :func:`compare_methods`: the comparison table, a DataFrame;
- :func:`write_report` and :func:`write_h5ad`: the ``Path`` written;
- :func:`create_model`: the model; :func:`list_models`: the names.

The subpackages (``genemoe.data``, ``genemoe.explain``, ...) are imported on first use too,
so ``genemoe.explain.compare.methods_text`` works after a plain ``import genemoe``.
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
# the subpackages (and errors), imported on first use: `genemoe.data` after `import genemoe`
# said "module 'genemoe' has no attribute 'data' (its functions: ...)"
_SUBPACKAGES = ("data", "models", "train", "evaluate", "explain", "report", "workflows", "errors")


def __dir__() -> list[str]:  # tab completion lists the lazy names (it showed none of them)
    return sorted({*__all__, *_SUBPACKAGES, *(n for n in globals() if n.startswith("__"))})


def __getattr__(name: str):
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name not in _LAZY:
        raise AttributeError(_unknown_text(name))
    return getattr(importlib.import_module(_LAZY[name]), name)


def _unknown_text(name: str) -> str:
    """An unknown attribute's message: the nearest public name first (a long list of 18
    names was all a typo got), then the functions and the subpackages."""
    from genemoe.errors import nearest_names

    near = nearest_names([name], [*_LAZY, *_SUBPACKAGES]) if not name.startswith("_") else ""
    return (f"module 'genemoe' has no attribute {name!r}{near} (its functions: "
            f"{', '.join(sorted(_LAZY))}; subpackages: {', '.join(_SUBPACKAGES)})")
