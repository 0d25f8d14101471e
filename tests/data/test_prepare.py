"""prepare → bundle: synthetic cohort for properties, real TCGA files for truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.data.prepare import PrepareConfig, fit_gene_filter, prepare_dataset
from genemoe.data.splits import stratified_kfold, stratified_split
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError


@pytest.fixture(scope="module")
def synth_files(tmp_path_factory) -> dict[str, Path]:
    cohort = make_synthetic_cohort(n_samples=330, n_genes=300, seed=3, include_normals=12)
    return write_synthetic_files(cohort, tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="module")
def synth_bundle(synth_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("b") / "bundle"
    return prepare_dataset([synth_files["counts"]], out_path=out, label_paths=[synth_files["labels"]],
                           clinical_path=synth_files["clinical"], annotation_path=synth_files["annotation"],
                           config=PrepareConfig(synthetic=True, seed=1))


def test_synthetic_bundle_counts_and_flags(synth_bundle):
    b = load_bundle(synth_bundle.path)
    s = json.loads((b.path / "summary.json").read_text())
    assert s["synthetic"] is True and b.synthetic
    assert s["n_samples"] == 330  # the 12 solid-tissue normals (code 11) are dropped ...
    assert s["dropped"]["samples"]["Solid Tissue Normal (11)"] == 12  # ... and counted
    assert sum(s["cancer_types"].values()) == s["n_samples"] == len(b.obs)
    assert s["n_with_survival"] == int(b.obs["has_survival"].sum()) > 300
    assert s["normalisation"] == "fpkm_uq"  # counts + lengths → the paper's scale
    assert isinstance(b.X, np.memmap) and b.X.dtype == np.float32
    assert set(b.obs["split"]) == {"train", "val", "test"}
    # every class present in val/test is present in training
    for part in ("val", "test"):
        assert set(b.obs.loc[b.obs.split == part, "cancer_type"]) <= set(
            b.obs.loc[b.obs.split == "train", "cancer_type"])


def test_genemoes_synthetic_files_are_marked_synthetic_however_prepared(synth_files, tmp_path):
    """Old behaviour (an outside probe): ``genemoe prepare`` on the files
    ``write_synthetic_files`` writes gave a bundle every report called "real data"
    (``synthetic: false``): only the demo set the flag. The SYNT- barcodes, or the README
    beside the files, mark it now, said and in the record."""
    kw = dict(label_paths=[synth_files["labels"]], annotation_path=synth_files["annotation"])
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b", **kw)
    assert b.synthetic and json.loads((b.path / "summary.json").read_text())["synthetic"] is True
    assert any("synthetic samples (SYNT- barcodes)" in w for w in b.record["warnings"])
    moved = tmp_path / "elsewhere"  # renamed barcodes: the README still tells
    moved.mkdir()
    counts = pd.read_csv(synth_files["counts"], sep="\t", index_col=0)
    counts.columns = [c.replace("SYNT-", "TCGA-") for c in counts.columns]
    counts.to_csv(moved / "counts.tsv", sep="\t")
    labels = pd.read_csv(synth_files["labels"], sep="\t")
    labels["Sample_name"] = labels["Sample_name"].str.replace("SYNT-", "TCGA-")
    labels.to_csv(moved / "labels.tsv", sep="\t", index=False)
    plain = prepare_dataset([moved / "counts.tsv"], out_path=tmp_path / "c",
                            label_paths=[moved / "labels.tsv"], annotation_path=kw["annotation_path"])
    assert not plain.synthetic  # nothing tells these apart from real data
    (moved / "SYNTHETIC_README.txt").write_text("synthetic\n")
    again = prepare_dataset([moved / "counts.tsv"], out_path=tmp_path / "d",
                            label_paths=[moved / "labels.tsv"], annotation_path=kw["annotation_path"])
    assert again.synthetic


def test_training_statistics_come_from_training_rows_only(synth_bundle):
    b = synth_bundle
    train = b.X[b.indices("train")].astype(np.float64)
    np.testing.assert_allclose(b.var["train_mean"], train.mean(0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(b.var["train_std"], train.std(0), rtol=1e-6, atol=1e-6)
    # the default gene mask is the gene filter fitted on the training rows
    keep, _ = fit_gene_filter(train)
    assert (b.gene_mask() == keep).all() and (b.var["keep"].to_numpy() == keep).all()


def test_gene_filter_ignores_non_training_rows(rng):
    X = rng.normal(0, 0.1, size=(40, 5))
    X[:, 0] = 0  # empty in training
    keep, reasons = fit_gene_filter(X[:30])
    X2 = X.copy()
    X2[30:] = 100  # test rows wildly different: must not change the training-fitted filter
    keep2, _ = fit_gene_filter(X2[:30])
    assert (keep == keep2).all() and not keep[0]
    assert reasons["empty in training split"].sum() == 1
    # variance < 0.4 and mean < 0.8 → dropped; a high mean keeps a low-variance gene
    X3 = np.column_stack([np.full(30, 5.0) + rng.normal(0, 0.1, 30), rng.normal(0.1, 0.1, 30)])
    keep3, _ = fit_gene_filter(X3)
    assert keep3.tolist() == [True, False]


def test_split_is_seeded_and_stratified():
    labels = np.array(["A"] * 50 + ["B"] * 20 + ["C"] * 3)
    s1 = stratified_split(labels, val_fraction=0.1, test_fraction=0.2, seed=5)
    s2 = stratified_split(labels, val_fraction=0.1, test_fraction=0.2, seed=5)
    assert (s1 == s2).all()
    assert (s1 != stratified_split(labels, seed=6)).any()
    assert (s1[:50] == "test").sum() == 10 and (s1[50:70] == "test").sum() == 4
    assert (s1[70:] == "train").sum() >= 1  # the tiny class keeps a training sample
    folds = stratified_kfold(labels, n_folds=3, seed=0)
    for f in range(3):
        assert 16 <= (folds[:50] == f).sum() <= 17


def test_kfold_bundle_has_per_fold_gene_masks(synth_files, tmp_path):
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "kb",
                        label_paths=[synth_files["labels"]], config=PrepareConfig(n_folds=3, synthetic=True))
    b = load_bundle(tmp_path / "kb")
    assert b.folds is not None and set(b.folds.tolist()) == {0, 1, 2}
    for i in range(3):
        assert b.gene_mask(i).shape == (b.n_genes,)
        test_rows, train_rows = b.indices(fold=i, part="test"), b.indices(fold=i, part="train")
        assert len(np.intersect1d(test_rows, train_rows)) == 0
        assert len(test_rows) + len(train_rows) == b.n_samples


def test_unlabelled_samples_are_an_error_or_counted(synth_files, tmp_path):
    lab = pd.read_csv(synth_files["labels"], sep="\t")
    partial = tmp_path / "partial_labels.tsv"
    lab.iloc[5:].to_csv(partial, sep="\t", index=False)
    with pytest.raises(InputError, match=r"(?s)no cancer-type label.*fix: .*--cancer-type TYPE "
                                         r"for a file of one cohort.*--drop-unlabelled"):
        prepare_dataset([synth_files["counts"]], out_path=tmp_path / "x", label_paths=[partial])
    assert not (tmp_path / "x").exists()  # nothing half-written
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "y", label_paths=[partial],
                        config=PrepareConfig(drop_unlabelled=True))
    dropped = b.summary["dropped"]["samples"]
    assert dropped["no cancer-type label"] >= 1


def test_a_label_table_naming_no_sample_is_refused_and_unused_rows_are_counted(synth_files,
                                                                              tmp_path):
    """A label table of other samples was silently unused: the samples took their labels
    from elsewhere (a single-cohort file's name) and the record never said so."""
    from genemoe.data.prep_text import step_line

    lab = pd.read_csv(synth_files["labels"], sep="\t")
    other = tmp_path / "other_cohort.tsv"
    lab.assign(**{lab.columns[0]: [f"X{i}" for i in range(len(lab))]}).to_csv(other, sep="\t",
                                                                            index=False)
    with pytest.raises(InputError) as info:
        prepare_dataset([synth_files["counts"]], out_path=tmp_path / "x", label_paths=[other])
    assert str(info.value).startswith(f"{other}: none of its {len(lab):,} sample ids names a sample")
    assert "--sample-column" in str(info.value) and not (tmp_path / "x").exists()
    extra = tmp_path / "with_extra_rows.tsv"
    pd.concat([lab, lab.head(3).assign(**{lab.columns[0]: ["X1", "X2", "X3"]})]).to_csv(
        extra, sep="\t", index=False)
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "y", label_paths=[extra],
                        config=PrepareConfig(synthetic=True))
    step = {st["step"]: st for st in b.record["steps"]}["labels"]
    assert step["label_rows_naming_no_sample"] == 3
    assert "3 label-table rows name no sample" in step_line("labels", step)


