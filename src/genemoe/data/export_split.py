"""An export's own split beside the one ``prepare`` deals again.

``genemoe export`` writes the bundle's split in ``obs["split"]``; re-preparing the ``.h5ad``
deals a split of its own (seeded, by patient), which was said nowhere but the README: a
model trained on the exported bundle, evaluated on the re-prepared bundle's test split,
could read its own training samples as test ones.
"""

from __future__ import annotations

import pandas as pd

from genemoe.data.read import ExpressionTable

__all__ = ["export_split_note"]

_PARTS = ("train", "val", "test")


def export_split_note(obs: pd.DataFrame, tables: list[ExpressionTable]) -> tuple[str, bool] | None:
    """Whether the split dealt here keeps every exported sample in the split its export had.

    Parameters
    ----------
    obs
        ``(n_samples, ...)`` the bundle's samples, ``sample_id`` and ``split`` columns.
    tables
        The expression tables read (an export's ``sample_meta`` holds its ``split``).

    Returns
    -------
    (str, bool) or None
        The sentence and whether it is a warning (samples moved), or None where no table is
        a genemoe export carrying a split.
    """
    own = pd.concat([t.sample_meta["split"].astype(str) for t in tables
                     if t.from_export and t.sample_meta is not None
                     and "split" in t.sample_meta.columns], axis=0) if any(
        t.from_export and t.sample_meta is not None and "split" in t.sample_meta.columns
        for t in tables) else None
    if own is None:
        return None
    own = own[own.isin(_PARTS)]
    dealt = obs.set_index(obs["sample_id"].astype(str))["split"].astype(str)
    common = dealt.index.intersection(own.index.astype(str))
    if not len(common):
        return None
    before = own.groupby(level=0).first().reindex(common)
    moved = before.ne(dealt.reindex(common))
    if not moved.any():
        return (f"split: each of the {len(common):,} exported samples in the split its export "
                "had (obs['split'])", False)
    into = ", ".join(f"{int(n):,} {a} → {b}" for (a, b), n in pd.DataFrame(
        {"a": before[moved], "b": dealt.reindex(common)[moved]}).value_counts().sort_index()
        .items())
    return (f"split: {int(moved.sum()):,} of {len(common):,} exported samples sit in another "
            f"split than their export's obs['split'] ({into}): prepare deals its own split, so "
            "models of the exported bundle trained on some of this one's test samples (pass "
            "the export's --seed and fractions, or keep the exported bundle)", True)
