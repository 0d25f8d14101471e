"""An outside probe of a survival Gene-MOE explanation (pancan33_random100, ``moe`` Cox model,
2 epochs, train_ig): the headline said completeness "off by 0.00% in the median sample" (against
the frozen routing's f_frozen(baseline)) while each reference's routing jump was 79% of the
live change in the median sample; the summary must say both, not read as exact."""

from __future__ import annotations

from genemoe.explain.summary_text import routing_jump_lines

_JUMP = {"median_relative": 0.02, "max_relative": 0.1, "median_relative_per_reference": 0.79,
         "max_relative_per_reference": 1.5}


def test_a_large_per_reference_jump_qualifies_the_exact_looking_completeness():
    lines = routing_jump_lines({"routing": "frozen", "routing_jump": _JUMP,
                                "median_relative_delta": 0.0})
    text = "\n".join(lines)
    assert "against the live model" in text and "79%" in text, text
    assert "(0.00%) holds for the frozen routing only" in " ".join(text.split())
    assert max(len(x) for x in text.splitlines()) <= 100, text


def test_a_jump_of_the_mean_over_the_threshold_is_said_too_and_a_small_one_is_not():
    one = {"median_relative": 0.3, "max_relative": 0.5}  # frozen_ig: one reference
    text = "\n".join(routing_jump_lines({"routing": "frozen", "routing_jump": one,
                                         "median_relative_delta": 0.001}))
    assert "the attributions miss 30% in the median sample" in text, text
    small = {**_JUMP, "median_relative_per_reference": 0.05}
    quiet = "\n".join(routing_jump_lines({"routing": "frozen", "routing_jump": small,
                                          "median_relative_delta": 0.0}))
    assert "against the live model" not in quiet