def test_write_is_atomic_on_failure(synth_bundle, tmp_path, monkeypatch):
    target = tmp_path / "bundle"
    write_bundle(synth_bundle.subset(np.arange(10)), target)
    before = (target / "X.npy").read_bytes()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(RuntimeError):
        write_bundle(synth_bundle, target)
    assert (target / "X.npy").read_bytes() == before  # the old bundle is intact
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]  # no temporary left


def test_pancan33_real(shared_data, tmp_path):
    d = shared_data / "pancan33_random100"
    b = prepare_dataset([d / "expression.tsv.gz"], out_path=tmp_path / "pc",
                        label_paths=[d / "samples.tsv.gz"])
    s = b.summary
    # data README: 990 primary tumours (sample types 01 and 03) of all 33 types
    assert s["n_samples"] == 990 and s["n_cancer_types"] == 33
    assert s["normalisation"] == "log2p1"  # EB++ RSEM values are linear, not log
    assert sum(s["dropped"]["samples"].values()) == 1106 - 990
    assert (b.obs.loc[b.obs.cancer_type == "LAML", "sample_type"] == "03").all()


def _gdc_inputs(d: Path, types: list[str]) -> tuple[list[Path], list[Path]]:
    g = d / "gdc_counts_6types"
    return ([g / f"TCGA_{t}_Counts.exp.gz" for t in types], [g / f"TCGA_{t}_Target.txt.gz" for t in types])


