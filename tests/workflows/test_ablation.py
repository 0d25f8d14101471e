"""``genemoe ablation``: the paper's Tables II/III on identical folds, and no leakage."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch
import yaml

from genemoe.data.bundle import file_sha256, load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.train.finetune import pretrained_sha256, read_pretrained
from genemoe.workflows.ablation import (
    MODEL_LABELS,
    PER_FOLD_LABELS,
    PRETRAINED,
    VAECOX_PRETRAINED,
    run_ablation,
)
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE

OPTS = dict(n_folds=2, n_repeats=1, epochs=2, device="cpu")


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


@pytest.fixture(scope="module")
def preset(tmp_path_factory):
    """A tiny preset shared by pre-training and the ablation (the architectures must match)."""
    path = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "extends": "small",
        # the arms' dropout as small's fcn and moe have it (0.1 beside 0.5 is warned of)
        "model": {"genemoe": {**TINY_GENEMOE, "dropout": 0.5}, "vaecox": {"hidden": 32, "latent": 8}},
        "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]},
        "train": {"batch_size": 32},
    }))
    return path


def _pretrain(bundle_path, preset, out):
    return pretrain_run([bundle_path], out_dir=out, config_path=preset, device="cpu",
                        progress=False).out_dir


@pytest.fixture(scope="module")
def unseen_run(bundle, preset, tmp_path_factory):
    """Pre-trained on other samples: the bundle's rows under new ids (plumbing only)."""
    d = tmp_path_factory.mktemp("unseen")
    other = load_bundle(bundle.path)
    obs = other.obs.copy()
    obs["sample_id"] = "X" + obs["sample_id"].astype(str)
    obs["patient_id"] = "X" + obs["patient_id"].astype(str)
    other.obs = obs
    write_bundle(other, d / "other")
    return _pretrain(d / "other", preset, d / "run")


@pytest.fixture(scope="module")
def classify(bundle, preset, tmp_path_factory):
    out = tmp_path_factory.mktemp("abl") / "classify"
    return run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset), **OPTS)


