"""An outside reader's probe of the benchmark and ablation reports (probe hE).

Each test names the old behaviour it pins down; all use small seeded synthetic tables or
folders, no model is trained.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel

SURVIVAL = {"task": "survival", "models": ["genemoe", "coxnet", "coxph"], "n_folds": 5,
            "n_repeats": 1}


def _text(html: str) -> str:
    """The HTML's text: tags out (a cell boundary a space), spaces collapsed."""
    text = re.sub(r"</?(td|th|tr|table|p|section|div|h2|h3|ul|li)[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def _survival_results(nan_fold: int | None = 2) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for model, base in (("genemoe", 0.62), ("coxnet", 0.60), ("coxph", 0.55)):
        for fold in range(5):
            c = base + rng.normal(0, 0.03)
            if model == "coxnet" and fold == nan_fold:
                c = float("nan")  # a test part whose C-index could not be computed
            rows.append({"model": model, "repeat": 0, "fold": fold, "c_index": c,
                         "uno_c_index": c, "n_train": 400, "n_val": 50, "n_test": 100})
    return pd.DataFrame(rows)


def test_a_mean_over_fewer_folds_than_run_says_k_of_n_on_the_first_screen():
    """Old behaviour: the first screen showed coxnet's "0.597 ± 0.009" (the mean of 4 of its
    5 folds, one C-index NaN) with no mark, beside the terminal's "(4/5)" and summary.md's
    "(4/5 folds)"; the benchmark was finished, so no folds column said it either."""
    results = _survival_results()
    text = _text(benchmark_panel(protocol=SURVIVAL, results=results, summary={}, record={},
                                 figures=[], comparison=paired_comparisons(results, "survival")))
    row = re.search(r"coxnet (\S+ ± \S+(?: \(\d/\d\))?)", text)
    assert row is not None and row.group(1).endswith("(4/5)")
    assert "(k/n): the mean ± sd of the k folds with a value, of n run" in text
    genemoe = re.search(r"genemoe (\S+ ± \S+ \S+)", text)
    assert genemoe is not None and "/5)" not in genemoe.group(1)  # every fold: no mark


def test_every_fold_scored_carries_no_k_of_n_note():
    results = _survival_results(nan_fold=None)
    text = _text(benchmark_panel(protocol=SURVIVAL, results=results, summary={}, record={},
                                 figures=[], comparison=paired_comparisons(results, "survival")))
    assert "(k/n)" not in text and "/5)" not in text


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    """A finished 2-fold benchmark of logreg and a 2-epoch mlp on a tiny synthetic bundle."""
    from genemoe.workflows.benchmark import run_benchmark
    from synthetic_inputs import prepare_synthetic

    d = tmp_path_factory.mktemp("probe_hE")
    bundle = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=2)[0]
    run_benchmark(bundle.path, task="classify", models=["logreg", "mlp"], n_folds=2, epochs=2,
                  out_dir=d / "bench", progress=False, plots=False)
    return d / "bench"


def test_a_damaged_cell_file_is_named_on_the_page_and_warned_once(bench, tmp_path, caplog):
    """Old behaviour: a cut-short cell file was warned of twice on the terminal (the cells
    were read for the tables, then again for the figures) and the page only said "cells
    finished 1 of 2 ... run the same genemoe benchmark command again", naming no file."""
    from genemoe.report.html import write_report

    copy = tmp_path / "bench"
    shutil.copytree(bench, copy)
    (copy / "report.html").unlink(missing_ok=True)
    cell = copy / "cells" / "logreg__r0_f1.json"
    cell.write_text(cell.read_text()[:60])
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        out = write_report(copy, out_path=tmp_path / "page.html")
    warned = [r for r in caplog.records if "cut short or damaged" in r.getMessage()]
    assert len(warned) == 1
    text = _text(out.read_text())
    said = "1 cell file in cells/ not read (cut short, damaged or written under other options"
    status = re.search(r"status (.*?) model ", text)
    assert status is not None and said in status.group(1) and cell.name in status.group(1)
    assert re.search(r"cells finished 3 of 4; " + re.escape(said), text)


def test_a_complete_benchmark_names_no_unread_cell(bench, tmp_path):
    from genemoe.report.html import write_report

    text = _text(write_report(bench, out_path=tmp_path / "page.html").read_text())
    assert "not read" not in text and "cells finished 4 of 4" in text


def _ablation_folder(d: Path) -> Path:
    """A finished classify ablation folder (tables.md as the ablation writes it, results.csv,
    models/protocol.json) whose models stopped at their --epochs 3 cap in some folds."""
    from genemoe.workflows.ablation_tables import ablation_tables

    rows = [{"model": m, "repeat": 0, "fold": f, "accuracy": 0.6 + 0.01 * f,
             "macro_precision": 0.5, "macro_recall": 0.5, "macro_f1": 0.5 + 0.02 * f + 0.01 * i,
             "at_epoch_cap": m != "genemoe" or f == 0, "n_train": 100, "n_val": 20,
             "n_test": 60}
            for i, m in enumerate(("fcn", "moe", "genemoe")) for f in range(2)]
    results = pd.DataFrame(rows)
    results.to_csv(d / "results.csv", index=False)
    (d / "tables.md").write_text(ablation_tables(results, "classify", n_folds=2, n_repeats=1,
                                                 seed=0, preset="small", pretrained=None,
                                                 synthetic=True, epochs=3))
    (d / "models").mkdir()
    (d / "models" / "protocol.json").write_text(json.dumps(
        {"task": "classify", "models": ["fcn", "moe", "genemoe"], "n_folds": 2, "n_repeats": 1,
         "seed": 0, "preset": "small", "epochs": 3, "val_fraction": 0.15}))
    return d


