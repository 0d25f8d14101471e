"""A probe (helper hAV) of a real per-fold survival ablation: a pre-training note (not a
collapse) was cut mid-claim beside the run's name, "r0_f0_vaecox: pre-training: validation
reconstruction explains little beyond the per-gene …": the words "training mean", what it
was measured against and the advice ("more epochs may help") were lost."""

from __future__ import annotations

import logging

from genemoe.text_wrap import warning_text
from genemoe.workflows.ablation_pretrain import _named_run

NOTE = ("pre-training: validation reconstruction explains little beyond the per-gene training "
        "mean: it beats the per-gene mean by squared error (R² 0.033; MSE 0.967 vs 1.000); its "
        "reconstructions may crowd together (`genemoe features` measures it); more epochs may "
        "help")
COLLAPSE = ("validation reconstruction is at a per-gene training constant's level (R² under "
            "0.05, MAE not below the best constant's): it does not beat the per-gene mean by "
            "squared error (R² -0.002; MSE 9.015 vs 9.000)")


def test_a_pre_training_note_is_said_whole_beside_the_runs_name(caplog):
    lg = logging.getLogger("genemoe.train.pretrain")
    with caplog.at_level(logging.WARNING, logger="genemoe.train.pretrain"), \
            _named_run("r0_f0_vaecox"):
        lg.warning("%s", warning_text(NOTE))
        lg.warning("pre-training collapse: %s", COLLAPSE)
    note, collapse = (r.getMessage() for r in caplog.records)
    assert "…" not in note and " ".join(note.split()) == f"r0_f0_vaecox: {NOTE}", note
    assert max(len(line) for line in f"warning: {note}".splitlines()) <= 100, note
    assert collapse == ("r0_f0_vaecox: pre-training collapse: validation reconstruction is at a "
                        "per-gene training constant's level")  # a collapse: cut to its claim
