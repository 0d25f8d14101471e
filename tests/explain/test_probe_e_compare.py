"""An outside probe of ``explain --compare`` on real data (pancan33 Gene-MOE runs):

- a sample labelled LUSC and predicted STAD had its STAD logit attributed and pooled under
  LUSC (the LUSC top-10 was made of STAD attributions), and the two runs compared could
  attribute different outputs for one sample;
- the top-50 overlap of 100 genes (57%) was printed without the 50% two random lists share;
- ``--baseline zeros`` silently left train_ig and gradient_shap on training tumours;
- six routing-jump warnings named neither their method nor their run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from genemoe.data.bundle import load_bundle
from genemoe.data.scaling import Scaler
from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods, methods_text, top_k_stability
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def two_moe_runs(tmp_path_factory):
    """Two barely trained sparse ``moe`` runs (seeds 0 and 1) of one small bundle: many
    misclassified samples."""
    d = tmp_path_factory.mktemp("probe_e")
    b = prepare_synthetic(d, n_samples=90, n_genes=50, n_types=4, seed=11)[0]
    for name, seed in (("a", 0), ("b", 1)):
        train_run(b.path, out_dir=d / name, task="classify", model_name="moe", epochs=1,
                  seed=seed, progress=False)
    return d, b


def _logit_change(run, bundle_path, sample_ids: list[str]) -> np.ndarray:
    """Each sample's logits minus the logits at the training mean (the zero vector)."""
    from genemoe.explain.api import _load_model  # noqa: PLC2701 (the attributed output)

    payload = load_model_file(run)
    model = _load_model(payload, "cpu")
    b = load_bundle(bundle_path)
    rows = pd.Index(b.sample_ids.astype(str)).get_indexer(sample_ids)
    cols = pd.Index(b.gene_ids.astype(str)).get_indexer([str(g) for g in payload["gene_ids"]])
    X = Scaler.from_dict(payload["scaler"]).transform(np.asarray(b.X[rows])[:, cols])
    with torch.no_grad():
        x = model(torch.from_numpy(X).float()).out.numpy()
        ref = model(torch.zeros(1, X.shape[1])).out.numpy()
    return x - ref


def test_compare_attributes_the_labelled_class_in_every_run(two_moe_runs, tmp_path):
    d, b = two_moe_runs
    seen = explain_run(d / "a", data=b.path, out_dir=tmp_path / "p", split="all", method="ig",
                       n_steps=4, max_steps=4, max_samples_per_class=None, progress=False,
                       max_maps=0)
    table = pd.read_csv(tmp_path / "p" / "samples.tsv", sep="\t", dtype={"sample_id": str})
    wrong = table[table["cancer_type"] != table["predicted"]]["sample_id"].tolist()[:3]
    right = table[table["cancer_type"] == table["predicted"]]["sample_id"].tolist()[:1]
    assert wrong
    compare_methods(d / "a", data=b.path, out_dir=tmp_path / "c", methods=("ig",),
                    other_run=d / "b", samples=wrong + right, n_steps=4, max_steps=4, k=5)
    names = [str(c) for c in load_model_file(d / "a")["class_names"]]
    for run, sub in ((d / "a", "ig"), (d / "b", "ig_other")):
        got = pd.read_csv(tmp_path / "c" / sub / "samples.tsv", sep="\t", dtype={"sample_id": str})
        assert (got["group"] == got["cancer_type"]).all()
        change = _logit_change(run, b.path, got["sample_id"].tolist())
        label = [names.index(str(c)) for c in got["cancer_type"]]
        # ig from the training mean, routing live: output_change is f_t(x) - f_t(0), t the label
        np.testing.assert_allclose(got["output_change"], change[np.arange(len(got)), label],
                                   rtol=1e-4, atol=1e-5)
    import json

    conv = json.loads((tmp_path / "c" / "ig" / "convergence.json").read_text())
    assert conv["group_by"] == "label"
    assert seen.convergence["attributed"].startswith("each sample's predicted class")
    assert conv["attributed"].startswith("each sample's labelled (true) class's output")


