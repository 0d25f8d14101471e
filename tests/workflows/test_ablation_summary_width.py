"""The ablation's terminal summary keeps its lines within 100 characters: a collapsed
pre-training said on a long row moves under the rows, marked † (the per-fold pre-trained
Gene-MOE's row was 122 characters)."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.ablation import (
    MODEL_LABELS,
    PER_FOLD_LABELS,
    PRETRAINED,
    VAECOX_PRETRAINED,
    AblationResult,
)

MODELS = ("fcn", "moe", "genemoe", PRETRAINED, "vaecox", VAECOX_PRETRAINED, "coxnnet")


def _results(labels: dict[str, str], models=MODELS, n_folds: int = 5,
             n_repeats: int = 2) -> pd.DataFrame:
    rows = [{"model": m, "repeat": r, "fold": f, "c_index": 0.6 + 0.01 * f}
            for m in models for r in range(n_repeats) for f in range(n_folds)]
    res = pd.DataFrame(rows)
    res.insert(1, "label", res["model"].map(labels))
    return res


def test_per_fold_rows_with_a_collapse_stay_within_100_characters(tmp_path):
    """Old behaviour: `pre-trained Gene-MOE (genemoe, pre-trained per fold)  0.620 ± 0.015
    (10 folds; pre-training collapsed in 2 of 10 runs)`, 122 characters."""
    text = AblationResult(tmp_path, "survival", _results(PER_FOLD_LABELS), "", None, 1.0,
                          collapsed={PRETRAINED: (2, 10), VAECOX_PRETRAINED: (10, 10)}).describe()
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100, [ln for ln in lines if len(ln) > 100]
    for model, said in ((PRETRAINED, "pre-training collapsed in 2 of 10 runs"),
                        (VAECOX_PRETRAINED, "pre-training collapsed in 10 of 10 runs")):
        label = PER_FOLD_LABELS[model]
        row = next(ln for ln in lines if ln.strip().startswith(label))
        assert row.endswith("(10 folds) †"), row
        note = next(ln for ln in lines if ln.strip().startswith(f"† {label}:"))
        assert note.endswith(said) and lines.index(note) > lines.index(row)
    # the rows without a collapse say nothing more
    fcn = next(ln for ln in lines if ln.strip().startswith(PER_FOLD_LABELS["fcn"]))
    assert fcn.endswith("(10 folds)")


def test_a_pretrained_runs_collapse_stays_within_100_characters(tmp_path):
    """Old behaviour: `pre-trained Gene-MOE (genemoe + --pretrained)  0.620 ± 0.015
    (10 folds; its pre-training run collapsed)`, 107 characters."""
    models = ("fcn", "moe", "genemoe", PRETRAINED)
    text = AblationResult(tmp_path, "classify", _results(MODEL_LABELS, models).rename(
        columns={"c_index": "macro_f1"}), "", None, 1.0,
        collapsed={PRETRAINED: (1, 1)}).describe()
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100, [ln for ln in lines if len(ln) > 100]
    assert f"    † {MODEL_LABELS[PRETRAINED]}: its pre-training run collapsed" in lines


def test_a_collapse_that_fits_stays_on_its_row(tmp_path):
    """A row short enough keeps its note (nothing moves where nothing is long)."""
    res = _results(PER_FOLD_LABELS, ("vaecox", VAECOX_PRETRAINED), n_folds=2, n_repeats=1)
    text = AblationResult(tmp_path, "survival", res, "", None, 1.0,
                          collapsed={VAECOX_PRETRAINED: (2, 2)}).describe()
    row = next(ln for ln in text.splitlines()
               if ln.strip().startswith(PER_FOLD_LABELS[VAECOX_PRETRAINED]))
    assert row.endswith("(2 folds; pre-training collapsed in 2 of 2 runs)") and len(row) <= 100
    assert "†" not in text
