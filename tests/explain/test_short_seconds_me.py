"""explain says a fast attribution's time in a unit that keeps its figures."""

from __future__ import annotations

from genemoe.explain.summary_text import short_seconds, took_lines


def test_a_linear_models_attribution_time_reads_in_microseconds():
    """Old behaviour: "attributions took 0.0019 s (2.82e-05 s per sample, on cpu)"."""
    (line,) = took_lines({"seconds_per_sample": 2.82e-05, "n_samples": 66, "device": "cpu"})
    assert line == "  attributions took 1.86 ms (28.2 µs per sample, on cpu)", line
    assert took_lines({"seconds_per_sample": 18.2, "n_samples": 15, "device": "cpu"}) == [
        "  attributions took 4 min 33 s (18.2 s per sample, on cpu)"]
    assert [short_seconds(x) for x in (0, 0.0028, 2.5)] == ["0 s", "2.8 ms", "2.5 s"]
