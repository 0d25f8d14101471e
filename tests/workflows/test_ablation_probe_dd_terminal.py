"""An outside probe (DD) of what `genemoe ablation` says while it runs: an encoder frozen for
every epoch, a preset file's gaps, what each fold's fine-tuning starts from, and the inputs
the folds' scalers clipped."""

from __future__ import annotations

import yaml

from genemoe.workflows.ablation import run_ablation
from log_lines import logged_lines
from tiny_configs import TINY_ABLATION_PRESET


def test_one_run_says_each_thing_once(synthetic_bundle, tmp_path):
    """Old behaviour: no word of an encoder never unfrozen (--freeze-encoder-epochs 1 with
    --epochs 1); "tiny.yaml extends no preset ..." once per arm and again for the pre-trained
    row; "started from the pre-trained Gene-MOE encoder ... genes pre-trained ..." (158-250
    characters) once per fold; the clipped inputs unsaid."""
    bundle = synthetic_bundle(seed=1, clinical=False)
    preset = tmp_path / "tiny.yaml"  # no extends: the code's defaults for train_classify
    preset.write_text(yaml.safe_dump({k: v for k, v in TINY_ABLATION_PRESET.items()
                                      if k != "extends"}))
    result, lines = logged_lines(lambda: run_ablation(
        bundle.path, task="classify", out_dir=tmp_path / "abl", preset=str(preset),
        n_folds=2, n_repeats=1, epochs=1, device="cpu", pretrain_per_fold=True,
        freeze_encoder_epochs=1))
    frozen = [s for s in lines if "covers all" in s]
    assert frozen == ["WARNING: --freeze-encoder-epochs 1 covers all 1 epochs: the pre-trained "
                      "encoder stays frozen (only the head trains) in the pre-trained rows"], lines
    gaps = [s for s in lines if "extends no preset" in s]
    assert len(gaps) == 1 and ": fcn, moe, genemoe run with the code's defaults" in gaps[0], lines
    assert not [s for s in lines if "started from the pre-trained" in s], lines
    start = [s for s in lines if "each fold fine-tunes" in s]
    assert len(start) == 1 and start[0].startswith("INFO: pre-trained Gene-MOE: each fold "
                                                   "fine-tunes its own run in "), lines
    cells = [c for c in (tmp_path / "abl" / "pretrained" / "cells").glob("genemoe__*.json")]
    assert len(cells) == 2  # the details stay in each cell's record
    text = result.describe()
    from genemoe.workflows.ablation import clip_words

    assert len(result.clipped) == 1, result.clipped
    assert text.splitlines()[1].endswith(f":  ({clip_words(result.clipped[0])})"), text
    summary = (tmp_path / "abl" / "models" / "summary.md").read_text()
    assert result.clipped[0].split(":")[0] in summary
