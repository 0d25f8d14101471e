"""``genemoe ablation --pretrain-per-fold`` rerun with other pre-training options: the
warnings name the changed options, in the ablation's words, once (an outside probe: "holds
the pre-training runs of other options" named none; each pre-trained part then said "holds a
benchmark of other options (pretrained.per_fold.pretrain.epochs 1 → 2): its summary.md ...")."""

from __future__ import annotations

import yaml

from genemoe.workflows.ablation import run_ablation
from log_lines import warning_lines
from tiny_configs import TINY_GENEMOE


def test_the_option_changes_are_said_in_the_ablations_words():
    from genemoe.workflows.ablation_pretrain import pretrain_option_changes

    recipe = {"model": "genemoe", "model_config": {"hidden": 32}, "pretrain": {"epochs": 1}}
    old = {"fingerprint": "a", "seed": 0, "folds": [[0, 0, "x"]],
           "recipes": {"genemoe": recipe, "vaecox": {**recipe, "model": "vaecox"}}}
    new = {"fingerprint": "b", "seed": 1, "folds": [[0, 0, "y"]], "recipes": {
        m: {**r, "pretrain": {"epochs": 2}, "model_config": {"hidden": 64 if m == "genemoe" else 32}}
        for m, r in old["recipes"].items()}}
    assert pretrain_option_changes(old, new) == [
        "seed 0 → 1", "the folds (--folds, --repeats, --seed or the bundle's rows)",
        "model.genemoe.hidden 32 → 64", "pretrain.epochs 1 → 2"]


def test_a_rerun_with_other_pretrain_epochs_says_what_changed_once(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=1)
    preset = tmp_path / "tiny.yaml"
    preset.write_text(yaml.safe_dump({
        "extends": "small", "model": {"genemoe": TINY_GENEMOE, "vaecox": {"hidden": 32, "latent": 8}},
        "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]},
        "train": {"batch_size": 32}}))
    out = tmp_path / "abl"
    opts = dict(task="survival", out_dir=out, preset=str(preset), pretrain_per_fold=True,
                n_folds=2, n_repeats=1, epochs=1, device="cpu", n_boot=10)
    run_ablation(bundle.path, pretrain_epochs=1, **opts)
    said = warning_lines(lambda: run_ablation(bundle.path, pretrain_epochs=2, **opts))
    aside = [s for s in said if "holds the pre-training runs of other options" in s]
    assert len(aside) == 1 and "(pretrain.epochs 1 → 2): kept in" in aside[0], said
    assert not [s for s in said if "holds a benchmark of other options" in s], said
    anew = [s for s in said if "computed anew" in s]
    assert anew == ["the pre-trained rows are computed anew (pretrain.epochs 1 → 2); the "
                    "earlier cells are kept aside"], said
    # and back: the earlier runs and cells come back, said once
    said = warning_lines(lambda: run_ablation(bundle.path, pretrain_epochs=1, **opts))
    assert [s for s in said if "rows of an earlier ablation" in s] == [
        "the pre-trained rows of an earlier ablation with these options are reused "
        "(pretrain.epochs 2 → 1)"], said
