"""The ``--quant-dir`` route: per-sample Salmon, kallisto, RSEM, STAR and HTSeq-count files
joined into one genes × samples matrix, every change said.

The file shapes are the producers' own: Salmon's quant.sf header ``Name Length
EffectiveLength TPM NumReads``; kallisto's ``target_id length eff_length est_counts tpm``;
RSEM's ``gene_id transcript_id(s) length effective_length expected_count TPM FPKM``; STAR's
ReadsPerGene.out.tab (no header, ``N_unmapped``, ``N_multimapping``, ``N_noFeature``,
``N_ambiguous`` first, then gene, unstranded, read 1's strand, read 2's strand: STAR manual,
``--quantMode GeneCounts``); HTSeq-count (no header, gene and count, the ``__no_feature``,
``__ambiguous``, ``__too_low_aQual``, ``__not_aligned``, ``__alignment_not_unique`` counters
last). Before this route, each was refused (a quant.sf had been read as 4 samples).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.bundle import load_bundle
from genemoe.data.quant_dir import assemble_quant_dir, find_quant_files, joined_lines, star_strand
from genemoe.errors import InputError

STAR_SUMMARY = [("N_unmapped", 100), ("N_multimapping", 50), ("N_noFeature", 10),
                ("N_ambiguous", 5)]
HTSEQ_SUMMARY = [("__no_feature", 10), ("__ambiguous", 3), ("__too_low_aQual", 0),
                 ("__not_aligned", 0), ("__alignment_not_unique", 40)]


def write_star(path: Path, counts: pd.Series, first_share: float) -> None:
    """A ReadsPerGene.out.tab of a library whose read-1 strand holds ``first_share`` of the
    stranded counts: ``counts`` are the gene's on its own strand (read 1's if the share is
    at least 0.5, read 2's below), the other strand holds the rest, unstranded their sum."""
    c = counts.to_numpy()
    other = np.floor(c * min(first_share, 1 - first_share) / max(first_share, 1 - first_share))
    first, second = (c, other.astype(int)) if first_share >= 0.5 else (other.astype(int), c)
    lines = [f"{n}\t{k}\t{2 * k}\t{3 * k}" for n, k in STAR_SUMMARY]  # per column, as STAR's
    lines += [f"{g}\t{a + b}\t{a}\t{b}" for g, a, b in zip(counts.index, first, second,
                                                          strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def write_htseq(path: Path, counts: pd.Series) -> None:
    lines = [f"{g}\t{c}" for g, c in counts.items()] + [f"{n}\t{k}" for n, k in HTSEQ_SUMMARY]
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") if path.suffix == ".gz" else open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def transcripts(n_genes: int = 6) -> pd.DataFrame:
    """GENCODE-style transcript names (``ENST...|ENSG...|...|``), 2 or 3 per gene."""
    rows = []
    for g in range(n_genes):
        for t in range(2 + g % 2):
            tx, gene = f"ENST{g * 10 + t:011d}.{t + 1}", f"ENSG{g:011d}.4"
            rows.append((f"{tx}|{gene}|OTTHUMG1|OTTHUMT1|G{g}-20{t}|G{g}|1500|protein_coding|",
                         tx, gene))
    return pd.DataFrame(rows, columns=["name", "tx", "gene"])


def write_salmon(path: Path, names: list[str], reads: np.ndarray) -> None:
    tpm = reads / 1000.0 / (reads / 1000.0).sum() * 1e6
    lines = ["Name\tLength\tEffectiveLength\tTPM\tNumReads"]
    lines += [f"{n}\t1500\t1350.000\t{t:.6f}\t{r:.3f}" for n, t, r in zip(names, tpm, reads,
                                                                         strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def salmon_dir(root: Path, names: list[str], n_samples: int = 4, seed: int = 0) -> np.ndarray:
    """nf-core's layout: ``salmon/<sample>/quant.sf`` (+ the files beside it); reads (t, s)."""
    reads = np.random.default_rng(seed).gamma(2.0, 50.0, (len(names), n_samples)).round(3)
    for s in range(n_samples):
        write_salmon(root / f"S{s}" / "quant.sf", names, reads[:, s])
        (root / f"S{s}" / "cmd_info.json").write_text("{}")
        (root / f"S{s}" / "logs").mkdir()
        (root / f"S{s}" / "logs" / "salmon_quant.log").write_text("[info] done\n")
    return reads


@pytest.fixture(scope="module")
def acc_counts(shared_data: Path) -> pd.DataFrame:
    """Twelve real TCGA-ACC samples' GDC raw counts (genes × samples)."""
    path = shared_data / "gdc_counts_6types" / "TCGA_ACC_Counts.exp.gz"
    return pd.read_csv(path, sep="\t", index_col=0).iloc[:, :12].astype(int)


def test_star_files_of_real_counts_join_back_to_the_matrix(acc_counts, tmp_path):
    """A reverse-stranded library (dUTP: 3% on read 1's strand): the read-2 column is the
    gene count; the joined matrix is the real one, value for value; the N_* rows are left
    out with their totals; STAR's other outputs are not read."""
    for s in acc_counts.columns:
        write_star(tmp_path / "star" / s / f"{s}_ReadsPerGene.out.tab", acc_counts[s], 0.03)
        (tmp_path / "star" / s / f"{s}_SJ.out.tab").write_text("chr1\t14830\t14969\t2\t2\t1\t0\t2\t38\n")
    expr, record = assemble_quant_dir(tmp_path / "star", tmp_path / "out")
    joined = pd.read_csv(expr, sep="\t", index_col=0)
    pd.testing.assert_frame_equal(joined.loc[acc_counts.index, sorted(acc_counts.columns)],
                                  acc_counts[sorted(acc_counts.columns)], check_dtype=False)
    assert record["strand"] == {"reverse": 12}
    assert record["value_column"] == "column 4 (reverse)"
    # the totals of the column used (old behaviour: column 2's, the unstranded, whatever the strand)
    assert record["summary_rows"] == {n: 12.0 * 3 * k for n, k in STAR_SUMMARY}
    assert all(share < 0.05 for share in record["read1_strand_share"].values())
    assert len(record["skipped_files"]) == 12  # the SJ.out.tab files, named
    assert json.loads((tmp_path / "out" / "joined.json").read_text()) == record


def test_htseq_files_of_real_counts_prepare_into_a_bundle(acc_counts, tmp_path):
    """gzip'd HTSeq-count tables, samples named by file: a bundle of the real counts."""
    for s in acc_counts.columns:
        write_htseq(tmp_path / "htseq" / f"{s}.htseq.counts.gz", acc_counts[s])
    pd.DataFrame({"sample": acc_counts.columns, "cancer_type": "ACC"}).to_csv(
        tmp_path / "labels.tsv", sep="\t", index=False)
    res = CliRunner().invoke(app, ["prepare", "--quant-dir", str(tmp_path / "htseq"),
                                   "--labels", str(tmp_path / "labels.tsv"), "--out",
                                   str(tmp_path / "b"), "--min-class-size", "1"])
    assert res.exit_code == 0, res.output
    assert "joined 12 HTSeq-count files (counts): 56,537 genes" in res.output
    assert "5 summary rows left out" in res.output
    assert "__alignment_not_unique" in res.output  # old: said 5 and named the first 4
    bundle = load_bundle(tmp_path / "b")
    assert sorted(bundle.sample_ids) == sorted(acc_counts.columns)
    record = json.loads((tmp_path / "b_quant_inputs" / "joined.json").read_text())
    assert record["summary_rows"]["__alignment_not_unique"] == 12 * 40
    assert bundle.record["inputs"][0]["joined"] == record  # the bundle keeps the join's changes


@pytest.mark.parametrize(("share", "strand"), [(0.5, "unstranded"), (0.45, "unstranded"),
                                               (0.97, "forward"), (0.02, "reverse"),
                                               (0.7, "unclear"), (0.3, "unclear")])
def test_star_strand_from_read1_share(share, strand):
    assert star_strand(np.array([1000.0, 1000 * share, 1000 * (1 - share)]))[0] == strand


def test_unclear_strand_is_refused_and_strand_flag_decides(tmp_path):
    counts = pd.Series([100, 250, 80], index=["ENSG01", "ENSG02", "ENSG03"])
    for s in ("A", "B"):
        write_star(tmp_path / "q" / f"{s}.ReadsPerGene.out.tab", counts, 0.7)
    with pytest.raises(InputError, match=r"(?s)strandedness is unclear: 70%.*--strand"):
        assemble_quant_dir(tmp_path / "q", tmp_path / "o")
    expr, record = assemble_quant_dir(tmp_path / "q", tmp_path / "o", strand="forward")
    assert pd.read_csv(expr, sep="\t", index_col=0)["A"].tolist() == [100, 250, 80]
    assert record["strand"] == {"forward": 2}


def test_salmon_transcripts_sum_into_genes_and_counts_are_rounded(tmp_path):
    """tximport's sum by gene of NumReads (then rounded, as DESeq2 does, and counted) and of
    TPM (not rounded), the gene read from the GENCODE transcript names; the files beside
    quant.sf (cmd_info.json, logs/) are not read."""
    tx = transcripts()
    reads = salmon_dir(tmp_path / "salmon", tx["name"].tolist())
    expr, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")
    joined = pd.read_csv(expr, sep="\t", index_col=0)
    expected = pd.DataFrame(reads, index=tx["gene"]).groupby(level=0).sum().round()
    np.testing.assert_array_equal(joined.loc[expected.index].to_numpy(), expected.to_numpy())
    assert list(joined.columns) == ["S0", "S1", "S2", "S3"]
    assert record["gene_map"] == "GENCODE transcript names"
    assert record["counts_rounded"] == int((expected.to_numpy() != pd.DataFrame(
        reads, index=tx["gene"]).groupby(level=0).sum().to_numpy()).sum()) > 0
    expr, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "t", values="tpm")
    tpm = pd.read_csv(expr, sep="\t", index_col=0)
    np.testing.assert_allclose(tpm.sum().to_numpy(), 1e6, rtol=1e-6)
    assert record["counts_rounded"] == 0


def test_a_sum_exactly_at_a_half_rounds_to_even_whatever_the_float_noise(tmp_path):
    """Six transcripts summing to 184.5 in decimals add up to 184.50000000000003 in order,
    seven summing to 100.5 to 100.50000000000001 under pandas' compensated sum: the count
    followed the noise (185, or 101) instead of rounding the half to even (184, 100)."""
    a = ["37.936", "7.509", "9.729", "70.769", "46.103", "12.454"]
    b = ["8.494", "2.730", "6.815", "0.611", "68.596", "8.508", "4.746"]
    names = ([f"ENST{i:011d}.1|ENSG00000000001.4|x|y|A-{i}|A|1500|protein_coding|" for i in range(6)]
             + [f"ENST{i + 10:011d}.1|ENSG00000000002.4|x|y|B-{i}|B|1500|protein_coding|"
                for i in range(7)])
    lines = ["Name\tLength\tEffectiveLength\tTPM\tNumReads"]
    lines += [f"{n}\t1500\t1350.000\t1.0\t{v}" for n, v in zip(names, a + b, strict=True)]
    (tmp_path / "q" / "S0").mkdir(parents=True)
    (tmp_path / "q" / "S0" / "quant.sf").write_text("\n".join(lines) + "\n")
    path, record = assemble_quant_dir(tmp_path / "q", tmp_path / "o")
    joined = pd.read_csv(path, sep="\t", index_col=0)["S0"]
    assert joined.to_dict() == {"ENSG00000000001.4": 184, "ENSG00000000002.4": 100}
    assert record["counts_rounded"] == 2


def test_plain_transcript_ids_need_a_tx2gene_table(tmp_path):
    """salmon --gencode keeps only ENST ids: refused with the tx2gene fix; a table without
    versions still maps them; transcripts the table lacks are counted, not hidden."""
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["tx"].tolist(), n_samples=2)
    with pytest.raises(InputError, match=r"(?s)no map from transcripts to genes.*--tx2gene"):
        assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")
    table = tx.assign(tx=tx["tx"].str.split(".").str[0]).iloc[1:][["tx", "gene"]]
    table.to_csv(tmp_path / "tx2gene.csv", index=False, header=["TXNAME", "GENEID"])
    expr, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o",
                                      tx2gene=tmp_path / "tx2gene.csv")
    assert record["unmapped_transcripts"] == 1 and record["transcripts"] == len(tx)
    assert record["unmapped_value"] > 0
    assert pd.read_csv(expr, sep="\t", index_col=0).shape == (6, 2)


def test_kallisto_files_of_gene_ids_are_read_as_genes(tmp_path):
    """Old behaviour: kallisto (or Salmon) run on a gene-level index was refused as
    "transcript ids ('ENSG00000000003', ...) and no map from transcripts to genes"."""
    genes = [f"ENSG{i:011d}.{i % 3 + 1}" for i in range(3, 9)]
    for s, k in (("A", 1.0), ("B", 2.0)):
        (tmp_path / "kal" / s).mkdir(parents=True)
        (tmp_path / "kal" / s / "abundance.tsv").write_text(
            "target_id\tlength\teff_length\test_counts\ttpm\n" + "".join(
                f"{g}\t2000\t1800\t{k * (i + 1) + 0.4}\t{10.0 * (i + 1)}\n"
                for i, g in enumerate(genes)))
    expr, record = assemble_quant_dir(tmp_path / "kal", tmp_path / "o")
    m = pd.read_csv(expr, sep="\t", index_col=0)
    assert m.index.tolist() == genes and m["B"].tolist() == [2, 4, 6, 8, 10, 12]
    assert "gene ids" in record["gene_level_ids"] and "gene_map" not in record
    assert record["gene_level_ids"] in joined_lines(record)
    (tmp_path / "kal" / "B" / "abundance.tsv").write_text(  # a gene twice: refused, named
        "target_id\tlength\teff_length\test_counts\ttpm\n" + "".join(
            f"{g}\t2000\t1800\t1\t1\n" for g in [*genes, genes[0]]))
    with pytest.raises(InputError, match="listed more than once"):
        assemble_quant_dir(tmp_path / "kal", tmp_path / "o2")


def test_gene_level_files_are_preferred_and_the_others_listed(tmp_path):
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["name"].tolist(), n_samples=2)
    genes = tx["gene"].unique().tolist()
    for s in ("S0", "S1"):
        write_salmon(tmp_path / "salmon" / s / "quant.genes.sf", genes, np.arange(1.0, 7.0))
    kind, files, skipped = find_quant_files(tmp_path / "salmon")
    assert kind == "salmon_genes" and sorted(files) == ["S0", "S1"]
    assert sorted(p.name for p in skipped) == ["quant.sf", "quant.sf"]


