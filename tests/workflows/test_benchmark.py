"""The benchmark harness: identical folds, per-fold preprocessing, resumability, tables."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import genemoe.workflows.benchmark as bm
from genemoe.data.bundle import Bundle
from genemoe.errors import InputError
from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.workflows.benchmark_protocol import cells_fingerprint


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


@pytest.fixture(scope="module")
def classify_run(bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench_out") / "classify"
    res = bm.run_benchmark(bundle.path, task="classify", models=["logreg", "fcn"], n_folds=2,
                           epochs=2, out_dir=out)
    return res


def _cells(out_dir):
    return {p.stem: json.loads(p.read_text()) for p in sorted((out_dir / "cells").glob("*.json"))}


def test_every_model_sees_identical_folds(classify_run, bundle):
    cells = _cells(classify_run.out_dir)
    assert set(cells) == {f"{m}__r0_f{f}" for m in ("logreg", "fcn") for f in (0, 1)}
    all_test = []
    for fold in (0, 1):
        ids = [cells[f"{m}__r0_f{fold}"]["test"]["sample_id"] for m in ("logreg", "fcn")]
        assert ids[0] == ids[1] and len(ids[0]) > 0
        assert cells[f"logreg__r0_f{fold}"]["n"] == cells[f"fcn__r0_f{fold}"]["n"]
        all_test += ids[0]
    # the test folds partition every sample exactly once
    assert sorted(all_test) == sorted(bundle.sample_ids.tolist())
    splits = pd.read_csv(classify_run.out_dir / "splits.tsv", sep="\t")
    for fold in (0, 1):
        part = splits[splits.fold == fold].groupby("part")["sample_id"].apply(set)
        assert part["test"] == set(cells[f"fcn__r0_f{fold}"]["test"]["sample_id"])
        assert not (part["train"] & part["val"]) and not (part["train"] & part["test"])
        assert len(part["train"]) + len(part["val"]) + len(part["test"]) == bundle.n_samples


def test_folds_are_stratified_and_repeats_redraw_them(bundle):
    plans = bm.plan_folds(bundle, "survival", n_folds=3, n_repeats=2, seed=5)
    assert [(p.repeat, p.fold) for p in plans] == [(r, f) for r in (0, 1) for f in range(3)]
    types = bundle.obs["cancer_type"].to_numpy(object)
    event = bundle.obs["event"].to_numpy(bool)
    for r in (0, 1):
        fold_plans = [p for p in plans if p.repeat == r]
        for key in {(t, e) for t, e in zip(types, event, strict=True)}:
            m = (types == key[0]) & (event == key[1])
            counts = [int(m[p.test].sum()) for p in fold_plans]
            assert max(counts) - min(counts) <= 1, (key, counts)  # type|event strata balanced
        for p in fold_plans:
            assert not set(p.val) & set(p.train) and not set(p.test) & (set(p.train) | set(p.val))
            assert abs(p.val.size / (p.val.size + p.train.size) - bm.VAL_FRACTION) < 0.1
    assert not np.array_equal(plans[0].test, plans[3].test)  # seed + repeat: new folds


def _perturbed(bundle: Bundle, rows: np.ndarray, rng: np.random.Generator) -> Bundle:
    X = np.array(bundle.X, dtype=np.float32)
    X[rows] = rng.gamma(1.0, 5.0, size=(rows.size, X.shape[1])).astype(np.float32)
    X[rows[:3]] = 0.0  # zeros: would make genes "empty" if these rows leaked into the filter
    return Bundle(X=X, obs=bundle.obs, var=bundle.var, record=bundle.record, path=bundle.path)


@pytest.mark.parametrize("task", ["classify", "survival"])
def test_fold_preprocessing_uses_training_rows_only(bundle, task, monkeypatch):
    """Property: rewriting every validation and test row leaves the fitted filter and
    scaler (hence the scaled training matrix) unchanged, for every fold and repeat."""
    seen = []
    import genemoe.workflows.folds as folds

    real = folds.fit_gene_filter
    monkeypatch.setattr(folds, "fit_gene_filter", lambda X, **kw: (seen.append(np.array(X)), real(X, **kw))[1])
    names = bundle.class_names
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        for plan in bm.plan_folds(bundle, task, n_folds=3, n_repeats=2, seed=seed):
            fold = bm.fold_data(bundle, plan, task, names)
            base, keep = fold.parts, fold.keep
            np.testing.assert_array_equal(seen[-1], np.asarray(bundle.X[plan.train]))
            other = _perturbed(bundle, np.concatenate([plan.val, plan.test]), rng)
            moved_fold = bm.fold_data(other, plan, task, names)
            moved, keep2 = moved_fold.parts, moved_fold.keep
            np.testing.assert_array_equal(keep, keep2)  # the gene filter ignores val/test rows
            np.testing.assert_array_equal(base["train"].X, moved["train"].X)
            # the scaler is the training part's own: its kept genes have mean 0 there
            assert np.abs(base["train"].X.mean(0)).max() < 1e-4


def test_resume_recomputes_only_missing_cells(classify_run, tmp_path, monkeypatch, caplog):
    out = tmp_path / "copy"
    shutil.copytree(classify_run.out_dir, out)
    before = _cells(out)
    (out / "cells" / "fcn__r0_f1.json").unlink()
    calls = []
    real = bm.fit_model
    monkeypatch.setattr(bm, "fit_model", lambda name, *a, **kw: (calls.append(name), real(name, *a, **kw))[1])
    released = []
    monkeypatch.setattr(bm, "release_freed_memory", lambda: released.append(1))
    res = bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg", "fcn"], n_folds=2,
                           epochs=2, out_dir=out)
    assert calls == ["fcn"] and (res.n_computed, res.n_reused) == (1, 3)
    assert released == [1]  # after each computed cell: the next one's shapes differ
    after = _cells(out)
    assert after["fcn__r0_f1"]["test"]["sample_id"] == before["fcn__r0_f1"]["test"]["sample_id"]
    for key in ("logreg__r0_f0", "logreg__r0_f1", "fcn__r0_f0"):
        assert after[key] == before[key]
    assert len(pd.read_csv(out / "results.csv")) == 4
    # other options (here: epochs) give another fingerprint: nothing stale is reused
    calls.clear()
    caplog.clear()
    (out / "report.html").write_text("<html>the earlier results</html>")
    (out / "plots").mkdir()  # the earlier options' figures (the CLI draws them)
    (out / "plots" / "confusion_fcn.png").write_bytes(b"png")
    res = bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg"], n_folds=2,
                           epochs=3, out_dir=out)
    assert calls == ["logreg", "logreg"] and res.n_reused == 0
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    # the earlier tables are removed first, and the option that changed is named: an
    # interrupted rerun left summary.md and results.csv of the earlier options beside the
    # new protocol.json, and "other options" named none
    # old behaviour also: the earlier cells were overwritten one by one (a mistyped flag on a
    # resume replaced finished cells): set aside now, and back when the options come back
    fp = json.loads((out / "protocol.json").read_text())["fingerprint"]
    kept = [p for p in out.iterdir() if p.name.startswith("cells.")]
    assert len(kept) == 1 and sorted(p.stem for p in kept[0].glob("*.json")) == sorted(before)
    assert said == [f"{out} holds a benchmark of other options (epochs 2 → 3): its summary.md, "
                    f"results.csv and report.html are removed, its cells and figures (plots/) kept in "
                    f"{kept[0].name}; this benchmark's cells are computed anew"]
    assert not (out / "report.html").exists()
    # old behaviour: the earlier figures stayed in plots/ beside the new run's
    assert not (out / "plots").exists() and (kept[0] / "plots" / "confusion_fcn.png").exists()
    calls.clear()
    caplog.clear()
    res = bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg", "fcn"], n_folds=2,
                           epochs=2, out_dir=out)
    assert calls == [] and res.n_reused == 4 and _cells(out) == after
    assert "the cells of an earlier run with these options are reused" in caplog.text
    assert (out / f"cells.{fp[:12]}").is_dir() and not kept[0].exists()
    assert (out / "plots" / "confusion_fcn.png").exists()  # back with its cells
    # a rerun with fewer --models computes nothing, but its results differ: the report made
    # from the two models' results went (it stayed, an outside probe found)
    (out / "report.html").write_text("<html>both models</html>")
    res = bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg"], n_folds=2,
                           epochs=2, out_dir=out)
    assert res.n_computed == 0 and not (out / "report.html").exists()
    (out / "report.html").write_text("<html>logreg</html>")  # the same results again: kept
    bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg"], n_folds=2,
                     epochs=2, out_dir=out)
    assert (out / "report.html").exists()


def _bundle_path(out):
    return json.loads((out / "protocol.json").read_text())["bundle_path"]


def test_a_classify_rerun_of_another_n_boot_reuses_its_cells(classify_run, tmp_path, caplog):
    """Old behaviour: n_boot (the survival C-index intervals' resamples) was in every
    benchmark's fingerprint, so a classify rerun with another n_boot set its cells aside
    ("holds a benchmark of other options (n_boot -4 → 200)") and computed them anew; and
    n_boot < 1 was accepted."""
    out = tmp_path / "copy"
    shutil.copytree(classify_run.out_dir, out)
    with pytest.raises(InputError, match="n_boot: must be at least 1 resample, got 0"):
        bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg", "fcn"],
                         n_folds=2, epochs=2, out_dir=out, n_boot=0)
    caplog.set_level("WARNING", logger="genemoe")
    res = bm.run_benchmark(_bundle_path(out), task="classify", models=["logreg", "fcn"],
                           n_folds=2, epochs=2, out_dir=out, n_boot=7)
    assert (res.n_computed, res.n_reused) == (0, 4)
    assert "other options" not in caplog.text


def test_results_csv_and_summary_md(classify_run, bundle):
    df = pd.read_csv(classify_run.out_dir / "results.csv")
    assert len(df) == 4 and list(df["model"]) == ["logreg", "logreg", "fcn", "fcn"]
    for col in ("accuracy", "macro_precision", "macro_recall", "macro_f1", "n_train", "n_val", "n_test"):
        assert col in df.columns
    assert df[["accuracy", "macro_f1"]].apply(lambda s: s.between(0, 1)).all().all()
    assert {f"f1_{t}" for t in bundle.class_names} <= set(df.columns)
    assert (df["n_test"].groupby(df["model"]).sum() == bundle.n_samples).all()
    md = (classify_run.out_dir / "summary.md").read_text()
    assert "SYNTHETIC DATA" in md and "Wilcoxon" in md
    best = df.groupby("model")["macro_f1"].mean().idxmax()
    assert f"best peer: {best}" in md
    m = df.loc[df.model == "logreg", "accuracy"]
    assert f"{m.mean():.3f} ± {m.std(ddof=1):.3f}" in md
    assert "smallest possible p is 0.5" in md  # 2 folds cannot be significant: said so
    assert f"Samples: {bundle.n_samples:,} of the bundle's {bundle.n_samples:,}." in md


def test_samples_left_out_and_types_rarer_than_the_folds_are_said(bundle, tmp_path, caplog):
    """Old behaviour: a survival benchmark left out the samples without survival, and 50
    folds left most test folds without a rare type, both without a word (the ablation too)."""
    import dataclasses

    from genemoe.evaluate.benchmark_tables import summary_markdown
    from genemoe.workflows.folds import rows_account

    obs = bundle.obs.copy()
    obs.loc[obs.index[:4], "has_survival"] = False
    b = dataclasses.replace(bundle, obs=obs)
    account = rows_account(b, "survival", 3)
    assert account["n_used"] == bundle.n_samples - 4
    assert account["left_out"] == {"without survival data": 4}
    assert rows_account(b, "classify", 3)["left_out"] == {}
    counts = bundle.obs["cancer_type"].value_counts()
    small = rows_account(bundle, "classify", int(counts.min()) + 1)["types_under_folds"]
    assert small == {str(counts.idxmin()): int(counts.min())}
    from genemoe.data.bundle import write_bundle

    write_bundle(b, tmp_path / "bundle")
    res = bm.run_benchmark(tmp_path / "bundle", task="survival", models=["coxnet"], n_folds=2,
                           out_dir=tmp_path / "b")
    said = f"{bundle.n_samples - 4:,} of the bundle's {bundle.n_samples:,} samples used for survival"
    assert any(said in r.message and "4 without survival data" in r.message for r in caplog.records)
    protocol = json.loads((tmp_path / "b" / "protocol.json").read_text())
    assert protocol["samples"] == account
    md = summary_markdown(res.results, {**protocol, "samples": {**account,
                                                                "types_under_folds": {"CHOL": 4}}})
    assert (f"Samples: {bundle.n_samples - 4:,} of the bundle's {bundle.n_samples:,} (left out: "
            "4 without survival data). Types with fewer samples than folds: CHOL 4") in md


def test_paired_comparisons_match_scipy():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.6, 0.8, 8)
    rows = [{"model": m, "repeat": r, "fold": f, "macro_f1": v}
            for m, vals in (("logreg", base), ("genemoe", base + rng.uniform(0.01, 0.05, 8)),
                            ("fcn", base - 0.1), ("svm", base))
            for (r, f), v in zip([(r, f) for r in range(2) for f in range(4)], vals, strict=True)]
    best, comp = paired_comparisons(pd.DataFrame(rows), "classify")
    assert best == "logreg"  # best *baseline*: genemoe is better but is the method under test
    gm = comp.set_index("model").loc["genemoe"]
    d = np.array([r["macro_f1"] for r in rows if r["model"] == "genemoe"]) - base
    assert gm.p_value == pytest.approx(stats.wilcoxon(d).pvalue) and gm.wins == 8 and gm.note == ""
    assert gm.p_value < 0.01
    svm = comp.set_index("model").loc["svm"]
    assert np.isnan(svm.p_value) and "undefined" in svm.note and svm.ties == 8
    assert np.isnan(svm.corrected_p) and np.isnan(gm.corrected_p)  # no fold sizes: no ratio


def test_corrected_resampled_t_test_widens_the_paired_t_test_for_overlapping_folds():
    """Nadeau & Bengio (2003): var(mean d) = (1/J + n2/n1) var(d); n2/n1 = 0 is the ordinary
    paired t-test, which scipy computes (the reference)."""
    from genemoe.evaluate.benchmark_tables import corrected_resampled_t_p, fold_size_ratio

    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.7, 0.9, 9), rng.uniform(0.7, 0.9, 9)
    assert corrected_resampled_t_p(a - b, 0.0) == pytest.approx(stats.ttest_rel(a, b).pvalue)
    d = np.array([0.02, 0.01, 0.03, -0.01, 0.02, 0.015, 0.0, 0.025, 0.01])
    t = d.mean() / np.sqrt((1 / 9 + 0.5) * d.var(ddof=1))  # 3-fold: test/train rows 1/2
    assert corrected_resampled_t_p(d, 0.5) == pytest.approx(2 * stats.t.sf(t, 8))
    assert corrected_resampled_t_p(d, 0.5) > stats.ttest_1samp(d, 0.0).pvalue  # more cautious
    assert corrected_resampled_t_p(d, 0.5) > stats.wilcoxon(d).pvalue
    assert np.isnan(corrected_resampled_t_p(d[:1], 0.5))
    assert np.isnan(corrected_resampled_t_p(np.full(4, 0.01), 0.5))  # no spread
    sizes = pd.DataFrame({"n_train": [510, 520], "n_val": [90, 80], "n_test": [300, 300]})
    assert fold_size_ratio(sizes) == pytest.approx(0.5)


def test_survival_benchmark_reports_c_index_per_type(bundle, tmp_path):
    res = bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2, n_boot=50,
                           out_dir=tmp_path)
    df = res.results
    assert len(df) == 2 and df["c_index"].between(0, 1).all()
    assert {f"c_index_{t}" for t in bundle.class_names} <= set(df.columns)
    cell = json.loads((tmp_path / "cells" / "coxnet__r0_f0.json").read_text())
    assert len(cell["test"]["risk"]) == len(cell["test"]["time"]) == cell["n"]["test"]
    md = (tmp_path / "summary.md").read_text()
    assert "C-index per cancer type" in md and "stratified by cancer type and event" in md
    # spreads to 3 decimals as in every other table (were "0.712 ± 0.05"); --epochs said
    per_type = md.split("C-index per cancer type")[1]
    assert re.search(r"± \d\.\d{3}\b", per_type) and not re.search(r"± \d\.\d{2}\b", per_type)
    # how few deaths each type's C-index rests on is said (it had no counts)
    deaths = [df[f"events_{t}"].mean() for t in bundle.class_names]
    assert (f"| test deaths per fold (mean) | {deaths[0]:.1f} |" in per_type
            and "Few deaths make a type's C-index swing" in per_type)
    # the time-dependent AUC section and the within-type log-rank column
    assert "## Time-dependent AUC (cumulative/dynamic)" in md and "logrank_p_within_type" in md
    from genemoe.config_presets import load_preset
    from genemoe.evaluate.benchmark_tables import summary_markdown

    protocol = json.loads((tmp_path / "protocol.json").read_text())
    protocol["preset_tuned_on"] = load_preset("small")["tuned_on"]
    assert "--epochs" not in summary_markdown(df, {**protocol, "epochs": None})
    assert ("`--epochs 3` was given: it replaced the preset's epochs listed here"
            in summary_markdown(df, {**protocol, "epochs": 3}))


def test_bad_model_lists_are_clear_errors(bundle, tmp_path):
    with pytest.raises(InputError, match="does not support task 'survival'"):
        bm.run_benchmark(bundle.path, task="survival", models=["logreg"], out_dir=tmp_path)
    with pytest.raises(InputError, match="^--models: unknown model") as info:  # was "--model:"
        bm.run_benchmark(bundle.path, task="classify", models=["mlp", "nope"], out_dir=tmp_path)
    assert "'nope'" in str(info.value) and "'mlp'" not in str(info.value)
    with pytest.raises(InputError, match="no model"):
        bm.run_benchmark(bundle.path, task="classify", models=[], out_dir=tmp_path)


def test_a_bad_training_value_is_refused_before_anything_is_written(bundle, tmp_path):
    """Old behaviour: --epochs 0 was refused in the first cell, after protocol.json,
    splits.tsv and cells/ were written (the ablation's models/ folder alike)."""
    from genemoe.workflows.ablation import run_ablation

    with pytest.raises(InputError, match="epochs=0"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg", "fcn"], n_folds=2,
                         epochs=0, out_dir=tmp_path / "bench")
    with pytest.raises(InputError, match="epochs=0"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl", n_repeats=1,
                     n_folds=2, epochs=0)
    assert not (tmp_path / "bench").exists() and not (tmp_path / "abl" / "models").exists()


def test_a_model_named_twice_runs_once_and_it_is_said(bundle, tmp_path, caplog):
    """``--models logreg,logreg`` ran logreg once without a word."""
    with caplog.at_level("WARNING"), pytest.raises(InputError, match="--repeats"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg", "mlp", "logreg"],
                         out_dir=tmp_path, n_repeats=0)
    assert "--models names logreg more than once: each runs once" in caplog.text


def test_a_fold_without_validation_events_is_named(bundle):
    """Issue 10 (6): a fold whose validation part holds no event stops with an error naming
    the repeat and fold (the old code selected on a constant C-index of 0.5, silently)."""
    obs = bundle.obs.copy()
    has = np.flatnonzero(obs["has_survival"].to_numpy(bool) & obs["event"].to_numpy(bool))
    obs["event"] = False
    obs.loc[has[:4], "event"] = True  # 4 deaths: too few for every fold's validation part
    few = Bundle(X=bundle.X, obs=obs, var=bundle.var, record=bundle.record, path=bundle.path)
    with pytest.raises(InputError, match=r"repeat 0, fold \d: every val sample is censored"):
        for plan in bm.plan_folds(few, "survival", n_folds=2, seed=0):
            bm.fold_data(few, plan, "survival", few.class_names)


def test_default_peer_set_holds_the_regularised_mlp_and_tuned_baselines():
    """Issue 10 (3): the default classification benchmark sets Gene-MOE beside the
    regularised MLP and the tuned classical models."""
    assert {"svm", "svm_linear", "logreg", "rf", "mlp", "fcn", "moe", "genemoe"} == set(
        bm.DEFAULT_MODELS["classify"])
    assert {"coxnet", "coxph", "genemoe"} <= set(bm.DEFAULT_MODELS["survival"])


def test_each_fold_refits_the_gene_filter_on_its_own_training_part(tmp_path):
    """Issue 10 (4): a gene failing the bundle's training-split filter but passing on a
    fold's training part stays in the bundle and that fold uses it (the old prepare dropped
    it from the bundle, so no fold could)."""
    from data.fixtures_filter import bundle_with_fold_only_gene

    case = bundle_with_fold_only_gene(tmp_path / "b", n_folds=3, fold=0, seed=0)
    b = case.bundle
    assert not b.gene_mask()[case.column]  # the default mask (training split) leaves it out
    plans = bm.plan_folds(b, "classify", n_folds=3, seed=0)
    used = [bm.fold_data(b, p, "classify", b.class_names).keep[case.column] for p in plans]
    assert used[case.fold]


def test_folds_never_split_a_patient(bundle):
    """Issue 10 (5): two samples of one patient land in the same part of every fold."""
    obs = bundle.obs.copy()
    obs["patient_id"] = obs["patient_id"].astype(str)
    twins = obs.index[:40:2]
    obs.loc[twins + 1, "patient_id"] = obs.loc[twins, "patient_id"].to_numpy()  # pairs
    paired = Bundle(X=bundle.X, obs=obs, var=bundle.var, record=bundle.record, path=bundle.path)
    for plan in bm.plan_folds(paired, "classify", n_folds=3, n_repeats=2, seed=0):
        for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
            pa = set(obs["patient_id"].iloc[getattr(plan, a)])
            assert not pa & set(obs["patient_id"].iloc[getattr(plan, b)]), (plan.repeat, plan.fold)


def test_tune_gives_every_model_the_same_budget_on_validation_only(bundle, tmp_path, monkeypatch):
    """Issue 11 (2): --tune N runs N trials per model inside each fold on its train and
    validation parts; the test part reaches only the final fit; summary.md says the budget."""
    import genemoe.train.tuning as tuning

    parts = []
    real = tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model",
                        lambda name, task, data, **kw: (parts.append(set(data)), real(name, task, data, **kw))[1])
    res = bm.run_benchmark(bundle.path, task="classify", models=["logreg", "fcn"], n_folds=2,
                           epochs=2, out_dir=tmp_path, tune=2)
    assert parts and all(p == {"train", "val"} for p in parts)
    cells = _cells(tmp_path)
    assert all(c["tuning"]["n_trials"] == 2 for c in cells.values())
    assert all(c["chosen"] for c in cells.values())
    md = (tmp_path / "summary.md").read_text()
    assert "2 Optuna trials per model" in md and len(res.results) == 4
    # issue 11: the cost is reported (trials, seconds per trial, what pruning saved)
    assert "## Tuning cost" in md and "saved_by_pruning_s" in md
    assert all({"seconds_per_trial", "seconds_saved_by_pruning"} <= set(c["tuning"])
               for c in cells.values())
    # trials pruned before training as too big for the free memory: none here, and said so
    assert "| too_big |" in md and all(c["tuning"]["n_too_big"] == 0 for c in cells.values())


def test_ensemble_benchmark_meets_ensembles_of_the_same_size(bundle, tmp_path):
    """Issue 11 (4): --ensemble K makes every model of every cell a K-member ensemble."""
    bm.run_benchmark(bundle.path, task="classify", models=["logreg", "fcn"], n_folds=2,
                     epochs=2, out_dir=tmp_path, ensemble=2)
    cells = _cells(tmp_path)
    assert all(c["info"]["ensemble"]["k"] == 2 for c in cells.values())
    assert len(cells["fcn__r0_f0"]["chosen"]["epoch"]) == 2
    assert "ensemble of 2 members" in (tmp_path / "summary.md").read_text()
    # results.csv's rows said it nowhere (a row read alone, or two benchmarks joined)
    assert (pd.read_csv(tmp_path / "results.csv")["ensemble"] == 2).all()
    from genemoe.report.html import write_report  # its summary panel said the models alone

    assert "<code>fcn</code>, each an ensemble of 2" in write_report(tmp_path).read_text()


def test_an_ensemble_run_reuses_the_single_models_studies(bundle, tmp_path, monkeypatch):
    """The studies tune single models whatever --ensemble is; an ensemble run in the same
    directory used to open new studies and repeat every trial."""
    import genemoe.train.tuning as tuning

    opts = dict(task="classify", models=["logreg"], n_folds=2, epochs=2, out_dir=tmp_path, tune=2)
    bm.run_benchmark(bundle.path, **opts)
    trials = []
    real = tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda *a, **kw: (trials.append(1), real(*a, **kw))[1])
    bm.run_benchmark(bundle.path, **opts, ensemble=2)
    assert trials == []  # the final fits are the ensembles' (train.ensemble), no trial again
    cells = _cells(tmp_path)
    assert all(c["info"]["ensemble"]["k"] == 2 and c["tuning"]["n_trials"] == 2
               for c in cells.values())


