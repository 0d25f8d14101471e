"""Probe hA (image transfer learning on the GDC cohorts): what ``--weights PATH`` reads.

- VGG-19 could load no weights file: its ImageNet ``pre_logits`` (unused by genemoe, which
  replaces it) was left out of the file's keys but counted missing in the model's.
- A genemoe run's ``model.pt`` passed as ``--weights`` gave 13 lines of torch's unpickling
  advice, up to 370 characters wide; the run's folder was "weights file not found".
- A ``genomic`` layout put a gene whose chromosome is ``pd.NA`` among the positioned genes
  (before the scaffolds), while its record said "after the positioned genes".
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from genemoe.errors import InputError
from genemoe.models.backbones import _load_state_file, check_weights
from genemoe.models.image import genomic_layout, genomic_order

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="timm (the image extra) is not installed")


class _VggLike(nn.Module):
    """What ``_load_state_file`` reads of timm's VGG-19: features, a ``pre_logits`` block
    and a classifier named ``head.fc`` in its pretrained_cfg."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Linear(3, 2)
        self.pre_logits = nn.Linear(2, 2)
        self.pretrained_cfg = {"classifier": "head.fc"}


@pytest.mark.parametrize("with_pre_logits", [False, True])
def test_a_vgg_weights_file_loads_with_or_without_its_unused_pre_logits(tmp_path, with_pre_logits):
    source = _VggLike()
    state = {k: v for k, v in source.state_dict().items()
             if with_pre_logits or not k.startswith("pre_logits")}
    torch.save(state, tmp_path / "w.pt")
    target = _VggLike()
    _load_state_file(target, tmp_path / "w.pt", "vgg19")  # was: missing pre_logits.fc1 ...
    torch.testing.assert_close(target.features.weight, source.features.weight)


def _genemoe_run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()  # a genemoe model file: a dict with numpy arrays (weights_only cannot read it)
    torch.save({"format": "genemoe-model", "scaler": {"mean": np.zeros(3)}}, run / "model.pt")
    return run


def test_a_genemoe_run_folder_as_weights_is_named_before_training(tmp_path):
    run = _genemoe_run(tmp_path)
    with pytest.raises(InputError) as e:
        check_weights("resnet50", str(run))
    said = str(e.value)
    assert "a genemoe run folder, not a weights file" in said
    assert "weights file not found" not in said


@needs_timm
def test_a_genemoe_model_file_as_weights_is_one_short_error(tmp_path):
    model_pt = _genemoe_run(tmp_path) / "model.pt"
    with pytest.raises(InputError) as e:
        check_weights("resnet50", str(model_pt))  # was let through, to fail in the network
    assert "a genemoe run's model file, not a timm state dict" in str(e.value)
    with pytest.raises(InputError) as e:
        _load_state_file(_VggLike(), model_pt, "vgg19")
    said = str(e.value).replace(str(model_pt), "RUN/model.pt")
    assert "a genemoe run's model file" in said
    assert max(len(line) for line in said.splitlines()) <= 100 and len(said.splitlines()) <= 3


def test_an_unreadable_weights_file_says_the_first_line_of_the_reason(tmp_path):
    bad = tmp_path / "w.pt"
    torch.save({"w": np.zeros(3)}, bad)  # numpy inside: torch's many-line weights_only advice
    with pytest.raises(InputError) as e:
        _load_state_file(_VggLike(), bad, "vgg19")
    said = str(e.value)
    assert "not a PyTorch or timm weights file" in said
    assert "WeightsUnpickler" not in said and len(said.splitlines()) <= 3


def test_a_gene_whose_chromosome_is_pd_na_goes_after_every_positioned_gene():
    chrom = np.array(["1", pd.NA, "KI270728.1", "2", None], dtype=object)
    start = np.array([1.0, 5.0, 3.0, 2.0, 4.0])
    order = genomic_order(chrom, start).tolist()
    assert order == [0, 3, 2, 1, 4]  # was [0, 3, 1, 2, 4]: the NA gene before the scaffold
    # (genes without a chromosome: in bundle order, as the record says, whatever their start)
    placement = genomic_layout(chrom, start).placement
    assert placement["genes_without_position"] == 2
    assert placement["without_position_placed"] == "after the positioned genes, in bundle order"


def test_a_tsne_similarity_layout_says_it_runs_and_how_long_it_took(caplog):
    """``embedding: tsne`` on the GDC cohorts' 19,276 genes ran about 6 minutes in silence
    before training said a word (PCA: seconds)."""
    import logging

    from genemoe.models.image import similarity_layout

    X = np.random.default_rng(0).normal(size=(12, 20))
    with caplog.at_level(logging.INFO, logger="genemoe.models.image"):
        layout = similarity_layout(X, embedding="tsne")
    said = caplog.text
    assert "t-SNE of 20 genes over 12 training samples" in said
    assert "embedding: pca takes seconds" in said and "t-SNE took" in said
    assert layout.n_genes == 20 and layout.embedding == "tsne"
