"""The explanation report's section gives IG's integration steps and what its refinement
did (probeJ): the terminal and convergence.json had them, the page did not."""

from __future__ import annotations

import json

import pandas as pd

from genemoe.report.explanation_section import explanation_section


def _explanation(d, conv: dict) -> None:
    d.mkdir()
    pd.DataFrame({"class": ["ACC", "KICH"], "rank": [1, 1], "gene_id": ["E1", "E2"],
                  "symbol": ["STAR", "KRT7"], "mean_attribution": [0.5, 0.6],
                  "mean_abs_attribution": [0.5, 0.6], "n_samples": [10, 10]}
                 ).to_csv(d / "genes_by_class.csv", index=False)
    (d / "convergence.json").write_text(json.dumps(
        {"task": "classify", "method": "ig", "n_samples": 20, "median_relative_delta": 0.01,
         "max_relative_delta": 0.02, "baseline": "train_mean", **conv}))


def test_the_section_gives_the_steps_and_the_refinement(tmp_path):
    _explanation(tmp_path / "ex", {"n_steps": 50, "refine": {
        "tolerance": 0.01, "max_steps": 400, "samples_by_steps": {"50": 8, "100": 9, "400": 3},
        "n_samples_above_tolerance": 2}})
    text = explanation_section(tmp_path / "ex")
    assert "Integrated with 50 steps" in text
    assert ("re-integrated 12 of 20 samples off by more than 1% after 50 steps (9 at 100 steps, "
            "3 at 400)") in text
    assert "2 above the 1% tolerance after 400 steps" in text


def test_a_converged_run_says_so_and_a_method_without_steps_says_nothing(tmp_path):
    _explanation(tmp_path / "ex", {"n_steps": 64, "refine": {
        "tolerance": 0.01, "max_steps": 400, "samples_by_steps": {"64": 20},
        "n_samples_above_tolerance": 0}})
    text = explanation_section(tmp_path / "ex")
    assert "Integrated with 64 steps; every sample within the 1% tolerance." in text
    assert "re-integrated" not in text
    _explanation(tmp_path / "lin", {"method": "linear"})
    assert "Integrated with" not in explanation_section(tmp_path / "lin")


def test_the_page_shows_train_igs_per_reference_jump_beside_the_jump_of_the_mean():
    """Old behaviour (probeL, h8): the page showed only the jump of the mean over train_ig's
    references, where opposite jumps cancel (4.4% against 8x that per reference)."""
    from genemoe.report.explanation_section import _jump_text

    said = _jump_text({"routing_jump": {"median_relative": 0.044, "max_relative": 0.15,
                                        "median_relative_per_reference": 0.35,
                                        "max_relative_per_reference": 0.9}})
    assert "median <b>4.40%</b>" in said and "per reference" in said
    assert "median <b>35.00%</b>, max <b>90.00%</b>" in said
    plain = _jump_text({"routing_jump": {"median_relative": 0.044, "max_relative": 0.15}})
    assert "per reference" not in plain and plain.endswith("</b>.")
