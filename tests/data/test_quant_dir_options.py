"""``--quant-dir``: what the join loses, the options it does not use, and what it records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.quant_dir import assemble_quant_dir
from genemoe.errors import InputError


def write_salmon(folder: Path, names: list[str], reads: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tpm = reads / reads.sum() * 1e6
    (folder / "quant.sf").write_text("Name\tLength\tEffectiveLength\tTPM\tNumReads\n" + "".join(
        f"{n}\t1500\t1350.000\t{t:.6f}\t{r:.3f}\n" for n, t, r in zip(names, tpm, reads,
                                                                    strict=True)))


def transcripts(n_genes: int = 10) -> pd.DataFrame:
    """Two transcripts per gene: plain ids and GENCODE-style names."""
    rows = [(f"ENST{g * 10 + t:011d}.1", f"ENSG{g:011d}.4") for g in range(n_genes)
            for t in range(2)]
    tx = pd.DataFrame(rows, columns=["tx", "gene"])
    tx["name"] = tx["tx"] + "|" + tx["gene"] + "|x|y|G-201|G|1500|protein_coding|"
    return tx


def salmon_dir(root: Path, names: list[str], reads: np.ndarray) -> None:
    for s in range(reads.shape[1]):
        write_salmon(root / f"S{s}", names, reads[:, s])


def test_reads_of_transcripts_missing_from_the_map_are_warned_and_recorded(tmp_path):
    """Old behaviour: a map of half the transcripts left half the reads out with one info
    line; the record's warnings were empty and no sample's share was kept."""
    tx = transcripts()
    reads = np.full((len(tx), 2), 100.0)
    reads[:4, 1] = 400.0  # sample S1 loses more: its first two genes' transcripts are unmapped
    salmon_dir(tmp_path / "salmon", tx["name"].tolist(), reads)
    tx.iloc[4:][["name", "gene"]].to_csv(tmp_path / "tx2gene.tsv", sep="\t", index=False,
                                        header=False)
    expr, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o",
                                      tx2gene=tmp_path / "tx2gene.tsv")
    assert record["unmapped_share"] == {"S0": 0.2, "S1": 0.5}
    assert record["genes_lost_unmapped"] == 2  # the ids name their genes: counted
    assert pd.read_csv(expr, sep="\t", index_col=0).shape == (8, 2)
    assert len(record["warnings"]) == 1
    said = record["warnings"][0]
    assert "4 of 20 transcripts are not in the map (--tx2gene)" in said
    assert "50.0% of sample S1's (the most; 35.0% on average); 2 genes lost" in said


def test_plain_ids_missing_from_the_map_warn_without_a_gene_count(tmp_path):
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["tx"].tolist(), np.full((len(tx), 2), 100.0))
    tx.iloc[:10][["tx", "gene"]].to_csv(tmp_path / "t.tsv", sep="\t", index=False, header=False)
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o", tx2gene=tmp_path / "t.tsv")
    assert record["genes_lost_unmapped"] is None
    assert "10 of 20 transcripts are not in the map" in record["warnings"][0]
    assert "genes lost" not in record["warnings"][0]


def test_a_small_unmapped_share_is_recorded_not_warned(tmp_path):
    tx = transcripts()
    reads = np.full((len(tx), 1), 100.0)
    reads[0] = 1.0  # 1 read of 1,901: 0.05%
    salmon_dir(tmp_path / "salmon", tx["tx"].tolist(), reads)
    tx.iloc[1:][["tx", "gene"]].to_csv(tmp_path / "t.tsv", sep="\t", index=False, header=False)
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o", tx2gene=tmp_path / "t.tsv")
    assert record["unmapped_share"] == {"S0": 0.0005} and record["warnings"] == []


def test_the_unmapped_share_is_refused_nowhere(tmp_path):
    """A map with none of the transcripts is still one clear error."""
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["tx"].tolist(), np.full((len(tx), 1), 1.0))
    (tmp_path / "t.tsv").write_text("ENST99\tENSG99\n")
    with pytest.raises(InputError, match="none of its 20 transcripts is in the map"):
        assemble_quant_dir(tmp_path / "salmon", tmp_path / "o", tx2gene=tmp_path / "t.tsv")


def write_htseq(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for s, k in (("a", 1), ("b", 2)):
        (root / f"{s}.counts").write_text(f"ENSG01\t{k}\nENSG02\t{3 * k}\n__no_feature\t4\n")


@pytest.mark.parametrize("source", ["--quant-dir", "--expression"])
def test_gdc_values_without_the_gdc_folder_is_refused(tmp_path, source):
    """Old behaviour: --gdc-values tpm was taken and not used (counts were read)."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    write_htseq(tmp_path / "q")
    given = tmp_path / "q" if source == "--quant-dir" else tmp_path / "q" / "a.counts"
    res = CliRunner().invoke(app, ["prepare", source, str(given), "--gdc-values", "tpm",
                                   "--out", str(tmp_path / "b")])
    assert isinstance(res.exception, InputError)
    assert "--gdc-values needs --gdc-dir as well" in str(res.exception)


