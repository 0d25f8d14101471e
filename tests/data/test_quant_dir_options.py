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
