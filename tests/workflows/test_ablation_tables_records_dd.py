"""``genemoe ablation``'s tables.md says what its parts' records hold (outside probe DD):
inputs clipped by the folds' scalers (D2), an encoder the cells record as never unfrozen
(D4), the per-fold pre-training's clipped inputs (D6), and the benchmark part's caveats on
types rarer than the folds and preset values chosen on these test samples (D8).

The ablation folders are built by hand from small records: no model is trained.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.workflows.ablation_pretrain import fold_pretrain_data
from genemoe.workflows.ablation_tables import MODEL_LABELS, PRETRAINED, ablation_tables
from genemoe.workflows.folds import VAL_FRACTION, plan_folds

FP = "f" * 16  # the fingerprint the hand-made cells share with their protocol.json


def _clip(n: int, total: int, top: float) -> dict:
    return {"method": "standard", "clip": 10.0, "n_values": n, "n_samples": min(n, 3),
            "n_genes": min(n, 2), "n_rows": 10, "n_total": total, "max_abs": top}


def _part(d: Path, models: list[str], cells: dict[tuple[str, int], dict]) -> None:
    """A benchmark part: protocol.json and one cell per (model, fold)."""
    (d / "cells").mkdir(parents=True)
    (d / "protocol.json").write_text(json.dumps({"models": models, "fingerprint": FP}))
    for (model, fold), extra in cells.items():
        (d / "cells" / f"{model}__r0_f{fold}.json").write_text(json.dumps(
            {"fingerprint": FP, "model": model, "repeat": 0, "fold": fold, **extra}))


def _results(models: list[str]) -> pd.DataFrame:
    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "macro_f1": 0.5 + 0.01 * f,
             "accuracy": 0.5, "macro_precision": 0.5, "macro_recall": 0.5}
            for m in models for f in (0, 1)]
    res = pd.DataFrame(rows)
    res.insert(1, "label", res["model"].map(MODEL_LABELS))
    return res


def _tables(res: pd.DataFrame, **kw) -> str:
    return ablation_tables(res, "classify", n_folds=2, n_repeats=1, seed=0, preset="small",
                           synthetic=True, **{"pretrained": None, **kw})


def test_tables_md_says_the_inputs_the_folds_scalers_clipped(tmp_path):
    """D2: models/summary.md and the terminal of `genemoe benchmark` said "inputs clipped to
    ±10 z, 2 folds summed: ... val 10 (0.3%), test 70 (0.3%)"; tables.md said nothing."""
    clipped = {f: {"train": _clip(0, 1000, 7.0), "val": _clip(5 * (f + 1), 200, 23.1),
                   "test": _clip(35, 1200, 32.1)} for f in (0, 1)}
    _part(tmp_path / "models", ["fcn", "moe"], {(m, f): {"clipped": clipped[f]}
                                                for m in ("fcn", "moe") for f in (0, 1)})
    md = _tables(_results(["fcn", "moe"]), out_dir=tmp_path)
    line = next(ln for ln in md.splitlines() if "clipped" in ln)
    assert line.startswith("Note: inputs clipped to ±10 z, 2 folds summed: train 0 values "
                           "(0.0%), val 15 (3.8%), test 70 (2.9%)"), line  # each fold once
    assert "largest |z| 32.1" in line and "`models/cells/*.json`" in line


def test_nothing_clipped_is_not_said(tmp_path):
    _part(tmp_path / "models", ["fcn"], {("fcn", f): {"clipped": {"test": _clip(0, 9, 3.0)}}
                                         for f in (0, 1)})
    assert "clipped" not in _tables(_results(["fcn"]), out_dir=tmp_path)


def _frozen_cells(d: Path, unfrozen: list[bool], asked: int = 5) -> None:
    _part(d / "pretrained", ["genemoe"], {("genemoe", f): {"info": {"pretrained": {
        "freeze_encoder_epochs": asked if u else 2, "freeze_encoder_epochs_asked": asked,
        "encoder_unfrozen": u}}} for f, u in enumerate(unfrozen)})


def test_an_encoder_never_unfrozen_is_said_frozen_throughout(tmp_path):
    """D4: `--freeze-encoder-epochs 5 --epochs 2`: the cells record asked 5, frozen 2,
    encoder_unfrozen False, and tables.md said "frozen for the first 5 epochs"."""
    _frozen_cells(tmp_path, [False, False])
    pre = {"run": "p_b7", "n_samples": 96, "n_genes": 195, "freeze_encoder_epochs": 5}
    md = _tables(_results(["fcn", "genemoe", PRETRAINED]), pretrained=pre, out_dir=tmp_path)
    assert ("its encoder frozen throughout (--freeze-encoder-epochs 5, trained 2 epochs): never "
            "fine-tuned, only the head trained.") in md
    assert "frozen for the first" not in md


