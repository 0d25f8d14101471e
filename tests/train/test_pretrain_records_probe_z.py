"""What a pre-training records and what fine-tuning checks of it (an outside probe, probeZ).

1. Fine-tuning on a bundle of another normalisation loaded the encoder unsaid: the run now
   records its normalisation and value scale, and a mismatch is refused naming both; a file
   of an earlier genemoe (none recorded) is said "not checked" in protocol.pretrained.
2. A resumed pre-training said so on the terminal only: summary.json's resumed_from_epoch,
   the final line and the report say it.
3. A damaged or foreign pretrained.pt in a finished run folder was overwritten unsaid.
4. --freeze-encoder-epochs 5 over 2 epochs recorded and said 5 frozen epochs.
"""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from genemoe.errors import InputError
from genemoe.train.model_file import save_model_file
from genemoe.workflows.pretrain import pretrain_run
from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def setup(tiny_pretrained):
    """The shared tiny pre-training (tests/conftest.py): ``(bundle, config, its folder)``."""
    return tiny_pretrained


@pytest.fixture(scope="module")
def cpm_bundle(setup, tmp_path_factory):
    """The same synthetic files prepared with --normalisation log2cpm (same samples, splits)."""
    from genemoe.data.prepare import prepare_dataset
    from genemoe.data.prepare_config import PrepareConfig
    from synthetic_inputs import prepare_synthetic

    d = tmp_path_factory.mktemp("cpm")
    _, files, _ = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=5,
                                    clinical=False)
    return prepare_dataset([files["counts"]], out_path=d / "cpm", label_paths=[files["labels"]],
                           annotation_path=files["annotation"],
                           config=PrepareConfig(synthetic=True, normalisation="log2cpm"))


def _protocol(run):
    return json.loads((run / "metrics.json").read_text())["protocol"]["pretrained"]


def test_the_pretraining_records_its_normalisation(setup):
    bundle, _, pre = setup
    payload = torch.load(pre / "pretrained.pt", map_location="cpu", weights_only=True)
    norm = bundle.record["normalisation"]
    assert payload["normalisation"] == norm and payload["normalisations"] == [norm]
    assert payload["value_scale"]  # e.g. log2(FPKM-UQ + 1)
    assert payload["bundles"][0]["normalisation"] == norm


def test_finetuning_on_another_normalisation_is_refused(setup, cpm_bundle, tmp_path):
    bundle, cfg, pre = setup
    norm = bundle.record["normalisation"]
    assert norm != "log2cpm"
    with pytest.raises(InputError, match=rf"pre-trained on {norm} values .* log2cpm") as err:
        train_run(cpm_bundle.path, out_dir=tmp_path / "ft", config_path=cfg, epochs=1,
                  device="cpu", progress=False, pretrained=pre)
    assert f"--normalisation {norm}" in err.value.fix and "pre-train on this bundle" in err.value.fix


def test_an_earlier_file_without_normalisation_is_said_not_checked(setup, tmp_path, caplog):
    bundle, cfg, pre = setup
    old = tmp_path / "old"
    shutil.copytree(pre, old)
    payload = torch.load(old / "pretrained.pt", map_location="cpu", weights_only=True)
    for key in ("normalisation", "normalisations", "value_scale"):
        payload.pop(key, None)
    save_model_file(old / "pretrained.pt", payload)
    with caplog.at_level("WARNING", logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "ft", config_path=cfg, epochs=1,
                  device="cpu", progress=False, pretrained=old)
    said = "normalisation not recorded (an earlier genemoe): not checked"
    assert _protocol(tmp_path / "ft")["normalisation_check"] == said
    assert said in caplog.text


def test_the_same_normalisation_is_recorded_checked(setup, tmp_path):
    bundle, cfg, pre = setup
    train_run(bundle.path, out_dir=tmp_path / "ft", config_path=cfg, epochs=1, device="cpu",
              progress=False, pretrained=pre)
    rec = _protocol(tmp_path / "ft")
    assert rec["normalisation"] == bundle.record["normalisation"]
    assert rec["normalisation_check"] == "same"


def test_a_resumed_pretraining_records_after_which_epochs(setup, tmp_path):
    from genemoe.report.pretrain_page import pretrain_context

    bundle, cfg, _ = setup
    out = tmp_path / "pre"
    args = dict(out_dir=out, config_path=cfg, device="cpu", progress=False, epochs=3)
    pretrain_run([bundle.path], max_epochs_this_call=1, **args)
    pretrain_run([bundle.path], max_epochs_this_call=1, **args)
    done = pretrain_run([bundle.path], **args)
    assert done.finished
    summary = json.loads((out / "summary.json").read_text())
    assert summary["resumed_from_epoch"] == [1, 2]
    assert "(3 epochs, resumed after epochs 1 and 2, " in done.describe()
    context = pretrain_context(out, tmp_path / "plots")
    assert "3, resumed after epochs 1 and 2" in json.dumps(context, default=str)


def test_a_fresh_pretraining_records_no_resumption(setup):
    _, _, pre = setup
    assert "resumed_from_epoch" not in json.loads((pre / "summary.json").read_text())


@pytest.mark.parametrize("damage", ["truncated", "foreign"])
def test_a_damaged_or_foreign_pretrained_file_is_refused_not_overwritten(setup, tmp_path,
                                                                         damage):
    bundle, cfg, pre = setup
    run = tmp_path / "pre"
    shutil.copytree(pre, run)
    path = run / "pretrained.pt"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:2000])
    else:  # a train run's model.pt copied over it
        save_model_file(path, {"format": "genemoe-model", "state_dict": {}})
    before = path.read_bytes()
    with pytest.raises(InputError, match="damaged" if damage == "truncated"
                       else "not a genemoe pre-training file") as err:
        pretrain_run([bundle.path], out_dir=run, config_path=cfg, seed=0, device="cpu",
                     progress=False)
    assert "pretrained.pt" in str(err.value) and "remove pretrained.pt" in err.value.fix
    assert path.read_bytes() == before


def test_the_epochs_really_frozen_are_recorded_and_said(setup, tmp_path):
    bundle, cfg, pre = setup
    res = train_run(bundle.path, out_dir=tmp_path / "ft", config_path=cfg, epochs=2,
                    device="cpu", progress=False, pretrained=pre, freeze_encoder_epochs=5)
    rec = _protocol(tmp_path / "ft")
    assert (rec["freeze_encoder_epochs"], rec["freeze_encoder_epochs_asked"],
            rec["encoder_unfrozen"]) == (2, 5, False)
    said = " ".join(res.describe().split())  # its lines are wrapped at 100 characters
    assert "frozen for all 2 epochs (never unfrozen; 5 asked)" in said, said
    assert "first 5 epochs" not in said


def test_a_benchmark_from_a_pretraining_of_another_normalisation_is_refused(setup, cpm_bundle,
                                                                             tmp_path):
    """The benchmark's check of a --pretrained run, before any cell, refuses it too (it
    recorded "the fine-tuning data's normalisation not known: not checked")."""
    import genemoe.workflows.benchmark as bm

    bundle, _, pre = setup
    with pytest.raises(InputError, match=rf"pre-trained on {bundle.record['normalisation']} "
                                         r"values .* log2cpm"):
        bm.run_benchmark(cpm_bundle.path, task="classify", models=["genemoe"], n_folds=2,
                         epochs=1, out_dir=tmp_path / "bench", pretrained=pre)
    assert not (tmp_path / "bench").exists()  # refused before --out was touched
