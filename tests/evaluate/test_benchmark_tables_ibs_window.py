"""summary.md gives the integrated Brier score's days over the folds and the test patients
censored at their training follow-up's end (they were in cells/*.json only)."""

from __future__ import annotations

from genemoe.evaluate.benchmark_tables import results_table, summary_markdown

PROTOCOL = {"task": "survival", "preset": "small", "epochs": None, "n_folds": 3, "n_repeats": 1,
            "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 0}


def _cell(model: str, fold: int, times: list[float] | None, cut: int | None) -> dict:
    metrics = {"c_index": 0.7, "c_index_ci": [0.6, 0.8], "logrank_p": 0.01, "n_events": 20,
               "c_index_by_type": {}}
    if times is not None:
        metrics.update(integrated_brier_score=0.17, ibs_null_reference=0.21, ibs_times=times,
                       ibs_n_times=50)
    if cut is not None:
        metrics["ibs_censored_at_training_end"] = cut
    return {"model": model, "repeat": 0, "fold": fold, "seed": 0, "task": "survival",
            "n": {"train": 200, "val": 40, "test": 120}, "n_genes": 100, "seconds": 1.0,
            "metrics": metrics}


def test_the_window_over_folds_and_the_patients_cut_are_in_summary_md():
    folds = [([248.0, 2680.0], 2), ([132.0, 3145.0], None), ([167.0, 2949.0], 3)]
    cells = [_cell(m, i, t, c) for m in ("coxnet", "coxph") for i, (t, c) in enumerate(folds)]
    results = results_table(cells)
    assert list(results["ibs_censored_at_training_end"][:3]) == [2, 0, 3]
    md = summary_markdown(results, PROTOCOL)
    line = next(ln for ln in md.splitlines() if ln.startswith("Integrated Brier score days"))
    assert "from day 132–248 to day 2,680–3,145 over 3 folds" in line
    assert ("5 test patients were followed beyond their fold's training follow-up and censored "
            "at its end.") in line  # not 10


def test_no_window_line_without_a_score():
    results = results_table([_cell("coxnet", 0, None, None)])
    assert "Integrated Brier score days" not in summary_markdown(results, PROTOCOL)


def test_the_report_page_gives_the_window_as_summary_md_does():
    """The window line reached summary.md only; the report's metrics section left it out."""
    from genemoe.report.html import _benchmark_metrics

    cells = [_cell("coxnet", i, t, c) for i, (t, c) in enumerate([([248.0, 2680.0], 2)])]
    page = _benchmark_metrics(results_table(cells), "survival", None)
    assert "Integrated Brier score days" in page and "from day 248 to day 2,680" in page


def test_an_untuned_survival_benchmark_says_how_its_classical_models_chose():
    """The protocol said classical models choose on their own grids, not by which criterion:
    Coxnet chose by Harrell's C while the neural models read the partial likelihood."""
    from genemoe.evaluate.benchmark_protocol import tuning_text

    said = tuning_text({"task": "survival", "tune": 0})
    assert "by the criterion the neural models choose their epoch by" in said
    assert "survival_selection" not in tuning_text({"task": "classify", "tune": 0})


def test_a_survival_summary_says_no_macro_metric_of_its_rare_types():
    """summary.md said "each fold's macro metrics average over the types it holds" in a
    survival benchmark, which has none."""
    from genemoe.evaluate.benchmark_protocol import protocol_text

    p = {"task": "survival", "tune": 0, "preset": "small", "bundle_path": "b", "n_folds": 3,
         "n_repeats": 1, "seed": 0, "val_fraction": 0.15,
         "samples": {"n_used": 10, "n_bundle": 10, "types_under_folds": {"DLBC": 2}}}
    said = protocol_text(p)
    assert "Types with fewer samples than folds: DLBC 2 (some test folds hold none of them)." in said
    assert "macro metrics" not in said
    assert "macro metrics" in protocol_text({**p, "task": "classify"})


def test_the_censoring_floor_is_said_and_its_cut_kept_per_cell():
    """The integrated Brier score's window now also ends where the training censoring
    survival falls below 0.2 (an IBS of 1.45 against a reference of 0.29 came from weights
    of 12.5): results.csv keeps each cell's cut and summary.md's window line says it."""
    from genemoe.evaluate.benchmark_tables import ibs_window_text

    cells = [_cell("coxnet", f, [100.0, 2000.0 + f], 0) for f in (0, 1)]
    cells[1]["metrics"]["ibs_censoring_cut"] = 2674.0
    results = results_table(cells)
    assert results["ibs_censoring_cut"].iloc[1] == 2674.0 and results["ibs_censoring_cut"].isna()[0]
    assert "before the day its training patients' censoring survival falls below 0.2" in (
        ibs_window_text(results))
