"""Plots (valid, non-blank PNGs from results) and the self-contained HTML report."""

from __future__ import annotations

import base64
import json
import re
import shutil

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.report import plots
from genemoe.report.html import report_kind, write_report
from genemoe.workflows.benchmark import run_benchmark
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path) -> None:
    """A readable PNG whose pixels are not all one colour."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 50 and img.shape[1] > 50
    assert img[..., :3].std() > 0.01  # something was drawn


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    b, f, c = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=2)
    run_benchmark(b.path, task="classify", models=["logreg", "fcn"], n_folds=2, epochs=2,
                  out_dir=d / "bench_classify")
    run_benchmark(b.path, task="survival", models=["fcn"], n_folds=2, epochs=2, n_boot=50,
                  out_dir=d / "bench_survival")
    train_run(b.path, out_dir=d / "run", task="classify", model_name="fcn", epochs=2, progress=False)
    return {"bundle": b.path, "classify": d / "bench_classify", "survival": d / "bench_survival",
            "run": d / "run"}


# --------------------------------------------------------------------------- single plots
def _history(n_epochs=4, moe=True):
    rng = np.random.default_rng(0)
    recs = []
    for e in range(1, n_epochs + 1):
        r = {"epoch": e, "lr": 1e-3, "train_loss": 1 / e, "val_loss": 1.2 / e, "val_metric": 0.5 + e / 20,
             "loss/focal": 0.9 / e, "seconds": 0.1}
        if moe:
            load = rng.dirichlet(np.ones(6)).tolist()
            r.update({"aux/importance": 0.1, "stats/encoder.moe/load": load,
                      "stats/encoder.moe/load_dead_experts": 0})
        recs.append(r)
    return recs


def test_single_plots_are_valid_pngs(tmp_path):
    rng = np.random.default_rng(0)
    cm = rng.integers(0, 20, (4, 4)) + np.eye(4, dtype=int) * 30
    names = ["ACC", "BLCA", "BRCA", "UVM"]
    assert_png(plots.plot_confusion_matrix(cm, names, out_path=tmp_path / "cm.png", title="t"))
    assert_png(plots.plot_per_class_f1(dict(zip(names, [0.9, 0.5, 0.7, 0.2], strict=True)),
                                       out_path=tmp_path / "f1.png"))
    n = 80
    t, e = rng.exponential(500, n), rng.random(n) < 0.7
    groups = np.array(["A", "B"] * (n // 2), dtype=object)
    high = plots.median_split_within(rng.normal(size=n), groups)
    assert_png(plots.plot_km_by_type(t, e, high, groups, out_path=tmp_path / "km.png"))
    res = pd.DataFrame({"model": ["a"] * 3 + ["b"] * 3, "c_index": rng.uniform(0.5, 0.8, 6)})
    assert_png(plots.plot_metric_box(res, "c_index", out_path=tmp_path / "box.png"))
    assert_png(plots.plot_training_curves([_history(), _history()], labels=["f0", "f1"],
                                          out_path=tmp_path / "train.png"))
    assert_png(plots.plot_expert_utilisation(_history(), out_path=tmp_path / "experts.png"))
    # nothing to draw: no file, None
    assert plots.plot_expert_utilisation(_history(moe=False), out_path=tmp_path / "none.png") is None
    assert plots.plot_training_curves([[]], out_path=tmp_path / "none2.png") is None
    assert not (tmp_path / "none.png").exists()


def test_median_split_is_within_each_block():
    risk = np.array([1, 2, 3, 4, 100, 200, 300, 400], dtype=float)
    block = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    high = plots.median_split_within(risk, block)
    # a pooled median would call every sample of block 1 high; within blocks it is half each
    assert high.tolist() == [False, False, True, True, False, False, True, True]


def test_training_curves_show_every_loss_component(tmp_path):
    keys = plots._curve_keys([_history()])
    assert {"train_loss", "val_loss", "val_metric", "loss/focal", "aux/importance"} == set(keys)


# --------------------------------------------------------------------------- directories
def _embedded_pngs(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)]


@pytest.mark.parametrize("kind", ["classify", "survival", "run"])
def test_report_is_self_contained(dirs, kind):
    d = dirs[kind]
    assert report_kind(d) == ("run" if kind == "run" else "benchmark")
    path = write_report(d)
    assert path == d / "report.html"
    text = path.read_text()
    images = _embedded_pngs(text)
    assert len(images) >= 2 and all(img[:8] == PNG_MAGIC for img in images)
    assert len(re.findall(r"<img ", text)) == len(images)  # no image is linked from outside
    for section in ('<h2 id="data">Data</h2>', '<h2 id="protocol">Protocol</h2>',
                    '<h2 id="metrics">Metrics</h2>', '<h2 id="figures">Figures</h2>',
                    '<h2 id="software-and-seeds">Software and seeds</h2>', "SYNTHETIC DATA",
                    "Dropped, and why",
                    "empty in training split", "numpy", "fold seeds" if kind != "run" else "run seed"):
        assert section in text, section
    names = {p.name for p in (d / "plots").glob("*.png")}
    for p in (d / "plots").glob("*.png"):
        assert_png(p)
    if kind == "classify":
        assert "Wilcoxon" in text and "logreg" in text and "fcn" in text
        assert {"box_macro_f1.png", "confusion_logreg.png", "confusion_fcn.png", "f1_logreg.png",
                "f1_fcn.png", "training_fcn.png"} <= names
        assert "training_logreg.png" not in names  # a classical model has no training history
        assert ">NaN<" not in text  # logreg's type_separation: "–" (was NaN in the cells table)
        assert "No search: neural models run the preset" in text  # the budget (was unsaid)
    elif kind == "survival":
        assert {"box_c_index.png", "km_fcn.png", "training_fcn.png"} <= names
        assert "C-index per cancer type" in text
    else:
        assert {"confusion.png", "f1.png", "training.png"} <= names
    thumb = 1  # the summary panel's thumbnail embeds the confusion matrix / KM figure again
    assert len(images) == len(names) + thumb  # every figure drawn is embedded


def test_cli_benchmark_and_report(dirs, tmp_path):
    runner = CliRunner()
    out = tmp_path / "b"
    r = runner.invoke(app, ["benchmark", "--data", str(dirs["bundle"]), "--task", "classify",
                            "--models", "logreg", "--folds", "2", "--out", str(out), "--no-progress",
                            "--no-plots"])
    assert r.exit_code == 0, r.output
    assert "logreg" in r.output and (out / "results.csv").exists() and (out / "summary.md").exists()
    r = runner.invoke(app, ["report", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "report.html").exists() and _embedded_pngs((out / "report.html").read_text())
    assert (out / "plots" / "confusion_logreg.png").exists()


# --------------------------------------------------------------------------- first screen
def _summary_panel(text: str) -> str:
    m = re.search(r'<section class="summary" id="summary">(.*?)</section>', text, flags=re.S)
    assert m, "no summary panel"
    return m.group(1)


@pytest.mark.parametrize("kind", ["classify", "survival", "run"])
def test_report_opens_with_the_answer_and_every_heading_has_an_anchor(dirs, kind):
    """The summary panel comes before the details and holds the headline numbers; a table
    of contents links every heading, and every link resolves to an id on the page."""
    import json

    text = write_report(dirs[kind]).read_text()
    panel = _summary_panel(text)
    assert text.index('id="summary"') < text.index('id="contents"') < text.index('<h2 id="data">')
    assert "synthetic" in panel and "samples" in panel and "genes" in panel
    assert re.search(r'<img alt="[^"]*(confusion|Kaplan)', panel)  # the thumbnail
    if kind == "run":
        test = json.loads((dirs["run"] / "metrics.json").read_text())["test"]
        assert f"{test['accuracy']:.3f}" in panel and f"{test['macro_f1']:.3f}" in panel
        assert "(Wilson 95%)" in panel and "chosen on the validation split" in panel
    else:
        res = pd.read_csv(dirs[kind] / "results.csv")
        metric = "macro_f1" if kind == "classify" else "c_index"
        for model, g in res.groupby("model"):
            assert f"{g[metric].mean():.3f} ± {g[metric].std(ddof=1):.3f}" in panel, model
        assert "fold cross-validation" in panel and "validation part" in panel
    headings = re.findall(r"<(h[1-3])([^>]*)>", text)
    assert headings and all('id="' in attrs for _, attrs in headings), headings
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "duplicate ids"
    links = re.findall(r'href="#([^"]+)"', text)
    assert {"data", "protocol", "metrics", "figures", "software-and-seeds"} <= set(links)
    assert set(links) <= set(ids), set(links) - set(ids)


def test_report_rounds_p_values_and_intervals(dirs):
    text = write_report(dirs["survival"]).read_text()
    assert not re.search(r"\d\.\d{6,}", _summary_panel(text))  # no 0.5014307773617926
    run = write_report(dirs["run"]).read_text()
    assert not re.search(r"\d\.\d{5,}", _summary_panel(run))


def test_report_picks_up_explanations_and_features_beside_a_run(dirs, tmp_path):
    import json
    import shutil

    run = tmp_path / "runs" / "fcn_classify"
    shutil.copytree(dirs["run"], run)
    inside = run / "explain"
    inside.mkdir()
    pd.DataFrame({"class": ["A", "A", "B"], "rank": [1, 2, 1], "gene_id": ["g1", "g2", "g3"],
                  "symbol": ["TP53", None, "EGFR"]}).to_csv(inside / "genes_by_class.csv", index=False)
    write_report(run)  # draws run/plots (the test no longer leans on an earlier one's)
    shutil.copy(next((run / "plots").glob("*.png")), inside / "top_genes.png")
    mine, other = tmp_path / "runs" / "features", tmp_path / "runs" / "features_other"
    for d, target in ((mine, run), (other, tmp_path / "runs" / "another_run")):
        d.mkdir()
        (d / "leading_features.tsv").write_text("rank\tfeature\n1\t0\n")
        (d / "summary.json").write_text(json.dumps({"run": {"path": str(target)}}))
    text = write_report(run).read_text()
    assert '<h2 id="explanations-and-features">' in text and 'href="#explanations-and-features"' in text
    assert 'href="explain/"' in text and 'href="../features/"' in text
    assert "features_other" not in text  # it records another run
    assert "TP53, g2" in text and "EGFR" in text  # top genes per class, symbol else id
    assert "explain: top genes" in text  # its figure is embedded with a caption
    # an explanation beside the run that names it in convergence.json: the full section, first
    beside = tmp_path / "runs" / "explain_ig"
    beside.mkdir()
    (inside / "genes_by_class.csv").rename(beside / "genes_by_class.csv")
    pd.read_csv(beside / "genes_by_class.csv").assign(n_samples=3).to_csv(
        beside / "genes_by_class.csv", index=False)
    (beside / "convergence.json").write_text(json.dumps(
        {"run_dir": str(run), "n_samples": 6, "median_relative_delta": 0.01,
         "max_relative_delta": 0.04, "baseline": "train_mean"}))
    text = write_report(run).read_text()
    assert text.index('<h2 id="explanation">') < text.index('<h2 id="data">')
    assert "median <b>1.00%</b>" in text and 'href="#explanation"' in text
    assert "genes (symbol, else gene id; by mean attribution)" in text  # ids were labelled symbols
    # the run trained again into its folder: that explanation is of an earlier model (old
    # behaviour: shown in full, unsaid); it records model.pt's hash since 2026-12-03
    from genemoe.data.bundle import file_sha256

    conv = json.loads((beside / "convergence.json").read_text())
    (beside / "convergence.json").write_text(json.dumps(
        {**conv, "model_sha256": file_sha256(run / "model.pt")}))
    assert '<h2 id="explanation">' in write_report(run).read_text()  # the same model: shown
    (beside / "convergence.json").write_text(json.dumps({**conv, "model_sha256": "0" * 64}))
    text = write_report(run).read_text()
    assert '<h2 id="explanation">' not in text
    assert "made from an earlier model of this run folder" in text


def test_a_tuning_directory_gets_its_report(dirs, tmp_path):
    """`genemoe report TUNE_DIR` said "neither a run, a benchmark nor an explanation
    directory": the search (best configuration, what it was tuned on, the trials, the plot)
    had no report."""
    from genemoe.workflows.tune import tune_run

    d = tmp_path / "tune"
    tune_run(dirs["bundle"], out_dir=d, task="classify", model_name="logreg", n_trials=2,
             progress=False)
    assert report_kind(d) == "tune"
    page = write_report(d).read_text()
    assert "genemoe tuning — logreg (classify)" in page and "SYNTHETIC DATA" in page
    for heading in ("Best configuration", "What it was tuned on", "Best trials", "Search"):
        assert f">{heading}</h3>" in page
    assert "test split never read" in page and "best validation macro-F1" in page
    assert "model.C" in page and f"--config {d / 'best.yaml'}" in page
    # trial 0's own grid search said on the page (old: only trials.csv's grid_points column)
    assert re.search(r"trial 0 of logreg</th><td>its own grid search: \d+ settings scored on "
                     r"validation in [\d.]+ s; each other trial scores 1 setting", page)
    assert_png(d / "plots" / "search.png")
    assert page.count("data:image/png;base64,") >= 2  # the panel's thumbnail and the figure
    # a tuning directory written before summary.json named its bundle: found from best.yaml
    import json

    s = json.loads((d / "summary.json").read_text())
    del s["bundle"], s["genemoe_version"]
    (d / "summary.json").write_text(json.dumps(s))
    page = write_report(d).read_text()
    assert "SYNTHETIC DATA" in page and "not recorded" in page
    # small values keep their digits, an unused option is "–" (old: .round(4) printed a
    # weight decay of 3.95e-06 as 0, None as NaN), and "Best trials" holds this budget's
    # trials only (old: a larger earlier budget's trial too)
    import pandas as pd

    trials = pd.read_csv(d / "trials.csv")
    trials["train.weight_decay"] = [3.95e-06, None]
    extra = trials.iloc[[0]].assign(number=7, value=2.0, in_budget=False)
    pd.concat([trials, extra]).to_csv(d / "trials.csv", index=False)
    page = write_report(d).read_text()
    best = page[page.index(">Best trials</h3>"):page.index("Every trial of the study")]
    assert "3.95e-06" in best and "<td>–</td>" in best and "<td>7</td>" not in best
    assert "<td>7</td>" in page[page.index("Every trial of the study"):]


def test_a_survival_run_report_sets_its_survival_probabilities_against_kaplan_meier(dirs,
                                                                                   tmp_path):
    """The survival probabilities predict gives (1, 3, 5 years) are compared with the
    Kaplan-Meier estimate of the test patients, overall and by risk half."""
    from genemoe.evaluate.brier import horizon_calibration, survival_at_horizons
    from genemoe.train.model_file import load_model_file

    run = tmp_path / "surv"
    train_run(dirs["bundle"], out_dir=run, task="survival", model_name="fcn", epochs=2,
              progress=False)
    page = write_report(run).read_text()
    assert ">Survival probability at fixed horizons (test split)</h3>" in page
    # old behaviour (a probe): "log-rank p 0.0074, median split" above a figure whose pooled
    # panel gave 0.707 for the split within each type, both called "high vs low risk"
    assert "one median split of all patients (differences between types count" in page
    # the within-type log-rank and the time-dependent AUC are in the run's page too (they
    # were in metrics.json only); a model above the no-information Brier score is said so
    m = json.loads((run / "metrics.json").read_text())["test"]
    assert "each type split at its own median, stratified by type" in page
    assert "<th>auc_1y</th>" in page and "<th>logrank_p_within_type</th>" in page
    above = m["integrated_brier_score"] > m["ibs_null_reference"]
    assert ("this model is above it" in page) == above  # worse only where its CI is above 0
    ref = json.loads((run / "metrics.json").read_text())["test"]["ibs_null_reference"]
    assert f"one survival curve for all (no information): {ref:.3f}" in page  # was in metrics.json only
    test_m = json.loads((run / "metrics.json").read_text())["test"]
    # the pooled C rewards telling the types apart: the C within types and of type alone beside
    assert "C-index within types" in page and "cancer type alone (each type&#x27;s training" in page
    assert test_m["within_type_c_index"] is not None and test_m["type_only_c_index"] is not None
    assert "validation (where the model was chosen, so optimistic)" in page
    n = json.loads((run / "metrics.json").read_text())["protocol"]["n"]  # was "{'train': 637, ...}"
    assert f"<th>samples per split</th><td>train {n['train']} · val {n['val']} · test {n['test']}" in page
    assert re.search(r"<th>stopped early</th><td>(yes|no)</td>", page)  # was True / False
    pred = pd.read_csv(run / "predictions.tsv", sep="\t")
    test = pred[pred["split"] == "test"]
    base = load_model_file(run)["survival_baseline"]
    rows = horizon_calibration(base, test["time"].to_numpy(float),
                               test["event"].astype(bool).to_numpy(), test["risk"].to_numpy(float))
    assert rows and rows[0]["horizon"] == "1 year"
    p1 = survival_at_horizons(base, test["risk"].to_numpy(float))["survival_1y"]
    assert rows[0]["all: predicted"] == pytest.approx(p1.mean())
    for row in rows:
        assert all(0 <= v <= 1 for k, v in row.items()
                   if k != "horizon" and "at risk" not in k and "CI" not in k)
    # the observed estimate's 95% interval (Greenwood, log-log), as lifelines 0.30 gives it
    # (old behaviour: "uncertain by tens of points", no interval)
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(test["time"], test["event"].astype(bool))
    lo, hi = km.confidence_interval_survival_function_.iloc[
        km.confidence_interval_survival_function_.index.searchsorted(365.25, side="right") - 1]
    assert rows[0]["all: observed 95% CI"] == pytest.approx([lo, hi], abs=1e-9)
    # three decimals throughout (was 0.75 beside 0.946, and per type 0.8545, [0.6382, 1])
    table = page.split("Survival probability at fixed horizons (test split)</h3>")[1].split("</table>")[0]
    assert f"{rows[0]['all: observed']:.3f} [{lo:.3f}, {hi:.3f}]</td>" in table
    cells = re.findall(r"<td>([0-9]+\.[0-9]+)</td>", table)
    assert cells and all(re.fullmatch(r"\d\.\d{3}", c) for c in cells)
    per_type = page.split("C-index per cancer type (test split)</h3>")[1].split("</table>")[0]
    assert re.search(r"<td>\[0\.\d{3}, [01]\.\d{3}\]</td>", per_type)
    assert not re.search(r"\d\.\d{4}", per_type)


def test_report_of_a_missing_path_says_so(tmp_path):
    """``genemoe report nothere`` said "neither a run, a benchmark, an explanation nor a
    tuning directory", as if the directory existed."""
    from genemoe.errors import InputError

    with pytest.raises(InputError, match="nothere: no such directory"):
        report_kind(tmp_path / "nothere")
    (tmp_path / "f.tsv").write_text("x")
    with pytest.raises(InputError, match="f.tsv: a file, not a directory"):
        report_kind(tmp_path / "f.tsv")


