"""``genemoe ablation``: what the pre-trained rows rest on is said where the rows are (an
outside review): a collapsed pre-training, the frozen epochs, the run's genes absent, the
code's default pre-training options; a gene mismatch refused before any training; warnings
and counters that say which run or stage they belong to; the rerun warning's option names.
"""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
import torch
import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.workflows.ablation import (
    MODEL_LABELS,
    PER_FOLD_LABELS,
    PRETRAINED,
    VAECOX_PRETRAINED,
    AblationResult,
    ablation_tables,
    run_ablation,
)
from genemoe.workflows.pretrain import pretrain_run
from log_lines import logged_lines
from tiny_configs import TINY_GENEMOE

OPTS = dict(n_folds=2, n_repeats=1, epochs=1, device="cpu")


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _renamed_run(bundle, preset, d, *, genes: bool = False):
    """A run pre-trained on the bundle's rows under new sample (and gene) ids."""
    other = load_bundle(bundle.path)
    obs = other.obs.copy()
    obs["sample_id"] = "X" + obs["sample_id"].astype(str)
    obs["patient_id"] = "X" + obs["patient_id"].astype(str)
    other.obs = obs
    if genes:
        var = other.var.copy()
        var["gene_id"] = "NEW" + var["gene_id"].astype(str)
        other.var = var
    write_bundle(other, d / "other")
    return pretrain_run([d / "other"], out_dir=d / "run", config_path=preset, device="cpu",
                        progress=False).out_dir


@pytest.fixture(scope="module")
def collapsed_run(bundle, ablation_preset, tmp_path_factory):
    """A run whose own collapse check fired (written so: the check is the pre-training's)."""
    run = _renamed_run(bundle, ablation_preset, tmp_path_factory.mktemp("collapsed"))
    collapse = {"collapsed": True, "warnings": ["R² -0.024 against the mean"]}
    payload = torch.load(run / "pretrained.pt", weights_only=True)
    payload["summary"] = {**payload["summary"], "collapse": collapse}
    torch.save(payload, run / "pretrained.pt")
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps({**summary, "collapse": collapse}))
    return run


@pytest.fixture(scope="module")
def with_collapsed_run(bundle, ablation_preset, collapsed_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("abl") / "pre"
    return run_ablation(bundle.path, task="classify", out_dir=out, preset=str(ablation_preset),
                        pretrained=collapsed_run, freeze_encoder_epochs=1, **OPTS)


def test_a_collapsed_pretrained_run_is_said_on_its_row_and_in_tables_md(with_collapsed_run):
    """Old behaviour: with --pretrained RUN (collapsed, R² -0.024) tables.md said nothing of
    the collapse, nor of the frozen epochs, nor of the run's genes absent here (only
    OUT/pretrained/summary.md did), and the terminal row read as fine."""
    res = with_collapsed_run
    md = (res.out_dir / "tables.md").read_text()
    assert "Its pre-training collapsed (R² -0.024 against the mean)" in md
    # epochs=1 with --freeze-encoder-epochs 1: never unfrozen (it said "for the first 1 epoch")
    assert "its encoder frozen throughout (--freeze-encoder-epochs 1, trained 1 epoch)" in md
    table = md.split("| model |")[1]
    assert f"| {MODEL_LABELS[PRETRAINED]} † |" in table
    assert f"† {MODEL_LABELS[PRETRAINED]}: its pre-training run collapsed" in md
    missing = [json.loads((res.out_dir / "pretrained" / "cells" / f"genemoe__r0_f{f}.json")
                          .read_text())["info"]["pretrained"]["n_genes_missing"] for f in (0, 1)]
    if max(missing):  # the folds' gene filters keep a subset of the run's genes
        lo, hi = min(missing), max(missing)
        assert f"{lo}{'' if lo == hi else f'–{hi}'} of the run's 60 genes are absent here" in md
    # the row ends with † and the note goes under the rows: in one row it passed 100
    #   characters (test_ablation_summary_width.py)
    assert f"† {MODEL_LABELS[PRETRAINED]}: its pre-training run collapsed" in res.describe()
    assert res.collapsed == {PRETRAINED: (1, 1)}


def test_tables_md_names_the_genes_absent_and_a_per_fold_collapse_on_its_rows():
    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "c_index": 0.5 + 0.01 * f,
             "c_index_A": 0.5} for m in ("fcn", "genemoe", PRETRAINED, "vaecox",
                                         VAECOX_PRETRAINED) for f in (0, 1)]
    res = pd.DataFrame(rows)
    res.insert(1, "label", res["model"].map(PER_FOLD_LABELS))
    per_fold = {"n_folds": 2, "freeze_encoder_epochs": 0, "pretrain_from": None, "models": {
        m: {"epochs": 2, "n_runs": 2, "val_r2": -0.02, "val_r_sample": 0.9,
            "val_r_sample_baseline": 0.9, "n_collapsed": n} for m, n in (("genemoe", 2),
                                                                        ("vaecox", 0))}}
    md = ablation_tables(res, "survival", n_folds=2, n_repeats=1, seed=0, preset="small",
                         pretrained=None, synthetic=True, per_fold=per_fold)
    header = next(ln for ln in md.splitlines() if ln.startswith("| cancer type"))
    assert f"| {PER_FOLD_LABELS[PRETRAINED]} † |" in header
    assert f"| {PER_FOLD_LABELS[VAECOX_PRETRAINED]} |" in header  # none of its runs collapsed
    assert (f"† {PER_FOLD_LABELS[PRETRAINED]}: pre-training collapsed in 2 of 2 runs "
            "(`pretrain/summary.csv`)") in md and "this column may show no effect" in md
    md = ablation_tables(res[res["model"] != VAECOX_PRETRAINED], "survival", n_folds=2,
                         n_repeats=1, seed=0, preset="small", synthetic=True,
                         pretrained={"run": "pre", "n_samples": 10, "n_genes": 1000,
                                     "genes_absent": (165, 165), "collapsed": False})
    assert "165 of the run's 1,000 genes are absent here (every fold" in md
    assert "collapsed" not in md and "†" not in md


