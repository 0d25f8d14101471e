"""prepare's normalise line says the scale in words beside the option's name."""

from __future__ import annotations

from genemoe.data.prep_text import step_line


def test_the_normalise_line_names_the_scale_in_words():
    """Old behaviour: "linear scale → log2p1" (only --normalisation's value)."""
    line = step_line("normalise", {"file": "/d/expression.tsv.gz", "value_kind": "linear",
                                    "method": "log2p1", "values_on": "log2p1",
                                    "negative_values_clipped_to_0": 371})
    assert line == ("normalise expression.tsv.gz: linear scale → log2p1, log2(x + 1) "
                    "(371 negative values clipped to 0)"), line
    counts = step_line("normalise", {"file": "c.tsv", "value_kind": "counts",
                                     "method": "log2cpm", "values_on": "log2cpm"})
    assert counts.endswith("→ log2cpm, log2(CPM + 1)"), counts
    none = step_line("normalise", {"file": "b.h5ad", "value_kind": "log", "method": "none",
                                   "values_on": "log2p1"})
    assert none.endswith("→ none (already log2p1, a genemoe export)"), none
