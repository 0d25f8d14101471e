"""A survival run's first screen as an outsider reads it (probe hAR): the test deaths its
numbers rest on, and the Brier score against no information told by its interval."""

from __future__ import annotations

from genemoe.report.first_screen import run_panel


def _panel(**test: object) -> str:
    m = {"n": 49, "n_events": 32, "c_index": 0.666, "logrank_p": 0.0048,
         "integrated_brier_score": 0.297, "ibs_null_reference": 0.259, **test}
    metrics = {"test": m, "protocol": {"n": {"train": 168, "val": 23, "test": 49},
                                       "endpoint": "OS"}}
    return run_panel(task="survival", model="coxnet", metrics=metrics, cfg={}, summary={},
                     record={}, bundle_path=None, figures=[])


def test_the_caption_gives_the_test_deaths_beside_the_patients():
    """Old behaviour: "test split, n = 49", the 32 deaths the C-index rests on unsaid (the
    terminal's table gave them)."""
    assert "test split, n = 49, 32 deaths</p>" in _panel()
    assert "test split, n = 49, 1 death</p>" in _panel(n_events=1)


def test_a_brier_score_above_no_information_within_its_interval_is_not_called_worse():
    """Old behaviour: 0.297 against 0.259 with a 95% interval of the difference of -0.014 to
    +0.100 was "this model is above it, worse than no model" on the page, "not told apart
    from none" on the terminal."""
    held = _panel(ibs_minus_null_ci=[-0.0136, 0.1001])
    assert "worse than no model" not in held
    assert "this model is above it; the difference&#x27;s 95% CI" in held
    assert "-0.014 to +0.100, which holds 0: not told apart from no model" in held
    worse = _panel(ibs_minus_null_ci=[0.01, 0.07])
    assert "this model is above it, worse than no model" in worse
    better = _panel(integrated_brier_score=0.2, ibs_minus_null_ci=[-0.09, -0.02])
    assert "this model is below it, better than no model" in better
    assert "this model is above it, worse than no model" in _panel()  # an older run: no CI