def test_gdc_counts_two_cohorts_real(shared_data, tmp_path):
    expr, labels = _gdc_inputs(shared_data, ["CHOL", "UVM"])
    b = prepare_dataset(expr, out_path=tmp_path / "g2", label_paths=labels,
                        clinical_path=shared_data / "tcga_survival/clinical_survival.tsv.gz",
                        annotation_path=shared_data / "annotation/ensembl105_genes.tsv.gz")
    s = b.summary
    assert s["cancer_types"] == {"CHOL": 36, "UVM": 80}  # data README sample counts
    # data README: OS events CHOL 18/36, UVM 23/80
    ev = b.obs.groupby("cancer_type")["event"].sum().to_dict()
    assert ev == {"CHOL": 18, "UVM": 23}
    # Ensembl 105 names 96% of protein-coding genes (32% of all its genes have no name)
    pc = b.var["biotype"] == "protein_coding"
    assert b.var.loc[pc, "symbol"].notna().mean() > 0.95 and b.var["length"].notna().all()
    assert s["dropped"]["genes"]["no gene length in the annotation (needed for fpkm_uq)"] == 157


@pytest.mark.slow
def test_gdc_counts_six_cohorts_real(shared_data, tmp_path):
    types = ["ACC", "CHOL", "DLBC", "KICH", "UCS", "UVM"]
    expr, labels = _gdc_inputs(shared_data, types)
    b = prepare_dataset(expr, out_path=tmp_path / "g6", label_paths=labels,
                        clinical_path=shared_data / "tcga_survival/clinical_survival.tsv.gz",
                        annotation_path=shared_data / "annotation/ensembl105_genes.tsv.gz")
    s = json.loads((tmp_path / "g6" / "summary.json").read_text())
    assert s == b.summary
    assert s["n_samples"] == 364 and s["n_cancer_types"] == 6  # issue: 364 primary tumours
    assert s["n_with_survival"] >= 355


def test_an_export_of_another_endpoint_is_said_when_prepared_again(synth_files, tmp_path,
                                                                    caplog):
    """Re-preparing a PFI bundle's export gave OS survival, said only as "survival (OS)"."""
    from genemoe.data.read import write_h5ad

    pfi = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "pfi",
                          label_paths=[synth_files["labels"]], clinical_path=synth_files["clinical"],
                          config=PrepareConfig(synthetic=True, seed=1, endpoint="PFI"))
    h5 = write_h5ad(pfi, tmp_path / "pfi.h5ad")
    with caplog.at_level("WARNING", logger="genemoe"):
        prepare_dataset([h5], out_path=tmp_path / "again", config=PrepareConfig(synthetic=True))
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("exported from a bundle of endpoint PFI; this bundle's survival is OS (pass "
               "--endpoint PFI" in s for s in said), said
    caplog.clear()
    with caplog.at_level("WARNING", logger="genemoe"):
        b = prepare_dataset([h5], out_path=tmp_path / "same",
                            config=PrepareConfig(synthetic=True, endpoint="PFI"))
    assert not any("exported from a bundle of endpoint" in r.getMessage() for r in caplog.records)
    np.testing.assert_array_equal(b.obs.set_index("sample_id").loc[pfi.obs["sample_id"], "time"],
                                  pfi.obs["time"])


def test_an_exports_cohorts_come_back(tmp_path):
    """Re-preparing an export of three cohorts (TCGA_<TYPE>_ files) left `cohort` empty for
    every sample, unsaid."""
    from genemoe.data.read import write_h5ad

    files = []
    for k, code in enumerate(("ACC", "UVM")):
        genes = [f"ENSG{i:011d}" for i in range(30)]
        rows = [f"{g}\t" + "\t".join(str((i * 7 + j * 3 + k) % 50 + j) for j in range(8))
                for i, g in enumerate(genes)]
        header = "gene_id\t" + "\t".join(f"TCGA-{code[:2]}-{k}{j:03d}-01A" for j in range(8))
        files.append(tmp_path / f"TCGA_{code}_Counts.tsv")
        files[-1].write_text("\n".join([header, *rows]) + "\n")
    b = prepare_dataset(files, out_path=tmp_path / "b",
                        config=PrepareConfig(min_variance=0, min_mean=0, val_fraction=0.25,
                                             test_fraction=0.25))
    assert set(b.obs["cohort"]) == {"ACC", "UVM"}
    again = prepare_dataset([write_h5ad(b, tmp_path / "b.h5ad")], out_path=tmp_path / "again",
                            config=PrepareConfig(min_variance=0, min_mean=0, val_fraction=0.25,
                                                 test_fraction=0.25))
    got = again.obs.set_index("sample_id").loc[b.obs["sample_id"], "cohort"]
    assert got.tolist() == b.obs["cohort"].tolist()


