"""``genemoe report`` on an ablation folder says what this ablation ran (outside probe DD):
the pre-training its tables rest on, not runs an earlier call left in ``pretrain/`` (D3),
and what the folds' scalers clipped (D2). The folders are built by hand: nothing trains."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd

from genemoe.report.html import write_report

FP = "e" * 16
TABLE = ("| model | accuracy | precision (macro) | recall (macro) | F1 (macro) |\n|---|---|---|---|---|\n"
         "| Baseline: two FC layers (fcn) | 0.5 | 0.5 | 0.5 | 0.5 |\n"
         "| pre-trained Gene-MOE (genemoe + --pretrained) | 0.6 | 0.6 | 0.6 | 0.6 |\n")
RUN_PARAGRAPH = ("pre-trained: encoder from `p_b7` (96 pre-training samples, none of them — nor "
                 "their patients — in any test fold), fine-tuned on each fold like the others.")
PER_FOLD_PARAGRAPH = ("pre-trained: per fold — for each of the 2 test folds, Gene-MOE (1 epoch) "
                      "pre-trained on that fold's training part only.")


def _part(d: Path, models: list[str], pretrained: object, cell: dict) -> None:
    (d / "cells").mkdir(parents=True)
    (d / "protocol.json").write_text(json.dumps({
        "task": "classify", "models": models, "n_folds": 2, "n_repeats": 1, "seed": 0,
        "preset": "small", "fingerprint": FP, "pretrained": pretrained}))
    for m in models:
        for f in (0, 1):
            (d / "cells" / f"{m}__r0_f{f}.json").write_text(json.dumps(
                {"fingerprint": FP, "model": m, "repeat": 0, "fold": f, **cell}))


def _folder(d: Path, paragraph: str, pretrained: object) -> Path:
    """An ablation folder whose pretrain/ holds two runs (of an earlier per-fold call, or of
    this one), its tables.md saying ``paragraph``."""
    d.mkdir()
    (d / "tables.md").write_text("# Gene-MOE ablation — Table III: classification\n\n"
                                 f"{paragraph}\n\n{TABLE}")
    rows = [{"model": m, "label": m, "repeat": 0, "fold": f, "macro_f1": 0.5 + 0.1 * f}
            for m in ("fcn", "genemoe_pretrained") for f in (0, 1)]
    pd.DataFrame(rows).to_csv(d / "results.csv", index=False)
    clip = {"method": "standard", "clip": 10.0, "n_values": 7, "n_samples": 5, "n_genes": 6,
            "n_rows": 9, "n_total": 1728, "max_abs": 23.1}
    _part(d / "models", ["fcn"], None, {"clipped": {"val": clip}})
    _part(d / "pretrained", ["genemoe"], pretrained, {})
    for run in ("r0_f0", "r0_f1"):
        (d / "pretrain" / run).mkdir(parents=True)
        (d / "pretrain" / run / "pretrained.pt").write_bytes(b"")
    pd.DataFrame({"run": ["r0_f0", "r0_f1"], "model": "genemoe", "epochs": 1, "val_r2": -0.01,
                  "collapsed": True}).to_csv(d / "pretrain" / "summary.csv", index=False)
    return d


def _first_screen(d: Path) -> str:
    page = write_report(d).read_text().split('<nav class="toc"')[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_a_pretrained_row_is_credited_to_its_run_not_to_runs_left_in_pretrain(tmp_path):
    """D3: a `--pretrained p_b7` rerun after `--pretrain-per-fold` left pretrain/; the page
    said "per fold: 2 genemoe pretrain runs in pretrain/, 2 flagged as collapsed" and showed
    the old per-fold table, while tables.md said "encoder from p_b7"."""
    d = _folder(tmp_path / "abl", RUN_PARAGRAPH, "p_b7")
    screen = _first_screen(d)
    assert "from one genemoe pretrain run p_b7 (--pretrained" in screen
    assert "the 2 per-fold runs in pretrain/ are left over from an earlier call" in screen
    assert "per fold: 2" not in screen
    page = (d / "report.html").read_text()
    assert "Per-fold pre-training" not in page
    assert "summary.csv; left over from an earlier call" in html.unescape(page)


def test_a_per_fold_ablation_still_shows_its_runs(tmp_path):
    d = _folder(tmp_path / "abl", PER_FOLD_PARAGRAPH, {"per_fold": {"model": "genemoe"}})
    screen = _first_screen(d)
    assert "per fold: 2 genemoe pretrain runs in pretrain/, 2 flagged as collapsed" in screen
    assert "left over" not in screen
    assert "Per-fold pre-training (pretrain/summary.csv)" in (d / "report.html").read_text()


def test_the_first_screen_says_what_the_folds_scalers_clipped(tmp_path):
    """D2: the page never said that inputs were clipped (models/summary.md did)."""
    d = _folder(tmp_path / "abl", RUN_PARAGRAPH, "p_b7")
    assert ("inputs inputs clipped to ±10 z, 2 folds summed: val 14 values (0.4%)"
            in _first_screen(d))


def test_the_first_screen_says_an_encoder_never_unfrozen(tmp_path):
    """D4: `--freeze-encoder-epochs 5 --epochs 2`: the cells record encoder_unfrozen False;
    the page's pre-training row read as an ordinary fine-tuning."""
    d = _folder(tmp_path / "abl", RUN_PARAGRAPH, "p_b7")
    for f in (0, 1):
        path = d / "pretrained" / "cells" / f"genemoe__r0_f{f}.json"
        cell = json.loads(path.read_text())
        cell["info"] = {"pretrained": {"freeze_encoder_epochs": 2, "freeze_encoder_epochs_asked": 5,
                                       "encoder_unfrozen": False}}
        path.write_text(json.dumps(cell))
    assert ("encoder frozen throughout in 2 of 2 fine-tunings (never fine-tuned: only the head "
            "trained)") in _first_screen(d)
