"""Where ``train_ig`` and GradientSHAP take their training tumours from: the model's own.

The references were drawn from the *given* bundle's training split. Explaining UVM samples
of a model trained on ACC alone, with a bundle of ACC and UVM prepared together, drew two
UVM tumours of that bundle's training split (the model never saw UVM), warned "UVM
tumours integrated mostly from UVM", and the top genes told within-UVM contrasts, not the
model. The model file names its training samples (``split_ids['train']``), so the pool is
those samples: in the given bundle where it holds most of them (the bundle the model was
trained on: the same rows as before), else in the run's own bundle (``bundle_path``) where
it is still on disk, is the one the model was trained on (its record is the model's) and
holds the model's genes, else refused. A model file without ``split_ids`` (older ones)
keeps the given bundle's training split, said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from genemoe.data.args import shown_path
from genemoe.data.bundle import load_bundle
from genemoe.data.scaling import Scaler
from genemoe.errors import InputError, input_error
from genemoe.explain.bundle_genes import ModelGenes, model_genes
from genemoe.explain.references import POOL, training_pool

__all__ = ["ReferencePool", "reference_pool"]

Source = Literal["bundle", "run_bundle", "bundle_split"]
_WORDS = {"bundle": "the model's training samples in this bundle",
          "run_bundle": "the model's training samples in the run's own bundle",
          "bundle_split": "this bundle's training split (the model file names no training "
                          "samples)"}


@dataclass(frozen=True)
class ReferencePool:
    """The training rows references are drawn from (at most ``POOL``, seeded).

    ``bundle``: the bundle they are rows of; ``rows`` ``(m,)`` in its order; ``genes``: the
    model's genes in it; ``source``: which rule found them; ``n_model_train``: the model's
    training samples (None where unrecorded), ``n_found`` of them in ``bundle``.
    """

    bundle: Any
    rows: np.ndarray
    genes: ModelGenes
    source: Source
    n_model_train: int | None
    n_found: int

    def scaled(self, scaler: Scaler) -> np.ndarray:
        """``(m, n_genes)`` the pool's rows on the model's genes, through its scaler."""
        return scaler.transform(self.genes.take(self.bundle.X, self.rows))

    def text(self) -> str:
        """Where the references came from, for people (the terminal, convergence.json)."""
        found = ("" if self.n_model_train is None else
                 f" ({self.n_found:,} of its {self.n_model_train:,} found)")
        return f"{_WORDS[self.source]}{found}, {shown_path(self.bundle.path)}"

    def record(self) -> dict[str, Any]:
        """convergence.json's ``references`` fields on the source."""
        return {"source": self.source, "source_text": self.text(),
                "source_bundle": str(self.bundle.path), "n_model_train": self.n_model_train,
                "n_model_train_found": self.n_found}


def _train_rows_of(bundle, train_ids: list[str]) -> np.ndarray:
    """Sorted rows of ``bundle`` whose sample id is one of ``train_ids`` (exact match)."""
    return np.flatnonzero(np.isin(bundle.sample_ids.astype(str), np.asarray(train_ids, str)))


def _run_bundle(payload: dict[str, Any], train_ids: list[str]) -> tuple[Any, str | None]:
    """The run's own bundle, checked, or None and why it cannot serve."""
    path = payload.get("bundle_path")
    if not path or not Path(path).is_dir():
        return None, f"the run's bundle ({path or 'not recorded'}) is not on disk"
    try:
        run = load_bundle(path)
    except (InputError, OSError) as exc:
        return None, f"the run's bundle {path} could not be read ({exc})"
    if payload.get("record") and run.record != payload["record"]:
        return None, f"{path} is no longer the bundle the model was trained on (its record differs)"
    if run.record.get("normalisation") != payload.get("normalisation", run.record.get("normalisation")):
        return None, f"{path} is on another scale ({run.record.get('normalisation')}) than the model's"
    if len(_train_rows_of(run, train_ids)) < len(train_ids):
        return None, f"{path} lacks some of the model's training samples"
    return run, None


def reference_pool(bundle, payload: dict[str, Any], genes: ModelGenes, *, seed: int,
                   n: int = POOL) -> ReferencePool:
    """The model's training tumours to draw references from (see the module docstring).

    Parameters
    ----------
    bundle, genes
        The bundle explained and the model's genes in it (:func:`model_genes`).
    payload
        The model file (``split_ids``, ``bundle_path``, ``record``, ``gene_ids``).
    seed, n
        The pool's draw where more than ``n`` (:func:`training_pool`).

    Raises
    ------
    InputError
        Where neither the bundle nor the run's bundle holds the model's training samples.
    """
    train_ids = [str(s) for s in (payload.get("split_ids") or {}).get("train") or ()]
    if not train_ids:  # an older model file: the bundle's split, as before (said)
        return ReferencePool(bundle, training_pool(bundle.indices("train"), seed, n), genes,
                             "bundle_split", None, 0)
    rows = _train_rows_of(bundle, train_ids)
    if 2 * len(rows) >= len(train_ids):  # the bundle it was trained on (or one holding it)
        return ReferencePool(bundle, training_pool(rows, seed, n), genes, "bundle",
                             len(train_ids), len(rows))
    run, why = _run_bundle(payload, train_ids)
    if run is None:
        raise input_error(
            f"train_ig and gradient_shap integrate from the model's training tumours: this "
            f"bundle holds {len(rows):,} of its {len(train_ids):,}, and {why}",
            path=bundle.path, where="--data",
            fix=f"put the run's bundle back at {payload.get('bundle_path')} (model.pt: "
                "bundle_path), explain with a bundle holding the model's training samples, or "
                "pass --method frozen_ig (from the training mean, --baseline train_mean)")
    own = _train_rows_of(run, train_ids)
    return ReferencePool(run, training_pool(own, seed, n), model_genes(run, payload, max_filled=0.0),
                         "run_bundle", len(train_ids), len(own))