def test_h5ad_round_trip_through_prepare(synth_bundle, tmp_path, caplog):
    """A bundle exported to AnnData (for scanpy) prepares again, labels from its obs.

    Its values pass through unchanged and keep the exported bundle's normalisation in the
    record (it was recorded ``none``: a model trained on the re-prepared bundle then
    quantile-aligned raw counts instead of normalising them as in training).
    """
    from genemoe.data.crossscale import scale_rule
    from genemoe.data.prep_text import step_line
    from genemoe.data.read import write_h5ad

    h5 = write_h5ad(synth_bundle, tmp_path / "cohort.h5ad")
    with caplog.at_level("WARNING"):  # replaced with a word (old: silently)
        write_h5ad(synth_bundle, h5)
    assert f"{h5} exists: replacing it" in caplog.text
    b = prepare_dataset([h5], out_path=tmp_path / "again", config=PrepareConfig(min_variance=0, min_mean=0))
    exported = synth_bundle.summary["normalisation"]
    assert exported != "none" and b.summary["normalisation"] == exported
    step = next(s for s in b.record["steps"] if s["step"] == "normalise")
    assert step["method"] == "none" and step["values_on"] == exported  # values untouched
    assert f"already {exported}, a genemoe export" in step_line("normalise", step)
    assert scale_rule("counts", b.summary["normalisation"]) == "same"
    assert b.summary["cancer_types"] == synth_bundle.summary["cancer_types"]
    assert any(s["step"] == "labels" and "file metadata" in s["sources"] for s in b.record["steps"])
    same = b.obs.set_index("sample_id").loc[synth_bundle.obs["sample_id"], "cancer_type"]
    assert (same.to_numpy() == synth_bundle.obs["cancer_type"].to_numpy()).all()
    # its survival comes back from the obs (old behaviour: "with survival: 0", unsaid)
    again = b.obs.set_index("sample_id").loc[synth_bundle.obs["sample_id"]]
    assert synth_bundle.obs["has_survival"].sum() > 0
    assert (again["has_survival"].to_numpy() == synth_bundle.obs["has_survival"].to_numpy()).all()
    np.testing.assert_array_equal(again["time"].to_numpy(float), synth_bundle.obs["time"].to_numpy(float))
    assert (again["event"].to_numpy() == synth_bundle.obs["event"].to_numpy()).all()
    join = next(s for s in b.record["steps"] if s["step"] == "join_survival")
    assert join["clinical_report"]["format"] == "genemoe export (.h5ad obs)"
    assert step_line("join_survival", join).endswith("(from the genemoe export's obs)")
    # its genes' annotation comes back from the var (old behaviour: every symbol, position,
    # length and biotype null, "2,995 of 2,995 mapped", nothing said)
    before = synth_bundle.var.set_index("gene_id").loc[b.var["gene_id"]]
    for col in ("symbol", "chrom", "start", "length", "biotype"):
        assert before[col].notna().sum() > 0
        assert b.var[col].tolist() == before[col].tolist(), col
    note = next(s for s in b.record["steps"] if s["step"] == "annotation")
    assert step_line("annotation", note).startswith("annotation: the genemoe export's own var (")


def test_outputs_get_normal_permissions(synth_bundle, tmp_path):
    """Atomic writes go through owner-only temporaries; the results must honour the umask."""
    import os

    from genemoe.data.bundle import atomic_write_text

    old = os.umask(0o022)
    try:
        write_bundle(synth_bundle.subset(np.arange(5)), tmp_path / "perm")
        atomic_write_text(tmp_path / "note.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "perm").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "perm" / "X.npy").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "note.txt").stat().st_mode & 0o777 == 0o644


def test_no_sample_left_is_said_not_a_traceback(tmp_path):
    """One tumour of a type (below --min-class-size 3) left an empty matrix and ended in a
    numpy ValueError while writing the gene table."""
    from genemoe.errors import InputError

    path = tmp_path / "one.tsv"
    pd.DataFrame({"TCGA-AA-0001-01": [1.5, 2.0, 3.0]},
                 index=["ENSG00000000003", "ENSG00000000005", "ENSG00000000419"]).to_csv(
        path, sep="\t")
    with pytest.raises(InputError, match=r"(?s)no sample is left.*fewer than 3.*--min-class-size"):
        prepare_dataset([path], out_path=tmp_path / "b", config=PrepareConfig(cancer_type="BRCA"))
    assert not (tmp_path / "b").exists()


def test_no_sample_left_says_the_counts_in_words_and_the_fix_of_its_cause(tmp_path):
    """Old behaviour: `prepare --sample-types 99` said "no sample is left to prepare
    (dropped: {'Primary Solid Tumor (01)': 2, ...})" (a Python dict) with a fix about
    --min-class-size, which was not the cause. Now the counts are words and the fix
    names the sample types the data holds; a class-size drop still names
    --min-class-size."""
    path = tmp_path / "two.tsv"
    pd.DataFrame({"TCGA-AA-0001-01": [1.5, 2.0, 3.0], "TCGA-AA-0002-01": [1.0, 2.0, 3.0],
                  "TCGA-AA-0003-11": [1.0, 2.5, 3.0]},
                 index=["ENSG00000000003", "ENSG00000000005", "ENSG00000000419"]).to_csv(
        path, sep="\t")
    cfg = PrepareConfig(cancer_type="BRCA", sample_types=("99",))
    with pytest.raises(InputError) as err:
        prepare_dataset([path], out_path=tmp_path / "b", config=cfg)
    msg = str(err.value)
    assert "{" not in msg and "--min-class-size" not in msg
    assert ("no sample is left to prepare (dropped: 2 Primary Solid Tumor (01), "
            "1 Solid Tissue Normal (11))") in msg
    assert ("fix: keep sample types the data holds, e.g. --sample-types 01 (present: "
            "2 Primary Solid Tumor (01), 1 Solid Tissue Normal (11))") in msg
    with pytest.raises(InputError, match="fix: lower --min-class-size \\(now 5\\)"):
        prepare_dataset([path], out_path=tmp_path / "b",
                        config=PrepareConfig(cancer_type="BRCA", min_class_size=5))
    assert not (tmp_path / "b").exists()


def test_a_class_size_below_one_is_refused():
    """Old behaviour: `prepare --min-class-size -1` ran (rc 0), its value never checked."""
    with pytest.raises(InputError, match="^--min-class-size: must be at least 1 sample, got -1"):
        PrepareConfig(min_class_size=-1)
    assert PrepareConfig(min_class_size=1).min_class_size == 1


@pytest.mark.parametrize("flag", ["time_column", "event_column"])
def test_survival_columns_without_a_survival_table_are_refused(synth_files, tmp_path, flag):
    """Old behaviour: `prepare --time-column T` (or --event-column) without --clinical was
    ignored without a word."""
    name = "--" + flag.replace("_", "-")
    with pytest.raises(InputError, match=f"^{name}: .*\n  fix: pass --clinical FILE, or drop "
                                         f"{name}$"):
        prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                        label_paths=[synth_files["labels"]], config=PrepareConfig(**{flag: "T"}))
    assert not (tmp_path / "b").exists()