def test_rsem_and_kallisto_files(tmp_path):
    """RSEM genes.results (samples named by file) and isoforms.results (summed by its own
    gene_id column); kallisto's abundance.tsv by its folder."""
    for s in ("P1", "P2"):
        (tmp_path / "rsem" / f"{s}.genes.results").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "rsem" / f"{s}.genes.results").write_text(
            "gene_id\ttranscript_id(s)\tlength\teffective_length\texpected_count\tTPM\tFPKM\n"
            "ENSG01\tENST1,ENST2\t2000\t1800.00\t500.40\t12.30\t10.10\n"
            "ENSG02\tENST3\t900\t700.00\t20.00\t3.10\t2.00\n")
        (tmp_path / "iso" / f"{s}.isoforms.results").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "iso" / f"{s}.isoforms.results").write_text(
            "transcript_id\tgene_id\tlength\teffective_length\texpected_count\tTPM\tFPKM\t"
            "IsoPct\nENST1\tENSG01\t2000\t1800\t300.2\t8.0\t7.0\t60\n"
            "ENST2\tENSG01\t1500\t1300\t200.2\t4.3\t3.1\t40\n"
            "ENST3\tENSG02\t900\t700\t20\t3.1\t2\t100\n")
        (tmp_path / "kal" / s / "abundance.tsv").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "kal" / s / "abundance.tsv").write_text(
            "target_id\tlength\teff_length\test_counts\ttpm\n"
            "ENST1|ENSG01|x|\t2000\t1800\t10.5\t100\nENST3|ENSG02|x|\t900\t700\t2\t50\n")
    expr, record = assemble_quant_dir(tmp_path / "rsem", tmp_path / "o1")
    assert pd.read_csv(expr, sep="\t", index_col=0)["P1"].tolist() == [500, 20]
    expr, record = assemble_quant_dir(tmp_path / "iso", tmp_path / "o2")
    assert pd.read_csv(expr, sep="\t", index_col=0)["P2"].tolist() == [500, 20]
    assert record["gene_map"] == "gene_id column"
    expr, record = assemble_quant_dir(tmp_path / "kal", tmp_path / "o3", values="tpm")
    assert pd.read_csv(expr, sep="\t", index_col=0)["P1"].tolist() == [100, 50]


