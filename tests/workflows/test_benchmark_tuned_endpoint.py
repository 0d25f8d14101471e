"""A best.yaml tuned on one survival endpoint (OS), given to ``benchmark --preset`` on a bundle
of another (PFI), is said once (terminal, protocol.json, summary.md), as ``train`` says it;
the benchmark still runs. It was said by ``train`` only."""

from __future__ import annotations

import json

import yaml

from genemoe.workflows.benchmark import run_benchmark

WORDS = "the options were tuned on the OS endpoint, this bundle's survival is PFI"


def _benchmark(bundle, best, out, caplog, models=("coxnet",)):
    with caplog.at_level("WARNING"):
        run_benchmark(bundle.path, task="survival", models=list(models), n_folds=2,
                      preset=str(best), out_dir=out, n_boot=5)
    return json.loads((out / "protocol.json").read_text())


def test_an_os_tuned_preset_benchmarked_on_a_pfi_bundle_is_said(os_and_pfi, tmp_path, caplog):
    _, pfi, best = os_and_pfi
    protocol = _benchmark(pfi, best, tmp_path / "b", caplog)
    said = [r.getMessage() for r in caplog.records if WORDS in r.getMessage()]
    assert len(said) == 1, caplog.text  # was nothing: OS-tuned options benchmarked on PFI unsaid
    assert protocol["endpoint"] == "PFI" and protocol["tuned_endpoint_mismatch"] == said[0]
    (entry,) = protocol["preset_tuned_on"].values()
    assert entry["endpoint"] == "OS" and entry["endpoint_mismatch"] == said[0]
    assert entry["used_by"] == ["coxnet"]
    section = (tmp_path / "b" / "summary.md").read_text().split(
        "## Preset values chosen on data")[1].split("\n## ")[0]
    assert "**Tuned on another endpoint**: The options were tuned on the OS endpoint" in section
    # the tune searched coxnet's input scaling too (its space holds it, as the neural ones')
    assert "(`model.l1_ratio, model.input_scaling`, used by coxnet)." in section
    assert "| model.l1_ratio, model.input_scaling |" in section  # the table is still there
    from genemoe.report.html import write_report

    page = write_report(tmp_path / "b").read_text()  # the page people share said nothing
    assert "tuned on another endpoint" in page and "tuned on the OS endpoint" in page


def test_train_and_benchmark_say_it_in_one_function():
    """One public check (train's was private to it)."""
    from genemoe.config_presets import endpoint_mismatch

    assert endpoint_mismatch({"endpoint": "OS"}, "PFI").startswith(WORDS)
    assert endpoint_mismatch({"endpoint": "OS"}, "OS") is None
    assert endpoint_mismatch({}, "PFI") is None and endpoint_mismatch({"endpoint": "OS"}, None) is None


def test_the_same_endpoint_or_an_unused_entry_says_nothing(os_and_pfi, tmp_path, caplog):
    os_bundle, pfi, best = os_and_pfi
    protocol = _benchmark(os_bundle, best, tmp_path / "same", caplog)
    assert "endpoint, this bundle's survival" not in caplog.text
    assert "tuned_endpoint_mismatch" not in protocol
    assert "Tuned on another endpoint" not in (tmp_path / "same" / "summary.md").read_text()
    caplog.clear()  # coxph reads none of coxnet's tuned values: recorded on the entry only
    preset = tmp_path / "preset.yaml"
    preset.write_text(yaml.safe_dump({
        "extends": "small", "model": {"coxnet": {"l1_ratio": 0.5}},
        "tuned_on": {"model.l1_ratio": {"value": "l1_ratio 0.5", "data": "elsewhere",
                                        "part": "validation split", "endpoint": "OS"}}}))
    protocol = _benchmark(pfi, preset, tmp_path / "unused", caplog, models=("coxph",))
    assert "endpoint, this bundle's survival" not in caplog.text
    assert "tuned_endpoint_mismatch" not in protocol
    entry = protocol["preset_tuned_on"]["model.l1_ratio"]
    assert entry["used_by"] == [] and entry["endpoint_mismatch"].startswith(WORDS)


def test_an_ablation_says_it_once_for_its_benchmarks(os_and_pfi, tmp_path, caplog):
    """``genemoe ablation`` runs a benchmark per part: each records it, the terminal says it
    once. (A best.yaml is refused there, tuned for one model; a preset of a tuned endpoint
    is not.)"""
    from genemoe.workflows.ablation import run_ablation
    from tiny_configs import TINY_ABLATION_PRESET

    _, pfi, _ = os_and_pfi
    preset = tmp_path / "preset.yaml"
    preset.write_text(yaml.safe_dump({
        **TINY_ABLATION_PRESET, "train_survival": {"patience": 3},
        "tuned_on": {"train_survival": {"value": "patience 3", "data": "elsewhere",
                                        "part": "validation split", "endpoint": "OS"}}}))
    with caplog.at_level("WARNING"):
        run_ablation(pfi.path, task="survival", out_dir=tmp_path / "abl", preset=str(preset),
                     n_folds=2, n_repeats=1, epochs=1, device="cpu", n_boot=5,
                     pretrain_per_fold=True, pretrain_epochs=1)
    said = [r.getMessage() for r in caplog.records if WORDS in r.getMessage()]
    assert len(said) == 1, caplog.text  # was nothing
    for part in ("models", "pretrained", "pretrained_vaecox"):
        protocol = json.loads((tmp_path / "abl" / part / "protocol.json").read_text())
        assert protocol["tuned_endpoint_mismatch"] == said[0], part
        assert "**Tuned on another endpoint**" in (tmp_path / "abl" / part / "summary.md").read_text()
    tables = (tmp_path / "abl" / "tables.md").read_text()  # beside the tables too (was not)
    assert "Tuned on another endpoint: The options were tuned on the OS endpoint" in tables