def test_the_written_bundles_shape_says_times_as_elsewhere(synth_files, tmp_path, caplog):
    """Old behaviour: "wrote bundle ...: 330 samples x 300 genes" (an x, where every other
    line says ×)."""
    with caplog.at_level("INFO", logger="genemoe.data.prepare"):
        b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                            label_paths=[synth_files["labels"]])
    assert f"{b.n_samples:,} samples × {b.n_genes:,} genes" in caplog.text
    assert " samples x " not in caplog.text


def test_the_labels_line_says_it_counts_every_sample_read():
    """pancan33's preparation said "sample types 01, 03: kept 990 samples", then "cancer
    types: 1,106 from the label table": the second counts every sample read, kept or not."""
    from genemoe.data.prep_text import step_line

    line = step_line("labels", {"sources": {"label table": 1106}})
    assert line.startswith("cancer types (of every sample read, kept or not): 1,106")


def test_dropped_small_classes_are_listed_in_plain_words(tmp_path, caplog):
    """The warning printed "{'ACC': np.int64(2), ...}" (numpy's repr) to the user."""
    import logging

    genes = ["ENSG00000000003", "ENSG00000000005", "ENSG00000000419"]
    ids = [f"TCGA-AA-{i:04d}-01" for i in range(8)]
    pd.DataFrame(np.arange(24, dtype=float).reshape(3, 8) + 1, index=genes, columns=ids).to_csv(
        tmp_path / "x.tsv", sep="\t")
    pd.DataFrame({"sample_id": ids, "cancer_type": ["BRCA"] * 6 + ["ACC"] * 2}).to_csv(
        tmp_path / "labels.tsv", sep="\t", index=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        prepare_dataset([tmp_path / "x.tsv"], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "labels.tsv"],
                        config=PrepareConfig(min_variance=0, min_mean=0))
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "fewer than 3 samples: ACC (2)" in said and "np.int64" not in said


def test_labels_that_are_not_tcga_codes_are_named():
    """'Breast cancer' beside BRCA made a class of its own without a word."""
    from genemoe.data.prep_text import step_line

    line = step_line("labels", {"sources": {"label table": 300},
                                "not_tcga_codes": ["Breast cancer", "lung adeno"]})
    assert line.endswith("kept as given, not TCGA codes: 'Breast cancer', 'lung adeno'")
    many = step_line("labels", {"sources": {"label table": 9},
                                "not_tcga_codes": [f"t{i}" for i in range(8)]})
    assert many.endswith("'t4' and 3 more")


@pytest.mark.parametrize(("part", "keep"), [("X.npy", 1000), ("X.npy", 60), ("obs.parquet", 300),
                                            ("record.json", 30), ("folds.tsv", 15)])
def test_a_damaged_bundle_file_is_one_error_naming_it(synth_bundle, tmp_path, part, keep):
    """Old behaviour: numpy's "mmap length is greater than file size" (or pyarrow's, json's)
    as a traceback from every command reading the bundle."""
    import shutil

    src = Path(synth_bundle.path)
    dst = tmp_path / "b"
    shutil.copytree(src, dst)
    if part == "folds.tsv":
        (dst / part).write_text("sample_id\tfold\nS1\n")  # a row cut short
    else:
        (dst / part).write_bytes((src / part).read_bytes()[:keep])
    with pytest.raises(InputError, match=rf"(?s){part} is truncated or damaged .*fix: copy the "
                                         r"bundle again, or re-create it with `genemoe prepare`"):
        load_bundle(dst)


def test_impossible_split_and_filter_values_are_refused_or_said(synth_files, tmp_path, caplog):
    """Old behaviour: --folds 200 on 159 samples wrote one-sample folds (and pages of pandas'
    fragmentation warnings); --min-mean nan wrote a bare NaN into record.json; an empty
    validation split (too few samples per class) passed without a word."""
    from genemoe.data.splits import split_warnings, stratified_kfold

    with pytest.raises(InputError, match="20 folds for 10 patients: some folds would be empty"):
        stratified_kfold(["a", "b"] * 5, n_folds=20)
    for bad in ({"min_mean": float("nan")}, {"min_variance": -1.0}):
        with pytest.raises(InputError, match="gene filter: --min-variance"):
            PrepareConfig(**bad)
    PrepareConfig(min_mean=-1.0)  # a negative mean suits centred data
    split = np.array(["train"] * 6 + ["test"] * 2)
    said = split_warnings(split, None, fractions={"val": 0.1, "test": 0.2})
    assert said == ["the val split is empty (--val-fraction 0.1 of too few samples per class): "
                    "training selects and calibrates on validation, so prepare more samples or "
                    "raise the fraction"]
    assert split_warnings(split, None, fractions={"val": 0.0, "test": 0.2}) == []
    one = np.array(["train"] * 6 + ["test"])  # "holds 1 samples" before
    said = split_warnings(one, None, fractions={"test": 0.2},
                          event=np.array([True] * 6 + [False]))
    assert said[0].startswith("the test split holds 1 sample and no OS event")
    with caplog.at_level("WARNING"):
        b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                            label_paths=[synth_files["labels"]],
                            config=PrepareConfig(val_fraction=0.001, test_fraction=0.2))
    assert not (b.obs["split"] == "val").any()
    assert "the val split is empty" in caplog.text
    assert any("val split is empty" in w for w in b.record["warnings"])


