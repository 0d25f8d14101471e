"""The terminal's reference line stays under 100 characters (probe hBL).

Old behaviour: ``drawn from the model's training samples in this bundle (637 of its 637
found), demo_shared/synthetic_bundle`` was printed on one line of 114 characters (the
demo's fcn ensemble); STYLE.md keeps terminal lines under 100.
"""

from __future__ import annotations

from genemoe.explain.summary_text import reference_lines


def test_the_reference_source_line_is_wrapped():
    c = {"method": "train_ig", "n_draws": 8, "baseline": "training tumours",
         "reference_source": {"source_text": "the model's training samples in this bundle (637 of "
                                             "its 637 found), demo_shared/synthetic_bundle"}}
    lines = "\n".join(reference_lines(c)).splitlines()
    assert max(map(len, lines)) <= 100
    joined = " ".join(" ".join(lines).split())
    assert "drawn from the model's training samples in this bundle (637 of its 637 found), " \
           "demo_shared/synthetic_bundle" in joined