def test_an_explain_compare_folder_names_the_reports_it_holds(tmp_path):
    """Old behaviour: "neither a run, a benchmark, an explanation..." with the fix "pass a
    directory written by genemoe explain --out", which it was."""
    from genemoe.errors import InputError
    from genemoe.report.html import report_kind

    (tmp_path / "methods.csv").write_text("method,n_samples\nig,3\n")
    for m in ("ig", "deeplift"):
        (tmp_path / m).mkdir()
        (tmp_path / m / "convergence.json").write_text("{}")
        (tmp_path / m / "genes_by_class.csv").write_text("class,rank\n")
    with pytest.raises(InputError, match=r"(?s)explain --compare.*fix: report one method: "
                                         r"genemoe report .*deeplift \(methods: deeplift, ig\)"):
        report_kind(tmp_path)


def test_an_ablation_folder_has_a_page_naming_its_parts(tmp_path):
    """Old behaviour: "neither a run, a benchmark, an explanation nor a tuning directory"
    for the folder `genemoe ablation --out` wrote; then "a `genemoe ablation` folder:
    `genemoe report` has no page for it". Now a finished one (tables.md beside
    results.csv) has a page, which names each part's own report (tests/report/
    test_ablation_page.py has real ones)."""
    from genemoe.report.html import report_kind

    (tmp_path / "tables.md").write_text("# Gene-MOE ablation\n")
    (tmp_path / "results.csv").write_text("model,repeat,fold\n")
    for part in ("models", "pretrained"):
        (tmp_path / part / "cells").mkdir(parents=True)
        (tmp_path / part / "protocol.json").write_text("{}")
    assert report_kind(tmp_path) == "ablation"
    page = write_report(tmp_path).read_text()
    assert "tables.md holds no table" in page
    for part in ("models", "pretrained"):
        assert f"<code>genemoe report {tmp_path / part}</code>" in page