def test_a_label_table_keyed_by_patient_barcodes_labels_their_samples(synth_files, synth_bundle,
                                                                      tmp_path):
    """Old behaviour: refused ("none of its sample ids names a sample"), with a fix
    (--sample-column) that could not help: the ids were patients'."""
    labels = pd.read_csv(synth_files["labels"], sep="\t")
    labels.iloc[:, 0] = labels.iloc[:, 0].str[:12]
    labels.drop_duplicates(labels.columns[0]).to_csv(tmp_path / "patients.tsv", sep="\t",
                                                     index=False)
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "patients.tsv"],
                        clinical_path=synth_files["clinical"],
                        annotation_path=synth_files["annotation"],
                        config=PrepareConfig(synthetic=True, seed=1))
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    assert set(step["sources"]) == {"label table"}  # every sample read, kept or not
    assert b.summary["cancer_types"] == synth_bundle.summary["cancer_types"]


def test_labels_respelt_as_tcga_codes_are_counted(synth_files, tmp_path):
    """Old behaviour: "acc" (or "ACC (TCGA)") became "ACC" without a count or a word."""
    from genemoe.data.prep_text import step_line

    labels = pd.read_csv(synth_files["labels"], sep="\t")
    col = labels.columns[1]
    first = labels[col].iloc[0]
    labels[col] = labels[col].str.replace(" (TCGA)", "", regex=False).str.lower()
    labels.to_csv(tmp_path / "lower.tsv", sep="\t", index=False)
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "lower.tsv"],
                        config=PrepareConfig(synthetic=True, seed=1))
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    code = first.replace(" (TCGA)", "")
    assert step["respelt"][f"{code.lower()} -> {code}"] > 0
    assert sum(step["respelt"].values()) == step["sources"]["label table"]
    assert "respelt as TCGA codes: " in step_line("labels", step)


def test_an_out_folder_holding_other_files_is_refused_and_a_bundle_replaced_is_said(
        tmp_path, caplog):
    """Old behaviour: `prepare --out mydata` on the folder holding the input matrix and the
    user's notes replaced it whole with the bundle, deleting both without a word."""
    import logging

    from genemoe.data.bundle import check_bundle_out
    from genemoe.errors import InputError

    mine = tmp_path / "mydata"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"(?s)mydata: --out: the folder holds other files "
                                         r"\(notes\.txt\).*fix: give a new or empty folder"):
        check_bundle_out(mine)
    assert (mine / "notes.txt").read_text() == "mine"
    (tmp_path / "afile").write_text("")
    with pytest.raises(InputError, match="a file, not a folder"):
        check_bundle_out(tmp_path / "afile")
    check_bundle_out(tmp_path / "new")  # absent or empty: nothing to say
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # probe removed
    # a place it cannot write is said before the work (it failed at the end, naming a temp
    # path: "/proc/.foo.tmp-j536rq0z: No such file or directory")
    with pytest.raises(InputError, match=r"/proc/foo: --out: cannot write a folder here") as err:
        check_bundle_out(Path("/proc/foo"))
    assert ".tmp-" not in str(err.value)
    bundle_dir = tmp_path / "b"
    bundle_dir.mkdir()
    for name in ("X.npy", "obs.parquet"):
        (bundle_dir / name).write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        check_bundle_out(bundle_dir)
    assert "holds a bundle: replacing it" in caplog.text


def test_a_survival_table_naming_no_patient_is_refused(synth_files, tmp_path):
    """Old behaviour: a --clinical table whose ids matched no sample (another cohort)
    prepared "0 samples with time and event" and exit 0, without a word."""
    clin = pd.read_csv(synth_files["clinical"], sep="\t")
    first = clin.columns[0]
    clin[first] = [f"TCGA-ZZ-{i:04d}" for i in range(len(clin))]  # another cohort's patients
    # (lower case, the old test's other ids, now joins: read upper-cased and counted)
    other = tmp_path / "other_clinical.tsv"
    clin.to_csv(other, sep="\t", index=False)
    with pytest.raises(InputError, match=r"(?s)--clinical: none of its .* patients is one of the "
                                         r"expression's .*fix: pass the survival table"):
        prepare_dataset([synth_files["counts"]], out_path=tmp_path / "x",
                        label_paths=[synth_files["labels"]], clinical_path=other)