def test_an_encoder_unfrozen_in_some_folds_only_is_counted(tmp_path):
    _frozen_cells(tmp_path, [True, False], asked=3)
    per_fold = {"n_folds": 2, "freeze_encoder_epochs": 3, "pretrain_from": None, "models": {
        "genemoe": {"epochs": 2, "n_runs": 2, "val_r2": 0.2, "val_r_sample": 0.9,
                    "val_r_sample_baseline": 0.8, "n_collapsed": 0}}}
    md = _tables(_results(["fcn", "genemoe", PRETRAINED]), per_fold=per_fold, out_dir=tmp_path)
    assert ("its encoder frozen for the first 3 epochs; in 1 of 2 runs training stopped within "
            "them (trained 2 epochs): never fine-tuned there. Runs") in md


def test_an_encoder_unfrozen_as_asked_reads_as_before(tmp_path):
    _frozen_cells(tmp_path, [True, True], asked=1)
    pre = {"run": "p_b7", "n_samples": 96, "n_genes": 195, "freeze_encoder_epochs": 1}
    md = _tables(_results(["fcn", PRETRAINED]), pretrained=pre, out_dir=tmp_path)
    assert "its encoder frozen for the first 1 epoch (--freeze-encoder-epochs)." in md


def test_tables_md_says_the_per_fold_pretrainings_clipped_inputs(tmp_path):
    """D6: per-fold pre-training read the fold's scaled rows, clipped at ±10, and no record
    counted them; pretrain/summary.csv's clip columns are said, each fold once."""
    rows = [{"model": m, "repeat": 0, "fold": f, "n_train": 50, "n_val": 10, "n_genes": 20,
             "clip": 10.0, "clipped_train": 0, "clipped_train_samples": 0,
             "clipped_train_genes": 0, "max_abs_train": 7.0, "clipped_val": 3 + f,
             "clipped_val_samples": 2, "clipped_val_genes": 2, "max_abs_val": 21.5 + f}
            for f in (0, 1) for m in ("genemoe", "vaecox")]
    (tmp_path / "pretrain").mkdir()
    pd.DataFrame(rows).to_csv(tmp_path / "pretrain" / "summary.csv", index=False)
    per_fold = {"n_folds": 2, "freeze_encoder_epochs": 0, "pretrain_from": None, "models": {
        "genemoe": {"epochs": 1, "n_runs": 2, "val_r2": 0.2, "val_r_sample": 0.9,
                    "val_r_sample_baseline": 0.8, "n_collapsed": 0}}}
    md = _tables(_results(["fcn", PRETRAINED]), per_fold=per_fold, out_dir=tmp_path)
    line = next(ln for ln in md.splitlines() if ln.startswith("- Pre-training"))
    assert line.startswith("- Pre-training inputs clipped to ±10 z, 2 folds summed: train 0 "
                           "values (0.0%), val 7 (1.8%)"), line
    assert "largest |z| 22.5" in line and "`clipped_train`, `clipped_val`" in line


def test_fold_pretrain_data_counts_what_its_scaler_clipped(synthetic_bundle):
    """D6: the fold's scaled pre-training rows are clipped at ±10 (sc.transform); the count
    is in the data's record (the run's summary.json) and summary.csv's columns."""
    from genemoe.data.bundle import load_bundle
    from genemoe.workflows.ablation_pretrain import clip_columns  # new with the counts

    bundle = load_bundle(synthetic_bundle(seed=1).path)
    plan = plan_folds(bundle, "classify", n_folds=2, n_repeats=1, seed=0,
                      val_fraction=VAL_FRACTION)[0]
    data = fold_pretrain_data(bundle, plan)
    at_bound = {"train": int((np.abs(data.X_train) >= 10).sum()),
                "val": int((np.abs(data.X_val) >= 10).sum())}
    clipped = data.bundles[0]["clipped"]
    assert {p: clipped[p]["n_values"] for p in at_bound} == at_bound
    cols = clip_columns(data)
    assert cols["clip"] == 10.0 and cols["clipped_val"] == at_bound["val"]
    assert cols["clipped_train"] == at_bound["train"]
    assert {"clipped_val_samples", "clipped_val_genes", "max_abs_val"} <= set(cols)


