"""A preset value the user's own preset replaced is not "used by" the model that ran without it.

A probe: a preset ``extends: small`` setting ``train.patience: 5`` and fcn's dropout 0.2 had
summary.md's "Preset values chosen on data" list ``train.patience | 20 | ... | fcn`` and
``model.dropout | 0.5 ... | fcn`` (and protocol.json ``used_by: ["fcn"]``) while fcn ran
with patience 5 and dropout 0.2: the entries were told against the preset merged with the
user's file, whose values are the user's.
"""

from __future__ import annotations

import json

import pytest

import genemoe.workflows.benchmark as bm


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def test_preset_layers_merge_to_the_loaded_preset(tmp_path):
    from genemoe.config_presets import load_preset, preset_layers

    (tmp_path / "pre2.yaml").write_text("extends: small\ntrain: {patience: 5}\n")
    layers = preset_layers(tmp_path / "pre2.yaml")
    assert [name for name, _ in layers] == ["preset small", "pre2.yaml"]
    assert layers[1][1] == {"train": {"patience": 5}}
    assert preset_layers("small")[0][1] == load_preset("small")


def test_values_the_users_preset_replaced_are_not_used_by_the_model(bundle, tmp_path):
    pre = tmp_path / "pre2.yaml"
    pre.write_text("extends: small\ntrain: {patience: 5}\nmodel: {fcn: {dropout: 0.2}}\n")
    out = tmp_path / "bench"
    bm.run_benchmark(bundle.path, task="classify", models=["fcn", "mlp"], n_folds=2,
                     epochs=1, preset=str(pre), out_dir=out)
    tuned_on = json.loads((out / "protocol.json").read_text())["preset_tuned_on"]
    assert tuned_on["train.patience"]["used_by"] == []  # both ran with patience 5
    assert tuned_on["model.dropout"]["used_by"] == ["mlp"]  # fcn ran with 0.2
    md = (out / "summary.md").read_text()
    section = md.split("## Preset values chosen on data")[1]
    assert "| train.patience |" not in section
    row = next(line for line in section.splitlines() if line.startswith("| model.dropout |"))
    assert row.split("|")[-2].strip() == "mlp"  # the "used by" cell
    rest = next(line for line in section.splitlines() if line.startswith("Not used by this run"))
    assert f"replaced by `{pre}`'s own values or `--epochs 1`" in rest
    assert "`train.patience`" in rest