def test_two_label_files_that_disagree_are_refused(synth_files, tmp_path):
    """Old behaviour: two --labels files naming a sample as ACC and as UVM were resolved by
    their order on the command line, without a word (one file with that conflict is refused)."""
    lab = pd.read_csv(synth_files["labels"], sep="\t")
    other = lab.copy()
    label_col = [c for c in lab.columns if c != lab.columns[0]][0]
    other.loc[:3, label_col] = ["UVM" if v != "UVM" else "ACC" for v in other.loc[:3, label_col]]
    lab.to_csv(tmp_path / "a.tsv", sep="\t", index=False)
    other.to_csv(tmp_path / "b.tsv", sep="\t", index=False)
    with pytest.raises(InputError, match=r"(?s)4 sample\(s\) labelled differently by the "
                                         r"--labels files.*fix: give each sample one cancer type"):
        prepare_dataset([synth_files["counts"]], out_path=tmp_path / "x",
                        label_paths=[tmp_path / "a.tsv", tmp_path / "b.tsv"])
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "y",  # agreeing: fine
                        label_paths=[tmp_path / "a.tsv", tmp_path / "a.tsv"])
    assert b.obs["cancer_type"].notna().all()


def test_label_respellings_of_a_label_table_are_counted_and_said(synth_files, tmp_path):
    """Old behaviour: README says "`ACC (TCGA)`, `TCGA-ACC` ... respellings counted in the
    record and said", but a label table's were normalised on reading, uncounted."""
    from genemoe.data.prep_text import step_line
    from genemoe.data.tables import normalise_label

    lab = pd.read_csv(synth_files["labels"], sep="\t")
    label_col = [c for c in lab.columns if c != lab.columns[0]][0]
    lab[label_col] = lab[label_col].map(normalise_label)  # plain codes: nothing to respell
    first = str(lab.loc[0, label_col])
    lab.loc[:1, label_col] = [f"{first} (TCGA)", f"TCGA-{first}"]
    lab.to_csv(tmp_path / "l.tsv", sep="\t", index=False)
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                        label_paths=[tmp_path / "l.tsv"])
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    assert step["respelt"] == {f"{first} (TCGA) -> {first}": 1, f"TCGA-{first} -> {first}": 1}
    # counted over labels, label-table rows naming no sample too (read as "of every sample")
    assert "respelt as TCGA codes: 2 labels, table rows included (" in step_line("labels", step)


@pytest.mark.parametrize("options,match", [
    ({"endpoint": "foo"}, r"--endpoint: unknown endpoint 'foo'"),
    ({"val_fraction": 1.5}, r"invalid split fractions val=1\.5"),
    ({"n_folds": 1}, r"--folds: must be at least 2, got 1"),
])
def test_endpoint_fractions_and_folds_are_checked_before_reading(options, match):
    """``--endpoint foo`` was taken without a word (no --clinical), and bad fractions or
    ``--folds 1`` were said only after the expression had been read and normalised."""
    from genemoe.errors import InputError

    with pytest.raises(InputError, match=match):
        PrepareConfig(**options)


def test_an_export_leaves_the_event_missing_where_a_sample_has_no_survival(synth_files,
                                                                           tmp_path):
    """Old behaviour: obs.event was False (read: censored) for samples with no survival at all
    (time NaN), e.g. a patient the clinical table gives OS = 1 without OS.time."""
    import anndata

    from genemoe.data.read import write_h5ad

    clinical = pd.read_csv(synth_files["clinical"], sep="\t")
    clinical.loc[:9, "OS.time"] = np.nan  # OS given, its time not (as in the TCGA-CDR table)
    clinical.to_csv(tmp_path / "clinical.tsv", sep="\t", index=False)
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                        label_paths=[synth_files["labels"]], clinical_path=tmp_path / "clinical.tsv",
                        config=PrepareConfig(synthetic=True, seed=1))
    has = b.obs["has_survival"].to_numpy(bool)
    obs = anndata.read_h5ad(write_h5ad(b, tmp_path / "b.h5ad")).obs.loc[b.obs["sample_id"]]
    assert (~has).any() and has.any()
    assert obs["event"].isna().to_numpy().tolist() == (~has).tolist()
    assert obs["time"].isna().to_numpy().tolist() == (~has).tolist()
    assert (obs["event"][has].astype(bool).to_numpy() == b.obs["event"].to_numpy(bool)[has]).all()
    again = prepare_dataset([tmp_path / "b.h5ad"], out_path=tmp_path / "again",
                            config=PrepareConfig(synthetic=True, seed=1))
    back = again.obs.set_index("sample_id").loc[b.obs["sample_id"]]
    assert back["has_survival"].to_numpy(bool).tolist() == has.tolist()
    assert back["event"].to_numpy(bool).tolist() == b.obs["event"].to_numpy(bool).tolist()


def test_an_export_to_a_folder_is_refused_naming_it(synth_bundle, tmp_path, caplog):
    """Old behaviour: "d.h5ad exists: replacing it", then "<tmp>.h5ad: Is a directory"."""
    from genemoe.data.read import write_h5ad
    from genemoe.errors import InputError

    (tmp_path / "d.h5ad").mkdir()
    with caplog.at_level("WARNING", logger="genemoe"), pytest.raises(InputError) as info:
        write_h5ad(synth_bundle, tmp_path / "d.h5ad")
    assert info.value.problem == f"{tmp_path / 'd.h5ad'} is a folder"
    assert "replacing" not in caplog.text


def test_write_h5ad_takes_a_bundles_folder_too(synth_bundle, tmp_path):
    """Old behaviour: `write_h5ad("bundles/x", path)`, as the README shows it, failed with
    AttributeError: 'str' object has no attribute 'obs'."""
    import anndata

    from genemoe.data.read import write_h5ad

    out = write_h5ad(str(synth_bundle.path), tmp_path / "f.h5ad")
    assert anndata.read_h5ad(out).shape == (synth_bundle.n_samples, synth_bundle.n_genes)


