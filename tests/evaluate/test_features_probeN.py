"""`genemoe features` after outside review probeN: samples the run read under another
spelling of their barcode (or another vial of their patient) were taken as held-out, the
--max-samples draw was neither said nor recorded, and --k refused a run that has no use for it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.workflows.features import analyse_features
from genemoe.workflows.pretrain import pretrain_run
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    d = tmp_path_factory.mktemp("features_probeN")
    bundle, _, _ = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=5,
                                     clinical=False)
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 1, "batch_size": 32, "lr": 3e-3, "n_critic": 1,
                     "critic_widths": [16]},
    }))
    run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, seed=0, device="cpu",
                       progress=False)
    return bundle, run.out_dir, cfg


def _respelled(bundle, out, *, keep_patient_column: bool = True):  # noqa: ANN001, ANN202
    """The same tumours with their barcodes spelled otherwise (``...-01`` for
    ``...-01A-11R-...``) and split afresh: most of its test split are patients the run read."""
    copy = load_bundle(bundle.path)
    obs = copy.obs.copy()
    obs["sample_id"] = [str(s)[:15] for s in obs["sample_id"]]
    assert not set(obs["sample_id"]) & set(bundle.sample_ids.astype(str))  # no id in common
    obs["split"] = np.random.default_rng(1).permutation(obs["split"].to_numpy())
    if not keep_patient_column:  # no patient recorded: the barcode's
        obs["patient_id"] = None
    copy.obs = obs.reset_index(drop=True)
    write_bundle(copy, out)
    return load_bundle(out)


@pytest.mark.parametrize("keep_patient_column", [True, False])
def test_samples_the_run_read_under_another_spelling_are_refused_and_not_unseen(
        pretrained, tmp_path, keep_patient_column):
    """Old behaviour: --split test of a bundle spelling the run's barcodes otherwise analysed
    samples of patients the run trained on, and --split unseen took every sample."""
    bundle, run_dir, _ = pretrained
    other = _respelled(bundle, tmp_path / "b2", keep_patient_column=keep_patient_column)
    with pytest.raises(InputError, match="through another sample of their patient") as e:
        analyse_features(run_dir, data=other.path, out_dir=tmp_path / "t", split="test")
    assert "the run saw" in str(e.value) and "of --split test" in str(e.value)
    n_test = len(bundle.indices("test"))  # the only patients the run never read
    assert f"--split unseen analyses the {n_test} samples" in str(e.value)
    s = analyse_features(run_dir, data=other.path, out_dir=tmp_path / "u", split="unseen",
                         n_features=3).summary
    read = {str(x)[:12] for x in bundle.sample_ids[np.r_[bundle.indices("train"),
                                                          bundle.indices("val")]]}
    emb = pd.read_csv(tmp_path / "u" / "embedding_tsne.tsv", sep="\t", dtype=str)
    taken = emb.loc[emb["source"] == "real", "sample_id"]
    assert s["n_samples"] == n_test and not {x[:12] for x in taken} & read


def test_samples_tsv_without_patients_and_a_train_runs_rows_give_their_barcodes_patients(
        tmp_path):
    """The patient of a used sample no table names is its barcode's (it was its id only)."""
    from types import SimpleNamespace

    from genemoe.workflows.feature_run import used_sample_patients

    pre = tmp_path / "pre"
    pre.mkdir()
    pd.DataFrame({"sample_id": ["TCGA-44-4112-01", "S7"], "role": ["train", "val"]}).to_csv(
        pre / "samples.tsv", sep="\t", index=False)
    run = tmp_path / "run"
    run.mkdir()
    pd.DataFrame({"sample_id": ["TCGA-AB-0001-01A-11R-A000-07", "TCGA-AB-0002-01A", "x"],
                  "split": ["train", "val", "test"]}).to_csv(run / "predictions.tsv", sep="\t",
                                                             index=False)
    used = used_sample_patients(SimpleNamespace(path=run, kind="train", pretrained_from=pre))
    assert used == {"TCGA-44-4112-01": "TCGA-44-4112", "S7": "S7",
                    "TCGA-AB-0001-01A-11R-A000-07": "TCGA-AB-0001",
                    "TCGA-AB-0002-01A": "TCGA-AB-0002"}