@pytest.fixture(scope="module")
def survival(bundle, preset, unseen_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("abl") / "survival"
    return run_ablation(bundle.path, task="survival", out_dir=out, preset=str(preset),
                        pretrained=unseen_run, n_boot=20, **OPTS)


def _table(md: str) -> pd.DataFrame:
    """The (first) Markdown table of tables.md as strings."""
    lines = md.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    rows = [ln.strip().strip("|").split("|") for ln in lines[start:end]]
    head, body = rows[0], rows[2:]
    return pd.DataFrame([[c.strip() for c in r] for r in body], columns=[h.strip() for h in head])


def _unmarked(names) -> list[str]:
    """Model labels without the † a collapsed pre-training marks them with (its note is
    under the table: tests/workflows/test_ablation_pretrained_notes.py)."""
    return [str(n).removesuffix(" †") for n in names]


def _cells(directory):
    return {p.stem: json.loads(p.read_text()) for p in (directory / "cells").glob("*.json")}


def test_classification_table_is_table_iii(classify):
    md = (classify.out_dir / "tables.md").read_text()
    table = _table(md)
    assert list(table.columns) == ["model", "accuracy", "precision (macro)", "recall (macro)",
                                   "F1 (macro)"]
    assert table["model"].tolist() == [MODEL_LABELS[m] for m in ("fcn", "moe", "genemoe",
                                                                 PRETRAINED)]
    assert "pre-trained: not run (pass --pretrained or --pretrain-per-fold)" in md and "SYNTHETIC DATA" in md
    assert (table.iloc[3, 1:] == "not run").all()
    # the benchmark's paired tests (tables.md had none): Gene-MOE and moe against fcn or moe
    assert "## Paired comparisons against the best model other than Gene-MOE:" in md
    assert "corrected_p" in md.split("## Paired comparisons")[1]
    res = pd.read_csv(classify.out_dir / "results.csv")
    assert sorted(res["model"].unique()) == ["fcn", "genemoe", "moe"] and len(res) == 6
    for _, row in table.iloc[:3].iterrows():  # "mean ± std" of the results.csv rows
        model = next(m for m, lab in MODEL_LABELS.items() if lab == row["model"])
        acc = res.loc[res.model == model, "accuracy"]
        assert row["accuracy"] == f"{acc.mean():.3f} ± {acc.std(ddof=1):.3f}"


def test_survival_table_is_table_ii_with_peers_and_pretrained(survival, bundle):
    table = _table((survival.out_dir / "tables.md").read_text())
    models = ["fcn", "moe", "genemoe", PRETRAINED, "vaecox", "coxnnet"]
    assert _unmarked(table.columns) == ["cancer type", *[MODEL_LABELS[m] for m in models]]
    assert table["cancer type"].tolist() == [*bundle.class_names, "all types (pooled test fold)"]
    assert "not run" not in table.to_numpy()
    pooled = table.iloc[-1, 1:]
    assert all("±" in v for v in pooled)  # every model has both folds in the pooled row
    res = pd.read_csv(survival.out_dir / "results.csv")
    assert res.groupby("model").size().to_dict() == dict.fromkeys(models, 2)
    assert (res.loc[res.model == PRETRAINED, "label"] == MODEL_LABELS[PRETRAINED]).all()
    # the terminal lists the models in the table's order (the peers came before the pre-trained)
    said = [ln.strip() for ln in survival.describe().splitlines()[2:2 + len(models)]]
    assert [ln.split("  ")[0] for ln in said] == [MODEL_LABELS[m] for m in models]


def test_every_model_sees_the_same_folds(survival):
    cells = _cells(survival.out_dir / "models") | {
        f"{PRETRAINED}__{k.split('__')[1]}": v
        for k, v in _cells(survival.out_dir / "pretrained").items()}
    for fold in (0, 1):
        same = [c for k, c in cells.items() if k.endswith(f"r0_f{fold}")]
        assert len(same) == 6
        ids = {tuple(c["test"]["sample_id"]) for c in same}
        sizes = {json.dumps(c["n"], sort_keys=True) for c in same}
        assert len(ids) == 1 and len(sizes) == 1
    splits = [pd.read_csv(survival.out_dir / d / "splits.tsv", sep="\t")
              for d in ("models", "pretrained")]
    assert splits[0].equals(splits[1])
    info = next(c for k, c in cells.items() if k.startswith(PRETRAINED))["info"]["pretrained"]
    assert info["model_name"] == "genemoe" and info["n_genes_missing"] == 0


def test_pretrained_run_that_saw_test_samples_is_refused(bundle, preset, tmp_path):
    leaky = _pretrain(bundle.path, preset, tmp_path / "leaky")  # its train/val rows get tested
    out = tmp_path / "abl"
    with pytest.raises(InputError, match=r"pre-training used \d+ test sample\(s\).*fold 0"):
        run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                     pretrained=leaky, **OPTS)
    assert not (out / "models").exists()  # refused before anything was trained


def test_pretrained_run_of_another_architecture_is_refused(bundle, unseen_run, tmp_path):
    with pytest.raises(InputError, match="the ablation's genemoe is"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path, preset="small",
                     pretrained=unseen_run, **OPTS)


def test_the_terminal_summary_is_a_few_short_lines(classify):
    """Old behaviour: `genemoe ablation` printed the whole tables.md (raw Markdown, lines
    up to 379 characters, 4 decimals). Now: per model the mean ± sd of macro F1 to 3
    decimals, and where tables.md and results.csv are."""
    import re

    text = classify.describe()
    lines = text.splitlines()
    assert len(lines) <= 10 and max(map(len, lines)) <= 100 and "|" not in text
    f1 = classify.results.groupby("model")["macro_f1"]
    for model in ("fcn", "moe", "genemoe"):
        row = next(line for line in lines if line.strip().startswith(MODEL_LABELS[model]))
        want = f"{f1.mean()[model]:.3f} ± {f1.std()[model]:.3f}  (2 folds)"
        assert row.endswith(want), (row, want)
    assert not re.search(r"\d\.\d{4}", text)
    assert f"tables:  {classify.out_dir / 'tables.md'}" in lines
    assert f"results: {classify.out_dir / 'results.csv'}" in lines
    capped = classify.results.groupby("model")["at_epoch_cap"].sum()  # said here as in tables.md
    assert ("kept the last epoch (may be undertrained)" in text) == bool(capped.any())


