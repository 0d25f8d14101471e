"""Values read for what they are: log2 counts inverted, transformed data kept, clipping counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from xena_files import gene_table, raw_counts, star_values

from genemoe.data.normalise import normalise_values
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.data.values import ValueStats, is_log_of_counts, log_counts_rows, value_kind
from genemoe.errors import InputError

GENES = gene_table(40)


def _write(path: Path, m: pd.DataFrame) -> Path:
    with gzip.open(path, "wt") as fh:
        m.to_csv(fh, sep="\t")
    return path


def _microarray(rng: np.random.Generator, n_genes: int = 40, n_samples: int = 12) -> pd.DataFrame:
    """Log2, centred per gene: values about -7.6 .. 10.3, ~44% negative (a TCGA array)."""
    x = rng.normal(1.0, 3.0, (n_genes, n_samples))
    cols = [f"TCGA-OR-{1000 + i:04d}-01A" for i in range(n_samples)]
    return pd.DataFrame(x, index=pd.Index(GENES["id"][:n_genes], name="id"), columns=cols)


def _read_and_prepare(tmp_path: Path, m: pd.DataFrame, name: str):
    """``m`` written as ``name``, read, and prepared keeping every gene and value range."""
    p = _write(tmp_path / name, m)
    return read_expression(p), prepare_dataset([p], out_path=tmp_path / "b", config=PrepareConfig(
        min_variance=0, min_mean=-1e9, val_fraction=0.2, test_fraction=0.2))


def test_log_centred_matrix_is_kept_intact(tmp_path: Path, rng: np.random.Generator) -> None:
    """The defect: 44% negatives were clipped to 0 and then log2(x+1)-ed, with only an INFO line."""
    m = _microarray(rng)
    assert 0.3 < (m.to_numpy() < 0).mean() < 0.6
    t, b = _read_and_prepare(tmp_path, m, "TCGA_ACC_array.tsv.gz")
    assert t.value_kind == "transformed"
    assert any("gene filter" in n for n in t.notes)
    unversioned = [g.split(".")[0] for g in GENES["id"]]
    kept = [unversioned.index(g) for g in b.var["gene_id"]]
    ref = m.to_numpy().T[:, kept].astype(np.float32)
    order = [m.columns.tolist().index(s) for s in b.obs["sample_id"]]
    np.testing.assert_array_equal(b.X, ref[order])  # values intact
    assert b.summary["normalisation"] == "none" and b.summary["n_values_clipped"] == 0


def test_log2p1_on_transformed_values_is_refused(tmp_path: Path, rng: np.random.Generator) -> None:
    p = _write(tmp_path / "TCGA_ACC_array.tsv.gz", _microarray(rng))
    with pytest.raises(InputError, match="already transformed") as info:
        prepare_dataset([p], out_path=tmp_path / "b", config=PrepareConfig(normalisation="log2p1"))
    assert "TCGA_ACC_array.tsv.gz" in str(info.value) and "--normalisation none" in str(info.value)
    assert not (tmp_path / "b").exists()


def test_clipping_more_than_a_trace_is_an_error_naming_the_fix() -> None:
    x = np.abs(np.random.default_rng(0).normal(50, 20, (10, 100))).astype(np.float32)
    x[0, :5] = -3.0  # 0.5% of values, clearly negative
    with pytest.raises(InputError, match="below -1") as info:
        normalise_values(x, "log2p1", source=Path("rsem.tsv"))
    assert "rsem.tsv" in str(info.value) and "--normalisation none" in str(info.value)


def test_trace_negatives_are_clipped_and_counted_in_the_summary(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x = rng.gamma(2.0, 300.0, (40, 12))
    x[0, :3], x[5, 2] = -0.2, -0.6  # EB++-like: small in magnitude (0.8% of values)
    cols = [f"TCGA-OR-{1000 + i:04d}-01A" for i in range(12)]
    p = _write(tmp_path / "TCGA_ACC_rsem.tsv.gz",
               pd.DataFrame(x, index=pd.Index(GENES["id"], name="id"), columns=cols))
    b = prepare_dataset([p], out_path=tmp_path / "b", config=PrepareConfig(min_variance=0, min_mean=0))
    assert b.summary["normalisation"] == "log2p1" and b.summary["n_values_clipped"] == 4
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["n_values_clipped"] == 4
    assert b.record["n_values_clipped"] == 4


def test_xena_log2_counts_are_inverted_to_the_same_bundle_as_raw_counts(tmp_path: Path) -> None:
    counts = raw_counts("ACC", GENES, 12, seed=3)
    raw = _write(tmp_path / "TCGA-ACC.counts.tsv.gz", counts)
    xena = _write(tmp_path / "TCGA-ACC.star_counts.tsv.gz", np.log2(counts + 1))
    pm = tmp_path / "gencode.v36.annotation.gtf.gene.probemap"
    GENES.to_csv(pm, sep="\t", index=False)
    assert read_expression(xena).value_kind == "log_counts"
    cfg = PrepareConfig(min_variance=0, min_mean=0)
    a = prepare_dataset([raw], out_path=tmp_path / "a", annotation_path=pm, config=cfg)
    b = prepare_dataset([xena], out_path=tmp_path / "b", annotation_path=pm, config=cfg)
    assert a.summary["normalisation"] == b.summary["normalisation"] == "fpkm_uq"
    np.testing.assert_allclose(a.X, b.X, rtol=1e-6)
    c = prepare_dataset([xena], out_path=tmp_path / "c", config=PrepareConfig(
        normalisation="log2cpm", min_variance=0, min_mean=0))
    assert c.summary["normalisation"] == "log2cpm"


def test_a_count_method_on_non_count_log_data_is_refused(tmp_path: Path) -> None:
    counts = raw_counts("ACC", GENES, 12, seed=3)
    fuq = _write(tmp_path / "TCGA-ACC.star_fpkm-uq.tsv.gz",
                 np.log2(star_values(counts, GENES, "star_fpkm-uq") + 1))
    t = read_expression(fuq)
    assert t.value_kind == "log"
    with pytest.raises(InputError, match="needs raw counts") as info:
        prepare_dataset([fuq], out_path=tmp_path / "b", config=PrepareConfig(normalisation="log2cpm"))
    assert "star_fpkm-uq" in str(info.value)


def test_is_log_of_counts() -> None:
    rng = np.random.default_rng(0)
    counts = rng.poisson(rng.gamma(1, 3000, (50, 40))).astype(np.float64)
    assert is_log_of_counts(np.log2(counts + 1).astype(np.float32))
    assert not is_log_of_counts(np.log2(counts * 1.37 + 1).astype(np.float32))
    assert not is_log_of_counts(np.zeros((5, 5), np.float32))


def test_a_log_matrix_with_a_few_values_below_minus_one_is_not_logged_again(
        tmp_path: Path) -> None:
    """The defect: one cell at -3 in a log2(TPM + 1) matrix read it as linear, and prepare took
    log2(x + 1) of the log values (maximum 17.7 -> 4.2), said only by "1 value clipped"."""
    counts = raw_counts("ACC", GENES, 12, seed=3)
    m = np.log2(star_values(counts, GENES, "star_tpm") + 1)
    m.iloc[3, 2] = -3.0
    t, b = _read_and_prepare(tmp_path, m, "TCGA_ACC_log2tpm.tsv.gz")
    assert t.value_kind == "log"
    assert any("1 value(s) below -1 (minimum -3;" in n for n in t.notes)
    assert b.summary["normalisation"] == "none" and b.summary["n_values_clipped"] == 0
    assert float(b.X.max()) == pytest.approx(float(m.to_numpy().max()), rel=1e-6)
    assert float(b.X.min()) == -3.0


def _stats(m: np.ndarray) -> ValueStats:
    stats = ValueStats()
    stats.update(m, 0, 0)
    return stats


def test_one_averaged_aliquot_leaves_a_star_counts_file_log_counts() -> None:
    """The defect: one sample in 36 with half-integer counts (Xena's hub averages repeated
    aliquots) made 1.4% of the values non-whole; the file was read as log scale and its
    counts left unnormalised (and refused beside other star_counts files: "mix scales")."""
    rng = np.random.default_rng(1)
    counts = rng.poisson(rng.gamma(1, 3000, (36, 200))).astype(np.float64)
    counts[5] = (counts[5] + rng.poisson(rng.gamma(1, 3000, 200))) / 2  # two aliquots averaged
    m = np.log2(counts + 1).astype(np.float32)
    assert is_log_of_counts(m)
    assert log_counts_rows(m) == (36, 35)
    t_notes = value_kind(_stats(m), m, Path("TCGA-CHOL.star_counts.tsv.gz"), None)
    assert t_notes[0] == "log_counts" and "every" not in t_notes[1][0]  # no contradiction
    assert "2^v - 1 whole in 35 of the 36 samples checked; the other 1 not whole" in t_notes[1][0]
    counts[:5] = counts[:5] * 1.37  # five in 36 not counts: more than a producer's averaging
    assert not is_log_of_counts(np.log2(counts + 1).astype(np.float32))


def test_real_pancan_eb_values_stay_linear_with_trace_negatives(shared_data: Path) -> None:
    t = read_expression(shared_data / "pancan33_random100" / "expression.tsv.gz")
    assert t.value_kind == "linear"
    _, notes = normalise_values(t.values, "log2p1", source=t.source_path)
    assert notes["negative_values_clipped_to_0"] == 371  # 0.34%, all above -1


def test_a_few_clearly_negative_values_are_still_a_trace() -> None:
    x = np.abs(np.random.default_rng(0).normal(50, 20, (100, 100))).astype(np.float32)
    x[0, :10] = -3.0  # 0.1% of values below -1: clipped, counted
    x[1, :50] = -0.5  # near zero: clipped, counted
    out, notes = normalise_values(x, "log2p1")
    assert notes["negative_values_clipped_to_0"] == 60 and out.min() == 0


def test_log_profiles_pasted_among_linear_ones_are_refused_naming_them(shared_data: Path,
                                                                       tmp_path: Path) -> None:
    """Old behaviour: real pancan33 RSEM with one sample already log2(x + 1) was read as one
    linear matrix and logged again (log2(log2(x + 1) + 1), unsaid). Now refused, the odd
    sample named; the real file as it is still reads (its lowest sample maximum is 4,930)."""
    path = shared_data / "pancan33_random100" / "expression.tsv.gz"
    assert read_expression(path).value_kind == "linear"
    frame = pd.read_csv(path, sep="\t", index_col=0)
    odd = frame.index[3]
    frame.iloc[3] = np.log2(frame.iloc[3].clip(lower=0) + 1)
    frame.to_csv(tmp_path / "mixed.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        read_expression(tmp_path / "mixed.tsv")
    assert str(err.value).startswith(
        f"{tmp_path / 'mixed.tsv'}: 1 of 1,106 samples ({odd}) stays within the log range")
    assert "while the other 1,105 reach 1,000 or more (linear values): two scales" in str(err.value)
    # the reverse: the fewer (linear) samples are named, the count past three said
    frame.iloc[5:] = np.log2(frame.iloc[5:].clip(lower=0) + 1)
    frame.to_csv(tmp_path / "mixed.tsv", sep="\t")
    with pytest.raises(InputError, match=r"4 of 1,106 samples \(.*, .*, .* and 1 more\) reach "
                                         r"1,000 or more .* other 1,102 stay within"):
        read_expression(tmp_path / "mixed.tsv")


def test_log_counts_written_to_a_few_decimals_are_still_log_counts(shared_data) -> None:
    """Old behaviour: log2(ACC counts + 1) written to 4 decimals (R's or pandas' round) missed
    the float32 tolerance, was taken for normalised log values and passed through unnormalised,
    and --normalisation fpkm_uq was refused with a fix that led back to that."""
    from genemoe.data.read import read_expression

    counts = read_expression(shared_data / "gdc_counts_6types" / "TCGA_ACC_Counts.exp.gz").values
    for d in (3, 4, 6):
        assert is_log_of_counts(np.round(np.log2(counts.astype(np.float64) + 1), d)), d
    rng = np.random.default_rng(0)  # log2(TPM-like + 1) at 4 decimals stays what it is
    tpm = counts / counts.sum(1, keepdims=True) * 1e6 * rng.uniform(0.5, 2, counts.shape)
    assert not is_log_of_counts(np.round(np.log2(tpm + 1), 4))