def test_the_terminal_row_says_a_per_fold_collapse_and_the_cap_line_uses_labels(tmp_path):
    """Old behaviour: `VAE-Cox (pre-trained per fold) 0.609 ± 0.019` with no word of its
    collapsed pre-trainings; "kept the last epoch ... vaecox_pretrained 1/2" (internal
    names where the rows above are labelled)."""
    rows = [{"model": m, "repeat": 0, "fold": f, "c_index": 0.6 + 0.01 * f,
             "at_epoch_cap": m == VAECOX_PRETRAINED} for m in ("vaecox", VAECOX_PRETRAINED)
            for f in (0, 1)]
    res = pd.DataFrame(rows)
    res.insert(1, "label", res["model"].map(PER_FOLD_LABELS))
    text = AblationResult(tmp_path, "survival", res, "", None, 1.0,
                          collapsed={VAECOX_PRETRAINED: (2, 2)}).describe()
    row = next(ln for ln in text.splitlines() if ln.strip().startswith(
        PER_FOLD_LABELS[VAECOX_PRETRAINED]))
    assert row.endswith("(2 folds; pre-training collapsed in 2 of 2 runs)")
    cap = text.split("kept the last epoch")[1].split("tables:")[0]
    assert f"{PER_FOLD_LABELS[VAECOX_PRETRAINED]} 2/2" in cap and VAECOX_PRETRAINED not in cap
    assert max(map(len, text.splitlines())) <= 110


def test_a_gene_mismatch_is_refused_before_any_training(bundle, ablation_preset, tmp_path):
    """Old behaviour: `error: pre_pc: the fine-tuning bundle has 0 of the 100 genes ...` came
    after every model from scratch had trained, leaving OUT/models/ and OUT/pretrained/."""
    run = _renamed_run(bundle, ablation_preset, tmp_path, genes=True)
    out = tmp_path / "abl"
    with pytest.raises(InputError, match="the bundle has 0 of the 60 genes the run was "
                                         "pre-trained on"):
        run_ablation(bundle.path, task="classify", out_dir=out, preset=str(ablation_preset),
                     pretrained=run, **OPTS)
    assert not out.exists()


@pytest.fixture(scope="module")
def no_pretrain_section(bundle, tmp_path_factory, monkeypatch_module):
    """A per-fold ablation with a --preset YAML that has no pretrain: section (nor extends),
    its log lines; each run's pre-training warns once (as a collapse would)."""
    import genemoe.workflows.ablation_pretrain as ap

    d = tmp_path_factory.mktemp("nopre")
    preset = d / "nopre.yaml"
    preset.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE}}))
    real = ap.pretrain_on_data

    def warned(*args, **kwargs):
        logging.getLogger("genemoe.train.pretrain").warning("pre-training collapse: R² %s", -0.03)
        return real(*args, **kwargs)

    monkeypatch_module.setattr(ap, "pretrain_on_data", warned)
    return logged_lines(lambda: run_ablation(bundle.path, task="classify", out_dir=d / "abl",
                                        preset=str(preset), pretrain_per_fold=True,
                                        pretrain_epochs=1, **OPTS))


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_a_preset_without_pretrain_is_said_to_pretrain_with_the_codes_defaults(no_pretrain_section):
    """Old behaviour: the "preset lacks" warning named model.fcn, train, train_survival but not
    pretrain; OUT/pretrain/options.json showed the code's defaults (batch_size 256 > the 102
    training rows, lambda_adv 1.0) while tables.md said "the preset's `pretrain:` section"."""
    res, lines = no_pretrain_section
    said = [ln for ln in lines if "sets no pretrain: section" in ln]
    assert len(said) == 1 and "batch_size 256, not 32" in said[0] and "extends: small" in said[0]
    assert "lambda_adv 1.0, not 0.1" in said[0] and "epochs" not in said[0]  # --pretrain-epochs
    md = (res.out_dir / "tables.md").read_text()
    assert "the preset's `pretrain:` section" not in md
    assert "with the code's defaults: preset `nopre.yaml` has no `pretrain:` section" in md


