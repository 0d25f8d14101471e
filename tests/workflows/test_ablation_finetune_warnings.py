"""``genemoe ablation``: the fine-tuning's warnings name their run, a collapse is said once
per run, and every warning line is short (an outside probe: four unnamed fine-tuning
warnings of 412 characters, each repeating its pre-training's collapse warning)."""

from __future__ import annotations

import logging

import pytest

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.workflows.ablation import run_ablation
from genemoe.workflows.pretrain import pretrain_run
from log_lines import logged_lines

OPTS = dict(task="classify", n_folds=2, n_repeats=1, device="cpu")
LONG = ("validation reconstruction is at a per-gene training constant's level (R² under 0.05, "
        "MAE not below the best constant's): it does not beat the per-gene mean by squared "
        "error (R² -0.002; MSE 9.015 vs 9.000) or by absolute error (MAE 1.552 vs 1.502), nor "
        "the per-gene median by absolute error (MAE 1.552 vs 1.355)")


@pytest.fixture(scope="module")
def collapsing():
    """Every pre-training collapses, with the reconstruction warning's full text."""
    import genemoe.train.pretrain as pre

    real = pre.collapse_report

    def collapsed(*args, **kwargs):
        return {**real(*args, **kwargs), "collapsed": True, "warnings": [LONG]}

    mp = pytest.MonkeyPatch()
    mp.setattr(pre, "collapse_report", collapsed)
    yield
    mp.undo()


def test_a_long_collapse_warning_is_cut_to_its_claim():
    from genemoe.train.pretrain_metrics import short_collapse

    assert short_collapse("KL tiny") == "KL tiny"
    assert short_collapse(LONG) == ("validation reconstruction is at a per-gene training "
                                    "constant's level")


def test_per_fold_fine_tuning_names_its_run_and_says_a_collapse_once(
        synthetic_bundle, ablation_preset, collapsing, tmp_path):
    bundle = synthetic_bundle(seed=1)
    out = tmp_path / "abl"
    _, lines = logged_lines(lambda: run_ablation(bundle.path, out_dir=out,
                                                 preset=str(ablation_preset),
                                                 pretrain_per_fold=True, epochs=1, **OPTS))
    warned = [ln for ln in lines if ln.startswith("WARNING")]
    assert max(map(len, warned)) < 160, warned
    assert [ln for ln in warned if "collapse" in ln] == [
        f"WARNING: r0_f{f}: pre-training collapse: validation reconstruction is at a per-gene "
        "training constant's level" for f in (0, 1)]
    assert [ln for ln in lines if "fine-tuning from a collapsed" in ln] == [
        f"INFO: r0_f{f}: fine-tuning from a collapsed pre-training (warned above)" for f in (0, 1)]
    # a rerun fine-tunes again from the reused runs (their pre-training says nothing now):
    # the fine-tuning warns, naming the run
    _, lines = logged_lines(lambda: run_ablation(bundle.path, out_dir=out,
                                                 preset=str(ablation_preset),
                                                 pretrain_per_fold=True, epochs=2, **OPTS))
    warned = [ln for ln in lines if ln.startswith("WARNING") and "collapse" in ln]
    assert warned == [f"WARNING: r0_f{f}: the pre-training collapsed (validation reconstruction "
                      "is at a per-gene training constant's level): it may start no better "
                      "than a fresh encoder" for f in (0, 1)]
    assert max(map(len, warned)) < 160
    assert not logging.getLogger("genemoe.train.finetune").filters


def test_one_pretrained_runs_collapse_is_said_once(synthetic_bundle, ablation_preset, collapsing,
                                                   tmp_path):
    bundle = synthetic_bundle(seed=1)
    other = load_bundle(bundle.path)  # the bundle's rows under new ids (plumbing only)
    obs = other.obs.copy()
    obs["sample_id"] = "X" + obs["sample_id"].astype(str)
    obs["patient_id"] = "X" + obs["patient_id"].astype(str)
    other.obs = obs
    write_bundle(other, tmp_path / "other")
    run = pretrain_run([tmp_path / "other"], out_dir=tmp_path / "run",
                       config_path=ablation_preset, device="cpu", progress=False).out_dir
    _, lines = logged_lines(lambda: run_ablation(bundle.path, out_dir=tmp_path / "abl",
                                                 preset=str(ablation_preset), pretrained=run,
                                                 epochs=1, **OPTS))
    said = [ln for ln in lines if "the pre-training collapsed" in ln]
    assert len(said) == 1 and said[0].startswith("WARNING") and len(said[0]) < 160, said
