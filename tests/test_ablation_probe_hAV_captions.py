"""Leftover of a probe (helper hAV): the benchmark's reliability-diagram caption says where
the temperature was fitted (each fold's validation part; only the title said "calibrated")."""

from __future__ import annotations

from genemoe.report.plots import _model_figures


def _cell(fold: int, calibration: dict | None) -> dict:
    types = ["ACC", "UVM"] * 10
    bins = [{"lo": 0.5, "hi": 1.0, "confidence": 0.7, "accuracy": 0.6, "count": 20}]
    info = {"calibration": calibration} if calibration else {}
    return {"task": "classify", "repeat": 0, "fold": fold, "metrics": {"reliability": bins},
            "info": info, "test": {"cancer_type": types, "predicted": types[::-1]}}


_T = {"method": "temperature", "temperature": 1.3, "fitted_on": "validation part"}


def _reliability_caption(cells: list[dict], model: str, tmp_path) -> str:
    figs = _model_figures(model, cells, ["ACC", "UVM"], tmp_path)
    return next(f.caption for f in figs if "reliability" in f.caption)


def test_reliability_caption_says_the_temperature_was_fitted_on_each_folds_validation_part(
        tmp_path):
    caption = _reliability_caption([_cell(0, _T), _cell(1, _T)], "fcn", tmp_path)
    assert "temperature-scaled, T fitted on each fold's validation part" in caption, caption
    assert "out-of-fold" not in caption


def test_reliability_caption_of_an_svm_names_its_own_calibration_and_unrecorded_folds(tmp_path):
    caption = _reliability_caption([_cell(0, _T), _cell(1, None)], "svm", tmp_path)
    assert "the validation part in 1 of 2 folds" in caption, caption
    assert "out-of-fold training rows" in caption