def test_tuning_may_choose_the_input_scaling_and_the_cell_is_scored_with_it(bundle, tmp_path,
                                                                            monkeypatch):
    """model.input_scaling is in every neural space: the trials that draw centred input train
    on the fold's data scaled that way (fitted on its training part), and the final fit and
    the test score use the best trial's scaling, not the preset's."""
    from genemoe.models.registry import get_spec, set_search_space
    from genemoe.models.search_spaces import Categorical
    from genemoe.train import tuning

    declared = dict(get_spec("fcn").search_space)
    set_search_space("fcn", {**declared, "model.input_scaling": Categorical(("centred",))})
    # every trial centred: the space is not widened to hold the preset's (standard) scaling
    monkeypatch.setattr(tuning, "widen_to_start", lambda space, start: (space, {}, {}))
    built, real = [], bm.fold_data
    monkeypatch.setattr(bm, "fold_data", lambda *a, **k: (built.append(a[-1]), real(*a, **k))[1])
    try:
        bm.run_benchmark(bundle.path, task="classify", models=["fcn"], n_folds=2, epochs=2,
                         out_dir=tmp_path, tune=2)
    finally:
        set_search_space("fcn", declared)
    cells = _cells(tmp_path)
    assert all(c["chosen"]["model.input_scaling"] == "centred" for c in cells.values())
    assert built == ["standard", "centred"] * 2  # per fold: the preset's data, then centred once


