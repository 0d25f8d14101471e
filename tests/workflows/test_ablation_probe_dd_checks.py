"""An outside probe (DD) of `genemoe ablation`'s checks before training: a preset giving one
arm its own recipe, arguments of the wrong type, a file as --pretrained; and the terminal's
words (the clipped inputs, a change of pre-training on a rerun)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import yaml

from genemoe.errors import InputError
from genemoe.workflows.ablation import AblationResult, in_ablation_words, run_ablation
from tiny_configs import TINY_ABLATION_PRESET

OPTS = dict(n_folds=2, n_repeats=1, epochs=1, device="cpu")


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1, clinical=False)


def _yaml(path, data):
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_per_model_recipe_is_refused_before_training(bundle, tmp_path):
    """Old behaviour: accepted without a word; genemoe trained with lr 0.01 and no noise or
    label smoothing, fcn and moe with the preset's 0.001, 0.3 and 0.1."""
    pm = _yaml(tmp_path / "pm.yaml", {**TINY_ABLATION_PRESET, "train_classify_models": {
        "genemoe": {"lr": 1.0e-2, "label_smoothing": 0.0, "noise_std": 0.0}}})
    with pytest.raises(InputError) as err:
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl", preset=str(pm), **OPTS)
    text = str(err.value)
    assert text.startswith(f"{pm}: train_classify_models.genemoe gives genemoe its own "
                           "training recipe (lr 0.01"), text
    assert "label_smoothing 0" in text and "noise_std 0" in text and "fcn, moe: lr 0.001" in text
    assert "fix: move these values to the shared `train_classify:` section" in text
    assert "`genemoe benchmark`" in text
    assert not (tmp_path / "abl").exists()


def test_the_file_named_is_the_one_that_sets_the_recipe(tmp_path):
    """A preset extending a file with per-model recipes: the extended file is named (survival:
    its peers vaecox and coxnnet are arms too)."""
    from genemoe.workflows.ablation_checks import check_one_recipe

    _yaml(tmp_path / "base.yaml", {"extends": "small", "train_survival_models": {
        "coxnnet": {"weight_decay": 0.0}}})
    child = _yaml(tmp_path / "child.yaml", {"extends": "base.yaml", "train": {"patience": 3}})
    with pytest.raises(InputError, match=r"base\.yaml: train_survival_models\.coxnnet gives "
                                         r"coxnnet its own .*weight_decay 0; fcn, moe, genemoe, "
                                         r"vaecox: weight_decay 1e-05"):
        check_one_recipe(str(child), ["fcn", "moe", "genemoe", "vaecox", "coxnnet"], "survival")


def test_one_recipe_for_every_arm_passes(tmp_path):
    """The same values for every arm, another task's or another model's section, or values
    --epochs replaces: one recipe still."""
    from genemoe.workflows.ablation_checks import check_one_recipe

    same = _yaml(tmp_path / "same.yaml", {"extends": "small", "train_classify_models": {
        m: {"lr": 0.002} for m in ("fcn", "moe", "genemoe")}})
    other = _yaml(tmp_path / "other.yaml", {"extends": "small", "train_survival_models": {
        "genemoe": {"lr": 0.002}}, "train_classify_models": {"logreg": {"lr": 0.5},
                                                           "genemoe": {"epochs": 7}}})
    check_one_recipe(str(same), ["fcn", "moe", "genemoe"], "classify")
    check_one_recipe(str(other), ["fcn", "moe", "genemoe"], "classify", epochs=2)
    check_one_recipe("small", ["fcn", "moe", "genemoe", "vaecox", "coxnnet"], "survival")
    with pytest.raises(InputError, match="epochs 7"):
        check_one_recipe(str(other), ["fcn", "moe", "genemoe"], "classify")


@pytest.mark.parametrize(("kw", "said"), [
    (dict(seed="0"), "--seed: must be a whole number, got '0'"),
    (dict(seed=-1), "--seed: must be 0 or more, got -1"),
    (dict(n_boot="x"), "--n-boot: must be a whole number, got 'x'"),
    (dict(freeze_encoder_epochs="2", pretrain_per_fold=True),
     "--freeze-encoder-epochs: must be a whole number, got '2'"),
    (dict(pretrain_per_fold="no"), "pretrain_per_fold: must be True or False, got 'no'"),
    (dict(progress="no"), "progress: must be True or False, got 'no'"),
    (dict(pretrain_per_fold=True, pretrain_epochs=1.5),
     "--pretrain-epochs: must be a whole number of epochs, got 1.5"),
])
def test_a_wrong_type_is_an_input_error(bundle, tmp_path, kw, said):
    """Old behaviour: TypeError / ValueError from inside the folds or a comparison, or
    (``"no"``) read as true and run."""
    with pytest.raises(InputError) as err:
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl", **{**OPTS, **kw})
    assert str(err.value).startswith(said), str(err.value)
    assert not (tmp_path / "abl").exists()


