"""An outside probe of ``explain --method train_ig --n-draws 1`` on a Gene-MOE run: the
summary said "reference: 1 training tumours per sample", the draw was warned of as
"train_ig's 1 references are lopsided: UCS 1 (UCS holds most)", and that no split-half
stability could be checked from one reference went unsaid."""

from __future__ import annotations

import logging

import numpy as np

from genemoe.explain.references import note_references, reference_draw
from genemoe.explain.summary_text import reference_lines

_IDS = np.array([f"TCGA-{i:02d}" for i in range(12)])
_TYPES = np.array(["UCS", "ACC", "BRCA"] * 4, object)


def test_one_reference_is_said_in_the_singular_with_no_stability_check():
    (line, *rest) = reference_lines({"method": "train_ig", "n_draws": 1, "routing": "frozen"})
    assert "reference: 1 training tumour per sample;" in line
    assert any("no split-half stability" in r for r in rest), rest
    assert all(len(r) <= 100 for r in (line, *rest))
    eight = reference_lines({"method": "train_ig", "n_draws": 8, "routing": "frozen"})
    assert "8 training tumours per sample" in eight[0]
    assert not any("split-half" in r for r in eight)


def test_a_one_tumour_draw_is_not_called_lopsided_and_its_unchecked_stability_is_said(caplog):
    draw = reference_draw(_IDS, _TYPES, n_draws=1, seed=0)
    conv: dict = {}
    with caplog.at_level(logging.WARNING, logger="genemoe.explain.references"):
        note_references(conv, draw, classes=np.array(["ACC", "BRCA"]),
                        groups=np.array(["ACC", "BRCA"]), halves=[])
    warning = conv["reference_warning"]
    assert "lopsided" not in warning and "holds most" not in warning and "1 references" not in warning
    assert "from 1 training tumour" in warning and draw["sample_ids"][0] in warning
    assert "no split-half stability can be checked" in warning
    assert "reference_stability" not in conv
    assert "no split-half stability" in caplog.text
