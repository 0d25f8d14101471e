"""``explain`` of a model with a bundle of other (held-out) samples: the references are the
model's own training tumours, and genes the bundle dropped as zero everywhere are filled.

Old behaviour (probe U): a model trained on ACC alone, explained on UVM samples of a bundle
of ACC and UVM prepared together, drew its train_ig references from that bundle's training
split (UVM tumours the model never saw; "UVM tumours integrated mostly from UVM"); and a
UVM-only bundle was refused for 81 genes prepare had dropped as zero in every UVM sample,
with the fix "explain with the bundle the model was trained on", which holds no UVM.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError
from genemoe.explain import explain_run
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run


def _counts(cohort, keep: np.ndarray, path: Path, *, zero: list[str] = (),
            drop: list[str] = ()) -> Path:
    """The cohort's samples ``keep`` as a GDC-style counts file, genes ``zero`` set to 0 in
    every sample and genes ``drop`` left out."""
    df = pd.DataFrame(cohort.counts[keep].T, index=list(cohort.gene_ids),
                      columns=list(cohort.sample_ids[keep]))
    df.loc[list(zero)] = 0
    df.drop(index=list(drop)).to_csv(path, sep="\t", compression="gzip")
    return path


@pytest.fixture(scope="module")
def heldout(tmp_path_factory):
    """A model (mlp) trained on two of three types; bundles of all three prepared together
    and a prepare helper for the third type alone."""
    d = tmp_path_factory.mktemp("heldout")
    cohort = make_synthetic_cohort(n_samples=150, n_genes=100, n_types=3, seed=7)
    files = write_synthetic_files(cohort, d / "in")
    types = sorted(set(cohort.cancer_type))
    held = types[-1]

    def prepare(name: str, keep: np.ndarray, **genes) -> object:
        counts = _counts(cohort, keep, d / f"{name}.tsv.gz", **genes)
        return prepare_dataset([counts], out_path=d / name, label_paths=[files["labels"]],
                               clinical_path=files["clinical"], annotation_path=files["annotation"],
                               config=PrepareConfig(synthetic=True))

    seen = prepare("seen", cohort.cancer_type != held)
    both = prepare("both", np.ones(len(cohort.sample_ids), bool))
    train_run(seen.path, out_dir=d / "mlp", task="classify", model_name="mlp", epochs=1,
              progress=False)
    payload = load_model_file(d / "mlp")
    return {"d": d, "cohort": cohort, "held": held, "seen": seen, "both": both, "run": d / "mlp",
            "payload": payload, "prepare": prepare}


def _explain(h, data, out: Path, **kw):
    ids = [str(s) for s, t in zip(data.sample_ids, data.obs["cancer_type"], strict=True)
           if t == h["held"]][:4]
    return explain_run(h["run"], data=data.path, out_dir=out, samples=ids, n_steps=4,
                       n_draws=16, max_steps=4, progress=False, max_maps=0, device="cpu", **kw)


def test_references_are_the_models_training_tumours_not_the_bundles_split(heldout, tmp_path):
    """Old: the 16 references came from the joint bundle's training split, held-out type
    among them; now only the model's own training samples, found there by id."""
    h = heldout
    res = _explain(h, h["both"], tmp_path / "e")
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    train = set(map(str, h["payload"]["split_ids"]["train"]))
    assert set(conv["references"]["sample_ids"]) <= train
    assert h["held"] not in conv["references"]["by_cancer_type"]
    assert conv["reference_source"]["source"] == "bundle"
    assert conv["reference_source"]["n_model_train_found"] == len(train)
    assert "drawn from the model's training samples in this bundle" in res.describe()


def test_a_bundle_without_them_takes_them_from_the_runs_bundle_else_refuses(heldout, tmp_path):
    """Old: a bundle of the held-out type alone integrated from its own tumours; now from
    the run's own bundle while it is on disk, and refused (naming the fix) once it is not."""
    h = heldout
    alone = h["prepare"]("alone", h["cohort"].cancer_type == h["held"])
    _explain(h, alone, tmp_path / "e")
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert conv["reference_source"]["source"] == "run_bundle"
    assert conv["reference_source"]["source_bundle"] == str(h["seen"].path)
    assert set(conv["references"]["sample_ids"]) <= set(map(str, h["payload"]["split_ids"]["train"]))
    moved = h["seen"].path.with_name("seen_moved")
    shutil.move(h["seen"].path, moved)
    try:
        with pytest.raises(InputError, match="integrate from the model's training tumours") as e:
            _explain(h, alone, tmp_path / "no")
        assert "bundle_path" in e.value.fix and "frozen_ig" in e.value.fix
    finally:
        shutil.move(moved, h["seen"].path)
    _explain(h, alone, tmp_path / "ig", method="frozen_ig")  # no references: not needed


