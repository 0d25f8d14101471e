"""Probe hAJ: lines genemoe prints that ran past 100 characters or named internal things.

Old behaviour, each on the 1,106-sample pancan33 bundle:

- ``explain --samples`` of two tumours: ``not ranked: 31 classes with no explained sample
  predicted as them: ACC, ...`` ran to 142 characters, its ``n < 3 (...)`` note to 102;
- a run at its epoch cap logged ``the best validation score came at the last epoch allowed
  (8): the model may be undertrained; a larger --epochs may help`` (121 with ``warning: ``);
- ``train --model genmoe`` listed the 17 models on one line of 157 characters, naming no
  nearest match; ``--model ensemble``'s fix ran to 101;
- ``--layout genomic`` on a bundle without positions: 172 and 160 characters;
- ``--model xception --weights imagenet`` offline named timm's ``legacy_xception`` alone,
  on a line of 152 characters, its fix on one of 160.
"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.evaluate.benchmark_files import epoch_cap_note
from genemoe.explain.summary_text import drawn_lines, ranking_notes
from genemoe.models.registry import create_model, get_spec, list_models
from genemoe.workflows.common import check_models, check_trainable, with_fitted_layout

TYPES = ("ACC BLCA BRCA CESC CHOL COAD DLBC ESCA GBM HNSC KICH KIRC KIRP LAML LGG LIHC LUAD "
         "LUSC MESO OV PAAD PCPG PRAD READ SARC SKCM STAD TGCT THCA THYM UCEC UCS UVM").split()


def _widths(text: str) -> list[int]:
    return [len(line) for line in text.splitlines()]


def _error_lines(err: pytest.ExceptionInfo) -> list[int]:
    """The widths of an error's lines as the CLI prints them (``genemoe: error: `` first)."""
    return _widths(f"genemoe: error: {err.value}")


def test_classes_not_ranked_are_said_on_short_lines():
    gone = [t for t in TYPES if t not in ("BRCA", "COAD")]
    text = "\n".join(drawn_lines({"classes_without_samples": gone, "group_by": "predicted"}))
    assert max(_widths(text)) <= 100, text
    assert text.startswith("  not ranked: 31 classes with no explained sample predicted as them")
    assert all(t in text for t in gone[:12]) and text.endswith(", ...")


def test_classes_of_few_samples_are_said_on_short_lines():
    ranking = pd.DataFrame({"class": TYPES, "gene_id": "7157", "symbol": "TP53", "n_samples": 1})
    text = "\n".join(ranking_notes(ranking, []))
    assert max(_widths(text)) <= 100, text
    assert "n < 3 (ACC, BLCA, BRCA, CESC, CHOL, COAD +27 more): rankings of one or two" in text


def test_the_epoch_cap_warning_fits_beside_its_prefix():
    one = {"best_epoch": 100, "stopped_early": False, "train_config": {"epochs": 100}}
    ens = {"ensemble": {"members": [one] * 10}}
    for info, said in ((one, "last epoch allowed (100):"), (ens, "(100) in 10 of 10 members")):
        note = epoch_cap_note(info)
        assert len(f"warning: {note}") <= 100 and said in note
        assert "may be undertrained" in note and "--epochs" in note


def test_an_unknown_model_names_the_nearest_and_lists_all_on_short_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="unknown model 'genmoe'") as err:
        get_spec("genmoe")
    assert max(_error_lines(err)) <= 100, str(err.value)
    assert "fix: nearest: genemoe" in str(err.value)
    assert all(name in str(err.value) for name in list_models())
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "model.pt").write_bytes(b"")
    with pytest.raises(InputError, match="a trained run's folder") as err:
        get_spec("r1")
    assert max(_error_lines(err)) <= 100, str(err.value)
    with pytest.raises(InputError, match="unknown model") as err:
        check_models(["mlp", "svn"], "classify")
    assert max(_error_lines(err)) <= 100 and "nearest: svm" in str(err.value)
    with pytest.raises(InputError, match="not a model to train") as err:
        check_trainable("ensemble")
    assert max(_error_lines(err)) <= 100, str(err.value)


