"""Presets: per-task overrides of the train: section."""

from __future__ import annotations

import re

import pytest

from genemoe.config_presets import load_preset, train_config
from genemoe.train.fit import resolve_config as _resolve_config


def test_train_survival_overrides_train_key_by_key() -> None:
    cfg = {"train": {"lr": 1e-3, "batch_size": 64, "patience": 20},
           "train_survival": {"lr": 1e-4, "patience": 8}}
    assert train_config(cfg) == {"lr": 1e-3, "batch_size": 64, "patience": 20}
    assert train_config(cfg, "classify") == train_config(cfg)  # no train_classify: section
    assert train_config(cfg, "survival") == {"lr": 1e-4, "batch_size": 64, "patience": 8}


def test_small_preset_trains_survival_with_its_own_options() -> None:
    small = load_preset("small")
    _, _, classify = _resolve_config("small", None, "genemoe", seed=0, device="cpu", epochs=None,
                                     task="classify")
    _, _, survival = _resolve_config("small", None, "genemoe", seed=0, device="cpu", epochs=None,
                                     task="survival")
    assert classify["lr"] == small["train"]["lr"]
    assert survival["lr"] == small["train_survival"]["lr"] != classify["lr"]
    assert survival["batch_size"] == classify["batch_size"]  # inherited from train:
    _, _, forced = _resolve_config("small", None, "genemoe", seed=0, device="cpu", epochs=3,
                                   task="survival")
    assert forced["epochs"] == 3  # --epochs still wins