def test_report_out_must_be_an_html_file(dirs, tmp_path):
    """Old behaviour: ``--out FOLDER`` failed with "FOLDER/..: Is a directory" naming the
    parent, and ``--out r.txt`` got HTML without a word."""
    from genemoe.errors import InputError

    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(InputError, match=r"(?s)adir.*this is a folder.*fix: name a file ending "
                                         r"\.html, e.g. .*adir/report\.html"):
        write_report(dirs["run"], out_path=folder)
    with pytest.raises(InputError, match=r"(?s)r\.txt.*one HTML file.*e\.g\. .*r\.html"):
        write_report(dirs["run"], out_path=tmp_path / "r.txt")
    assert write_report(dirs["run"], out_path=tmp_path / "r.html").exists()


def test_a_benchmark_report_shows_the_per_fold_choices_and_the_tuning_cost(dirs):
    """Old behaviour: summary.md had both tables; the HTML report had neither."""
    from genemoe.evaluate.benchmark_tables import results_table  # noqa: F401 (the cells' table)
    from genemoe.report.html import _benchmark_metrics  # noqa: PLC2701 (the section under test)

    text = write_report(dirs["classify"]).read_text()
    assert ">Chosen per fold</h3>" in text and "r0 f1" in text
    results = pd.DataFrame({"model": ["a", "a"], "repeat": [0, 0], "fold": [0, 1],
                            "macro_f1": [0.5, 0.6], "chosen": ["C=1", "C=10"],
                            "tune_trials": [3, 3], "tune_pruned": [1, 0], "tune_too_big": [0, 0],
                            "tune_seconds_per_trial": [2.0, 2.0], "tune_seconds": [6.0, 6.0],
                            "tune_seconds_saved": [1.0, 0.0]})
    section = _benchmark_metrics(results, "classify", None)
    assert "<h3>Tuning cost</h3>" in section and "C=10" in section
    from genemoe.evaluate.benchmark_tables import tuning_text

    said = tuning_text({"tune": 10, "tune_cv": 1, "ensemble": 3})
    assert said.startswith("Tuning: 10 Optuna trials per model inside each fold, on its "
                           "validation part only") and said.endswith("an ensemble of 3 members.")


