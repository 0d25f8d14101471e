"""The preset's values chosen on data, as a benchmark tells them: only those its models used.

An outside review: summary.md and the report listed every ``tuned_on:`` entry of the preset
(survival recipes, pre-training weights, the mlp's widths) for a classification benchmark
of models that read none of them, and said ``--epochs`` replaced "every neural model's"
epochs in a run without one.
"""

from __future__ import annotations

import html
import json

import pytest

import genemoe.workflows.benchmark as bm
from genemoe.report.html import write_report


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _protocol(out):
    return json.loads((out / "protocol.json").read_text())


def test_a_classical_only_benchmark_lists_no_preset_value_as_used(bundle, tmp_path):
    out = tmp_path / "logreg"
    bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, epochs=2,
                     out_dir=out)
    tuned_on = _protocol(out)["preset_tuned_on"]
    assert tuned_on and all(v["used_by"] == [] for v in tuned_on.values())  # all kept, marked
    md = (out / "summary.md").read_text()
    section = md.split("## Preset values chosen on data (`small`)")[1]
    assert "| value of |" not in section  # no table of values the run did not use
    assert "None of them describes an option this benchmark's models ran with." in section
    assert "Not used by this run" in section and "`train_survival`" in section
    assert "every neural model of this benchmark" not in md  # there is none
    page = html.unescape(write_report(out).read_text())
    row = page.split("preset values chosen on data (small)")[1].split("</tr>")[0]
    assert "none used by this run's models" in row and "not used by this run: " in row
    assert "lr 1e-4, epochs 40" not in row  # the survival recipe's value is not shown as used


def test_a_neural_classifier_lists_its_own_values_and_names_the_rest(bundle, tmp_path):
    out = tmp_path / "mlp"
    bm.run_benchmark(bundle.path, task="classify", models=["logreg", "mlp"], n_folds=2,
                     epochs=2, out_dir=out)
    tuned_on = _protocol(out)["preset_tuned_on"]
    assert tuned_on["model.dropout"]["used_by"] == ["mlp"]
    assert tuned_on["train_classify, model.widths"]["used_by"] == ["mlp"]
    assert tuned_on["train.patience"]["used_by"] == ["mlp"]
    # the other task's recipe, pre-training's weights, and the epochs --epochs replaced
    for key in ("train_survival", "pretrain.lr, pretrain.lambda_adv, pretrain.lambda_kl",
                "train.epochs"):
        assert tuned_on[key]["used_by"] == [], key
    section = (out / "summary.md").read_text().split("## Preset values chosen on data")[1]
    table = section.split("\n\n")[1]
    assert "| used by |" in table.splitlines()[0] and "| model.dropout |" in table
    assert "train_survival" not in table and "pretrain.lr" not in table
    assert "| train.epochs |" not in table
    rest = next(line for line in section.splitlines() if line.startswith("Not used by this run"))
    assert "replaced by `--epochs 2`" in rest and "`train.epochs`" in rest
    assert "`train_survival`" in rest
    page = html.unescape(write_report(out).read_text())
    row = page.split("preset values chosen on data (small)")[1].split("</tr>")[0]
    assert "model.dropout 0.5" in row and "not used by this run: " in row
    assert row.index("not used by this run") < row.index("train_survival")
    # a synthetic bundle holds none of pancan33's samples: told as summary.md tells it (the
    # page said they "sit in a benchmark's test folds", if "this benchmark runs on that data")
    assert "not this data (0 of its samples are in these folds" in row
    assert "sit in a benchmark's test folds" not in row and "runs on that data" not in row


def test_the_per_fold_pre_training_uses_the_presets_pre_training_values():
    """An ablation's per-fold pre-training read the preset's ``pretrain:`` (its lr and loss
    weights were chosen on data): those entries are used there, not by the models alone."""
    from genemoe.workflows.ablation_pretrain import pretrain_recipe
    from genemoe.workflows.benchmark_preset import preset_tuned_on

    recipe = pretrain_recipe("genemoe", preset="small", seed=0, device="cpu", epochs=None,
                             progress=False)
    opts = {"preset": "small", "task": "classify",
            "pretrained": {"per_fold": recipe, "runs": {}}}
    tuned_on = preset_tuned_on(opts, {"genemoe": {}})
    key = "pretrain.lr, pretrain.lambda_adv, pretrain.lambda_kl"
    assert tuned_on[key]["used_by"] == ["per-fold pre-training"]
    assert preset_tuned_on({**opts, "pretrained": "a/run"}, {"genemoe": {}})[key]["used_by"] == []