def test_a_user_train_section_beats_the_presets_task_section(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  lr: 0.005\n")
    _, _, survival = _resolve_config("small", path, "genemoe", seed=0, device="cpu", epochs=None,
                                     task="survival")
    assert survival["lr"] == 0.005  # not the preset's train_survival lr
    assert survival["patience"] == load_preset("small")["train_survival"]["patience"]
    path.write_text("train:\n  lr: 0.005\ntrain_survival:\n  lr: 0.002\n")
    _, _, survival = _resolve_config("small", path, "genemoe", seed=0, device="cpu", epochs=None,
                                     task="survival")
    assert survival["lr"] == 0.002


@pytest.mark.parametrize("name", ["small", "base", "paper"])
def test_every_preset_says_what_its_values_were_tuned_on(name):
    """Issue 10 (9): each value chosen on data names the data, the part and the overlap."""
    from genemoe.config_presets import load_preset

    tuned = load_preset(name).get("tuned_on")
    assert isinstance(tuned, dict), "every preset has a tuned_on: section (empty: nothing tuned)"
    for key, entry in tuned.items():
        assert {"value", "data", "part", "overlaps_benchmark_test_folds"} <= set(entry), key
    if name == "small":  # the values the old README called "nothing tuned"
        assert {"train.epochs", "train.patience", "train_survival"} <= set(tuned)
    if name == "paper":  # chosen by the paper's authors on TCGA: said, not "nothing tuned"
        (entry,) = tuned.values()
        assert entry["overlaps_benchmark_test_folds"] is True and "TCGA" in entry["data"]


def test_a_models_own_recipe_overrides_the_task_section_for_that_model_only(tmp_path) -> None:
    cfg = {"train": {"lr": 1e-3, "batch_size": 64},
           "train_classify": {"lr": 2e-3, "noise_std": 0.3},
           "train_classify_models": {"mlp": {"lr": 5e-3, "mixup_alpha": 0.1}}}
    assert train_config(cfg, "classify", "mlp") == {"lr": 5e-3, "batch_size": 64,
                                                    "noise_std": 0.3, "mixup_alpha": 0.1}
    assert train_config(cfg, "classify", "genemoe") == train_config(cfg, "classify")
    assert train_config(cfg, "survival", "mlp") == {"lr": 1e-3, "batch_size": 64}
    path = tmp_path / "c.yaml"  # a user's train: still beats a preset's per-model recipe
    path.write_text("extends: small\ntrain_classify_models:\n  mlp:\n    lr: 0.004\n"
                    "    ema_decay: 0.99\n")
    _, _, mlp = _resolve_config(str(path), None, "mlp", seed=0, device="cpu", epochs=None,
                                task="classify")
    _, _, fcn = _resolve_config(str(path), None, "fcn", seed=0, device="cpu", epochs=None,
                                task="classify")
    assert (mlp["lr"], mlp["ema_decay"]) == (0.004, 0.99) and fcn["lr"] != 0.004
    user = tmp_path / "u.yaml"
    user.write_text("train:\n  lr: 0.0001\n")
    _, _, mine = _resolve_config(str(path), user, "mlp", seed=0, device="cpu", epochs=None,
                                 task="classify")
    assert mine["lr"] == 0.0001 and mine["ema_decay"] == 0.99


def test_the_derived_benchmark_preset_records_what_it_was_tuned_on() -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "presets" / "pc33_derived.yaml"
    preset = load_preset(path)
    derived = [k for k in preset["tuned_on"] if "train_classify_models" in k]
    assert len(derived) == 2
    for key in derived:
        entry = preset["tuned_on"][key]
        assert entry["overlaps_benchmark_test_folds"] is True and "validation" in entry["part"]
    for model in ("genemoe", "moe", "mlp", "fcn"):
        assert preset["train_classify_models"][model]["lr"] > 0


def test_the_centred_benchmark_preset_gives_every_neural_classifier_the_same_input() -> None:
    from pathlib import Path

    from genemoe.models.image import input_scaling

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "presets" / "pc33_centred.yaml"
    preset = load_preset(path)
    assert {m: input_scaling(m, preset["model"][m]) for m in ("genemoe", "moe", "mlp", "fcn")} == dict.fromkeys(
        ("genemoe", "moe", "mlp", "fcn"), "centred")
    assert input_scaling("svm", preset["model"].get("svm", {})) == "standard"
    (entry,) = [v for k, v in preset["tuned_on"].items() if "input_scaling" in k]
    assert entry["overlaps_benchmark_test_folds"] is True and "validation" in entry["part"]


def _resolve(path, model="genemoe", task="classify"):
    return _resolve_config("small", path, model, seed=0, device="cpu", epochs=None, task=task)


def test_a_user_yaml_that_extends_a_preset_starts_from_it(tmp_path) -> None:
    """README: "--config my.yaml (extends: small plus the keys to change)". The `extends:`
    of a --config YAML was silently ignored: `extends: paper` trained small's Gene-MOE."""
    paper = load_preset("paper")
    (tmp_path / "mine.yaml").write_text("extends: paper\ntrain: {lr: 0.0123}\n")
    _, model_cfg, train_cfg = _resolve(tmp_path / "mine.yaml")
    assert model_cfg == paper["model"]["genemoe"]
    assert train_cfg["lr"] == 0.0123  # the YAML's own key beats the preset it extends
    # a relative path extends from the YAML's folder; extending the --preset changes nothing
    (tmp_path / "base.yaml").write_text("extends: paper\nmodel: {genemoe: {k: 3}}\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\n")
    assert _resolve(tmp_path / "child.yaml")[1] == {**paper["model"]["genemoe"], "k": 3}
    (tmp_path / "same.yaml").write_text("extends: small\ntrain: {lr: 0.0123}\n")
    (tmp_path / "plain.yaml").write_text("train: {lr: 0.0123}\n")
    assert _resolve(tmp_path / "same.yaml")[1:] == _resolve(tmp_path / "plain.yaml")[1:]


@pytest.mark.parametrize(("text", "says", "fix"), [
    # the misplaced key was silently ignored: the run trained with the preset's 6 experts
    ("model: {n_experts: 8}\n", "model.n_experts: 8 is not a mapping of options",
     "model: {genemoe: {n_experts: 8}}"),
    ("modle: {genemoe: {k: 1}}\n", "unknown top-level key(s) modle", "use only the sections"),
    ("model: {genemo: {k: 1}}\n", "no registered model named genemo", "genemoe"),
    ("train: 5\n", "train: must be a mapping of options", "train: {option: value, ...}"),
    ("train_classify_models: {genemoe: 3}\n", "train_classify_models.genemoe: 3",
     "train_classify_models: {genemoe: {lr: 0.001}}"),
    ("train: [1, 2\n", "line 2, column 1: not valid YAML", "fix the YAML there"),
    ("task: classify\nmodel_config: {}\ntrain_config: {}\n",  # a run's config.yaml, cut
     "unknown top-level key(s) model_config, task, train_config", "a run's config.yaml without"),
    ("model: genemoe\nmodel_config: {k: 1}\ntrain: {lr: 0.1}\n",  # a run's, for --model fcn
     "a run's config.yaml, of model genemoe, given for --model fcn", "pass --model genemoe"),
])
def test_a_config_yaml_that_would_be_misread_is_refused_naming_the_key_and_the_fix(
        tmp_path, text, says, fix) -> None:
    from genemoe.errors import InputError

    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        _resolve(path, model="fcn")
    problem, fixed = str(info.value).split("\n")
    assert problem.startswith(f"{path}:") and says in problem
    assert fixed.startswith("  fix: ") and fix in fixed


def test_exponent_floats_without_a_dot_are_numbers(tmp_path) -> None:
    """PyYAML (YAML 1.1) read `lr: 1e-3` as the text "1e-3"; the run then refused it with
    "set lr above 0". YAML 1.2 reads it as the number, as a user means it."""
    (tmp_path / "c.yaml").write_text("train: {lr: 1e-3, weight_decay: 5E-5}\n"
                                     "model: {genemoe: {dropout: 2.5e-1}}\n")
    _, model_cfg, train_cfg = _resolve(tmp_path / "c.yaml")
    assert train_cfg["lr"] == 1e-3 and train_cfg["weight_decay"] == 5e-5
    assert model_cfg["dropout"] == 0.25


@pytest.mark.parametrize(("option", "says"), [
    ("hidden: sixty", "hidden is 'sixty', not a number"),
    ("batchnorm: 1", "batchnorm is 1, not true or false"),
    ("dropout: [0.1]", "dropout is [0.1], not a number"),
])
def test_a_model_option_of_the_wrong_kind_is_said_before_torch_sees_it(option, says) -> None:
    """`hidden: sixty` reached torch, which said "empty(): argument 'size' ... must be tuple
    of ints, but found element of type str"."""
    import yaml

    from genemoe.errors import InputError
    from genemoe.models.registry import check_model_options

    with pytest.raises(InputError, match=re.escape(says)) as info:
        check_model_options("fcn", yaml.safe_load(option))
    assert "model.fcn" in str(info.value) and "empty()" not in str(info.value)
    check_model_options("coxnnet", {"hidden": 12})  # default None: any width is the model's


def test_a_partial_preset_file_says_which_models_run_at_code_defaults(tmp_path, caplog):
    """`benchmark --preset p.yaml` with only `model: {resnet50: {...}}` ran Gene-MOE at hidden
    1024 and 15 experts (the code's defaults, not `small`'s) and the hybrid CNN without its
    noise and label smoothing, unsaid."""
    from genemoe.config_presets import warn_preset_gaps
    from genemoe.train.fit import resolve_config

    p = tmp_path / "p.yaml"
    p.write_text("model: {resnet50: {image_size: 32, weights: none}}\n")
    with caplog.at_level("WARNING", logger="genemoe"):
        resolve_config(str(p), None, "genemoe", seed=0, device="cpu", epochs=None, task="classify")
        resolve_config(str(p), None, "genemoe", seed=0, device="cpu", epochs=None, task="classify")
        resolve_config(str(p), None, "logreg", seed=0, device="cpu", epochs=None, task="classify")
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1, said  # once; logreg: `small` sets nothing of it, nor its recipe
    assert "sets no model.genemoe, train, train_classify: genemoe runs with the code's " \
           "defaults" in said[0] and "add `extends: small`" in said[0]
    caplog.clear()  # its own options are set, not the training recipe `small` gives it
    assert warn_preset_gaps(str(p), "resnet50", "classify")
    assert "sets no train, train_classify: resnet50 runs" in caplog.records[-1].getMessage()
    e = tmp_path / "e.yaml"
    e.write_text("extends: small\nmodel: {resnet50: {image_size: 32}}\n")
    assert not warn_preset_gaps(str(e), "genemoe", "classify")
    assert not warn_preset_gaps("small", "genemoe", "classify")


def test_a_long_key_is_written_as_a_plain_key():
    """best.yaml's `tuned_on:` key (the tuned options' names, 159 characters for ten) was
    written in YAML's `? key` / `: value` form, which PyYAML uses past 128 characters."""
    import yaml

    from genemoe.config_presets import dump_yaml

    key = ", ".join(f"train.option_number_{i}" for i in range(10))
    doc = {"tuned_on": {key: {"value": "lr 0.001"}}, "note": "a → b"}
    text = dump_yaml(doc)
    assert "? " not in text and f"  {key}:\n" in text
    assert yaml.safe_load(text) == doc


def test_tuned_on_leaves_out_or_marks_the_values_a_later_layer_replaced(tmp_path) -> None:
    """Old behaviour: a run's config.yaml kept every preset `tuned_on:` entry whatever replaced
    its values: `--epochs 5` beside small's `train.epochs: {value: 100}`, a --config's dropout
    0.2 beside `model.dropout: {value: 0.5}` (the record described values the run never used)."""
    small = load_preset("small")["tuned_on"]
    cfg, _, _ = _resolve_config("small", None, "genemoe", seed=0, device="cpu", epochs=None,
                                task="classify")
    used = ["train.epochs", "train.patience", "model.dropout", "train_classify, model.widths"]
    assert cfg["tuned_on"] == {k: small[k] for k in used}  # nothing replaced; the others are
    # about survival training or pre-training, which a classifier's training does not read
    cfg, _, _ = _resolve_config("small", None, "coxnet", seed=0, device="cpu", epochs=None,
                                task="survival")
    choice = "train_survival.survival_selection, train_survival.select_window"
    assert cfg["tuned_on"] == {choice: {**small[choice], "reads_only": "survival_selection"}}
    # a probe: every entry was kept for Coxnet, which reads only the validation choice's
    # criterion (its grid point's); and the entry said nothing of the window it does not read
    cfg, _, _ = _resolve_config("small", None, "genemoe", seed=0, device="cpu", epochs=5,
                                task="classify")
    assert "train.epochs" not in cfg["tuned_on"] and "train.patience" in cfg["tuned_on"]
    path = tmp_path / "b.yaml"
    path.write_text("extends: small\ntrain_survival: {lr: 3.0e-4}\nmodel: {genemoe: {dropout: 0.2}}\n")
    cfg, _, train = _resolve_config("small", path, "genemoe", seed=0, device="cpu", epochs=None,
                                    task="survival")
    assert train["lr"] == 3e-4 and "model.dropout" not in cfg["tuned_on"]
    assert cfg["tuned_on"]["train_survival"]["overridden"] == "lr 0.0001 -> 0.0003 (b.yaml)"
    assert cfg["tuned_on"]["train_survival"]["value"] == small["train_survival"]["value"]
    assert "train.epochs" not in cfg["tuned_on"]  # survival trains train_survival's 40, not 100
    assert "train_classify, model.widths" not in cfg["tuned_on"]  # another task's recipe
    path.write_text("extends: small\nmodel: {genemoe: {dropout: 0.5}}\n")  # the same value again
    cfg, _, _ = _resolve_config("small", path, "genemoe", seed=0, device="cpu", epochs=None,
                                task="classify")
    assert cfg["tuned_on"]["model.dropout"] == small["model.dropout"]


def test_the_mlp_widths_a_config_replaced_are_marked_overridden(tmp_path) -> None:
    """Old behaviour: small's note on the classifier recipe names "mlp widths 512-256" under
    the key train_classify alone, so a --config's widths left the record unmarked."""
    path = tmp_path / "w.yaml"
    path.write_text("extends: small\nmodel: {mlp: {widths: [128, 64]}}\n")
    cfg, model, _ = _resolve_config("small", path, "mlp", seed=0, device="cpu", epochs=None,
                                    task="classify")
    assert model["widths"] == [128, 64]
    entry = cfg["tuned_on"]["train_classify, model.widths"]
    assert entry["overridden"] == "widths [512, 256] -> [128, 64] (w.yaml)"


def test_a_run_keeps_no_tuned_on_entry_its_own_preset_file_replaced(tmp_path):
    """A verification probe: a preset file `extends: small` with `train: {patience: 5}` and
    fcn's dropout 0.2 kept small's tuned patience 20 and dropout 0.5 in the run's tuned_on
    (each entry was told against the merged preset, where the file's values had replaced
    them): as --preset and as --config alike."""
    from genemoe.train.fit import resolve_config

    pre2 = tmp_path / "pre2.yaml"
    pre2.write_text("extends: small\ntrain: {patience: 5}\nmodel: {fcn: {dropout: 0.2}}\n")
    full = resolve_config("small", None, "fcn", seed=0, device="cpu", epochs=None,
                          task="classify")[0]["tuned_on"]
    assert {"train.patience", "model.dropout"} <= set(full)
    for preset, config in ((str(pre2), None), ("small", pre2)):
        cfg = resolve_config(preset, config, "fcn", seed=0, device="cpu", epochs=None,
                             task="classify")[0]
        assert not {"train.patience", "model.dropout"} & set(cfg["tuned_on"]), (preset, config)
        assert set(cfg["tuned_on"]) == set(full) - {"train.patience", "model.dropout"}
