"""Follow-ups (hK): the ablation's Table II leaves a degenerate per-type C-index (exactly 0
or 1, or of risks all the same) out of the mean and counts it, as the benchmark's does."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.workflows.ablation_tables import ablation_tables


def _table(ucs: list[float], flags: list[object] | None = None, events: list[int] | None = None
           ) -> dict[str, str]:
    """Table II's UCS row: {model label: cell} (every model the same folds)."""
    n = len(ucs)
    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "c_index": 0.6,
             "c_index_UCS": ucs[f], "events_UCS": (events or [3] * n)[f],
             **({"degenerate_UCS": flags[f]} if flags is not None else {})}
            for m in ("fcn", "moe", "genemoe") for f in range(n)]
    md = ablation_tables(pd.DataFrame(rows), "survival", n_folds=n, n_repeats=1, seed=0,
                         preset="small", pretrained=None, synthetic=True)
    head = next(ln for ln in md.splitlines() if ln.startswith("| cancer type"))
    ucs_row = next(ln for ln in md.splitlines() if ln.startswith("| UCS"))
    names = [c.strip() for c in head.strip("|").split("|")]
    return dict(zip(names, (c.strip() for c in ucs_row.strip("|").split("|")), strict=True))


def test_a_degenerate_fold_is_left_out_of_table_ii_and_counted():
    """Old: 1.000 from a handful of pairs was averaged in: '0.800 ± 0.173'."""
    row = _table([0.7, 1.0, 0.7])
    assert row["MOE (moe)"] == "0.700 ± 0.000 (2/3 folds; 1 degenerate)", row


def test_every_fold_degenerate_gives_no_mean():
    """Old: '0.500 ± 0.707' from a C of 0 and one of 1."""
    assert _table([0.0, 1.0])["MOE (moe)"] == "– (0/2 folds; 2 degenerate)"
    row = _table([1.0, np.nan, np.nan], events=[3, 1, 0])
    assert row["MOE (moe)"] == "– (0/1 folds; 1 degenerate; 2 without a C: fewer than 2 events)"


def test_a_constant_risk_flagged_in_the_results_is_left_out():
    """Risks all the same give C 0.5: only the results' ``degenerate_<type>`` tells it."""
    row = _table([0.5, 0.6, 0.8], [True, np.nan, np.nan])
    assert row["MOE (moe)"] == "0.700 ± 0.141 (2/3 folds; 1 degenerate)"
    row = _table([0.5, 0.6, 0.8], ["True", "", ""])  # as read back from results.csv
    assert row["MOE (moe)"] == "0.700 ± 0.141 (2/3 folds; 1 degenerate)"


def test_plain_folds_are_unchanged():
    # n: the folds with a C, as the benchmark counts (hW); a fold without one counted apart
    assert (_table([0.6, np.nan, 0.8], events=[3, 1, 3])["MOE (moe)"]
            == "0.700 ± 0.141 (1 fold without a C)")
