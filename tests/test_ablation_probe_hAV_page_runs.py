"""A probe (helper hAV) of a real per-fold survival ablation's page: its first screen said
"per fold: 4 genemoe pretrain runs in pretrain/, 2 flagged as collapsed" of two Gene-MOE and
two VAE-Cox runs, not whose runs collapsed, beside a table marking only Gene-MOE †."""

from __future__ import annotations

import pandas as pd

from genemoe.report.ablation_page import _pretraining_words


def _words(tmp_path, models: list[str], collapsed: list[bool]) -> str:
    (tmp_path / "pretrain").mkdir()
    pd.DataFrame({"model": models, "run": [f"r0_f{i}" for i in range(len(models))],
                  "collapsed": collapsed}).to_csv(tmp_path / "pretrain" / "summary.csv",
                                                  index=False)
    return _pretraining_words(tmp_path, pd.DataFrame({"model": ["genemoe_pretrained"]}),
                              "per_fold")


def test_the_page_says_whose_pre_training_runs_collapsed(tmp_path):
    words = _words(tmp_path, ["genemoe", "vaecox", "genemoe", "vaecox"],
                   [True, False, True, False])
    assert words == ("per fold: 4 <code>genemoe pretrain</code> runs in pretrain/: Gene-MOE 2, "
                     "2 flagged as collapsed; VAE-Cox 2, 0 flagged"), words


def test_one_models_runs_keep_the_short_words(tmp_path):
    words = _words(tmp_path, ["genemoe", "genemoe"], [False, True])
    assert words == "per fold: 2 <code>genemoe pretrain</code> runs in pretrain/, 1 flagged as " \
                    "collapsed"