def test_cli_reruns_resume_from_the_cells(classify, bundle, preset):
    from typer.testing import CliRunner

    from genemoe.cli import app

    before = {p.name: p.stat().st_mtime_ns for p in (classify.out_dir / "models" / "cells").iterdir()}
    r = CliRunner().invoke(app, ["ablation", "--data", str(bundle.path), "--task", "classify",
                                 "--out", str(classify.out_dir), "--repeats", "1", "--folds", "2",
                                 "--epochs", "2", "--preset", str(preset), "--device", "cpu",
                                 "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "F1 (macro), mean ± sd over test folds:" in r.output and "not run" in r.output
    assert "; 6 of 6 cells reused from an earlier run)" in r.output  # said only "0 s"
    after = {p.name: p.stat().st_mtime_ns for p in (classify.out_dir / "models" / "cells").iterdir()}
    assert after == before  # every cell reused, none retrained


# ------------------------------------------------------------ per-fold pre-training


@pytest.fixture(scope="module")
def per_fold_classify(bundle, preset, tmp_path_factory):
    out = tmp_path_factory.mktemp("abl") / "per_fold_classify"
    return run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                        pretrain_per_fold=True, **OPTS)


@pytest.fixture(scope="module")
def per_fold_survival(bundle, preset, tmp_path_factory):
    out = tmp_path_factory.mktemp("abl") / "per_fold_survival"
    return run_ablation(bundle.path, task="survival", out_dir=out, preset=str(preset),
                        pretrain_per_fold=True, pretrain_epochs=2, n_boot=20, **OPTS)


def _splits(out_dir) -> pd.DataFrame:
    return pd.read_csv(out_dir / "models" / "splits.tsv", sep="\t", dtype={"sample_id": str})


@pytest.mark.parametrize("which", ["per_fold_classify", "per_fold_survival"])
def test_each_folds_pretraining_used_its_training_part_and_no_test_sample(which, request):
    res = request.getfixturevalue(which)
    splits = _splits(res.out_dir)
    runs = ["r0_f{}"] + (["r0_f{}_vaecox"] if res.task == "survival" else [])
    for fold in (0, 1):
        part = {p: set(g["sample_id"]) for p, g in splits[splits.fold == fold].groupby("part")}
        for name in (r.format(fold) for r in runs):
            run = res.out_dir / "pretrain" / name
            samples = pd.read_csv(run / "samples.tsv", sep="\t", dtype=str)
            used = {role: set(g["sample_id"]) for role, g in samples.groupby("role")}
            assert not (used["train"] | used["val"]) & part["test"]  # the test part: unseen
            assert used["train"] == part["train"] and used["val"] == part["val"]
            payload = read_pretrained(run)  # what the fine-tuning's leakage check reads
            assert set(payload["samples"]["train"]) == part["train"]
            assert not set(payload["samples"]["val"]) & part["test"]
            assert payload["bundles"][0]["n_test_excluded"] == len(part["test"])
            assert not (run / "checkpoint.pt").exists()  # finished: pretrained.pt holds it


def test_per_fold_pretrained_rows_classify(per_fold_classify):
    res, out = per_fold_classify, per_fold_classify.out_dir
    results = pd.read_csv(out / "results.csv")
    assert results.groupby("model").size().to_dict() == dict.fromkeys(
        ["fcn", "moe", "genemoe", PRETRAINED], 2)
    assert (results.loc[results.model == PRETRAINED, "label"] == PER_FOLD_LABELS[PRETRAINED]).all()
    md = (out / "tables.md").read_text()
    table = _table(md)
    assert _unmarked(table["model"])[3] == PER_FOLD_LABELS[PRETRAINED]
    assert "not run" not in table.to_numpy()
    assert "pre-trained: per fold" in md and "Gene-MOE (1 epoch)" in md
    assert "on that fold's training part only" in md and "pretrain/summary.csv" in md
    for fold in (0, 1):  # each fold fine-tuned from its own run
        cell = json.loads((out / "pretrained" / "cells" / f"genemoe__r0_f{fold}.json").read_text())
        run = out / "pretrain" / f"r0_f{fold}"
        assert cell["info"]["pretrained"]["run"] == str(run)
        assert cell["info"]["pretrained"]["n_genes_missing"] == 0
        # old behaviour (note49): a benchmark's cells counted absent and filtered genes
        # together (train's counted them apart); now both counts are there, as train's
        assert cell["info"]["pretrained"]["n_genes_absent"] == 0
        assert cell["info"]["pretrained"]["n_genes_filtered"] == 0
        assert cell["pretrained_sha256"] == pretrained_sha256(run)
    summary = pd.read_csv(out / "pretrain" / "summary.csv")
    assert summary[["model", "repeat", "fold", "run"]].values.tolist() == [
        ["genemoe", 0, 0, "r0_f0"], ["genemoe", 0, 1, "r0_f1"]]
    for col in ("val_r_gene", "val_r_sample", "val_r_sample_baseline", "val_r2", "seconds",
                "val_mae_median_baseline"):  # the median's: the collapse warning names it
        assert summary[col].notna().all(), col
    assert {"collapsed", "kl_collapsed", "recon_no_better_than_mean", "dead_experts",
            "recon_no_better_than_constant"} <= set(summary.columns)  # the warning's own rule
    assert summary["recon_no_better_than_constant"].notna().all()
    assert (summary["epochs"] == 1).all() and res.pretrain_summary is not None
    # old behaviour (an outside probe): the pretrained/ part's summary.md and report never said
    # its encoders were pre-trained, nor that those pre-trainings had collapsed
    protocol = json.loads((out / "pretrained" / "protocol.json").read_text())
    collapsed = {f"r0_f{f}" for f in (0, 1) if json.loads(
        (out / "pretrain" / f"r0_f{f}" / "summary.json").read_text())["collapse"]["collapsed"]}
    assert set(protocol["pretrained_collapsed"]) == collapsed
    said = (out / "pretrained" / "summary.md").read_text()
    assert "Pre-trained: every neural model's encoder starts from pretrain/r*_f*" in said
    assert (f"The pre-training collapsed in {len(collapsed)} of 2 runs" in said) == bool(collapsed)
    # and its table's rows (they read `genemoe`, as the from-scratch part's do)
    assert "| genemoe (pre-trained) |" in said and "| genemoe |" not in said
    from genemoe.report.html import write_report

    page = write_report(out / "pretrained").read_text()
    assert page.count("Pre-trained: every neural model&#x27;s encoder starts from") >= 2


def test_per_fold_pretrained_rows_survival_with_pretrained_vaecox(per_fold_survival, bundle):
    out = per_fold_survival.out_dir
    models = ["fcn", "moe", "genemoe", PRETRAINED, "vaecox", VAECOX_PRETRAINED, "coxnnet"]
    table = _table((out / "tables.md").read_text())
    assert _unmarked(table.columns) == ["cancer type", *[PER_FOLD_LABELS[m] for m in models]]
    assert PER_FOLD_LABELS[VAECOX_PRETRAINED].startswith("VAE-Cox (pre-trained")
    assert "not run" not in table.to_numpy()
    results = pd.read_csv(out / "results.csv")
    assert results.groupby("model").size().to_dict() == dict.fromkeys(models, 2)
    md = (out / "tables.md").read_text()
    assert "Gene-MOE (2 epochs) and VAE-Cox (2 epochs)" in md  # --pretrain-epochs 2
    summary = pd.read_csv(out / "pretrain" / "summary.csv")
    assert sorted(summary["run"]) == ["r0_f0", "r0_f0_vaecox", "r0_f1", "r0_f1_vaecox"]
    assert (summary["epochs"] == 2).all()
    cell = json.loads((out / "pretrained_vaecox" / "cells" / "vaecox__r0_f1.json").read_text())
    assert cell["info"]["pretrained"]["model_name"] == "vaecox"
    assert cell["info"]["pretrained"]["run"] == str(out / "pretrain" / "r0_f1_vaecox")
    same = [pd.read_csv(out / d / "splits.tsv", sep="\t") for d in
            ("models", "pretrained", "pretrained_vaecox")]
    assert same[0].equals(same[1]) and same[0].equals(same[2])


def test_cli_rerun_reuses_the_per_fold_pretraining(per_fold_classify, bundle, preset, monkeypatch):
    from typer.testing import CliRunner

    import genemoe.train.pretrain as pretrain_mod
    from genemoe.cli import app

    out = per_fold_classify.out_dir
    built = []
    real_build = pretrain_mod._build
    monkeypatch.setattr(pretrain_mod, "_build",
                        lambda *a, **k: built.append(1) or real_build(*a, **k))

    def mtimes():
        files = [*(out / "pretrain").glob("*/pretrained.pt"),
                 *(out / "pretrained" / "cells").iterdir()]
        return {str(p): p.stat().st_mtime_ns for p in files}

    before = mtimes()
    r = CliRunner().invoke(app, ["ablation", "--data", str(bundle.path), "--task", "classify",
                                 "--out", str(out), "--repeats", "1", "--folds", "2",
                                 "--epochs", "2", "--preset", str(preset), "--device", "cpu",
                                 "--pretrain-per-fold", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert PER_FOLD_LABELS[PRETRAINED] in r.output and "summary.csv" in r.output
    assert built == [] and mtimes() == before and len(before) == 4  # nothing retrained


def test_pretrained_with_pretrain_per_fold_is_refused(bundle, preset, unseen_run, tmp_path):
    out = tmp_path / "abl"
    with pytest.raises(InputError, match="--pretrained and --pretrain-per-fold"):
        run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                     pretrained=unseen_run, pretrain_per_fold=True, **OPTS)
    with pytest.raises(InputError, match="--pretrain-epochs .* needs --pretrain-per-fold"):
        run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                     pretrain_epochs=2, **OPTS)
    assert not out.exists()  # refused before anything was written


def test_a_cell_is_refit_when_its_folds_pretrained_run_changed(per_fold_classify, bundle, preset,
                                                                tmp_path):
    """A cell is keyed on its run's content: changed weights refit it; a re-run whose file
    differs only by its timings (history, summary) reuses it (it was refit: the key was the
    file's bytes)."""
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(per_fold_classify.out_dir, out)
    cells = out / "pretrained" / "cells"
    before = {p.name: p.stat().st_mtime_ns for p in cells.iterdir()}
    pt0, pt1 = (out / "pretrain" / f"r0_f{f}" / "pretrained.pt" for f in (0, 1))
    payload = torch.load(pt0, weights_only=True)  # fold 0: other timings, same weights
    payload["summary"] = {**payload["summary"], "seconds": 123.0}
    payload["history"] = [*payload["history"], {"note": "timed again"}]
    torch.save(payload, pt0)
    payload = torch.load(pt1, weights_only=True)  # fold 1: other weights
    key = next(k for k, v in payload["state_dict"].items() if v.is_floating_point())
    payload["state_dict"][key] = payload["state_dict"][key] + 0.01
    torch.save(payload, pt1)
    run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                 pretrain_per_fold=True, **OPTS)
    after = {p.name: p.stat().st_mtime_ns for p in cells.iterdir()}
    assert after["genemoe__r0_f0.json"] == before["genemoe__r0_f0.json"]  # fold 0: reused
    assert after["genemoe__r0_f1.json"] != before["genemoe__r0_f1.json"]  # fold 1: refit
    for pt in (pt0, pt1):
        cell = json.loads((cells / f"genemoe__{pt.parent.name}.json").read_text())
        assert cell["pretrained_sha256"] == pretrained_sha256(pt.parent) != file_sha256(pt)