def test_fingerprint_ignores_the_other_tasks_training_sections(tmp_path):
    """A preset edit a task never reads (train_survival for classify) keeps the cells and
    studies of that task: their key used to hash the whole preset."""
    import yaml

    class _B:  # the fingerprint reads only these of a bundle
        sample_ids = ["a", "b"]
        record = {"created": "t", "config": {}}
        n_genes = 3

    def key(task: str, train_survival: dict) -> str:
        path = tmp_path / f"{task}_{len(train_survival)}.yaml"
        path.write_text(yaml.safe_dump({"extends": "small", "train_survival": train_survival}))
        opts = {"task": task, "n_folds": 3, "seed": 0, "epochs": None, "val_fraction": 0.15,
                "n_boot": 0, "preset": str(path)}
        return cells_fingerprint(_B(), opts)

    assert key("classify", {"lr": 1e-4}) == key("classify", {"lr": 1e-4, "patience": 3})
    assert key("survival", {"lr": 1e-4}) != key("survival", {"lr": 1e-4, "patience": 3})


def test_a_tuned_cell_of_another_search_space_is_recomputed(bundle, tmp_path):
    """The cells' fingerprint holds the options, not the models' search spaces: a space
    changed in code used to reuse the tuned cells of the old one. Now the cell is
    recomputed, and the study (whose setup holds the space) refuses to mix the two, saying
    to use another folder."""
    from genemoe.errors import InputError
    from genemoe.models.registry import get_spec, set_search_space
    from genemoe.models.search_spaces import Categorical

    def run():
        return bm.run_benchmark(bundle.path, task="classify", models=["fcn"], n_folds=2,
                                epochs=2, out_dir=tmp_path, tune=2)

    run()
    assert run().n_reused == 2  # the same space: reused
    declared = dict(get_spec("fcn").search_space)
    set_search_space("fcn", {**declared, "model.latent": Categorical((8,))})
    try:
        with pytest.raises(InputError, match="another setup"):
            run()
    finally:
        set_search_space("fcn", declared)


