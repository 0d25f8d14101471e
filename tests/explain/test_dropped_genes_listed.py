"""Every gene prepare drops is named with its reason in the bundle (``dropped_genes.tsv.gz``),
and ``explain`` fills the model's genes a bundle dropped as zero in every sample from it.

Old behaviour: the record named ten genes per reason (``dropped_gene_examples``) beside the
counts, and explain inferred the rest from the counts (as many genes reaching the filter
as the model's bundle, no other reason able to hold them, the same annotation), so a
gene dropped for another reason could be filled as zero when the counts allowed it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.cli_inputs import bundle_summary_lines
from genemoe.data.bundle import load_bundle
from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError
from genemoe.explain.bundle_genes import model_genes, zero_dropped

ZERO = "zero in every sample"
N_ZERO = 15  # beyond the record's ten examples


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """A model's bundle (every gene) and a bundle of the same samples with 15 of its genes
    zero everywhere and 3 rows of ids the annotation lacks."""
    d = tmp_path_factory.mktemp("listed")
    cohort = make_synthetic_cohort(n_samples=60, n_genes=80, n_types=2, seed=3)
    files = write_synthetic_files(cohort, d / "in")
    counts = pd.DataFrame(cohort.counts.T, index=list(cohort.gene_ids), columns=list(cohort.sample_ids))
    zeroed = [str(g) for g in cohort.gene_ids[:N_ZERO]]

    def prepare(name: str, df: pd.DataFrame):
        df.to_csv(path := d / f"{name}.tsv.gz", sep="\t", compression="gzip")
        return prepare_dataset([path], out_path=d / name, label_paths=[files["labels"]],
                               clinical_path=files["clinical"], annotation_path=files["annotation"],
                               config=PrepareConfig(synthetic=True))

    model = prepare("model", counts)
    held = counts.copy()
    held.loc[zeroed] = 0
    held = pd.concat([held, pd.DataFrame(1, index=["NOTAGENE1", "NOTAGENE2", "NOTAGENE3"],
                                         columns=held.columns)])
    return {"model": model, "held": prepare("held", held), "zeroed": zeroed}


def _payload(model) -> dict:
    """What explain reads of a model trained on ``model``'s bundle."""
    return {"gene_ids": [str(g) for g in model.gene_ids], "record": model.record,
            "gene_lengths": model.var["length"].to_numpy(np.float64)}


def test_the_bundle_lists_every_dropped_gene_with_its_reason(bundles):
    """Old: no such file; the record named ten of the 15 genes dropped as zero."""
    held = bundles["held"]
    path = held.path / "dropped_genes.tsv.gz"
    table = pd.read_csv(path, sep="\t", dtype=str)
    assert list(table.columns) == ["gene_id", "reason"]
    own = set(bundles["model"].dropped_genes()["gene_id"])  # zero in the cohort itself
    assert set(table.loc[table["reason"] == ZERO, "gene_id"]) == set(bundles["zeroed"]) | own
    assert len(bundles["zeroed"]) > 10 and not own & set(bundles["zeroed"])
    unmapped = table.loc[table["gene_id"].str.startswith("NOTAGENE")]
    assert len(unmapped) == 3 and (unmapped["reason"] != ZERO).all()
    assert table["reason"].value_counts().to_dict() == held.record["dropped"]["genes"]
    entry = json.loads((held.path / "record.json").read_text())["dropped_genes_file"]
    assert entry["file"] == "dropped_genes.tsv.gz" and entry["n_rows"] == len(table)
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # in the fingerprint
    assert entry["reasons_not_listed"] == {}
    assert json.loads((held.path / "summary.json").read_text())["dropped_genes_file"] == path.name
    assert any(str(path) in line for line in bundle_summary_lines(held.summary, held.path))
    loaded = load_bundle(held.path).dropped_genes()
    pd.testing.assert_frame_equal(loaded, table)
    pd.testing.assert_frame_equal(held.dropped_genes(), table)
    assert gzip.decompress(path.read_bytes()).startswith(b"gene_id\treason\n")


