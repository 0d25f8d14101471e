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


def test_split_fractions_summing_to_one_or_more_say_the_sum():
    """Old behaviour: "use fractions in [0, 1) summing below 1" for val 0.6 + test 0.5, where
    the CLI refuses --val-fraction 0 that the range offers."""
    import pytest

    from genemoe.data.splits import check_split_options
    from genemoe.errors import InputError

    with pytest.raises(InputError) as e:
        check_split_options(val_fraction=0.6, test_fraction=0.5, n_folds=None)
    assert "together 1.1: nothing left to train on" in str(e.value)
    assert "[0, 1)" not in str(e.value)