def _two_htseq(root: Path) -> None:
    write_htseq(root / "a.counts", pd.Series([1, 2], index=["ENSG01", "ENSG02"]))
    write_htseq(root / "b.counts", pd.Series([3, 4], index=["ENSG01", "ENSG02"]))


@pytest.mark.parametrize(("arrange", "said"), [
    (lambda r: r.mkdir(), "no per-sample quantification files found"),
    (lambda r: (r.joinpath("A").mkdir(parents=True), r.joinpath("A", "abundance.h5").write_bytes(
        b"\x89HDF\r\n\x1a\n")), "kallisto's abundance.h5 files but not the abundance.tsv"),
    (lambda r: (write_star(r / "c_ReadsPerGene.out.tab", pd.Series([1], index=["ENSG01"]), 0.5),
                (r / "a.genes.results").write_text(
                    "gene_id\ttranscript_id(s)\tlength\teffective_length\texpected_count\n"
                    "ENSG01\tT1\t10\t9\t2\n")),
     "mixes 1 RSEM genes.results and 1 STAR ReadsPerGene.out.tab files"),
    (lambda r: (_two_htseq(r), write_htseq(r / "x" / "a.txt", pd.Series([5], index=["G"]))),
     "two files name sample 'a'"),
    (lambda r: (_two_htseq(r), write_htseq(r / "c.counts", pd.Series([5, 6],
                                                                    index=["ENSG01", "ENSG99"]))),
     "its 2 genes differ from b.counts's 2"),
    # old behaviour: a file cut short was said as "another annotation or index?"
    (lambda r: (_two_htseq(r), write_htseq(r / "c.counts", pd.Series([5], index=["ENSG01"]))),
     r"(?s)c\.counts: holds only 1 of b\.counts's 2 genes.*cut short.*fix: copy or quantify"),
    (lambda r: (_two_htseq(r), write_htseq(r / "a.counts", pd.Series([5], index=["ENSG01"]))),
     r"a\.counts: holds only 1 of b\.counts's 2 genes and no others: the file looks cut short"),
    (lambda r: (_two_htseq(r), (r / "b.counts").write_text("ENSG01\t3\nENSG02\t-4\n")),
     r"value '-4' is not a non-negative number"),
])
def test_bad_folders_get_one_error(tmp_path, arrange, said):
    arrange(tmp_path / "q")
    with pytest.raises(InputError, match=said):
        assemble_quant_dir(tmp_path / "q", tmp_path / "o")


