"""``clip_report``: what a scaler's ±clip changes (standardised inputs beyond ±10 were clipped
in every benchmark fold without a word: gdc6 fold 0, 6,591 test values)."""

from __future__ import annotations

import numpy as np

from genemoe.data.scaling import clip_report, clip_summary, clip_text, fit_scaler


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6)).astype(np.float32)
    return X, fit_scaler(X, clip=3.0)


def test_the_counts_are_those_transform_changes():
    X, scaler = _data()
    Y = X.copy()
    Y[:5, 2] += 40.0  # five far values in one gene
    z = (Y - scaler.shift) / scaler.scale
    changed = scaler.transform(Y) != z
    rep = clip_report(Y, scaler)
    assert rep["n_values"] == int(changed.sum()) >= 5
    assert rep["n_samples"] == int(changed.any(1).sum())
    assert rep["n_genes"] == int(changed.any(0).sum())
    assert rep["n_rows"] == 200 and rep["n_total"] == 1200
    assert rep["max_abs"] == round(float(np.abs(z).max()), 3) > 30
    assert rep["method"] == "standard" and rep["clip"] == 3.0


def test_rows_and_genes_read_a_part_of_a_larger_matrix(monkeypatch):
    import genemoe.data.scaling as scaling

    X, _ = _data()
    X[7, 4] = 99.0
    keep = np.array([False, True, False, True, True, False])
    scaler = fit_scaler(X[:100][:, keep], clip=3.0)
    rows = np.arange(0, 200, 3)
    monkeypatch.setattr(scaling, "MOMENTS_BLOCK", 10)  # several blocks of rows
    got = clip_report(X, scaler, rows=rows, genes=keep)
    assert got == clip_report(X[rows][:, keep], scaler)
    assert got["n_rows"] == len(rows) and got["n_values"] >= 1


def test_no_clip_counts_nothing():
    X, scaler = _data()
    scaler.clip = None
    rep = clip_report(X * 100, scaler)
    assert rep["n_values"] == rep["n_samples"] == rep["n_genes"] == 0 and rep["max_abs"] > 100


def test_the_folds_are_summed_and_said_in_one_line():
    def rep(part, n, total, genes, top):
        return {"part": part, "method": "standard", "clip": 10.0, "n_values": n,
                "n_samples": 3, "n_genes": genes, "n_rows": 9, "n_total": total, "max_abs": top}

    summary = clip_summary([rep("train", 1, 10_000, 1, 11.0), rep("test", 6_000, 3_000_000, 3_000, 23.2),
                            rep("train", 0, 10_000, 0, 9.0), rep("test", 591, 297_000, 69, 12.0)])
    assert summary["test"]["n_values"] == 6_591 and summary["test"]["n_folds"] == 2
    assert clip_text(summary) == ("inputs clipped to ±10 z, 2 folds summed: train 1 value "
                                  "(<0.1%), test 6,591 (0.2%) (up to 3,000 genes in a fold's part; "
                                  "largest |z| 23.2)")
    assert clip_summary([rep("test", 0, 100, 0, 2.0)]) == {} and clip_text({}) == ""