def test_a_report_written_elsewhere_only_reads_its_directory(dirs, tmp_path):
    """Old behaviour: `genemoe report DIR --out elsewhere.html` still wrote DIR/plots/, and an
    explanation's report drew its run's figures into the run folder."""
    import json
    import shutil

    run = tmp_path / "run"
    shutil.copytree(dirs["run"], run)
    shutil.rmtree(run / "plots", ignore_errors=True)
    before = sorted(p.relative_to(run) for p in run.rglob("*"))
    out = write_report(run, out_path=tmp_path / "away" / "r.html")
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before
    assert any((tmp_path / "away" / "r_plots").glob("*.png")) and "<img" in out.read_text()
    expl = tmp_path / "explain"
    expl.mkdir()
    pd.DataFrame({"class": ["A"], "rank": [1], "gene_id": ["g1"], "symbol": ["TP53"],
                  "n_samples": [3]}).to_csv(expl / "genes_by_class.csv", index=False)
    (expl / "convergence.json").write_text(json.dumps(
        {"run_dir": str(run), "n_samples": 3, "median_relative_delta": 0.01,
         "max_relative_delta": 0.04, "baseline": "train_mean"}))
    write_report(expl)
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before
    assert any((expl / "plots").glob("*.png"))


def test_paths_given_relative_are_recorded_absolute(dirs, tmp_path, monkeypatch):
    """Old behaviour: `genemoe explain --model run --data bundle` from the runs' folder
    recorded "run" and "bundle" as written, so `genemoe report` from any other folder lost
    the run's summary, data, metrics and figures without a word."""
    import json
    import shutil

    from genemoe.explain.api import explain_run

    shutil.copytree(dirs["run"], tmp_path / "run")
    shutil.copytree(dirs["bundle"], tmp_path / "bundle")
    monkeypatch.chdir(tmp_path)
    explain_run("run", data="bundle", out_dir="expl", n_steps=4, max_samples_per_class=2,
                method="ig", progress=False)
    conv = json.loads((tmp_path / "expl" / "convergence.json").read_text())
    assert conv["run_dir"] == str(tmp_path / "run") and conv["bundle"] == str(tmp_path / "bundle")
    here = write_report(tmp_path / "expl", out_path=tmp_path / "here.html").read_text()
    monkeypatch.chdir("/")
    there = write_report(tmp_path / "expl", out_path=tmp_path / "there.html").read_text()
    assert "The explained run is not available" not in there and len(there) == len(here)