def test_genes_dropped_as_zero_everywhere_are_filled_counted_and_said(heldout, tmp_path):
    """Old: refused ("12 of the model's genes are not in the bundle; fix: explain with the
    bundle the model was trained on"). Twelve genes: two beyond the record's ten examples,
    placed as zero because no other recorded reason can have dropped one of the model's."""
    h = heldout
    genes = [str(g) for g in h["payload"]["gene_ids"]][:12]
    assert len(genes) <= 0.2 * len(h["payload"]["gene_ids"])
    zeroed = h["prepare"]("zeroed", h["cohort"].cancer_type == h["held"], zero=genes)
    assert zeroed.record["dropped"]["genes"]["zero in every sample"] >= 12
    res = _explain(h, zeroed, tmp_path / "e")
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert conv["zero_filled_genes"]["n"] == 12
    assert ("12 of the model's genes were zero in every sample of this bundle (dropped at "
            "prepare): filled as zero") in res.describe()
    assert np.isfinite(np.load(tmp_path / "e" / "attributions.npy")).all()


def test_genes_missing_otherwise_or_too_many_zero_are_refused_with_a_fix_that_works(heldout, tmp_path):
    """Old: every missing gene was refused with "explain with the bundle the model was
    trained on" (which holds no sample of the held-out type)."""
    h = heldout
    genes = [str(g) for g in h["payload"]["gene_ids"]]
    absent = h["prepare"]("absent", h["cohort"].cancer_type == h["held"], drop=genes[:3],
                          zero=genes[3:5])  # a file lacking 3 genes: no recorded drop
    with pytest.raises(InputError, match=r"3 of the model's \d+ genes are not in the bundle .*"
                                         r"its record does not say they were zero in every "
                                         r"sample \(dropped_genes.tsv.gz: 3 not dropped at "
                                         r"prepare: absent from the files read; 2 more were "
                                         r"dropped") as e:
        _explain(h, absent, tmp_path / "a")
    assert "genemoe predict" in e.value.fix and "trained on" not in e.value.fix
    many = h["prepare"]("many", h["cohort"].cancer_type == h["held"],
                        zero=genes[: int(0.3 * len(genes))])
    with pytest.raises(InputError, match="above the limit of 20% filled as zero"):
        _explain(h, many, tmp_path / "m")


def test_the_models_own_bundle_keeps_its_references(heldout, tmp_path):
    """The bundle the model was trained on: the same pool as before (its training split)."""
    from genemoe.explain.methods import reference_rows
    from genemoe.explain.references import training_pool

    h = heldout
    seen = h["seen"]
    explain_run(h["run"], data=seen.path, out_dir=tmp_path / "e", n_steps=4, max_steps=4,
                max_samples_per_class=2, progress=False, max_maps=0, device="cpu")
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    pool = training_pool(seen.indices("train"), 0)
    assert conv["references"]["sample_ids"] == [
        str(s) for s in seen.sample_ids[pool][reference_rows(len(pool), 8, 0)]]
    assert conv["reference_source"]["source"] == "bundle"


def test_the_record_places_unnamed_genes_only_where_no_other_reason_can_hold_them():
    """The probe's numbers: 9,559 genes dropped as zero (ten named), 157 for lacking a gene
    length; 56,380 genes reached the filter, as in the model's bundle (same annotation)."""
    from genemoe.explain.bundle_genes import zero_dropped

    def record(n_in, zero, *, sha="a", named=("G1",)):
        return {"dropped": {"genes": {"no gene length in the annotation (needed for log2tpm)": 157,
                                      "zero in every sample": zero}},
                "dropped_gene_examples": {"zero in every sample": list(named),
                                          "no gene length in the annotation (needed for log2tpm)": ["L1"]},
                "genes": {"n_in_bundle": n_in}, "inputs": [{"role": "annotation", "sha256": sha}]}

    model = record(50135, 6245)
    lengths = {"G1": 1.0, "G2": 2.0, "L1": np.nan}
    uvm = record(46821, 9559)
    assert zero_dropped(uvm, ["G1", "G2"], model_record=model, gene_lengths=lengths).tolist() == [True, True]
    assert zero_dropped(uvm, ["L1"], model_record=model, gene_lengths=lengths).tolist() == [False]
    other_annotation = record(46821, 9559, sha="b")  # the 157 may hold G2
    assert zero_dropped(other_annotation, ["G1", "G2"], model_record=model,
                        gene_lengths=lengths).tolist() == [True, False]
    fewer_read = record(46000, 9559)  # its file lacked genes: absent ones are no recorded drop
    assert zero_dropped(fewer_read, ["G1", "G2"], model_record=model,
                        gene_lengths=lengths).tolist() == [True, False]
    assert zero_dropped(uvm, ["G2"], model_record=None).tolist() == [False]  # no model record


def test_a_pool_of_one_cancer_type_is_not_called_lopsided():
    """Old: a model trained on ACC alone drew "lopsided" references, ACC 4 (ACC holds most),
    told to pass --n-draws 32: every draw of its pool is all ACC."""
    from genemoe.explain.references import lopsided_warning, reference_draw

    draw = reference_draw(np.array([f"S{i}" for i in range(20)]), np.array(["ACC"] * 20),
                          n_draws=4, seed=0)
    assert draw["pool_types"] == 1 and lopsided_warning(draw, ["ACC"]) is None
    mixed = reference_draw(np.array([f"S{i}" for i in range(20)]),
                           np.array(["ACC"] * 19 + ["UVM"]), n_draws=8, seed=0)
    assert lopsided_warning(mixed, ["ACC"]) is not None