def test_a_labelled_class_the_model_lacks_is_refused():
    from genemoe.errors import InputError
    from genemoe.explain.sample_rows import attributed_target

    out = np.array([[0.1, 0.9], [0.8, 0.2]])
    ids = np.array(["S1", "S2"])
    assert attributed_target(out, np.array(["A", "B"]), ["A", "B"], group_by="label",
                             sample_ids=ids).tolist() == [0, 1]
    assert attributed_target(out, np.array(["A", "B"]), ["A", "B"], group_by="predicted",
                             sample_ids=ids).tolist() == [1, 0]
    with pytest.raises(InputError, match=r"1 sample\(s\) labelled with a class the model has "
                                         r"no output for \(C\): \['S2'\]"):
        attributed_target(out, np.array(["A", "C"]), ["A", "B"], group_by="label", sample_ids=ids)


def test_stability_is_judged_against_chance():
    genes = [f"g{i}" for i in range(100)]
    a = pd.DataFrame({"class": "X", "gene_id": genes, "rank": range(1, 101),
                      "mean_attribution": np.linspace(1, 0, 100)})
    stab = top_k_stability(a, a.copy(), k=50)
    assert stab["X"]["chance"] == pytest.approx(0.5) and stab["X"]["overlap"] == 1.0
    table = pd.DataFrame({"method": ["frozen_ig"], "n_samples": [74], "routing": ["frozen"],
                          "median_relative_delta": [0.0], "max_relative_delta": [0.0],
                          "seconds_per_sample": [0.2], "top50_overlap": [0.57],
                          "top50_chance": [0.5], "spearman": [0.2]})
    text = methods_text(table)
    assert "chance: two random top-50 lists of the genes ranked share 50%" in text
    assert "hardly above chance: the rankings depend on the run" in text
    assert "pooled per true label: each sample's labelled class's output attributed" in text
    assert max(map(len, text.splitlines()[2:])) <= 100  # short lines under the table
    high = methods_text(table.assign(top50_overlap=0.9))
    assert "chance" in high and "depend on the run" not in high
    few_genes = methods_text(table.assign(top50_overlap=0.02, top50_chance=0.01))
    assert "less than halfway from chance" not in few_genes and "hardly above chance" in few_genes


def test_baseline_zeros_names_the_methods_on_training_tumours(two_moe_runs, tmp_path, caplog,
                                                              monkeypatch):
    import genemoe.explain.routing_jump as rj

    d, b = two_moe_runs
    monkeypatch.setattr(rj, "JUMP_WARN", -1.0)  # any jump is "large": every frozen run warns
    one = [str(b.sample_ids[b.indices("test")][0])]
    with caplog.at_level("WARNING"):
        table = compare_methods(d / "a", data=b.path, out_dir=tmp_path / "c",
                                methods=("frozen_ig", "train_ig"), other_run=d / "b",
                                baseline="zeros", samples=one, n_steps=4, max_steps=4,
                                n_draws=2, k=5)
    assert table["reference"].tolist() == ["zero expression", "training tumours"]
    assert "reference" in pd.read_csv(tmp_path / "c" / "methods.csv").columns
    assert "zero expression" in methods_text(table)
    said = [r.getMessage() for r in caplog.records if "start from training tumours" in r.getMessage()]
    assert said == ["--baseline zeros: train_ig start from training tumours, not from zero "
                    "expression (methods.csv: reference)"]
    jumps = [r.getMessage() for r in caplog.records if "routing jump" in r.getMessage()]
    assert len(jumps) == 4  # two methods, two runs: each named
    for method in ("frozen_ig", "train_ig"):
        assert sum(m.startswith(f"{method} (--model ") for m in jumps) == 1
        assert sum(m.startswith(f"{method} (--other ") and str(d / "b") in m for m in jumps) == 1
