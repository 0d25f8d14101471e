"""Follow-ups (hW) on the ablation: Table II's per-type "(k/n folds)" counts as the
benchmark's per-type table does (n: the folds with a C), and the warning on types rarer
than the folds names a few of them and counts the rest (it was one ~400-character line)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import per_type_c_table
from genemoe.workflows.ablation_tables import ablation_tables
from genemoe.workflows.benchmark_protocol import said_rows


def _results(ucs: list[float], events: list[int]) -> pd.DataFrame:
    return pd.DataFrame([{"model": m, "repeat": 0, "fold": f, "seed": 0, "c_index": 0.6,
                          "c_index_UCS": c, "events_UCS": e}
                         for m in ("fcn", "moe", "genemoe")
                         for f, (c, e) in enumerate(zip(ucs, events, strict=True))])


def _table_ii_cell(results: pd.DataFrame) -> str:
    md = ablation_tables(results, "survival", n_folds=3, n_repeats=1, seed=0, preset="small",
                         pretrained=None, synthetic=True)
    head = next(ln for ln in md.splitlines() if ln.startswith("| cancer type"))
    row = next(ln for ln in md.splitlines() if ln.startswith("| UCS"))
    cells = dict(zip((c.strip() for c in head.strip("|").split("|")),
                     (c.strip() for c in row.strip("|").split("|")), strict=True))
    return cells["MOE (moe)"]


def test_table_ii_counts_the_folds_with_a_c_as_the_benchmark_does():
    """Old: '0.700 (1/3 folds; 1 degenerate)' beside the benchmark's '(1/2 folds; ...)'."""
    results = _results([0.7, 1.0, np.nan], [3, 3, 1])
    bench = per_type_c_table(results[results["model"] == "moe"])["UCS"].iloc[0]
    assert bench == "0.700 (1/2 folds; 1 degenerate; 1 fold without a C)"  # as the ablation
    cell = _table_ii_cell(results)
    assert cell == "0.700 (1/2 folds; 1 degenerate; 1 fold without a C)", cell
    assert cell == bench


def test_table_ii_note_says_what_n_counts():
    md = ablation_tables(_results([0.7, 0.8, 0.6], [3, 3, 3]), "survival", n_folds=3,
                         n_repeats=1, seed=0, preset="small", pretrained=None, synthetic=True)
    assert "of the n folds where the type had a C, the k whose C is not degenerate" in md


def test_the_rare_types_warning_names_three_and_counts_the_rest(synthetic_bundle, caplog):
    """Old: every type named (33 of them in a one-line warning of ~400 characters)."""
    bundle = synthetic_bundle(seed=1, n_types=6, clinical=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        account = said_rows(bundle, "classify", 10_000)
    small = account["types_under_folds"]
    assert len(small) > 3
    [said] = [r.getMessage() for r in caplog.records if "fewer samples than" in r.getMessage()]
    assert f"and {len(small) - 3} more: protocol.json samples.types_under_folds" in said
    assert list(small)[3] not in said.split(" and ")[0], said
    assert len(said) < 300, len(said)


def test_few_types_text_names_all_of_three_or_fewer():
    from genemoe.workflows.benchmark_protocol import few_types_text

    assert few_types_text({"UCS": 1, "CHOL": 2}) == "UCS 1, CHOL 2"
    assert few_types_text({"A": 1, "B": 1, "C": 2, "D": 2}) == (
        "A 1, B 1, C 2 and 1 more: protocol.json samples.types_under_folds")
