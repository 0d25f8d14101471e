"""Explanations: gene attributions (Integrated Gradients, routing-frozen IG for sparse models,
GradientSHAP, DeepLIFT; captum) and per-class / per-sample gene rankings.

``explain_run`` is the entry point behind ``genemoe explain``; ``compare_methods`` behind
``genemoe explain --compare``; ``attribute``, ``attribute_with`` and ``rank_genes`` are the
building blocks.
"""

from __future__ import annotations

from genemoe.explain.api import ExplainResult, explain_run
from genemoe.explain.compare import compare_methods, planted_precision, top_k_stability
from genemoe.explain.integrated_gradients import attribute, baseline_vector, convergence_summary
from genemoe.explain.methods import METHODS, attribute_with, resolve_method
from genemoe.explain.rankings import gene_keep_masks, rank_genes, rank_samples

__all__ = ["ExplainResult", "explain_run", "compare_methods", "planted_precision", "top_k_stability",
           "attribute", "attribute_with", "baseline_vector", "convergence_summary", "METHODS",
           "resolve_method", "gene_keep_masks", "rank_genes", "rank_samples"]