def test_reading_cells_of_other_options_says_so_once_and_recomputes_nothing(classify_run,
                                                                           tmp_path, caplog):
    """The summary, the plots and the report read the cells back; a cell of other options
    (another worker's run into the same --out) was a warning per cell, per read, saying
    "recomputing it" although nothing was recomputed (36 false lines per model in one log)."""
    from genemoe.evaluate.benchmark_files import load_cells

    out = tmp_path / "copy"
    shutil.copytree(classify_run.out_dir, out)
    for p in (out / "cells").glob("fcn__*.json"):
        cell = json.loads(p.read_text())
        p.write_text(json.dumps({**cell, "fingerprint": "another run's options"}))
    caplog.set_level("WARNING", logger="genemoe")
    cells = load_cells(out)
    assert {c["model"] for c in cells} == {"logreg"}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "cells of fcn were computed under other options" in warnings[0]
    assert "recomputing" not in warnings[0]
    caplog.clear()
    assert [c["model"] for c in load_cells(out, models=["logreg"])] == ["logreg", "logreg"]
    assert not caplog.records  # the stale model was not asked for: nothing to say
    stale = out / "cells" / "logreg__r1_f0.json"  # a later repeat than the summary's
    stale.write_text(json.dumps({"fingerprint": "another run's options"}))
    assert len(load_cells(out, models=["logreg"], n_repeats=1)) == 2 and not caplog.records


