"""A ``--tune`` benchmark draws each model's input scaling per fold: on the gdc ACC/UVM/UCS
survival bundle (2 folds, ``--tune 2``) fold 0's models z-scored their inputs and fold 1's
centred them. The note said ``inputs clipped to ±10 z: train 0 values (0.0%), val 7 (<0.1%),
test 125 (<0.1%) ...``, read as the run's whole count, where it was fold 0's alone; it now
says in how many of the folds a model used that scaling."""

from __future__ import annotations

from genemoe.evaluate.benchmark_files import clipped_lines


def _report(method: str, n_values: int) -> dict:
    return {"method": method, "clip": 10.0, "n_values": n_values, "n_samples": min(n_values, 5),
            "n_genes": min(n_values, 7), "n_rows": 100, "n_total": 20_000,
            "max_abs": 24.0 if n_values else 8.0}


def _cell(model: str, fold: int, method: str, n_test: int) -> dict:
    return {"model": model, "repeat": 0, "fold": fold,
            "clipped": {part: _report(method, n if part == "test" else 0)
                        for part, n in (("train", 0), ("val", 0), ("test", n_test))}}


def test_a_scaling_used_in_some_folds_says_how_many():
    cells = [_cell(m, 0, "standard", 125) for m in ("genemoe", "coxnet")]
    cells += [_cell(m, 1, "centred", 0) for m in ("genemoe", "coxnet")]
    [line] = clipped_lines(cells)
    assert line.startswith("inputs clipped to ±10 z: train 0 values"), line
    assert line.endswith("(in the 1 of 2 folds where a model used this scaling)"), line


def test_a_scaling_every_fold_used_is_said_as_before():
    cells = [_cell(m, f, "standard", 10) for m in ("genemoe", "coxnet") for f in (0, 1)]
    [line] = clipped_lines(cells)
    assert "2 folds summed" in line and "where a model used" not in line, line