def test_tables_compare_against_a_peer_not_pretrained_genemoe_and_say_the_epochs(classify):
    """tables.md compared Gene-MOE with its own pre-trained variant as "the best model other
    than Gene-MOE", and said "Preset `small`." of a run whose training `--epochs 3` capped."""
    from genemoe.workflows.ablation import ablation_tables

    res = pd.read_csv(classify.out_dir / "results.csv")
    pre = res[res["model"] == "genemoe"].assign(model=PRETRAINED, label=MODEL_LABELS[PRETRAINED])
    pre["macro_f1"] += 0.5  # the best model of all
    md = ablation_tables(pd.concat([res, pre], ignore_index=True), "classify", n_folds=2,
                         n_repeats=1, seed=0, preset="small", pretrained=None, synthetic=True,
                         epochs=3)
    best = md.split("## Paired comparisons against the best model other than Gene-MOE: ")[1]
    assert best.split("\n")[0] in (MODEL_LABELS["fcn"], MODEL_LABELS["moe"])
    assert "Preset `small`, training capped at 3 epochs (--epochs)." in md


def test_a_rerun_of_other_folds_sets_the_pretraining_runs_aside(per_fold_classify, bundle, preset,
                                                                 tmp_path):
    """`ablation --pretrain-per-fold --folds 3` after `--folds 2` in the same --out stopped at
    the first fold ("holds a finished run of a different pre-training setup", with
    `genemoe pretrain`'s fix) after the benchmark beside it had set its own cells aside, and
    left the 2-fold results.csv and tables.md beside 3-fold cells. The runs of other options
    are set aside now, and come back for a rerun of the first options."""
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(per_fold_classify.out_dir, out)
    def stamps():
        return {p.parent.name: p.stat().st_mtime_ns for p in (out / "pretrain").glob("*/pretrained.pt")}

    first = stamps()
    res = run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                       pretrain_per_fold=True, **{**OPTS, "n_folds": 3})
    assert {r.split("_")[1] for r in res.pretrain_summary["run"]} == {"f0", "f1", "f2"}
    aside = [p for p in out.iterdir() if p.name.startswith("pretrain.")]
    assert len(aside) == 1 and sorted((aside[0]).glob("*/pretrained.pt"))
    assert set(pd.read_csv(out / "results.csv")["fold"]) == {0, 1, 2}
    again = run_ablation(bundle.path, task="classify", out_dir=out, preset=str(preset),
                         pretrain_per_fold=True, **OPTS)  # the first options: runs come back
    assert stamps() == first and set(first) == {"r0_f0", "r0_f1"}  # the same runs, not retrained
    assert set(again.results["fold"]) == {0, 1}