def test_the_max_samples_draw_is_said_recorded_and_listed(pretrained, tmp_path):
    """Old behaviour: --max-samples 30 on a larger test split said "(30 test samples ...)",
    the page "the test split's 30 samples"; summary.json held neither --max-samples nor the
    split's size, nor which samples were drawn."""
    from genemoe.report.html import write_report

    bundle, run_dir, _ = pretrained
    n_test = len(bundle.indices("test"))
    assert n_test > 20
    out = tmp_path / "f"
    res = analyse_features(run_dir, data=bundle.path, out_dir=out, n_features=3, k=5,
                           max_samples=20)
    text = res.describe()
    assert f"(20 of {n_test} test samples," in text.splitlines()[0]
    assert f"  note: drew 20 of the {n_test} test samples (--max-samples 20, seed 0; listed " \
           "in samples.tsv)" in text
    s = json.loads((out / "summary.json").read_text())
    assert s["n_samples"] == 20 and s["n_available"] == n_test and s["max_samples"] == 20
    table = pd.read_csv(out / "samples.tsv", sep="\t", dtype=str)
    assert list(table.columns) == ["sample_id", "patient_id", "cancer_type"] and len(table) == 20
    assert set(table["sample_id"]) <= set(bundle.sample_ids[bundle.indices("test")].astype(str))
    assert "samples.tsv" in s["files"]
    page = write_report(out).read_text()
    assert f"20 of the <strong>test</strong> split's {n_test} samples" in page
    # no draw: nothing said, every sample listed
    res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "g", n_features=3)
    assert not any(n.startswith("drew") for n in res.notes)
    assert f"({n_test} test samples," in res.describe()
    assert len(pd.read_csv(tmp_path / "g" / "samples.tsv", sep="\t")) == n_test


def test_k_and_embedding_are_not_checked_for_a_run_without_decoder_and_said_unused(
        pretrained, tmp_path, monkeypatch):
    """Old behaviour: "--k 15 needs more than 15 samples" refused a train run (no decoder, no
    mixing score); --k and --embedding given to one were taken silently."""
    import genemoe.workflows.features as wf
    from genemoe.workflows.train import train_run

    bundle, _, cfg = pretrained
    trained = train_run(bundle.path, out_dir=tmp_path / "clf", config_path=cfg, epochs=1,
                        device="cpu", progress=False)
    res = analyse_features(trained.out_dir, data=bundle.path, out_dir=tmp_path / "f",
                           n_features=3, max_samples=10)  # --k 15 (the default) > 10 samples
    assert res.summary["n_samples"] == 10 and res.summary["reconstruction"] is None
    assert any("which --k and --embedding are for" in n for n in res.notes)
    assert not any("not used" in n for n in res.notes)
    # UMAP asked of a run that draws no embedding: not refused for lacking umap-learn
    monkeypatch.setattr(wf, "umap_available", lambda: False)
    res = analyse_features(trained.out_dir, data=bundle.path, out_dir=tmp_path / "g",
                           n_features=3, k=20, embedding="umap")
    assert ("--k 20 and --embedding umap not used: the train run's model has no decoder (the "
            "embeddings and the mixing score need one)") in res.notes


def test_two_cohorts_numbering_their_patients_alike_share_none(pretrained, tmp_path):
    """Old behaviour (probeQ, on h9's patient check): patient ids recorded by a run of
    another cohort were compared with this bundle's directly, so two non-TCGA cohorts that
    both number their patients 1, 2, ... "shared" patients and features refused unrelated
    samples. A patient barcode is still one patient across bundles."""
    from genemoe.workflows.feature_run import seen_rows

    bundle, _, _ = pretrained
    copy = load_bundle(bundle.path)
    obs = copy.obs.copy()
    obs["sample_id"] = [f"B_s{i}" for i in range(len(obs))]
    obs["patient_id"] = [str(i) for i in range(len(obs))]
    copy.obs = obs.reset_index(drop=True)
    write_bundle(copy, tmp_path / "b")
    other = load_bundle(tmp_path / "b")
    rows = np.arange(3)
    by_id, by_patient = seen_rows(other, rows, {"A_s9": "0", "A_s8": "1"})
    assert not by_id.any() and not by_patient.any()
    barcode = {"TCGA-OR-A5J1-01A": "TCGA-OR-A5J1"}
    obs.loc[0, "patient_id"] = "TCGA-OR-A5J1"
    copy.obs = obs.reset_index(drop=True)
    write_bundle(copy, tmp_path / "c")
    _, by_patient = seen_rows(load_bundle(tmp_path / "c"), rows, barcode)
    assert by_patient.tolist() == [True, False, False]
