"""Errors that pointed the user the wrong way (an outside tester's probe): each now names
what is there and where to go."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError


def test_a_missing_pretrained_folder_is_said_to_be_missing(tmp_path):
    """Old behaviour: ``ablation --pretrained nosuchdir`` → "the pre-trained run has no
    samples.tsv"."""
    from genemoe.workflows.ablation import check_pretrained_run

    with pytest.raises(InputError, match=r"nosuchdir: no such folder") as info:
        check_pretrained_run(None, [], tmp_path / "nosuchdir", preset="small")
    assert "samples.tsv" not in str(info.value)


def test_features_on_an_ensemble_says_it_is_an_ensemble_of_genemoe(tmp_path, monkeypatch):
    """Old behaviour: "a 'ensemble' run: it has no latent encoder", fix "analyse a genemoe,
    moe or vaecox run", of an ensemble *of* genemoe (whose members are not runs)."""
    import genemoe.train.model_file as model_file
    from genemoe.workflows.features import load_run_model

    (tmp_path / "model.pt").write_bytes(b"")
    monkeypatch.setattr(model_file, "load_model_file", lambda d: {
        "kind": "torch", "model_name": "ensemble",
        "model_config": {"member": "genemoe", "member_config": {}, "k": 2}})
    with pytest.raises(InputError) as info:
        load_run_model(tmp_path)
    text = str(info.value)
    assert "an ensemble of 2 'genemoe' models" in text and "a 'ensemble'" not in text
    assert "fix: analyse a run trained without --ensemble: genemoe train --model genemoe" in text


def test_an_ablations_pretrain_folder_points_to_its_runs(tmp_path):
    """Old behaviour: "neither a run, a benchmark, an explanation nor a tuning directory" for
    an ablation's pretrain/ folder (a pretrain run per fold and summary.csv)."""
    from genemoe.report.html import report_kind

    for run in ("r0_f0", "r0_f1"):
        (tmp_path / run).mkdir()
        (tmp_path / run / "pretrained.pt").write_bytes(b"")
    (tmp_path / "summary.csv").write_text("model,repeat,fold\n")
    (tmp_path / "options.json").write_text("{}")
    with pytest.raises(InputError) as info:
        report_kind(tmp_path)
    text = str(info.value)
    assert "2 `genemoe pretrain` runs (an ablation's pre-training" in text
    assert f"fix: report one run: genemoe report {tmp_path / 'r0_f0'} (runs: r0_f0, r0_f1)" in text
    assert str(tmp_path / "summary.csv") in text


def test_an_unknown_model_option_in_a_config_names_the_file(tmp_path):
    """Old behaviour: "model.genemoe: model 'genemoe' has no option n_expert (did you mean
    n_experts?)", the YAML file named nowhere (train and tune alike)."""
    from genemoe.train.fit import resolve_config

    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: small\nmodel:\n  genemoe:\n    n_expert: 4\n")
    with pytest.raises(InputError) as info:
        resolve_config("small", bad, "genemoe", seed=0, device="cpu", epochs=None, task="classify")
    text = str(info.value)
    assert text.startswith(f"{bad}: model.genemoe: model 'genemoe' has no option n_expert"), text
    assert "did you mean n_experts?" in text


def test_an_unfinished_ablation_is_said_to_be_one(tmp_path):
    """Old behaviour (a probe): ``report`` on an interrupted ablation (models/ and pretrain/
    parts, no tables.md) gave the generic "neither a run, a benchmark, ..."."""
    from genemoe.report.html import report_kind

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "protocol.json").write_text("{}")
    (tmp_path / "pretrain").mkdir()
    with pytest.raises(InputError) as info:
        report_kind(tmp_path)
    text = str(info.value)
    assert "an unfinished `genemoe ablation` folder (no tables.md yet)" in text
    assert "fix: run the same `genemoe ablation` command again" in text