def test_strand_is_said_unused_for_files_other_than_star(tmp_path):
    """Old behaviour: --strand reverse with HTSeq-count files was taken without a word."""
    write_htseq(tmp_path / "q")
    _, record = assemble_quant_dir(tmp_path / "q", tmp_path / "o", strand="reverse")
    assert record["strand_unused"] == "reverse"
    assert record["warnings"] == ["--strand reverse is not used: it picks a column of STAR's "
                                  "ReadsPerGene.out.tab, and these are HTSeq-count files "
                                  "(counted for one strand by htseq-count -s)"]


def test_tx2gene_is_said_unused_for_gene_level_files(tmp_path):
    """Old behaviour: --tx2gene with RSEM genes.results was read, not used, not said."""
    for s in ("P1", "P2"):
        (tmp_path / "rsem").mkdir(exist_ok=True)
        (tmp_path / "rsem" / f"{s}.genes.results").write_text(
            "gene_id\ttranscript_id(s)\tlength\teffective_length\texpected_count\tTPM\tFPKM\n"
            "ENSG01\tENST1\t2000\t1800.00\t500.40\t12.30\t10.10\n")
    (tmp_path / "t.tsv").write_text("ENST1\tENSG01\n")
    _, record = assemble_quant_dir(tmp_path / "rsem", tmp_path / "o", tx2gene=tmp_path / "t.tsv")
    assert record["tx2gene_unused"] is True
    assert record["warnings"] == ["--tx2gene is not used: these RSEM genes.results files are "
                                  "gene-level"]


def test_a_cut_short_quant_sf_names_the_complete_one_by_its_sample_folder(tmp_path):
    """Old behaviour: "S1/quant.sf: holds only 10 of quant.sf's 20 genes" (every sample's
    file is quant.sf)."""
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["name"].tolist(), np.full((len(tx), 2), 10.0))
    write_salmon(tmp_path / "salmon" / "S1", tx["name"].tolist()[:10], np.full(10, 10.0))
    with pytest.raises(InputError, match=r"S1/quant\.sf: holds only 5 of S0/quant\.sf's 10 genes"):
        assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")


def test_the_record_keeps_the_folder_absolute(tmp_path, monkeypatch):
    """Old behaviour: "folder": "salmon", relative to wherever prepare was run."""
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["name"].tolist(), np.full((len(tx), 1), 10.0))
    monkeypatch.chdir(tmp_path)
    _, record = assemble_quant_dir(Path("salmon"), Path("o"))
    assert record["folder"] == str(tmp_path.resolve() / "salmon")


def test_the_genes_lost_to_the_map_are_counted_in_the_bundles_dropped_genes(tmp_path):
    """The genes a short --tx2gene lost were in joined.json only: the bundle's `dropped`
    counts them beside the other genes it left out."""
    from genemoe.data.quant_dir import join_dropped_genes

    inputs = [{"joined": {"genes_lost_unmapped": 2}}, {"joined": {"genes_lost_unmapped": None}},
              {}]
    assert join_dropped_genes(inputs) == {"no transcript in the tx2gene map (its reads left out)": 2}
    assert join_dropped_genes([{}]) == {}


def test_gencode_names_match_a_map_of_plain_transcript_ids(tmp_path):
    """Salmon run on GENCODE's transcriptome names its transcripts ENST...|ENSG...|...; a
    --tx2gene keyed on plain ENST ids was refused ("none of its 20 transcripts is in the
    map"): the id before the first '|' is matched, as tximport's ignoreAfterBar does."""
    tx = transcripts()
    salmon_dir(tmp_path / "salmon", tx["name"].tolist(), np.full((len(tx), 2), 100.0))
    tx[["tx", "gene"]].to_csv(tmp_path / "plain.tsv", sep="\t", index=False, header=False)
    expr, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o",
                                      tx2gene=tmp_path / "plain.tsv")
    assert pd.read_csv(expr, sep="\t", index_col=0).shape == (10, 2)
    assert record["unmapped_share"] == {"S0": 0.0, "S1": 0.0}
