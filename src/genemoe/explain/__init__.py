"""Explanations: Integrated Gradients (captum) per gene and per-class gene rankings.

``explain_run`` is the entry point behind ``genemoe explain``; ``attribute`` and
``rank_genes`` are the building blocks.
"""

from __future__ import annotations

from genemoe.explain.api import ExplainResult, explain_run
from genemoe.explain.integrated_gradients import attribute, baseline_vector, convergence_summary
from genemoe.explain.rankings import rank_genes

__all__ = ["ExplainResult", "explain_run", "attribute", "baseline_vector", "convergence_summary",
           "rank_genes"]