def test_quant_options_without_the_folder_and_tpm_of_counts_are_refused(tmp_path):
    _two_htseq(tmp_path / "q")
    runner = CliRunner()
    res = runner.invoke(app, ["prepare", "--expression", str(tmp_path / "q" / "a.counts"),
                              "--tx2gene", "t.tsv", "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)
    assert "--tx2gene needs --quant-dir as well" in str(res.exception)
    res = runner.invoke(app, ["prepare", "--quant-dir", str(tmp_path / "q"), "--quant-values",
                              "tpm", "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)
    assert "HTSeq-count files hold counts only" in str(res.exception)


def test_predict_scores_a_quant_folder(shared_data, tmp_path):
    """prepare → train → predict, the new samples given as their per-sample files."""
    d = shared_data / "gdc_counts_6types"
    counts = pd.concat([pd.read_csv(d / f"TCGA_{t}_Counts.exp.gz", sep="\t", index_col=0)
                        .iloc[:3000, :6] for t in ("ACC", "UVM")], axis=1).astype(int)
    for s in counts.columns:
        write_htseq(tmp_path / "q" / f"{s}.counts", counts[s])
    pd.DataFrame({"sample": counts.columns, "cancer_type": ["ACC"] * 6 + ["UVM"] * 6}).to_csv(
        tmp_path / "labels.tsv", sep="\t", index=False)
    runner = CliRunner()
    for args in (["prepare", "--quant-dir", tmp_path / "q", "--labels", tmp_path / "labels.tsv",
                  "--out", tmp_path / "b", "--min-class-size", "1"],
                 ["train", "--data", tmp_path / "b", "--model", "logreg", "--out", tmp_path / "r"],
                 ["predict", "--model", tmp_path / "r", "--quant-dir", tmp_path / "q", "--out",
                  tmp_path / "p.csv"]):
        res = runner.invoke(app, [str(a) for a in args])
        assert res.exit_code == 0, res.output
    assert "joined 12 HTSeq-count files (counts): 3,000 genes" in res.output
    scored = pd.read_csv(tmp_path / "p.csv")
    assert sorted(scored.iloc[:, 0]) == sorted(counts.columns)
    res = runner.invoke(app, ["predict", "--model", str(tmp_path / "r"), "--out", "x.csv"])
    assert "pass one input: --expression FILE, --quant-dir FOLDER or --gdc-dir" in str(res.exception)


def test_predict_takes_the_tpm_of_a_quant_folder(shared_data, tmp_path):
    """A model prepared from Salmon's TPM column scores new Salmon files on that column
    (the model's own scale); predict --quant-dir took counts only, so the same files came
    in as counts and were quantile-aligned instead."""
    d = shared_data / "gdc_counts_6types"
    counts = pd.concat([pd.read_csv(d / f"TCGA_{t}_Counts.exp.gz", sep="\t", index_col=0)
                        .iloc[:3000, :6] for t in ("ACC", "UVM")], axis=1).astype(float)
    tpm = counts / counts.sum() * 1e6
    for s in counts.columns:
        body = [f"{g}\t1500\t1350.000\t{t:.6f}\t{c:.3f}"
                for g, t, c in zip(counts.index, tpm[s], counts[s], strict=True)]
        (tmp_path / "q" / s).mkdir(parents=True)
        (tmp_path / "q" / s / "quant.genes.sf").write_text(
            "Name\tLength\tEffectiveLength\tTPM\tNumReads\n" + "\n".join(body) + "\n")
    pd.DataFrame({"sample": counts.columns, "cancer_type": ["ACC"] * 6 + ["UVM"] * 6}).to_csv(
        tmp_path / "labels.tsv", sep="\t", index=False)
    runner = CliRunner()
    for args in (["prepare", "--quant-dir", tmp_path / "q", "--quant-values", "tpm", "--labels",
                  tmp_path / "labels.tsv", "--out", tmp_path / "b", "--min-class-size", "1"],
                 ["train", "--data", tmp_path / "b", "--model", "logreg", "--out", tmp_path / "r"]):
        res = runner.invoke(app, [str(a) for a in args])
        assert res.exit_code == 0, res.output
    rules = {}
    for values in ("tpm", "counts"):
        res = runner.invoke(app, [str(a) for a in [
            "predict", "--model", tmp_path / "r", "--quant-dir", tmp_path / "q", "--quant-values",
            values, "--out", tmp_path / f"p_{values}.csv"]])
        assert res.exit_code == 0, res.output
        rules[values] = set(pd.read_csv(tmp_path / f"p_{values}.csv")["scale_rule"])
    assert rules == {"tpm": {"same"}, "counts": {"quantile"}}


def test_stray_two_column_tables_beside_a_tools_files_are_skipped(tmp_path):
    """nf-core's result folders hold other small tables (e.g. per-sample size factors); a
    two-column one was taken for HTSeq-count output: "mixes 2 Salmon and 2 HTSeq-count"."""
    tx = transcripts()
    salmon_dir(tmp_path / "star_salmon", tx["name"].tolist(), n_samples=2)
    for s in ("S0", "S1"):
        write_htseq(tmp_path / "star_salmon" / "deseq2_qc" / f"{s}.txt", pd.Series([1.3], index=[s]))
    kind, files, skipped = find_quant_files(tmp_path / "star_salmon")
    assert kind == "salmon" and sorted(files) == ["S0", "S1"]
    assert sorted(p.name for p in skipped) == ["S0.txt", "S1.txt"]


def test_nf_core_folder_uses_its_own_tx2gene(tmp_path):
    """nf-core/rnaseq's salmon/ folder: plain transcript ids in each quant.sf and, beside
    the samples' folders, tx2gene.tsv (transcript, gene, gene name; no header: its
    bin/tx2gene.py) and the merged matrices: the map is used and said; the merged matrices
    are listed as skipped."""
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["tx"].tolist(), n_samples=2)
    (tmp_path / "salmon" / "tx2gene.tsv").write_text("".join(
        f"{t}\t{g}\tG{i}\n" for i, (t, g) in enumerate(zip(tx["tx"], tx["gene"], strict=True))))
    (tmp_path / "salmon" / "salmon.merged.gene_counts.tsv").write_text(
        "gene_id\tgene_name\tS0\tS1\nENSG1\tA\t1.5\t2\n")
    expr, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")
    assert record["gene_map"] == "tx2gene.tsv in the folder"
    assert record["unmapped_transcripts"] == 0 and record["transcripts"] == len(tx)
    assert record["skipped_files"] == ["salmon.merged.gene_counts.tsv"]
    assert pd.read_csv(expr, sep="\t", index_col=0).shape == (6, 2)


def test_one_skipped_file_is_said_in_the_singular(tmp_path):
    """nf-core's star_salmon/ holds salmon.merged.gene_counts.tsv beside the samples' folders:
    the join said "1 other files skipped"."""
    tx = transcripts()
    salmon_dir(tmp_path / "star_salmon", tx["name"].tolist(), n_samples=2)
    (tmp_path / "star_salmon" / "salmon.merged.gene_counts.tsv").write_text(
        "gene_id\tgene_name\tS0\tS1\nENSG00000000000.4\tG0\t1.5\t2\n")
    _, record = assemble_quant_dir(tmp_path / "star_salmon", tmp_path / "o")
    assert "1 other file skipped (e.g. salmon.merged.gene_counts.tsv; all in joined.json)" in (
        joined_lines(record))
