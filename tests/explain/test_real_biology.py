"""Biology check on the six GDC cohorts (slow): explanations name the known tissue genes.

Bundle: the six raw-count cohorts, protein-coding genes only (``prepare
--protein-coding-only``, 19,420 genes here), default split (prepare seed 0). Each model is
trained with the ``small`` preset, seed 0, one torch thread, and explained with
``genemoe explain``'s defaults (test split, predicted classes; ``train_ig`` - IG from 8
training tumours, the routing frozen on sparse models - for the models that read the gene
vector, IG from the average tumour for the image models). Asserted, as in issue 14: ACC's
top 20 holds at least 3 adrenal-cortex genes and KICH's top 25 at least 2 kidney
intercalated-cell genes. The MLP (6 and 4), ``fcn`` (5 and 2), ``moe`` (6 and 3), Gene-MOE
(4 and 4) and ``hybrid_cnn`` (4 and 2, on its default ``centred`` input; 1 and 1 on per-gene
z-scores) meet both. ResNet-50 with one gene per pixel (at 64 x 64, ~5 genes a pixel, 1 and
0) met both in 2 of 5 runs: seed 0 named 3 and 3, 2 and 1, and 4 and 3 in three sessions
(their machines' CPUs not recorded; the code of c8e76f3 and a86d4eb trains bit-identical
weights on the third), seeds 1 and 2 named 4 and 0, and 2 and 1 (23-75 minutes a run).
The seed and what the code runs on move its ranking, so it is an expected failure
(non-strict). Gene-MOE and ``fcn`` met them only with
``train_ig``: with the average-tumour baseline (``ig``) they named 2 and 0, 5 and 1. The full tables, the method comparison and the numbers of these
runs are in docs/results.md, "(e) Which genes the explanations name".

Seed 0 is one draw. Over training seeds 0-4 (2026-12-02, one machine) the MLP, ``fcn`` and
``hybrid_cnn`` met both floors every time, ``moe`` in 3 of 5 and Gene-MOE in 1 of 5 (seed 0;
KICH's top 25 held 0 or 1 of the five genes in the others, the trained model deciding, not
the explanation's draw; an ensemble of 3 met them in 1 of 2). For ``moe`` and Gene-MOE the
case is therefore a regression check of this configuration, not evidence that their
explanations name these genes whatever the seed (docs/results.md (e), the seeds table).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.explain import explain_run
from genemoe.workflows.train import train_run

pytestmark = pytest.mark.slow

GDC_TYPES = ("ACC", "CHOL", "DLBC", "KICH", "UCS", "UVM")
ADRENAL_CORTEX = {"CYP11B1", "CYP11B2", "STAR", "CYP17A1", "CYP21A2", "NR5A1", "MC2R"}
INTERCALATED = {"FOXI1", "ATP6V1G3", "BSND", "ATP6V0D2", "CLCNKB"}
# ResNet-50 from scratch, genomic layout, one gene per pixel (140 x 140 for 19,420 genes): at
# 64 x 64 about 5 genes share each pixel and its explanations missed both gene sets
# (1 and 0 with IG, 2 and 0 with train_ig; docs/results.md (e)).
RESNET = {"layout": "genomic", "image_size": 140, "weights": "none", "finetune": "all"}


@pytest.fixture(scope="module")
def gdc6_pc(shared_data, tmp_path_factory) -> Path:
    g = shared_data / "gdc_counts_6types"
    out = tmp_path_factory.mktemp("real") / "gdc6_pc"
    prepare_dataset([g / f"TCGA_{t}_Counts.exp.gz" for t in GDC_TYPES], out_path=out,
                    label_paths=[g / f"TCGA_{t}_Target.txt.gz" for t in GDC_TYPES],
                    clinical_path=shared_data / "tcga_survival/clinical_survival.tsv.gz",
                    annotation_path=shared_data / "annotation/ensembl105_genes.tsv.gz",
                    config=PrepareConfig(protein_coding_only=True))
    return out


@pytest.fixture
def one_thread():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)



@pytest.mark.parametrize("name", [
    "mlp",
    "fcn",
    "moe",
    "genemoe",
    "hybrid_cnn",
    pytest.param("resnet50", marks=pytest.mark.xfail(strict=False, reason=(
        "met both floors in 2 of 5 runs: seed 0 named 3/3, 2/1 and 4/3 adrenal/intercalated "
        "genes in three sessions (c8e76f3's code trains the same weights as a86d4eb's on "
        "one machine), seeds 1 and 2 4/0 and 2/1: the seed and, most likely, the machine move it "
        "(docs/results.md (e))"))),
])
def test_explanations_name_adrenal_and_intercalated_cell_genes(gdc6_pc, tmp_path, one_thread, name):
    overlay = tmp_path / "one_thread.yaml"
    overlay.write_text(yaml.safe_dump({"train": {"num_threads": 1, "checkpoint_every": 1000}}))
    train_run(gdc6_pc, out_dir=tmp_path / "run", task="classify", model_name=name, preset="small",
              config_path=overlay, seed=0, device="cpu", progress=False,
              model_options=RESNET if name == "resnet50" else None)
    res = explain_run(tmp_path / "run", data=gdc6_pc, out_dir=tmp_path / "x", max_maps=0, progress=False)
    assert res.convergence["method"] == ("ig" if name in ("hybrid_cnn", "resnet50") else "train_ig")
    assert res.convergence["median_relative_delta"] < 0.01
    ranking = pd.read_csv(tmp_path / "x" / "genes_by_class.csv")
    acc = ranking[(ranking["class"] == "ACC") & (ranking["rank"] <= 20)]["symbol"]
    kich = ranking[(ranking["class"] == "KICH") & (ranking["rank"] <= 25)]["symbol"]
    assert acc.isin(ADRENAL_CORTEX).sum() >= 3, acc.tolist()
    assert kich.isin(INTERCALATED).sum() >= 2, kich.tolist()
