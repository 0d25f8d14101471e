"""A pre-training whose WGAN critic ended preferring reconstructions to real samples (its
gap real − fake below 0 by more than its noise, e.g. −0.77 at the end of a `small` run)
says so: a note with the number in summary.json, on the terminal and on the report page;
not a collapse."""

from __future__ import annotations

import html
import json
import logging
import re

import pytest
import yaml

from genemoe.train.pretrain_metrics import collapse_report, critic_note
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE

LAST = {"epoch": 3, "loss/kl": 0.5, "loss/critic_gap": -0.77, "val/r2": 0.4, "val/mse": 1.0,
        "val/mse_baseline": 2.0, "val/mae": 0.8, "val/mae_baseline": 1.0}


def _text(page: str) -> str:
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_a_critic_preferring_reconstructions_draws_a_note_not_a_collapse():
    """Old behaviour: a last-epoch gap of −0.77 drew no note and was not recorded apart."""
    report = collapse_report([LAST], kl_collapse=0.01)
    assert not report["collapsed"] and report["warnings"] == []
    assert report["critic_gap"] == pytest.approx(-0.77) and report["critic_fooled"] is True
    (note,) = report["notes"]
    assert note.startswith("the adversarial part ended with the critic preferring "
                           "reconstructions to real samples (critic gap real − fake -0.77")


def test_a_critic_telling_them_apart_draws_no_note():
    report = collapse_report([{**LAST, "loss/critic_gap": 0.4}], kl_collapse=0.01)
    assert report["notes"] == [] and report["critic_fooled"] is False
    assert critic_note(0.0) is None and critic_note(-0.0045) is None  # within its noise
    assert critic_note(float("nan")) is None and critic_note(None) is None
    no_gap = {k: v for k, v in LAST.items() if k != "loss/critic_gap"}
    assert "critic_gap" not in collapse_report([no_gap], kl_collapse=0.01)


@pytest.fixture(scope="module")
def fooled_run(synthetic_bundle, tmp_path_factory):
    """A one-epoch pre-training whose critic steps report a gap of −0.77."""
    from genemoe.train import pretrain as pre

    bundle = synthetic_bundle(seed=5, clinical=False)
    d = tmp_path_factory.mktemp("fooled")
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 1, "batch_size": 32, "lr": 3e-3, "n_critic": 1,
                     "critic_widths": [16]}}))
    real = pre.critic_step
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("genemoe").addHandler(handler)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pre, "critic_step", lambda *a, **k: {**real(*a, **k), "critic_gap": -0.77})
        run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, device="cpu",
                           progress=False)
    logging.getLogger("genemoe").removeHandler(handler)
    return run, [r.getMessage() for r in records]


def test_the_note_reaches_summary_json_and_the_terminal(fooled_run):
    run, said = fooled_run
    collapse = json.loads((run.out_dir / "summary.json").read_text())["collapse"]
    assert collapse["critic_gap"] == pytest.approx(-0.77)
    assert any("critic preferring reconstructions" in n and "-0.77" in n
               for n in collapse["notes"])
    assert any(s.startswith("pre-training: the adversarial part ended with the critic")
               for s in said)


def test_the_report_page_says_it_and_shows_the_gap(fooled_run):
    from genemoe.report.html import write_report

    run, _ = fooled_run
    page = _text(write_report(run.out_dir).read_text())
    assert page.count("the adversarial part ended with the critic preferring") == 1
    assert ("critic gap, real − fake (last epoch; noted below 0 by more than its noise, the "
            "larger of 0.01 and its sd over the last 5 epochs) -0.77 (noise 0.01)") in page


def test_an_older_summary_without_the_gap_recorded_still_gets_the_note(fooled_run, tmp_path):
    """A summary.json written before the check: the note is read from its final losses."""
    import shutil

    from genemoe.report.html import write_report

    run, _ = fooled_run
    old = tmp_path / "old"
    shutil.copytree(run.out_dir, old)
    summary = json.loads((old / "summary.json").read_text())
    for k in ("critic_gap", "critic_fooled"):
        summary["collapse"].pop(k)
    summary["collapse"]["notes"] = [n for n in summary["collapse"]["notes"]
                                    if "adversarial part" not in n]
    (old / "summary.json").write_text(json.dumps(summary))
    page = _text(write_report(old).read_text())
    assert page.count("the adversarial part ended with the critic preferring") == 1
