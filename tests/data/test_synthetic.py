"""Tests of the synthetic TCGA-like cohort and of the files it writes."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from genemoe.data.ids import classify_id, is_sample_barcode
from genemoe.data.synthetic import (
    TCGA_TYPES,
    SyntheticCohort,
    make_synthetic_cohort,
    write_synthetic_files,
)
from genemoe.errors import InputError

N_SAMPLES, N_GENES, N_NORMALS = 600, 500, 8
ARRAY_FIELDS = (
    "counts", "sample_ids", "gene_ids", "symbols", "cancer_type", "sample_type", "time",
    "event", "true_log_hazard", "prognostic_genes", "gene_lengths", "chrom", "start", "end",
    "biotype",
)  # fmt: skip


@pytest.fixture(scope="module")
def cohort() -> SyntheticCohort:
    return make_synthetic_cohort(
        n_samples=N_SAMPLES, n_genes=N_GENES, seed=0, include_normals=N_NORMALS
    )


@pytest.fixture(scope="module")
def files(cohort: SyntheticCohort, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_synthetic_files(cohort, tmp_path_factory.mktemp("synthetic"))


def _tumours(c: SyntheticCohort) -> np.ndarray:
    return c.sample_type != "11"


def _log_cpm(counts: np.ndarray) -> np.ndarray:
    return np.log2(counts / counts.sum(axis=1, keepdims=True) * 1e6 + 1.0)


# --- determinism, shapes, dtypes ---------------------------------------------------------


def test_same_seed_gives_identical_cohort(cohort: SyntheticCohort) -> None:
    again = make_synthetic_cohort(
        n_samples=N_SAMPLES, n_genes=N_GENES, seed=0, include_normals=N_NORMALS
    )
    for name in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(again, name), getattr(cohort, name), err_msg=name)
    assert again.informative_genes.keys() == cohort.informative_genes.keys()
    for t, idx in cohort.informative_genes.items():
        np.testing.assert_array_equal(again.informative_genes[t], idx)
    assert again.params == cohort.params


def test_different_seed_gives_different_cohort(cohort: SyntheticCohort) -> None:
    other = make_synthetic_cohort(n_samples=N_SAMPLES, n_genes=N_GENES, seed=1)
    assert not np.array_equal(other.counts, cohort.counts[:N_SAMPLES])
    assert not np.array_equal(other.time, cohort.time[:N_SAMPLES])
    assert set(other.sample_ids) != set(cohort.sample_ids[:N_SAMPLES])


def test_shapes_and_dtypes(cohort: SyntheticCohort) -> None:
    n = N_SAMPLES + N_NORMALS
    assert cohort.counts.shape == (n, N_GENES)
    assert cohort.counts.dtype == np.int64
    for name in ("sample_ids", "cancer_type", "sample_type", "time", "event", "true_log_hazard"):
        assert getattr(cohort, name).shape == (n,), name
    for name in ("gene_ids", "symbols", "gene_lengths", "chrom", "start", "end", "biotype"):
        assert getattr(cohort, name).shape == (N_GENES,), name
    assert cohort.time.dtype == np.float64 and cohort.event.dtype == bool
    assert cohort.gene_lengths.dtype == np.int64 and cohort.start.dtype == np.int64
    assert len(set(cohort.sample_ids)) == n and len(set(cohort.gene_ids)) == N_GENES
    assert cohort.params["seed"] == 0 and cohort.params["synthetic"] is True


def test_counts_are_nonnegative_integers_with_realistic_spread(cohort: SyntheticCohort) -> None:
    c = cohort.counts
    assert c.min() >= 0
    libs = c.sum(axis=1)
    assert libs.max() / libs.min() > 2.0  # library sizes vary
    gene_means = c.mean(axis=0)
    assert (gene_means < 1.0).mean() > 0.05  # some near-empty genes
    assert gene_means.max() > 100 * np.median(gene_means)  # a heavy upper tail
    # gamma-Poisson counts are overdispersed: variance well above the mean
    top = np.argsort(gene_means)[-50:]
    assert np.median(c[:, top].var(axis=0) / c[:, top].mean(axis=0)) > 10


def test_dropout_adds_zeros() -> None:
    kw = {"n_samples": 200, "n_genes": 200, "n_types": 5, "seed": 3}
    none = make_synthetic_cohort(dropout=0.0, **kw).counts
    heavy = make_synthetic_cohort(dropout=0.3, **kw).counts
    assert (heavy == 0).mean() > (none == 0).mean() + 0.15


# --- classes ------------------------------------------------------------------------------


def test_class_sizes_imbalanced_like_tcga(cohort: SyntheticCohort) -> None:
    types, sizes = np.unique(cohort.cancer_type[_tumours(cohort)], return_counts=True)
    assert set(types) == set(TCGA_TYPES) and sizes.sum() == N_SAMPLES
    assert sizes.min() >= 6
    assert sizes.max() >= 5 * sizes.min()
    by_type = dict(zip(types, sizes, strict=True))
    assert max(by_type, key=by_type.get) == "BRCA"  # the largest TCGA cohort
    assert by_type["CHOL"] == sizes.min()  # the smallest


def test_n_types_takes_the_first_codes() -> None:
    c = make_synthetic_cohort(n_samples=60, n_genes=100, n_types=4)
    assert set(c.cancer_type) == {"ACC", "BLCA", "BRCA", "CESC"}
    assert np.unique(c.cancer_type, return_counts=True)[1].min() >= 6


def test_type_signal_is_learnable_but_not_trivial(cohort: SyntheticCohort) -> None:
    keep = _tumours(cohort)
    X, y = _log_cpm(cohort.counts[keep]), cohort.cancer_type[keep]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    with threadpool_limits(limits=1):  # BLAS oversubscription makes lbfgs 20x slower
        model = LogisticRegression(max_iter=300).fit(scaler.transform(X_tr), y_tr)
    acc = model.score(scaler.transform(X_te), y_te)
    # measured 0.64-0.81 over seeds 0-5 at 600 x 500 (0.91-0.92 at 1000 x 2000)
    assert 0.55 < acc < 0.95
    assert acc > 5 * np.mean(y_te == "BRCA")  # far above always guessing the largest class


def test_informative_genes_are_up_in_their_type(cohort: SyntheticCohort) -> None:
    keep = _tumours(cohort)
    X, y = _log_cpm(cohort.counts[keep]), cohort.cancer_type[keep]
    assert set(cohort.informative_genes) == set(TCGA_TYPES)
    diffs = []
    for t, idx in cohort.informative_genes.items():
        assert idx.size >= 6 and idx.max() < N_GENES
        diffs.append(X[y == t][:, idx].mean() - X[y != t][:, idx].mean())  # log2 fold change
        assert diffs[-1] > 0.25, t  # weakest at seed 0: ACC 0.42 (6 samples, low markers)
    assert np.median(diffs) > 1.0
    assert not set(cohort.prognostic_genes) & set(
        np.concatenate(list(cohort.informative_genes.values()))
    )


# --- survival -----------------------------------------------------------------------------


@pytest.mark.parametrize("censoring", [0.0, 0.2, 0.5])
def test_censoring_fraction_matches_request(censoring: float) -> None:
    c = make_synthetic_cohort(n_samples=300, n_genes=100, seed=5, censoring=censoring)
    assert abs((1.0 - c.event.mean()) - censoring) <= 0.1
    if censoring == 0.0:
        assert c.event.all()


def test_survival_times_positive_days(cohort: SyntheticCohort) -> None:
    t = cohort.time
    assert np.all(t >= 1.0) and np.all(np.isfinite(t))
    np.testing.assert_array_equal(t, np.round(t))  # whole days, as OS.time in TCGA-CDR
    assert 150 < np.median(t[cohort.event]) < 3 * 365  # months to a few years


def test_survival_signal_is_recoverable(cohort: SyntheticCohort) -> None:
    keep = _tumours(cohort)
    ci = concordance_index(cohort.time[keep], -cohort.true_log_hazard[keep], cohort.event[keep])
    assert ci > 0.65  # measured ~0.78 at seed 0


def test_survival_signal_strength_controls_concordance() -> None:
    kw = {"n_samples": 400, "n_genes": 200, "seed": 2}
    weak = make_synthetic_cohort(survival_signal=0.0, **kw)
    strong = make_synthetic_cohort(survival_signal=2.0, **kw)
    # same seed, so the same types and prognostic genes: only the gene score's weight moves
    np.testing.assert_array_equal(weak.prognostic_genes, strong.prognostic_genes)
    ci_w = concordance_index(weak.time, -weak.true_log_hazard, weak.event)
    ci_s = concordance_index(strong.time, -strong.true_log_hazard, strong.event)
    assert ci_s > ci_w + 0.05 and ci_s > 0.75


# --- identifiers ----------------------------------------------------------------------------


def test_sample_barcodes_are_synthetic_tcga_shaped(cohort: SyntheticCohort) -> None:
    for sid in cohort.sample_ids:
        assert is_sample_barcode(sid), sid
        assert sid.startswith("SYNT-") and len(sid) == 28, sid
    patients = cohort.patient_ids
    assert all(len(p) == 12 for p in patients)
    codes = np.array([s[13:15] for s in cohort.sample_ids])
    np.testing.assert_array_equal(codes, cohort.sample_type)


def test_laml_is_03_normals_are_11_and_share_a_patient(cohort: SyntheticCohort) -> None:
    laml = cohort.cancer_type == "LAML"
    assert laml.sum() >= 6
    assert set(cohort.sample_type[laml]) == {"03"}
    normal = cohort.sample_type == "11"
    assert normal.sum() == N_NORMALS and np.all(normal[N_SAMPLES:])
    assert set(cohort.sample_type[~laml & ~normal]) == {"01"}
    tumour_patients = dict(
        zip(cohort.patient_ids[~normal], cohort.cancer_type[~normal], strict=True)
    )
    for pid, t in zip(cohort.patient_ids[normal], cohort.cancer_type[normal], strict=True):
        assert tumour_patients[pid] == t and t != "LAML"
    assert len(tumour_patients) == N_SAMPLES  # one tumour per patient


def test_genes_are_ensembl_shaped_and_placed(cohort: SyntheticCohort) -> None:
    assert all(classify_id(g) == "ensembl" and g.startswith("ENSG99") for g in cohort.gene_ids)
    assert cohort.gene_ids[0] == "ENSG99000000001" and cohort.symbols[0] == "SYN1"
    assert set(cohort.chrom) <= {*(str(i) for i in range(1, 23)), "X"}
    assert len(set(cohort.chrom)) > 15
    assert np.all(cohort.start >= 1)
    assert np.all(cohort.end - cohort.start + 1 >= cohort.gene_lengths)
    assert set(cohort.biotype) == {"protein_coding", "lncRNA"}
    assert (cohort.biotype == "protein_coding").mean() > 0.6


@pytest.mark.parametrize(
    "kwargs",
    [{"n_samples": 100}, {"n_types": 0}, {"n_types": 34}, {"censoring": 1.0},
     {"dropout": -0.1}, {"n_genes": 10}, {"n_samples": 198, "include_normals": 1000}],
)  # fmt: skip
def test_bad_parameters_raise_input_error(kwargs: dict) -> None:
    with pytest.raises(InputError):
        make_synthetic_cohort(**{"n_genes": 100, **kwargs})


# --- files --------------------------------------------------------------------------------


def test_every_file_is_named_synthetic(files: dict[str, Path]) -> None:
    assert set(files) == {"counts", "labels", "clinical", "annotation", "readme"}
    for path in files.values():
        assert path.is_file() and "synthetic" in path.name.lower()
    assert sorted(p.name for p in files["counts"].parent.iterdir()) == sorted(
        p.name for p in files.values()
    )


def test_counts_file_is_gdc_shaped(files: dict[str, Path], cohort: SyntheticCohort) -> None:
    with gzip.open(files["counts"], "rt") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        first = fh.readline().rstrip("\n").split("\t")
    assert header[0] == "" and header[1:] == list(cohort.sample_ids)
    assert first[0] == cohort.gene_ids[0] and all(v.isdigit() for v in first[1:])
    table = pd.read_csv(files["counts"], sep="\t", index_col=0)
    assert list(table.index) == list(cohort.gene_ids)
    np.testing.assert_array_equal(table.to_numpy().T, cohort.counts)


def test_labels_file_is_gdc_target_shaped(files: dict[str, Path], cohort: SyntheticCohort) -> None:
    lines = files["labels"].read_text().splitlines()
    assert lines[0] == "Sample_name\tTarget"
    labels = pd.read_csv(files["labels"], sep="\t")
    assert list(labels["Sample_name"]) == list(cohort.sample_ids)
    assert list(labels["Target"]) == [f"{t} (TCGA)" for t in cohort.cancer_type]


def test_clinical_file_is_tcga_cdr_shaped(files: dict[str, Path], cohort: SyntheticCohort) -> None:
    clin = pd.read_csv(files["clinical"], sep="\t")
    assert list(clin.columns) == [
        "bcr_patient_barcode", "acronym", "gender", "age_at_initial_pathologic_diagnosis",
        "OS", "OS.time", "PFI", "PFI.time",
    ]  # fmt: skip
    assert clin["bcr_patient_barcode"].is_unique and len(clin) == N_SAMPLES
    assert clin["bcr_patient_barcode"].str.len().eq(12).all()
    assert set(clin["OS"]) <= {0.0, 1.0} and set(clin["PFI"]) <= {0.0, 1.0}
    assert (clin["PFI.time"] <= clin["OS.time"]).all() and (clin["PFI.time"] >= 1).all()
    assert (clin.loc[clin["OS"] == 1, "PFI"] == 1).all()
    assert set(clin["gender"]) == {"FEMALE", "MALE"}
    assert (clin.loc[clin["acronym"] == "OV", "gender"] == "FEMALE").all()
    tum = _tumours(cohort)
    expected = pd.Series(cohort.time[tum], index=cohort.patient_ids[tum])
    got = clin.set_index("bcr_patient_barcode")["OS.time"]
    np.testing.assert_array_equal(got.loc[expected.index].to_numpy(), expected.to_numpy())
    np.testing.assert_array_equal(
        clin.set_index("bcr_patient_barcode").loc[expected.index, "OS"].to_numpy(),
        cohort.event[tum].astype(float),
    )


def test_annotation_file_is_ensembl_shaped(files: dict[str, Path], cohort: SyntheticCohort) -> None:
    ann = pd.read_csv(files["annotation"], sep="\t", dtype={"chrom": str})
    assert list(ann.columns) == [
        "gene_id",
        "gene_name",
        "biotype",
        "chrom",
        "start",
        "end",
        "length",
    ]
    assert list(ann["gene_id"]) == list(cohort.gene_ids)
    np.testing.assert_array_equal(ann["length"].to_numpy(), cohort.gene_lengths)
    assert list(ann["chrom"]) == list(cohort.chrom)


def test_readme_says_synthetic_with_seed(files: dict[str, Path]) -> None:
    text = files["readme"].read_text(encoding="utf-8")
    assert "SYNTHETIC" in text and "NOT REAL" in text
    assert "seed: 0" in text and '"n_genes": 500' in text


def test_files_are_byte_identical_for_a_seed(
    files: dict[str, Path], cohort: SyntheticCohort, tmp_path: Path
) -> None:
    again = write_synthetic_files(cohort, tmp_path)
    for kind, path in files.items():
        assert again[kind].read_bytes() == path.read_bytes(), kind


def test_headers_match_the_real_files(files: dict[str, Path], shared_data: Path) -> None:
    """The real GDC target, TCGA-CDR and Ensembl headers, read from ../shared/data."""
    with gzip.open(shared_data / "gdc_counts_6types" / "TCGA_ACC_Target.txt.gz", "rt") as fh:
        assert files["labels"].read_text().splitlines()[0] == fh.readline().rstrip("\n")
    with gzip.open(shared_data / "annotation" / "ensembl105_genes.tsv.gz", "rt") as fh:
        real = fh.readline().rstrip("\n")
    with gzip.open(files["annotation"], "rt") as fh:
        assert fh.readline().rstrip("\n") == real
    with gzip.open(shared_data / "tcga_survival" / "clinical_survival.tsv.gz", "rt") as fh:
        real_cols = fh.readline().rstrip("\n").split("\t")
    ours = pd.read_csv(files["clinical"], sep="\t", nrows=1).columns
    assert set(ours) <= set(real_cols) and real_cols[0] == ours[0]
    with gzip.open(shared_data / "gdc_counts_6types" / "TCGA_ACC_Counts.exp.gz", "rt") as fh:
        assert fh.readline().startswith("\tTCGA-")  # empty first header cell, as ours