def test_every_models_options_are_recorded_and_said(classify_run):
    """A benchmark recorded no model's options (an image model's image size, weights and
    layout, Gene-MOE's widths) in summary.md, results.csv or the cells; the report's chosen
    table had a stray "cell" header."""
    from genemoe.evaluate.benchmark_tables import chosen_table

    out = classify_run.out_dir
    cell = json.loads((out / "cells" / "fcn__r0_f0.json").read_text())
    assert cell["options"]["hidden"] and "layout_state" not in cell["options"]
    res = pd.read_csv(out / "results.csv")
    assert res.loc[res["model"] == "fcn", "options"].str.contains("hidden=").all()
    md = (out / "summary.md").read_text()
    section = md.split("## Model options each model ran with")[1]
    assert "- `fcn`: " in section and "hidden=" in section.split("- `fcn`: ")[1].split("\n")[0]
    assert chosen_table(res).columns.name is None


def test_a_survival_summary_gives_the_no_information_brier_score(bundle, tmp_path):
    """The integrated Brier score was shown without its no-information reference (in
    cells/*.json only): a Coxnet fold at 0.256 against a reference of 0.235 read as good."""
    res = bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2,
                           n_boot=20, out_dir=tmp_path / "s")
    results = pd.read_csv(tmp_path / "s" / "results.csv")
    ref = results["ibs_null_reference"].dropna()
    assert len(ref) and (ref > 0).all()
    md = (tmp_path / "s" / "summary.md").read_text()
    assert "C-index: Harrell's" in md  # which one was said in the README only
    # the endpoint named, as train names it (a probe: "benchmark · survival" of a PFI bundle)
    assert md.startswith("# genemoe benchmark: survival (OS)")
    assert "benchmark · survival (OS) · " in res.describe()
    assert "; fold seed 0;" in md  # one repeat: was "fold seeds 0..0"
    # it is the training patients' Nelson–Aalen curve (Breslow at zero risk): it was called a
    # Kaplan–Meier curve
    assert (f"Integrated Brier score of one survival curve for all (the training patients' "
            f"Nelson–Aalen estimate: no information) on the same folds: {ref.mean():.3f}") in md
    assert res.results is not None


