"""The argument checks of :func:`genemoe.workflows.features.analyse_features`.

Every argument is checked here, its type before its range, before the run or the bundle
is read and before anything is written: a string where a number goes (``threshold="0.4"``)
ended in a ``'<=' not supported`` TypeError, and ``n_heatmap_genes="10"`` failed only after
eight result files were written, leaving a folder without its ``summary.json``. Each
refusal of a type (Python's only) names the argument and its flag (``threshold
(--threshold)``); one of a range names the flag, and the fix the argument.
"""

from __future__ import annotations

import math
from typing import Any

from genemoe.errors import input_error
from genemoe.text_wrap import wrapped
from genemoe.workflows.common import check_numbers, check_whole_numbers

__all__ = ["EMBEDDINGS", "check_feature_options"]

EMBEDDINGS = ("tsne", "umap", "both")
_RANGE_FIXES = {  # one fix per flag (all three named all three flags, for any one at fault)
    "--n-features": "--n-features (Python n_features) is how many leading latent features "
                    "(highest variance) are correlated with genes, 1 or more; e.g. "
                    "--n-features 20 (the default)",
    "--threshold": "--threshold (Python threshold) is the mean |r| a strong gene exceeds, "
                   "from 0 to 1; e.g. --threshold 0.4 (the default)",
    "--k": "--k (Python k) is how many nearest neighbours the real-vs-reconstructed mixing "
           "score counts per sample, from 1 to one less than the samples analysed; e.g. "
           "--k 15 (the default)",
}


def check_feature_options(*, n_features: Any, threshold: Any, k: Any, max_samples: Any,
                          n_heatmap_genes: Any, seed: Any, max_missing: Any,
                          embedding: Any) -> None:
    """Refuse an argument of :func:`~genemoe.workflows.features.analyse_features` of the
    wrong type or out of range.

    Parameters
    ----------
    n_features, k
        Whole numbers of 1 or more (``k`` after its default is filled in).
    threshold
        A number in [0, 1].
    max_samples
        None, or a whole number of 3 or more.
    n_heatmap_genes
        A whole number of 0 or more (0: no heat map).
    seed
        A whole number of 0 or more.
    max_missing
        A number in [0, 1].
    embedding
        ``tsne``, ``umap`` or ``both`` (after its default is filled in).

    Raises
    ------
    InputError
        The first argument at fault, named as ``argument (--flag)``, with the fix.
    """
    check_whole_numbers((n_features, "n_features (--n-features)"), (k, "k (--k)"),
                        (n_heatmap_genes, "n_heatmap_genes"), (seed, "seed (--seed)"))
    if max_samples is not None:
        check_whole_numbers((max_samples, "max_samples (--max-samples)"))
    check_numbers((threshold, "threshold (--threshold)"),
                  (max_missing, "max_missing (--max-missing)"))
    for flag, value, ok, want in (("--n-features", n_features, n_features >= 1, "1 or more"),
                                  ("--threshold", threshold, 0 <= threshold <= 1, "in [0, 1]"),
                                  ("--k", k, k >= 1, "1 or more")):
        if not ok:  # was one sentence for all three, naming none; the flag named once
            raise input_error(f"must be {want}, got {value}", where=flag,
                              fix=wrapped(f"  fix: {_RANGE_FIXES[flag]}",
                                          first_whole=False)[len("  fix: "):])
    if max_samples is not None and max_samples < 3:
        raise input_error(f"--max-samples {max_samples} is too few: the analysis needs >= 3 "
                          "samples", fix="e.g. --max-samples 1000 (the default, the paper's)")
        #   it named the flag twice: "max_samples: --max-samples 2: ..."
    if n_heatmap_genes < 0:
        raise input_error(f"must be 0 or more genes, got {n_heatmap_genes}",
                          where="n_heatmap_genes", fix="pass e.g. n_heatmap_genes=50 (the "
                          "default; 0: no heat map)")
    if seed < 0:
        raise input_error(f"must be 0 or more, got {seed}", where="seed (--seed)",
                          fix="pass e.g. --seed 0")
    if math.isnan(max_missing) or not 0 <= max_missing <= 1:
        raise input_error(f"must be a share of the run's genes in [0, 1], got {max_missing}",
                          where="max_missing (--max-missing)",
                          fix="pass e.g. --max-missing 0.2 (the default)")
    if embedding not in EMBEDDINGS:
        raise input_error(f"unknown embedding {embedding!r}", where="embedding (--embedding)",
                          fix="use tsne, umap or both")
