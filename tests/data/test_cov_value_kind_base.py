"""value_kind: unmarked ln(x + 1) values are converted to log2(x + 1) and said; with
``base_given`` (the file marks its own base, as scanpy's uns['log1p']) they are kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from genemoe.data.values import ValueStats, value_kind


def _ln_cp10k(seed: int = 0, n: int = 12, g: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    depth = rng.uniform(2e4, 2e5, size=(n, 1))
    profile = rng.gamma(0.4, 1.0, size=(1, g))
    counts = rng.poisson(depth * profile / profile.sum()).astype(np.float64)
    return np.log1p(counts / counts.sum(1, keepdims=True) * 1e4).astype(np.float32)


def _kind(values: np.ndarray, **kw):
    stats = ValueStats()
    stats.update(values, 0, 0)
    return value_kind(stats, values, Path("m.tsv"), lambda s, g: f"cell {s},{g}", **kw), stats


def test_unmarked_natural_log_is_converted_and_said():
    values = _ln_cp10k()
    before = values.copy()
    (kind, notes), stats = _kind(values)
    assert kind == "log" and notes[0].startswith("values read as natural log")
    np.testing.assert_allclose(values, before / np.log(2), rtol=1e-5)
    assert stats.vmax == np.float32(values.max())


def test_a_base_given_keeps_the_values_as_they_are():
    values = _ln_cp10k()
    before = values.copy()
    (kind, notes), stats = _kind(values, base_given=True)
    assert kind == "log" and not any("natural log" in n for n in notes)
    assert notes[0].startswith("values: non-integer in [")
    np.testing.assert_array_equal(values, before)
    assert stats.vmax == float(before.max())