def test_explain_fills_the_genes_the_file_lists_as_zero_and_says_so(bundles):
    """Old: the 15 were placed by inference from the counts, said as if known."""
    genes = model_genes(load_bundle(bundles["held"].path), _payload(bundles["model"]))
    assert sorted(genes.filled) == sorted(bundles["zeroed"])
    assert "listed so in the bundle's dropped_genes.tsv.gz" in genes.note(80)["text"]


def test_a_gene_the_file_lists_for_another_reason_is_not_filled_though_the_counts_allow():
    """The record's counts place G2 as zero (same annotation, as many genes read, the
    length reason closed by the annotation); the file says it lacked a gene length."""
    length = "no gene length in the annotation (needed for log2tpm)"

    def record(n_in: int, zero: int) -> dict:
        return {"dropped": {"genes": {length: 157, ZERO: zero}},
                "dropped_gene_examples": {ZERO: ["G1"], length: ["L1"]},
                "genes": {"n_in_bundle": n_in}, "inputs": [{"role": "annotation", "sha256": "a"}]}

    held, model = record(46821, 9559), record(50135, 6245)
    lengths = {"G1": 1.0, "G2": 2.0}  # the model's: G2 has one
    assert zero_dropped(held, ["G1", "G2"], model_record=model,
                        gene_lengths=lengths).tolist() == [True, True]
    listed = pd.DataFrame({"gene_id": ["G1", "G2"], "reason": [ZERO, length]})
    assert zero_dropped(held, ["G1", "G2"], listed=listed, model_record=model,
                        gene_lengths=lengths).tolist() == [True, False]


def test_a_model_gene_the_file_lists_otherwise_is_refused_with_its_reason(bundles, tmp_path):
    """A model gene the bundle dropped for lacking a gene length: refused, its reason
    named from the file (old: "its record does not say they were zero in every sample")."""
    payload = _payload(bundles["model"])
    payload["gene_ids"] = payload["gene_ids"] + ["NOTAGENE1"]
    payload["gene_lengths"] = np.append(payload["gene_lengths"], 1000.0)
    with pytest.raises(InputError, match=r"dropped_genes.tsv.gz: 1 no gene length in the "
                                         r"annotation \(needed for fpkm_uq\); 15 more were dropped"):
        model_genes(load_bundle(bundles["held"].path), payload)


def _as_earlier_genemoe(src: Path, dst: Path) -> Path:
    """A copy of bundle ``src`` as an earlier genemoe wrote it: no file, no record entry."""
    dst.mkdir()
    for f in src.iterdir():
        if f.name != "dropped_genes.tsv.gz":
            (dst / f.name).write_bytes(f.read_bytes())
    for name in ("record.json", "summary.json"):
        data = json.loads((dst / name).read_text())
        data.pop("dropped_genes_file", None)
        (dst / name).write_text(json.dumps(data))
    return dst


def test_a_bundle_from_an_earlier_genemoe_is_placed_by_its_counts_and_says_so(bundles, tmp_path):
    """Old: the same fill, not said to be inferred."""
    old = load_bundle(_as_earlier_genemoe(bundles["held"].path, tmp_path / "old"))
    assert old.dropped_genes().empty and list(old.dropped_genes().columns) == ["gene_id", "reason"]
    genes = model_genes(old, _payload(bundles["model"]))
    assert sorted(genes.filled) == sorted(bundles["zeroed"])
    assert ("inferred from the record's counts (a bundle from an earlier genemoe)"
            in genes.note(80)["text"])


def test_a_bundle_whose_record_names_the_file_and_lacks_it_is_refused(bundles, tmp_path):
    """The record names the file: a copy without it is damaged, not an earlier bundle."""
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in bundles["held"].path.iterdir():
        if f.name != "dropped_genes.tsv.gz":
            (copy / f.name).write_bytes(f.read_bytes())
    with pytest.raises(InputError, match="missing: the bundle's record names it") as e:
        load_bundle(copy).dropped_genes()
    assert "copy the bundle again" in e.value.fix
