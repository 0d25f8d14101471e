"""The first screen's caveat on preset values chosen on data that may be a benchmark's test
folds: a preset's ``tuned_on:`` entries (patience, dropout, widths chosen on pancan33) were
named only deep in the Protocol table and summary.md, while the verdict above them read as
if untouched by its test samples.

Told from what is already computed (:func:`~genemoe.evaluate.benchmark_tuned_on.
tuned_on_overlap`, as summary.md and the Protocol table tell it): counted overlaps and
entries that sit in the test folds are said; those not checked against this benchmark's
samples that may be its data are said as such; "not this data" (a synthetic bundle, a count
of none) and an entry's own ``false`` are not.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from genemoe.evaluate.benchmark_tuned_on import tuned_on_in_run, tuned_on_overlap

__all__ = ["tuned_on_caveat"]


def tuned_on_caveat(protocol: Mapping[str, Any]) -> str | None:
    """The caveat row's HTML for a benchmark's or ablation's ``protocol`` (protocol.json:
    ``preset``, ``preset_tuned_on``): ``preset <code>small</code>: <code>train.patience</code>,
    <code>model.dropout</code> chosen on data whose samples may sit in these test folds (not checked against them): ...``;
    None where no entry this run used can (or the preset has none).

    Parameters
    ----------
    protocol
        The benchmark's protocol.json as read.

    Returns
    -------
    str or None
        One sentence of HTML (escaped), or None.
    """
    used, _ = tuned_on_in_run(protocol.get("preset_tuned_on"))
    sits, may = [], []
    for name, entry in used.items():
        key = f"<code>{html.escape(str(name))}</code>"  # a key may hold commas
        told = tuned_on_overlap(entry, protocol)
        if told is False or str(told).startswith("not this data"):
            continue
        checked = isinstance(entry, Mapping) and "test_folds_overlap" in entry
        if checked and entry.get("n_test_folds_tuned_on"):
            sits.append(f"{key} ({int(entry['n_test_folds_tuned_on']):,} of the "
                        f"{int(entry['n_test_folds']):,} test-fold samples)")
        elif checked and told is True:  # the same sample set, not counted
            sits.append(f"{key} (this bundle's sample set)")
        else:  # a preset's own note, or none: cannot be ruled out
            may.append(key)
    if not sits and not may:
        return None
    parts = ([f"{', '.join(sits)} chosen on samples in these test folds"] if sits else []) + (
        [f"{', '.join(may)} chosen on data whose samples may sit in these test folds (not "
         "checked against them)"] if may else [])
    return (f"preset <code>{html.escape(str(protocol.get('preset', '?')))}</code>: "
            + "; ".join(parts) + ": the folds' scores may be optimistic (where: the Protocol "
            "table's “preset values chosen on data”)")