def test_a_fractional_n_boot_is_refused_without_a_warning_first(bundle, tmp_path, caplog):
    """Old behaviour: "--n-boot 2 is ignored ..." (2.5 cut by %d), then the refusal."""
    with caplog.at_level(logging.WARNING, logger="genemoe"), pytest.raises(
            InputError, match="--n-boot: must be a whole number, got 2.5"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl", n_boot=2.5, **OPTS)
    assert "ignored" not in caplog.text


def test_a_file_as_pretrained_is_called_a_file(bundle, tmp_path):
    """Old behaviour: "b1/record.json: no such folder" of a file that exists."""
    with pytest.raises(InputError, match=r"(?s)record\.json: --pretrained is a file, not a "
                                         r"folder.*fix: pass the --out directory"):
        run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl",
                     pretrained=bundle.path / "record.json", **OPTS)


def test_the_summary_says_what_the_folds_scalers_clipped(tmp_path):
    """Old behaviour: `genemoe benchmark` on the same folds said "note: inputs clipped ...";
    the ablation's summary said nothing. Where it fits, in the header's words; else as the
    benchmark's note."""
    line = ("inputs clipped to ±10 z, 2 folds summed: train 0 values (0.0%), val 10 (0.3%), "
            "test 70 (0.3%) (up to 31 genes in a fold's part; largest |z| 32.1)")
    results = pd.DataFrame({"model": ["fcn", "fcn"], "label": ["fcn", "fcn"],
                            "macro_f1": [0.5, 0.6]})
    text = AblationResult(tmp_path, "classify", results, "", None, 1.0,
                          clipped=[line]).describe()
    assert text.splitlines()[1] == ("  F1 (macro), mean ± sd over test folds:  (inputs clipped "
                                    "to ±10 z: val 10, test 70 values)"), text
    big = ("inputs clipped to ±10 z, 5 folds summed: train 1,234,567 values (0.1%), val "
           "234,567 (0.2%), test 1,234,567 (0.3%) (up to 3,069 genes in a fold's part; largest "
           "|z| 23.2)")
    text = AblationResult(tmp_path, "classify", results, "", None, 1.0,
                          clipped=[big]).describe()
    assert text.splitlines()[1] == "  F1 (macro), mean ± sd over test folds:"
    notes = [s.strip() for s in text.splitlines() if s.startswith(("  note: ", " " * 8))]
    assert " ".join(notes) == f"note: {big}", text
    for said in (text, AblationResult(tmp_path, "classify", results, "", None, 1.0).describe()):
        assert max(map(len, said.splitlines())) <= 100 and "clipped" not in said.splitlines()[0]


def test_a_change_of_pretraining_is_said_in_words(tmp_path, caplog):
    """Old behaviour: "the pre-trained rows are computed anew (pretrained {'per_fold':
    {'rows': "each fold's training part (validatio… → p_b7)", a Python dict."""
    lg = logging.getLogger("genemoe.workflows.benchmark")
    change = ("pretrained {'per_fold': {'rows': \"each fold's training part (validatio… → "
              "/x/p_b7")
    with in_ablation_words(), caplog.at_level(logging.WARNING, logger="genemoe"):
        lg.warning("%s holds a benchmark of other options (%s)", str(tmp_path / "pretrained"),
                   change, extra={"rerun": {"changes": [change, "freeze_encoder_epochs 0 → 2"],
                                            "reused": False}})
        lg.warning("%s holds ...", str(tmp_path / "pretrained"),
                   extra={"rerun": {"changes": ["pretrained /x/p_b7 → none"], "reused": True}})
    assert caplog.messages == [
        "the pre-trained rows are computed anew (pre-training per fold (--pretrain-per-fold) → "
        "--pretrained /x/p_b7; freeze_encoder_epochs 0 → 2); the earlier cells are kept aside",
        "the pre-trained rows of an earlier ablation with these options are reused "
        "(pre-training --pretrained /x/p_b7 → none)"]