def test_per_fold_pretraining_warnings_name_their_run(no_pretrain_section):
    """Old behaviour: `warning: pre-training collapse: ... (R² -0.0266 ...)` four times, none
    naming its run (r0_f0, r0_f1_vaecox, ...)."""
    _, lines = no_pretrain_section
    collapse = [ln for ln in lines if "pre-training collapse: R² -0.03" in ln]
    assert collapse == ["WARNING: r0_f0: pre-training collapse: R² -0.03",
                        "WARNING: r0_f1: pre-training collapse: R² -0.03"]
    # outside the ablation the pre-training's lines are its own again
    assert not logging.getLogger("genemoe.train.pretrain").filters


def test_a_per_fold_collapse_reaches_the_terminal_rows(no_pretrain_section):
    res, _ = no_pretrain_section
    n = int(res.pretrain_summary["collapsed"].astype(bool).sum())
    assert res.collapsed == {PRETRAINED: (n, 2)}
    assert (f"† {PER_FOLD_LABELS[PRETRAINED]}: pre-training collapsed in"
            in res.describe()) == bool(n)


def test_the_counters_say_which_stage_they_count(no_pretrain_section):
    """Old behaviour: with per-fold pre-training the cell counter restarted at `cell 1/2`
    after `cell 6/6`."""
    _, lines = no_pretrain_section
    cells = [ln.split(":")[1].strip() for ln in lines if ", cell " in ln]
    assert cells == [f"from scratch, cell {i}/6" for i in range(1, 7)] + [
        "pre-trained Gene-MOE, cell 1/2", "pre-trained Gene-MOE, cell 2/2"]
    assert [ln for ln in lines if "pre-training 2/2: r0_f1" in ln]
    from genemoe.cli_logging import NARRATING_LOGGERS  # on the terminal without -v

    assert "genemoe.workflows.ablation".startswith(NARRATING_LOGGERS)


def test_flag_errors_say_what_is_wrong(bundle, ablation_preset, tmp_path, caplog):
    """Old behaviour: `--pretrain-epochs 2 needs --pretrain-per-fold and at least 1 epoch`
    (2 was given); `--out afile` said "afile/models: Not a directory"; classify accepted
    --n-boot 7 and ignored it, unsaid."""
    with pytest.raises(InputError) as err:
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "a",
                     preset=str(ablation_preset), pretrain_epochs=2, **OPTS)
    assert "needs --pretrain-per-fold" in str(err.value) and "at least" not in str(err.value)
    with pytest.raises(InputError, match="--pretrain-epochs: must be at least 1 epoch, got 0"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "a",
                     preset=str(ablation_preset), pretrain_per_fold=True, pretrain_epochs=0,
                     **OPTS)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="afile is a file, not a folder"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "afile",
                     preset=str(ablation_preset), **OPTS)
    with caplog.at_level("WARNING", logger="genemoe"), pytest.raises(InputError):
        run_ablation(tmp_path / "no_bundle", task="classify", out_dir=tmp_path / "b",
                     preset=str(ablation_preset), n_boot=7, **OPTS)  # refused after the warning
    assert "--n-boot 7 is ignored" in caplog.text


def test_tables_md_paired_table_and_cap_line_name_rows_as_labelled_with_their_mark():
    """Old behaviour: tables.md's paired table and its "kept the last epoch" line named the
    models by results.csv's keys (`genemoe_pretrained 3/3 folds`, `| genemoe_pretrained |`),
    without the † the rows above carry for a collapsed pre-training."""
    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "accuracy": 0.3, "macro_precision": 0.3,
             "macro_recall": 0.3, "macro_f1": 0.3 + 0.02 * f + (m == PRETRAINED) * 0.03,
             "at_epoch_cap": True} for m in ("fcn", "genemoe", PRETRAINED) for f in (0, 1, 2)]
    md = ablation_tables(pd.DataFrame(rows), "classify", n_folds=3, n_repeats=1, seed=0,
                         preset="small", synthetic=True,
                         pretrained={"run": "pre", "n_samples": 10, "collapsed": True})
    paired = md.split("## Paired comparisons")[1]
    marked = f"{MODEL_LABELS[PRETRAINED]} †"
    assert f"| {marked} |" in paired and f"against the best model other than Gene-MOE: " \
        f"{MODEL_LABELS['fcn']}" in paired
    assert f"{marked} 3/3 folds" in paired
    assert PRETRAINED not in paired.replace(MODEL_LABELS[PRETRAINED], "")