def _tuned(overlap: object) -> dict:
    return {"value": 20, "data": "pancan33_random100, default split", "part": "validation",
            "overlaps_benchmark_test_folds": overlap, "used_by": ["fcn", "moe", "genemoe"]}


@pytest.mark.parametrize("task", ["classify", "survival"])
def test_tables_md_says_types_rarer_than_the_folds(task):
    """D8 (1): models/summary.md and the terminal said "1 type(s) have fewer samples than
    the 7 folds (ACC 6)"; tables.md, which holds the macro-F1 table, did not."""
    protocol = {"samples": {"n_bundle": 120, "n_used": 120, "left_out": {},
                            "types_under_folds": {"ACC": 6}}}
    res = _results(["fcn"]).assign(c_index=0.6)
    md = ablation_tables(res, task, n_folds=7, n_repeats=1, seed=0, preset="small",
                         pretrained=None, synthetic=True, protocol=protocol)
    assert "Types with fewer samples than folds: ACC 6 (some test folds hold none of them" in md
    assert ("macro metrics average over the types it holds" in md) == (task == "classify")


def test_tables_md_says_preset_values_chosen_on_these_test_samples():
    """D8 (2): on pancan33, models/summary.md said the preset's values were chosen on data
    that "sits in a benchmark's test folds: True"; tables.md said nothing."""
    protocol = {"preset": "small", "bundle_summary": {"synthetic": False}, "preset_tuned_on": {
        "train.patience": _tuned(True), "model.dropout": _tuned(True),
        "train.epochs": {**_tuned(True), "used_by": []}}}
    md = _tables(_results(["fcn"]), protocol=protocol)
    line = next(ln for ln in md.splitlines() if ln.startswith("Preset values chosen on data"))
    assert "`small`'s `train.patience`, `model.dropout` (used by fcn, moe, genemoe)" in line
    assert "the values were chosen seeing them" in line and "train.epochs" not in line


def test_preset_values_of_other_data_are_not_said():
    synthetic = {"preset": "small", "bundle_summary": {"synthetic": True},
                 "samples": {"n_used": 120}, "preset_tuned_on": {"train.patience": _tuned(True)}}
    assert "Preset values chosen" not in _tables(_results(["fcn"]), protocol=synthetic)
    counted = {"preset": "best.yaml", "preset_tuned_on": {"train.lr": {
        **_tuned(True), "n_test_folds_tuned_on": 5, "n_test_folds": 116}}}
    md = _tables(_results(["fcn"]), protocol=counted)
    assert ("Tuned on these test samples: `best.yaml`'s `train.lr` on 5 of the 116 samples in "
            "these test folds (used by fcn, moe, genemoe)") in md


def test_pretrain_summary_csv_counts_each_runs_clipped_inputs(synthetic_bundle, tmp_path):
    """D6: pretrain/summary.csv (and each new run's summary.json) had no word of clipping."""
    import yaml

    from genemoe.data.bundle import load_bundle
    from genemoe.workflows.ablation_pretrain import pretrain_folds, pretrain_recipe
    from tiny_configs import TINY_ABLATION_PRESET

    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump(TINY_ABLATION_PRESET))
    bundle = load_bundle(synthetic_bundle(seed=1).path)
    plans = plan_folds(bundle, "classify", n_folds=2, n_repeats=1, seed=0,
                       val_fraction=VAL_FRACTION)
    recipe = pretrain_recipe("genemoe", preset=str(preset), seed=0, device="cpu", epochs=1,
                             progress=False)
    _, summary = pretrain_folds(bundle, plans, tmp_path / "pretrain", recipes={"genemoe": recipe},
                                preset=str(preset), device="cpu", epochs=1)
    written = pd.read_csv(tmp_path / "pretrain" / "summary.csv")
    for plan, (_, row) in zip(plans, written.iterrows(), strict=True):
        data = fold_pretrain_data(bundle, plan)
        assert row["clipped_val"] == int((np.abs(data.X_val) >= 10).sum())
        assert row["clipped_train"] == int((np.abs(data.X_train) >= 10).sum())
        run = json.loads((tmp_path / "pretrain" / row["run"] / "summary.json").read_text())
        assert run["bundles"][0]["clipped"]["val"]["n_values"] == row["clipped_val"]