def test_freezing_an_encoder_with_none_pretrained_is_refused(bundle, preset, tmp_path):
    """`ablation --freeze-encoder-epochs 3` without --pretrained or --pretrain-per-fold ran,
    recording freeze_encoder_epochs 0: the flag was ignored, unsaid."""
    with pytest.raises(InputError, match="--freeze-encoder-epochs 3 freezes a pre-trained encoder"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "a", preset=str(preset),
                     freeze_encoder_epochs=3, **OPTS)
    assert not (tmp_path / "a").exists()


def test_a_bootstrap_of_fewer_than_one_resample_is_refused(bundle, preset, tmp_path):
    """Old behaviour: `ablation --n-boot -4` was accepted silently (the range was never
    checked)."""
    with pytest.raises(InputError, match="--n-boot: must be at least 1 resample, got -4"):
        run_ablation(bundle.path, task="survival", out_dir=tmp_path / "a", preset=str(preset),
                     n_boot=-4, **OPTS)
    assert not (tmp_path / "a").exists()


def test_a_warning_the_ablations_benchmarks_repeat_is_said_once(caplog):
    """A survival ablation said "4,986 of the bundle's 5,000 samples used ..." three times,
    once per benchmark it runs (models, pre-trained Gene-MOE, pre-trained VAE-Cox)."""
    import logging

    from genemoe.workflows.ablation import said_once

    log = logging.getLogger("genemoe.workflows.benchmark")
    with caplog.at_level("INFO", logger="genemoe"), said_once("genemoe.workflows.benchmark"):
        for _ in range(3):
            log.warning("4,986 of the bundle's 5,000 samples used for survival")
            log.info("cell done")
        log.warning("another warning")
    log.warning("4,986 of the bundle's 5,000 samples used for survival")  # after: said again
    assert caplog.text.count("4,986 of the bundle's") == 2 and caplog.text.count("cell done") == 3
    assert "another warning" in caplog.text