def test_the_ablation_first_screen_says_the_epoch_cap_and_the_models_that_hit_it(tmp_path):
    """Old behaviour: the terminal said "kept the last epoch (may be undertrained)" and
    tables.md "training capped at 3 epochs (--epochs)", but the page's first screen showed
    the table with "preset small" alone: a 3-epoch ablation read as the preset's training."""
    from genemoe.report.html import write_report

    page = write_report(_ablation_folder(tmp_path)).read_text()
    panel = _text(page[page.index('id="summary"'):page.index("</section>")])
    assert "preset small, every fit capped at 3 epochs (--epochs)" in panel
    assert "Models that kept the last epoch allowed: " in panel
    assert "may be undertrained" in panel



def test_a_best_peer_named_without_gene_moe_says_whether_its_lead_is_established():
    """Old behaviour: a benchmark of logreg and mlp only said "Best peer on mean macro-F1:
    logreg" (with a Wilcoxon note), a winner named on a mean 0.001 above mlp's, where the
    terminal and summary.md showed the corrected t-test's p of 0.95 beside mlp."""
    rng = np.random.default_rng(1)
    base = 0.78 + rng.normal(0, 0.02, 6)
    results = pd.DataFrame([{"model": m, "repeat": i // 3, "fold": i % 3, "accuracy": 0.8,
                             "macro_f1": base[i] + (d if m == "mlp" else 0.0),
                             "n_train": 60, "n_val": 10, "n_test": 30}
                            for m in ("logreg", "mlp")
                            for i, d in enumerate((0.01, -0.02, 0.015, -0.01, 0.004, -0.004))])
    protocol = {"task": "classify", "models": ["logreg", "mlp"], "n_folds": 3, "n_repeats": 2}
    comparison = paired_comparisons(results, "classify")
    text = _text(benchmark_panel(protocol=protocol, results=results, summary={}, record={},
                                 figures=[], comparison=comparison))
    p = comparison[1].set_index("model").loc["mlp", "corrected_p"]
    assert p > 0.5
    assert "Best peer on mean macro-F1: logreg; the runner-up mlp: -0.001 macro-F1" in text
    assert "better on 3 of 6 paired folds" in text
    assert re.search(r"corrected resampled t-test: p = 0\.\d+, no difference established over "
                     r"these 6 folds, which is not evidence that the two are equal", text)


def test_the_fold_box_plots_name_their_metric_and_unequal_folds(bench, tmp_path):
    """Old behaviour: the box plots were captioned "macro_f1 of every model across folds (one
    point per fold)" (a column name, the boxes unexplained) and, with a fold missing, said
    nothing of the models' boxes holding different numbers of folds."""
    from genemoe.report.plots import benchmark_figures

    copy = tmp_path / "bench"
    shutil.copytree(bench, copy)
    (copy / "cells" / "mlp__r0_f1.json").unlink()
    captions = {Path(f.path).name: f.caption for f in benchmark_figures(copy)}
    assert captions["box_macro_f1.png"] == ("macro-F1 of every model's test folds (box: "
                                            "quartiles; points: folds; folds per model: "
                                            "logreg 2, mlp 1); each fold's macro-F1 over 3 "
                                            "of 3 types in every fold")
    full = {Path(f.path).name: f.caption for f in benchmark_figures(bench, plot_dir=tmp_path)}
    assert "folds per model" not in full["box_accuracy.png"]
    assert full["box_accuracy.png"].startswith("accuracy of every model's test folds")


def test_a_benchmark_page_lists_the_bundles_warnings(bench, tmp_path):
    """Old behaviour: the benchmark page's Data section read the warnings from the stored
    record (protocol.json's bundle_record), which keeps none: pancan33's "371 negative
    values (minimum -0.603) clipped to 0 before log2(x + 1)" was in summary.json, not on
    the page."""
    from genemoe.report.html import write_report

    copy = tmp_path / "bench"
    shutil.copytree(bench, copy)
    protocol = json.loads((copy / "protocol.json").read_text())
    said = "expression.tsv.gz: 371 negative values (minimum -0.603) clipped to 0"
    protocol["bundle_summary"]["warnings"] = [said]
    assert "warnings" not in protocol["bundle_record"]
    (copy / "protocol.json").write_text(json.dumps(protocol))
    text = _text(write_report(copy, out_path=tmp_path / "page.html").read_text())
    assert f"Warnings when the bundle was prepared {said}" in text
