"""The explanation page's time as the terminal gives it."""

from __future__ import annotations

from genemoe.explain.summary_text import took_lines


def _took_html(conv: dict) -> str:
    from genemoe.report import explanation_section

    return explanation_section._took_html(conv)


def test_page_time_keeps_the_terminal_figures():
    """Old behaviour: the page rounded 8.4 s to "8 s" while the terminal said "8.4 s"."""
    conv = {"seconds_per_sample": 0.84, "n_samples": 10, "device": "cpu"}
    assert "took 8.4 s" in took_lines(conv)[0]
    assert "Attributions took 8.4 s (840 ms per sample, on cpu)." in _took_html(conv)