def test_tables_md_says_capped_models_and_the_pretrained_encoders_extra_steps():
    """A probe: every cell of a 2-epoch ablation kept its last epoch and the pre-trained
    Gene-MOE won 4/4 pairs; tables.md said only "training capped at 2 epochs", not that the
    pre-trained encoders' extra steps alone could explain a gain while all are undertrained."""
    from genemoe.workflows.ablation import ablation_tables

    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "accuracy": 0.3 + 0.01 * f,
             "macro_precision": 0.3, "macro_recall": 0.3,
             "macro_f1": 0.3 + 0.02 * f + (m == PRETRAINED) * 0.03,
             "at_epoch_cap": True} for m in ("fcn", "genemoe", PRETRAINED) for f in (0, 1, 2)]
    res = pd.DataFrame(rows)
    md = ablation_tables(res, "classify", n_folds=3, n_repeats=1, seed=0, preset="small",
                         pretrained={"run": "pre", "n_samples": 10}, synthetic=True, epochs=2)
    assert f"Models that kept the last epoch allowed: {MODEL_LABELS['fcn']} 3/3 folds, " \
           f"{MODEL_LABELS['genemoe']} 3/3 folds, {MODEL_LABELS[PRETRAINED]} 3/3 folds" in md
    assert "a gain from pre-training may be those extra steps alone" in md
    md = ablation_tables(res.assign(at_epoch_cap=False), "classify", n_folds=3, n_repeats=1,
                         seed=0, preset="small", pretrained=None, synthetic=True, epochs=2)
    assert "last epoch allowed" not in md
    # a verification probe: tables.md's paired table gave -0.0748 beside -0.1071 (4
    # decimals) where the terminal and summary.md give 3
    diffs = [c.strip() for line in md.splitlines() if line.startswith("| ") and "e+" not in line
             for c in line.split("|")[2:3] if c.strip().startswith(("-0.", "+0."))]
    assert diffs and all(len(d.split(".")[1]) == 3 for d in diffs), diffs