def test_every_warning_prepare_says_is_in_the_record(synth_files, tmp_path, caplog):
    """Old behaviour: record.json's and summary.json's "warnings" were [] while the terminal
    warned of clipped negatives, clinical conflicts or `--normalisation none` on counts."""
    import json

    with caplog.at_level("WARNING", logger="genemoe"):
        b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                            label_paths=[synth_files["labels"]],
                            config=PrepareConfig(synthetic=True, normalisation="none"))
    said = [r.getMessage() for r in caplog.records if r.levelno >= 30]
    assert said and any("--normalisation none" in m for m in said)
    record = json.loads((b.path / "record.json").read_text())
    assert all(m in record["warnings"] for m in said)
    assert len(record["warnings"]) == len(set(record["warnings"]))


@pytest.mark.parametrize("normalisation", ["auto", "log2cpm"])
def test_par_y_rows_are_dropped_by_their_own_rule(shared_data, tmp_path, normalisation, caplog):
    """Old behaviour: GENCODE's ENSG…_PAR_Y rows were counted among the ids "not in the
    annotation" and then dropped for "no gene length" (FPKM-UQ), or kept as genes of their
    own without symbol or position (log2 CPM); PAR_Y was never named."""
    src = shared_data / "gdc_counts_6types"
    counts = pd.read_csv(src / "TCGA_ACC_Counts.exp.gz", sep="\t", index_col=0).iloc[:2000]
    par = counts.iloc[:4].copy()
    par.index = [f"{g}.5_PAR_Y" for g in par.index]
    par.iloc[1:] = 0  # one Y copy with reads, three empty (as GDC's STAR files have them)
    counts.index = [f"{g}.12" for g in counts.index]
    pd.concat([counts, par]).to_csv(tmp_path / "acc.tsv", sep="\t")
    with caplog.at_level("WARNING", logger="genemoe"):
        b = prepare_dataset([tmp_path / "acc.tsv"], out_path=tmp_path / "b",
                            annotation_path=shared_data / "annotation" / "ensembl105_genes.tsv.gz",
                            config=PrepareConfig(normalisation=normalisation, min_variance=0,
                                                 cancer_type="ACC"))
    assert b.summary["dropped"]["genes"]["pseudoautosomal Y copy (_PAR_Y)"] == 4
    assert not any(str(g).endswith("_PAR_Y") for g in b.var["gene_id"])
    assert "4 _PAR_Y rows (GENCODE's Y copies" in caplog.text and "1 of them had non-zero" in caplog.text


def test_the_record_names_examples_of_each_gene_drop(synth_bundle):
    """Old behaviour: 157 genes dropped for "no gene length" were a count only; none named."""
    examples = synth_bundle.record["dropped_gene_examples"]
    assert examples and set(examples) == set(synth_bundle.record["dropped"]["genes"])
    assert all(0 < len(v) <= 10 for v in examples.values())


def test_the_record_names_examples_of_each_sample_drop(synth_bundle):
    """Old behaviour: the 12 solid-tissue normals dropped were a count only; which samples
    went was nowhere in the record."""
    examples = synth_bundle.record["dropped_sample_examples"]
    normals = examples["Solid Tissue Normal (11)"]
    assert len(normals) == 10 and all(s.split("-")[3].startswith("11") for s in normals)
    assert set(examples) <= set(synth_bundle.record["dropped"]["samples"])
    assert not set(normals) & set(synth_bundle.obs["sample_id"])


def test_an_exports_endpoint_events_are_nullable_booleans_like_event(synth_files, tmp_path):
    """Old behaviour (outside tester): obs.event was nullable boolean but os_event (and the
    other endpoints' events) float64 1.0 / 0.0 / NaN. All are nullable boolean now, and
    prepare reads them back as the same survival."""
    import anndata

    from genemoe.data.read import write_h5ad

    clinical = pd.read_csv(synth_files["clinical"], sep="\t")
    clinical.loc[:4, "OS"] = np.nan  # a patient without an OS status
    clinical.to_csv(tmp_path / "clinical.tsv", sep="\t", index=False)
    b = prepare_dataset([synth_files["counts"]], out_path=tmp_path / "b",
                        label_paths=[synth_files["labels"]], clinical_path=tmp_path / "clinical.tsv",
                        config=PrepareConfig(synthetic=True, seed=1))
    events = [c for c in b.obs.columns if c.endswith("_event")]
    assert "os_event" in events
    obs = anndata.read_h5ad(write_h5ad(b, tmp_path / "b.h5ad")).obs.loc[b.obs["sample_id"]]
    for c in ["event", *events]:
        assert str(obs[c].dtype) == "boolean", (c, obs[c].dtype)
    for c in events:
        want = b.obs[c].to_numpy(float)
        assert obs[c].isna().to_numpy().tolist() == np.isnan(want).tolist()
        assert obs[c].astype(float).to_numpy()[~np.isnan(want)].tolist() == want[~np.isnan(want)].tolist()
    again = prepare_dataset([tmp_path / "b.h5ad"], out_path=tmp_path / "again",
                            config=PrepareConfig(synthetic=True, seed=1))
    back = again.obs.set_index("sample_id").loc[b.obs["sample_id"]]
    for c in ["time", "event", "has_survival", *events]:
        np.testing.assert_array_equal(back[c].to_numpy(float), b.obs[c].to_numpy(float))