def test_the_genes_a_model_reads_are_in_results_csv(bundle, tmp_path):
    """results.csv's n_genes (every gene of the fold) was all it said of Coxnet, which fits
    its 2,000 most variable training genes (n_selected_genes, in the cell only)."""
    bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2, n_boot=20,
                     out_dir=tmp_path / "s")
    results = pd.read_csv(tmp_path / "s" / "results.csv")
    cell = json.loads(next((tmp_path / "s" / "cells").glob("coxnet*.json")).read_text())
    chosen = cell["info"]["params"]["fitted"]["n_selected_genes"]
    assert chosen in results["n_genes_used"].tolist()
    assert (results["n_genes_used"] <= results["n_genes"]).all()


def test_the_report_says_the_preset_values_chosen_on_data(classify_run, tmp_path):
    """An outside probe: summary.md said the preset's epochs, patience and dropout were
    chosen on samples that sit in a benchmark's test folds; the HTML report, the document
    people share, left it out."""
    import html

    from genemoe.report.html import write_report

    out = tmp_path / "copy"
    shutil.copytree(classify_run.out_dir, out)
    tuned_on = json.loads((out / "protocol.json").read_text())["preset_tuned_on"]
    assert tuned_on and "Preset values chosen on data (`small`)" in (out / "summary.md").read_text()
    page = html.unescape(write_report(out).read_text())
    assert "preset values chosen on data (small)" in page
    key, first = next((k, v) for k, v in tuned_on.items() if v["used_by"])  # fcn's
    assert f"{key} {first['value']} on {first['data']}" in page
    # and the routing table's numbers (summary.md's only)
    from genemoe.report.html import _routing_row  # noqa: PLC2701 (the row under test)

    row = _routing_row(pd.DataFrame({"model": ["genemoe"] * 2 + ["fcn"] * 2,
                                     "type_separation": [0.5, 0.7, np.nan, np.nan]}))
    assert row["routing (type separation, 0-1)"].startswith("genemoe 0.60 ± 0.14 (")
