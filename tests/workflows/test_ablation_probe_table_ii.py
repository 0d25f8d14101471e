"""``genemoe ablation``'s Table II (an outside probe): a type no fold could score showed a
bare "–" (``| THCA | – | – | ... |``), though the note above the table promises "(k/n
folds)"; the count was added only where some folds scored it."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.ablation_tables import ablation_tables


def test_a_type_no_fold_could_score_says_why_in_table_ii():
    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "c_index": 0.6 + 0.01 * f,
             "c_index_BRCA": 0.55 + 0.01 * f, "events_BRCA": 5,
             "c_index_THCA": float("nan"), "events_THCA": f}
            for m in ("fcn", "moe", "genemoe") for f in (0, 1)]
    md = ablation_tables(pd.DataFrame(rows), "survival", n_folds=2, n_repeats=1, seed=0,
                         preset="small", pretrained=None, synthetic=True)
    thca = next(ln for ln in md.splitlines() if ln.startswith("| THCA"))
    assert "– (0/2 folds: fewer than 2 events)" in thca and "| – |" not in thca, thca