def test_a_genomic_layout_without_positions_is_one_short_sentence(tmp_path):
    path = tmp_path / "b"
    bundle = SimpleNamespace(path=path, var=pd.DataFrame({"gene_id": [f"G{i}" for i in range(16)]}),
                             X=np.zeros((10, 16), np.float32))
    with pytest.raises(InputError) as err:
        with_fitted_layout("hybrid_cnn", {"layout": "genomic", "image_size": 4}, bundle,
                           np.ones(16, bool), np.arange(8))
    text = str(err.value).replace(str(path), "b")  # the path's length is the user's
    assert max(_widths(f"genemoe: error: {text}")) <= 100, text
    assert "--layout genomic" in text and "--layout reshape" in text and "--annotation" in text


@pytest.mark.skipif(importlib.util.find_spec("timm") is None, reason="timm is not installed")
def test_offline_imagenet_weights_name_the_model_typed(tmp_path, monkeypatch):
    import huggingface_hub.constants as hf_constants
    import torch.hub

    from genemoe.models.backbones import check_weights

    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch"))
    with pytest.raises(InputError, match=r"ImageNet weights of xception \(timm: legacy_xc") as err:
        create_model("xception", n_genes=64, n_outputs=3, task="classify", weights="imagenet",
                     image_size=8)  # train's --weights imagenet
    assert max(_error_lines(err)) <= 100, str(err.value)
    assert "not in the local cache" in str(err.value) and "--weights none" in str(err.value)
    with pytest.raises(InputError, match=r"ImageNet weights of xception \(timm: legacy_xc") as err:
        check_weights("xception", "imagenet")  # a benchmark's or tune's preset key
    assert max(_error_lines(err)) <= 100, str(err.value)
    with pytest.raises(InputError, match="ImageNet weights of resnet50:") as err:
        check_weights("resnet50", "imagenet", preset=Path("p.yaml"))
    assert max(_error_lines(err)) <= 100, str(err.value)
    assert "model.resnet50.weights: none" in str(err.value)


@pytest.mark.skipif(importlib.util.find_spec("timm") is None, reason="timm is not installed")
def test_a_weights_file_that_does_not_fit_is_said_a_kind_a_line(tmp_path):
    """``--model xception --weights w.pt`` (a ResNet's keys) said "weights do not fit timm's
    legacy_xception: missing 273: ...; unexpected 1: ...; shape mismatch 1: ..." on one
    line of 291 characters."""
    import torch

    path = tmp_path / "w.pt"
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7), "layer1.0.conv1.weight":
                torch.zeros(64, 64, 1, 1)}, path)
    with pytest.raises(InputError, match=r"weights do not fit xception \(timm: legacy_xc") as err:
        create_model("xception", n_genes=64, n_outputs=3, task="classify", weights=str(path),
                     image_size=16)
    text = str(err.value).replace(str(path), "w.pt")  # the path's length is the user's
    assert max(_widths(f"genemoe: error: {text}")) <= 100, text
    assert "\n    missing 273: " in text and "\n    unexpected 1: layer1.0.conv1.weight" in text
    assert "\n    shape mismatch 1: conv1.weight" in text


def test_a_model_of_the_other_task_and_a_bundle_without_times_are_said_on_short_lines(bundle_b):
    """``train --model coxnet`` (classify) listed the other models on a fix line of 163
    characters; ``--task survival`` on a bundle without --clinical ran to 145."""
    from genemoe.models.registry import check_task
    from genemoe.workflows.common import check_bundle_has_task

    with pytest.raises(InputError, match="does not support task 'classify'") as err:
        check_task("coxnet", "classify")
    assert max(_error_lines(err)) <= 100, str(err.value)
    assert all(m in str(err.value) for m in list_models(task="classify"))
    with pytest.raises(InputError, match="the bundle has no survival times") as err:
        check_bundle_has_task(bundle_b, "survival")
    text = str(err.value).replace(str(bundle_b.path), "/tmp/b")  # the path's length is the user's
    assert max(_widths(f"genemoe: error: {text}")) <= 100, text
    assert "prepared without --clinical" in text and "fix: re-prepare with --clinical" in text


@pytest.fixture
def bundle_b(tmp_path) -> SimpleNamespace:
    """A stand-in bundle prepared without --clinical: two types, no survival times."""
    return SimpleNamespace(path=tmp_path / "b", class_names=["ACC", "UVM"], endpoint=None,
                           summary={"n_with_survival": 0})