def test_a_damaged_results_file_is_named(dirs, tmp_path, caplog):
    """Old behaviour: a run whose metrics.json was cut short (an interrupted copy) ended
    `genemoe report` in json's traceback, naming no file."""
    import shutil

    from genemoe.errors import InputError

    run = tmp_path / "run"
    shutil.copytree(dirs["run"], run)
    text = (run / "metrics.json").read_text()
    (run / "metrics.json").write_text(text[: len(text) // 2])
    with pytest.raises(InputError, match=r"(?s)run/metrics\.json: cut short or damaged.*fix: copy"):
        write_report(run, out_path=tmp_path / "r.html")
    bench = tmp_path / "bench"
    shutil.copytree(dirs["classify"], bench)
    cell = sorted((bench / "cells").glob("*.json"))[0]
    cell.write_text(cell.read_text()[:40])
    caplog.clear()
    write_report(bench, out_path=tmp_path / "b.html")  # the other cells still make a report
    assert any(f"1 cell file(s) cut short or damaged and left out ({cell.name})" in r.message
               for r in caplog.records)  # was: "computed under other options"


def test_an_explanation_of_entrez_genes_is_reported(dirs, tmp_path):
    """Genes named by Entrez ids (numbers): the linked explanation's top-genes table joined
    integers, a TypeError traceback and no report."""
    import json
    import shutil

    run = tmp_path / "run"
    shutil.copytree(dirs["run"], run)
    beside = tmp_path / "explain_ig"
    beside.mkdir()
    pd.DataFrame({"class": ["A", "A"], "rank": [1, 2], "gene_id": [7157, 1956],
                  "symbol": ["7157", None], "n_samples": [3, 3]}).to_csv(
        beside / "genes_by_class.csv", index=False)
    (beside / "convergence.json").write_text(json.dumps(
        {"run_dir": str(run), "n_samples": 3, "median_relative_delta": 0.01,
         "max_relative_delta": 0.04, "baseline": "train_mean", "model_sha256": "0" * 64}))
    assert "7157, 1956" in write_report(run).read_text()  # linked: an earlier model's
    text = write_report(beside).read_text()
    assert "7157, 1956" in text and "nan" not in text.split("by mean attribution")[1][:200]


def test_an_unfinished_run_is_named_with_how_to_finish_it(tmp_path):
    """A run stopped by Ctrl-C (a checkpoint, no model.pt) got the generic "neither a run, a
    benchmark, ..." refusal."""
    from genemoe.errors import InputError

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.pt").write_bytes(b"x")
    with pytest.raises(InputError, match=r"(?s)an unfinished training run.*run the same "
                                         r"`genemoe train` command again"):
        write_report(tmp_path / "run")


def test_pretrain_and_features_folders_are_named(tmp_path):
    """``genemoe report`` of a pretrain folder, an interrupted one, or a features folder got
    the generic "neither a run, a benchmark, ..." refusal, or (interrupted) the fix to rerun
    `genemoe train`."""
    from genemoe.errors import InputError

    pre = tmp_path / "pre"
    pre.mkdir()
    (pre / "checkpoint.pt").write_bytes(b"x")
    (pre / "history.jsonl").write_text('{"epoch": 1, "loss/critic_gap": 0.5}\n')
    with pytest.raises(InputError, match=r"(?s)unfinished pre-training run.*same `genemoe "
                                         r"pretrain` command again"):
        write_report(pre)
    (pre / "checkpoint.pt").unlink()
    (pre / "pretrained.pt").write_bytes(b"x")  # a finished one has its page (test_pretrain_page)
    with pytest.raises(InputError, match=r"(?s)a `genemoe pretrain` folder without summary.json"
                                         r".*same `genemoe pretrain` command again"):
        write_report(pre)
    feats = tmp_path / "feats"
    feats.mkdir()
    (feats / "latent_gene_correlation.npy").write_bytes(b"x")
    (feats / "correlation_heatmap.png").write_bytes(b"x")
    with pytest.raises(InputError, match=r"(?s)an unfinished `genemoe features` folder \(no "
                                         r"summary.json.*same `genemoe features` command again"):
        write_report(feats)
    (feats / "summary.json").write_text("{}")  # written last: a page (test_features_page.py)
    page = write_report(feats).read_text()
    assert "correlation_heatmap.png is cut short or damaged (not embedded)" in page



def test_an_explanation_of_an_earlier_model_does_not_show_the_current_one(dirs, tmp_path):
    """`genemoe report EXPLAIN` of an explanation made before its run was trained again showed
    the run's current model, metrics and figures as the explained model's."""
    import json
    import shutil

    from genemoe.data.bundle import file_sha256

    run = tmp_path / "run"
    shutil.copytree(dirs["run"], run)
    ex = tmp_path / "explain_ig"
    ex.mkdir()
    pd.DataFrame({"class": ["A"], "rank": [1], "gene_id": ["TP53"], "symbol": ["TP53"],
                  "n_samples": [3]}).to_csv(ex / "genes_by_class.csv", index=False)
    conv = {"run_dir": str(run), "n_samples": 3, "median_relative_delta": 0.01,
            "max_relative_delta": 0.04, "baseline": "train_mean", "model_sha256": "0" * 64}
    (ex / "convergence.json").write_text(json.dumps(conv))
    text = write_report(ex).read_text()
    assert "was trained again after this explanation" in text
    conv["model_sha256"] = file_sha256(run / "model.pt")  # the same model: its run is shown
    (ex / "convergence.json").write_text(json.dumps(conv))
    assert "was trained again" not in write_report(ex).read_text()


def test_a_run_started_from_a_pretrained_encoder_says_so_on_the_first_screen():
    """The report of a `train --pretrained` run did not say it was pre-trained (only the raw
    config did), nor how many of its genes the encoder had seen."""
    from genemoe.report.first_screen import run_panel

    cfg = {"model": "genemoe", "preset": "small", "seed": 0,
           "pretrained": {"run": "/runs/pre", "n_genes_shared": 19135, "n_genes_new": 34797,
                          "freeze_encoder_epochs": 2}}
    html = run_panel(task="classify", model="genemoe", metrics={"test": {"n": 10}}, cfg=cfg,
                     summary={}, record={}, bundle_path=None, figures=[])
    assert ("the encoder pre-trained by <code>/runs/pre</code>: 19,135 of the model's 53,932 "
            "genes pre-trained; encoder frozen for 2 epochs") in html
    cfg.pop("pretrained")
    assert "pre-trained" not in run_panel(task="classify", model="genemoe",
                                          metrics={"test": {"n": 10}}, cfg=cfg, summary={},
                                          record={}, bundle_path=None, figures=[])


def test_a_benchmark_report_does_not_call_every_scaler_a_z_score(dirs, tmp_path):
    """The protocol said "z-score scaler" for every model, though an image model scales its
    input centred (hybrid_cnn) or globally (the ImageNet backbones)."""
    text = write_report(dirs["classify"], out_path=tmp_path / "b.html").read_text()
    assert "z-score scaler fitted" not in text
    assert "an image model&#x27;s centred or global scaling" in text or \
           "an image model's centred or global scaling" in text


def test_a_survival_explanation_names_the_genes_lowering_the_risk_too(tmp_path):
    """The report and top_genes.png of a survival explanation showed only the genes raising
    the risk (the terminal named both ends); its linked table was titled by mean |attribution|
    though ranked by the signed mean."""
    import json

    from genemoe.explain.figures import top_genes_figure

    ex = tmp_path / "explain_surv"
    ex.mkdir()
    ranking = pd.DataFrame({"class": "risk", "rank": [1, 2, 3, 4], "gene_id": list("ABCD"),
                            "symbol": ["UP1", "UP2", "DOWN2", "DOWN1"],
                            "mean_attribution": [0.3, 0.1, -0.05, -0.2],
                            "mean_abs_attribution": [0.3, 0.1, 0.05, 0.2], "n_samples": 5})
    ranking.to_csv(ex / "genes_by_class.csv", index=False)
    (ex / "convergence.json").write_text(json.dumps(
        {"task": "survival", "n_samples": 5, "median_relative_delta": 0.01,
         "max_relative_delta": 0.02, "baseline": "train_mean"}))
    text = write_report(ex).read_text()
    assert "raising it most: UP1, UP2; lowering it most: DOWN1, DOWN2" in text
    top_genes_figure(ranking, tmp_path / "t.png", top=2, both_ends=True)  # draws both ends
    assert (tmp_path / "t.png").stat().st_size > 0


def test_a_runs_compare_explanations_are_found(tmp_path):
    """`genemoe report RUN` listed sibling explanation folders but not an `explain --compare`
    folder's method folders (c_mlp/ig, c_mlp/deeplift), though they record the run."""
    import json

    from genemoe.report.linked import find_linked_dirs

    run = tmp_path / "r_mlp"
    run.mkdir()
    cmp = tmp_path / "c_mlp"
    cmp.mkdir()
    (cmp / "methods.csv").write_text("method\nig\n")
    for m, who in (("ig", run), ("deeplift", run), ("ig_other", tmp_path / "r_mlp2")):
        (cmp / m).mkdir()
        (cmp / m / "genes_by_class.csv").write_text("class,rank,gene_id\nA,1,TP53\n")
        (cmp / m / "convergence.json").write_text(json.dumps({"run_dir": str(who)}))
    found = {d.path.name for d in find_linked_dirs(run)}
    assert found == {"ig", "deeplift"}  # the other run's folder is not this run's


def test_a_survival_benchmark_report_keeps_small_p_values_and_per_type_spread(dirs, tmp_path):
    """The "Every fold" table printed a log-rank p of 1.2e-06 as 0 (rounded to 4 decimals),
    and the per-type C-index table dropped the ± sd that summary.md gives."""
    import shutil

    bench = tmp_path / "bench"
    shutil.copytree(dirs["survival"], bench)
    import json

    cell = sorted((bench / "cells").glob("*.json"))[0]  # the report reads the cells
    c = json.loads(cell.read_text())
    c["metrics"]["logrank_p"] = 1.2e-06
    c["metrics"]["logrank_p_within_type"] = 3.4e-07  # the same for the within-type test
    cell.write_text(json.dumps(c))
    text = write_report(bench, out_path=tmp_path / "b.html").read_text()
    every = text.split("Every fold (results.csv)")[1].split("</details>")[0]
    assert "1.2e-6" in every and "3.4e-7" in every  # fmt_p, as the paired table
    # summary.md's survival sections are in the report too (it left out the time-dependent
    # AUC, the per-type deaths row and the model options with their grid ends)
    assert "Time-dependent AUC (cumulative/dynamic) at 1, 3 and 5 years</h3>" in text
    assert "test deaths per fold (mean)" in text and "Model options each model ran with" in text
    per_type = text.split("C-index per cancer type (mean ± sd over folds)</h3>")[1].split("</table>")[0]
    assert " ± " in per_type  # the heading said "mean over folds" above mean ± sd
    # summary.md gave the no-information Brier score, the report did not; neither named the C
    assert "C-index: Harrell&#x27;s" in text and "Nelson–Aalen estimate: no information" in text


def test_the_readmes_layout_links_an_explanation_into_the_run_report(tmp_path):
    """The README explains runs/gm into explain/gm and says `genemoe report runs/gm` shows
    it: the report looked inside the run and beside it only, and found nothing."""
    import json

    from genemoe.report.linked import find_linked_dirs

    run = tmp_path / "runs" / "gm"
    run.mkdir(parents=True)
    for name, who in (("gm", run), ("other", tmp_path / "runs" / "other")):
        d = tmp_path / "explain" / name
        d.mkdir(parents=True)
        (d / "genes_by_class.csv").write_text("class,rank,gene_id\nA,1,TP53\n")
        (d / "convergence.json").write_text(json.dumps({"run_dir": str(who)}))
    found = find_linked_dirs(run)
    assert [(d.path.relative_to(tmp_path).as_posix(), d.checked) for d in found] == [
        ("explain/gm", True)]


def test_a_temperature_that_raised_validation_ece_is_said_so():
    """Old behaviour: "validation ECE 0.188 → 0.223" on 37 samples, without comment."""
    from genemoe.report.first_screen import run_panel

    calib = {"temperature": 1.7, "ece_before": 0.188, "ece_after": 0.223, "n": 37}
    html = run_panel(task="classify", model="logreg", metrics={"test": {"n": 10}},
                     cfg={"calibration": calib}, summary={}, record={}, bundle_path=None,
                     figures=[])
    assert ("validation ECE 0.188 → 0.223: ECE rose: the temperature minimises the log-loss, "
            "not ECE, and the ECE of 37 samples in 15 bins is noisy") in html
    # old behaviour (an outside probe): "ECE 0.178 → 0.178: ECE rose" (0.17818 → 0.17848)
    tie = {**calib, "ece_before": 0.17818, "ece_after": 0.17848}
    assert "validation ECE 0.1782 → 0.1785: ECE rose" in run_panel(
        task="classify", model="logreg", metrics={"test": {"n": 10}}, cfg={"calibration": tie},
        summary={}, record={}, bundle_path=None, figures=[])
    tie.update(ece_before=0.06541, ece_after=0.06543)  # a tie at 4 decimals too: 5
    assert "validation ECE 0.06541 → 0.06543: ECE rose" in run_panel(
        task="classify", model="logreg", metrics={"test": {"n": 10}}, cfg={"calibration": tie},
        summary={}, record={}, bundle_path=None, figures=[])
    calib.update(ece_after=0.1)
    assert "ECE rose" not in run_panel(task="classify", model="logreg",
                                       metrics={"test": {"n": 10}}, cfg={"calibration": calib},
                                       summary={}, record={}, bundle_path=None, figures=[])


def test_a_tuned_benchmark_lists_its_tuning_and_inner_fold_seeds(dirs, tmp_path):
    """Old behaviour: the seeds section listed the fold, model and validation carve seeds of
    a `--tune 3 --tune-cv 2` benchmark, not the tuning sampler's nor the inner folds'."""
    import shutil

    from genemoe.report.html import write_report

    d = tmp_path / "b"
    shutil.copytree(dirs["classify"], d)
    proto = json.loads((d / "protocol.json").read_text())
    (d / "protocol.json").write_text(json.dumps({**proto, "tune": 3, "tune_cv": 2}))
    html = write_report(d).read_text()
    assert "tuning sampler seed</th><td>0 + repeat (each trial its own from it" in html
    assert "inner-fold seed</th><td>0 + repeat" in html
    plain = write_report(dirs["classify"], out_path=tmp_path / "plain.html").read_text()
    assert "tuning sampler seed" not in plain and "inner-fold seed" not in plain


def test_a_bundle_prepared_again_since_a_run_or_tune_is_warned_not_mixed_in(tmp_path, caplog):
    """Old behaviour: a run's report showed the re-prepared bundle's summary (973 samples)
    beside the run's own split and record (990 kept), with no word; a tune's likewise."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset
    from genemoe.workflows.tune import tune_run

    b, files, _ = prepare_synthetic(tmp_path, n_samples=150, n_genes=60, n_types=3, seed=4)
    train_run(b.path, out_dir=tmp_path / "run", model_name="logreg", progress=False)
    tune_run(b.path, out_dir=tmp_path / "tune", model_name="logreg", n_trials=1, progress=False)
    with caplog.at_level("WARNING", logger="genemoe"):
        same = write_report(tmp_path / "run").read_text()
        write_report(tmp_path / "tune")
    assert "prepared again" not in caplog.text and "was prepared again" not in same
    n = json.loads((b.path / "summary.json").read_text())["n_samples"]
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0)
    fewer = tmp_path / "fewer.tsv"
    counts.iloc[:, :-10].to_csv(fewer, sep="\t")  # ten samples fewer, prepared again in place
    prepare_dataset([fewer], out_path=b.path, label_paths=[files["labels"]],
                    annotation_path=files["annotation"], config=PrepareConfig(synthetic=True))
    assert json.loads((b.path / "summary.json").read_text())["n_samples"] != n
    for d in ("run", "tune"):
        caplog.clear()
        with caplog.at_level("WARNING", logger="genemoe"):
            page = write_report(tmp_path / d).read_text()
        assert f"{b.path} was prepared again since this was made" in caplog.text, d
        assert "was prepared again since" in page, d


def test_a_run_or_tune_folder_missing_a_file_is_named_so(dirs, tmp_path, caplog):
    """Old behaviour: a run folder without predictions.tsv was "neither a run, a benchmark, an
    explanation nor a tuning directory"; one without config.yaml, model.pt or history.jsonl
    was reported with those parts left out and no word."""
    import shutil

    from genemoe.errors import InputError

    d = tmp_path / "r"
    shutil.copytree(dirs["run"], d)
    (d / "predictions.tsv").unlink()
    with pytest.raises(InputError) as info:
        report_kind(d)
    assert "a `genemoe train` run folder without predictions.tsv (it holds metrics.json" in str(info.value)
    assert "restore predictions.tsv, or run the same `genemoe train` again" in info.value.fix
    shutil.copytree(dirs["run"], d, dirs_exist_ok=True)
    for name in ("config.yaml", "history.jsonl"):
        (d / name).unlink()
    with caplog.at_level("WARNING", logger="genemoe"):
        write_report(d)
    assert f"{d} has no config.yaml: the report reads the model, preset, seed and epochs " \
           "from model.pt's copy of it" in caplog.text  # it left them out
    assert f"{d} has no history.jsonl: the report leaves out the training curves" in caplog.text
    t = tmp_path / "t"
    t.mkdir()
    (t / "best.yaml").write_text("model: {}\n")
    with pytest.raises(InputError, match="a `genemoe tune` folder without summary.json or trials.csv"):
        report_kind(t)


def test_a_survival_tunes_headline_says_what_its_partial_likelihood_is():
    """Old behaviour: "best validation partial_likelihood -1.772" without the terminal's
    "(per event, after the validation risk scale)", and "1 trials asked"."""
    from genemoe.report.first_screen import tune_panel

    page = tune_panel(summary={"metric": "partial_likelihood", "best_value": -1.772,
                               "n_trials_asked": 1, "model": "coxph", "task": "survival"},
                      tuned_on={}, bundle_summary={}, record={}, bundle_path=None, figures=[])
    assert ("per event, after the validation risk scale (a run&#x27;s config.yaml "
            "calibration.val_pll_per_event_after)") in page
    assert "1 trial asked" in page
    # a --cv tune's mean over inner folds is not what a run keeps (the page said it was)
    cv = tune_panel(summary={"metric": "partial_likelihood", "best_value": -5.152,
                             "n_trials_asked": 2, "model": "coxnet", "task": "survival",
                             "inner_folds": 2},
                    tuned_on={}, bundle_summary={}, record={}, bundle_path=None, figures=[])
    assert "on each inner fold&#x27;s validation part: not comparable with" in cv
    assert "after the validation risk scale" not in cv


def test_an_ensemble_or_classical_run_is_reported_without_a_missing_history(dirs, tmp_path,
                                                                             caplog):
    """An ensemble keeps its members' histories (member<i>/history.jsonl): its report left the
    curves out, and warned of a missing history.jsonl; a classical model keeps none."""
    train_run(dirs["bundle"], out_dir=tmp_path / "e", model_name="fcn", epochs=2, ensemble=2,
              progress=False)
    train_run(dirs["bundle"], out_dir=tmp_path / "lr", model_name="logreg", progress=False)
    with caplog.at_level("WARNING", logger="genemoe"):
        page = write_report(tmp_path / "e").read_text()
        write_report(tmp_path / "lr")
    assert "history.jsonl" not in caplog.text
    assert "every loss component per epoch (one line per member of 2)" in page


def test_the_reports_paired_table_rounds_holm_p_as_the_other_p_values():
    """Old behaviour: the paired table showed corrected_p 0.83 beside holm_p 0.8328 in one
    row (holm_p was left unformatted) and said nothing of what holm_p is."""
    from genemoe.report.html import _benchmark_metrics  # noqa: PLC2701 (the section under test)

    results = pd.DataFrame({"model": ["a", "a", "b", "b"], "repeat": 0, "fold": [0, 1, 0, 1],
                            "macro_f1": [0.5, 0.6, 0.55, 0.62], "accuracy": [0.5, 0.6, 0.55, 0.62]})
    comp = pd.DataFrame({"model": ["a"], "mean_difference": [-0.035], "p_value": [0.5],
                         "corrected_p": [0.83281], "holm_p": [0.83281]})
    section = _benchmark_metrics(results, "classify", ("b", comp))
    assert "0.8328" not in section and section.count("0.83") >= 2
    assert "holm_p: corrected_p Holm-adjusted" in section
    # a verification probe: -0.3543 here beside -0.354 on the terminal and in summary.md
    comp["mean_difference"] = [-0.35432]
    section = _benchmark_metrics(results, "classify", ("b", comp))
    assert "-0.354<" in section and "-0.3543" not in section


def test_a_bundle_given_to_report_is_named_with_its_files(dirs):
    """Old behaviour: `genemoe report BUNDLE` said "neither a run, a benchmark, an
    explanation nor a tuning directory"."""
    from genemoe.errors import InputError
    from genemoe.report.html import report_kind

    with pytest.raises(InputError, match=r"(?s)a dataset bundle \(genemoe prepare\).*fix: read "
                                         r".*summary\.json.*genemoe report RUN"):
        report_kind(dirs["bundle"])


def test_a_runs_first_screen_says_when_its_brier_score_is_above_no_information():
    """Old behaviour (a probe): "integrated Brier 0.252 lower is better; one survival curve
    for all (no information): 0.247", the model worse than the reference, unsaid."""
    from genemoe.report.first_screen import _run_headline  # noqa: PLC2701 (the part under test)

    m = {"c_index": 0.6, "logrank_p": 0.2, "integrated_brier_score": 0.252,
         "ibs_null_reference": 0.247}
    assert "this model is above it, worse than no model" in "".join(_run_headline("survival", m))
    m["integrated_brier_score"] = 0.2
    assert "worse than no model" not in "".join(_run_headline("survival", m))


def test_the_risk_scale_names_the_validation_events_it_rests_on():
    """Old behaviour (an outside probe): "risks scaled by 0.61 (the Cox calibration slope on
    the validation split ...)" with no word of its 3 events, and nothing when too few events
    left the risks unscaled."""
    from genemoe.report.first_screen import run_panel

    def panel(calib: dict) -> str:
        return " ".join(run_panel(task="survival", model="coxnet", metrics={"test": {"n": 10}},
                                  cfg={"calibration": calib}, summary={}, record={},
                                  bundle_path=None, figures=[]).split())

    assert ("risks scaled by 0.610 (the Cox calibration slope on the validation split's 3 events; "
            "the order of patients unchanged)") in panel(
        {"risk_scale": 0.61, "fitted": True, "n_events": 3})
    assert ("risks not scaled (the validation split's 1 event: too few to fit the Cox "
            "calibration slope)") in panel({"risk_scale": 1.0, "fitted": False, "n_events": 1})


def test_an_interrupted_benchmarks_page_says_unfinished_on_its_first_screen(dirs, tmp_path):
    """Old behaviour (an outside probe): a rerun stopped part-way read as complete: title,
    panel and verdict as a finished one's, with one model on more folds than the others;
    "cells finished" only deep in the Protocol table."""
    import shutil

    d = tmp_path / "bench"
    shutil.copytree(dirs["classify"], d)
    next(iter(sorted((d / "cells").glob("logreg__*.json")))).unlink()
    page = write_report(d).read_text()
    head = page.split('id="contents"')[0]
    assert "<title>genemoe benchmark — classify (UNFINISHED)</title>" in head
    text = " ".join(re.sub(r"<[^>]+>", " ", _summary_panel(page)).split())
    assert "unfinished : cells finished 3 of 4" in text
    assert "the models are compared on unequal folds" in text
    assert "No verdict yet" in text


def test_linked_folders_point_to_their_own_pages(dirs, tmp_path):
    """A run's page linked the explain/features folders beside it, not their own pages:
    now to report.html where written, else the command that writes it."""
    run = tmp_path / "runs" / "gm"
    shutil.copytree(dirs["run"], run)
    for name in ("features", "features_b"):
        d = tmp_path / "runs" / name
        d.mkdir()
        (d / "leading_features.tsv").write_text("rank\tfeature\n1\t0\n")
        (d / "summary.json").write_text(json.dumps({"run": {"path": str(run)}}))
    (tmp_path / "runs" / "features" / "report.html").write_text("<html></html>")
    text = write_report(run).read_text()
    assert 'its page: <a href="../features/report.html">report.html</a>' in text
    assert "its page: <code>genemoe report " in text and "features_b</code> writes it" in text


def test_an_encoder_never_unfrozen_is_said_on_the_first_screen():
    """probeZ: --freeze-encoder-epochs 5 over a 2-epoch run read "frozen for 2 epochs" on the
    page, as if it was unfrozen after; the record keeps encoder_unfrozen False."""
    from genemoe.report.first_screen import run_panel

    cfg = {"model": "genemoe", "preset": "small", "seed": 0,
           "pretrained": {"run": "/runs/pre", "n_genes_shared": 10, "n_genes_new": 0,
                          "freeze_encoder_epochs": 2, "freeze_encoder_epochs_asked": 5,
                          "encoder_unfrozen": False}}
    html = run_panel(task="classify", model="genemoe", metrics={"test": {"n": 10}}, cfg=cfg,
                     summary={}, record={}, bundle_path=None, figures=[])
    assert "encoder frozen for 2 epochs (never unfrozen: all the run's epochs; 5 asked)" in html
