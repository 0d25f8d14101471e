"""``--quant-dir``: a transcript listed twice in one file is refused, the transcripts a partial
tx2gene leaves out are named, and what a join changes is counted in the bundle's summary.

Old behaviour: a transcript repeated in one quant.sf (two files run together) was summed
into its gene without a word; transcripts absent from --tx2gene were counted and their
share kept, but which ones (and which genes they took with them) was said nowhere;
estimated counts rounded to integers and Ensembl versions stripped were in joined.json /
record.json but not in summary.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.quant_dir import assemble_quant_dir, joined_lines
from genemoe.errors import InputError

N_GENES, N_SAMPLES = 12, 6
SALMON_HEADER = "Name\tLength\tEffectiveLength\tTPM\tNumReads"
KALLISTO_HEADER = "target_id\tlength\teff_length\test_counts\ttpm"
RSEM_ISO_HEADER = ("transcript_id\tgene_id\tlength\teffective_length\texpected_count\tTPM\t"
                   "FPKM\tIsoPct")


def transcripts(n_genes: int = N_GENES) -> pd.DataFrame:
    """Two transcripts per gene: plain versioned ids and GENCODE-style names."""
    rows = [(f"ENST{g * 10 + t:011d}.2", f"ENSG{g:011d}.7") for g in range(n_genes)
            for t in range(2)]
    tx = pd.DataFrame(rows, columns=["tx", "gene"])
    tx["name"] = tx["tx"] + "|" + tx["gene"] + "|x|y|G-201|G|1500|protein_coding|"
    return tx


def reads(n_tx: int, n_samples: int = N_SAMPLES, seed: int = 0) -> np.ndarray:
    """Estimated counts with three decimals (as Salmon writes NumReads)."""
    return np.random.default_rng(seed).gamma(2.0, 80.0, (n_tx, n_samples)).round(3) + 0.25


def sample_lines(kind: str, ids: list[str], genes: list[str], r: np.ndarray) -> list[str]:
    """One sample's file as its tool writes it (header first)."""
    if kind == "salmon":
        return [SALMON_HEADER] + [f"{n}\t1500\t1350.000\t1.000000\t{v:.3f}"
                                  for n, v in zip(ids, r, strict=True)]
    if kind == "kallisto":
        return [KALLISTO_HEADER] + [f"{n}\t1500\t1350\t{v:.3f}\t1.0"
                                    for n, v in zip(ids, r, strict=True)]
    return [RSEM_ISO_HEADER] + [f"{n}\t{g}\t1500\t1350\t{v:.2f}\t1.0\t1.0\t50"
                                for n, g, v in zip(ids, genes, r, strict=True)]


def sample_file(root: Path, kind: str, sample: str) -> Path:
    return {"salmon": root / sample / "quant.sf", "kallisto": root / sample / "abundance.tsv",
            "rsem_isoforms": root / f"{sample}.isoforms.results"}[kind]


def write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def salmon_folder(root: Path, names: list[str], values: np.ndarray) -> None:
    for s in range(values.shape[1]):
        write(sample_file(root, "salmon", f"S{s}"), sample_lines("salmon", names, [], values[:, s]))


def _gencode_for(kind: str, tx: pd.DataFrame) -> list[str]:
    return tx["name"].tolist() if kind == "salmon" else tx["tx"].tolist()


@pytest.mark.parametrize("kind", ["salmon", "kallisto", "rsem_isoforms"])
def test_a_transcript_repeated_in_one_file_is_refused_with_both_lines(tmp_path, kind):
    """Defect 2: the second sample's file lists its fourth transcript again after its
    ninth (two files run together); the first and third are healthy (old: the repeat was
    summed into its gene, the gene's count raised without a word)."""
    tx = transcripts()
    ids, genes = _gencode_for(kind, tx), tx["gene"].tolist()
    values = reads(len(tx), 3)
    for s in range(3):
        lines = sample_lines(kind, ids, genes, values[:, s])
        if s == 1:
            lines = lines[:10] + [lines[4]] + lines[10:]  # line 5 again, as line 11
        write(sample_file(tmp_path / "q", kind, f"S{s}"), lines)
    if kind == "kallisto":
        tx[["tx", "gene"]].to_csv(tmp_path / "t.tsv", sep="\t", index=False, header=False)
    with pytest.raises(InputError) as err:
        assemble_quant_dir(tmp_path / "q", tmp_path / "o",
                           tx2gene=tmp_path / "t.tsv" if kind == "kallisto" else None)
    said = str(err.value)
    assert str(sample_file(tmp_path / "q", kind, "S1")) in said
    assert f"transcript {ids[3]!r} appears twice (lines 5 and 11)" in said
    assert "copy or quantify this sample again" in said and "one row per transcript" in said
    assert not (tmp_path / "o" / "expression.tsv.gz").exists()


def test_a_transcript_repeated_in_every_file_is_refused_too(tmp_path):
    """The repeat in every sample's file (memo of ids shared): refused in the first."""
    tx = transcripts()
    names = tx["name"].tolist()
    names = names[:6] + [names[2]] + names[6:]
    salmon_folder(tmp_path / "salmon", names, reads(len(names), 2))
    with pytest.raises(InputError, match=r"S0/quant\.sf: transcript .* appears twice "
                                         r"\(lines 4 and 8\)"):
        assemble_quant_dir(tmp_path / "salmon", tmp_path / "o")


def test_transcripts_missing_from_the_map_are_listed_and_their_genes_named(tmp_path):
    """Defect 3: a tx2gene lacking both transcripts of genes 0 and 1 and one of gene 2's:
    joined.json lists the five transcripts and the two genes lost; the warning names the
    first few of each (old: counts and shares only)."""
    tx = transcripts()
    values = np.full((len(tx), 2), 100.0)
    salmon_folder(tmp_path / "salmon", tx["name"].tolist(), values)
    tx.iloc[5:][["name", "gene"]].to_csv(tmp_path / "t.tsv", sep="\t", index=False,
                                        header=False)
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o", tx2gene=tmp_path / "t.tsv")
    assert record["unmapped_transcript_ids"] == tx["name"].tolist()[:5]
    assert record["genes_lost_unmapped_ids"] == tx["gene"].tolist()[:4:2]
    assert record["genes_lost_unmapped"] == 2 and record["unmapped_transcripts"] == 5
    assert json.loads((tmp_path / "o" / "joined.json").read_text()) == record
    (said,) = record["warnings"]
    assert ("5 of 24 transcripts are not in the map (--tx2gene), e.g. ENST00000000000.2, "
            "ENST00000000001.2, ENST00000000010.2, ... (all in joined.json)") in said
    assert "2 genes lost (none of their transcripts in the map: ENSG00000000000.7, " \
           "ENSG00000000001.7)" in said
    lines = joined_lines(record)
    assert "  genes lost: ENSG00000000000.7, ENSG00000000001.7 (all 2 in joined.json)" in lines
    assert all(len(line) <= 100 for line in lines)


def test_plain_ids_missing_from_the_map_are_listed_their_genes_unknown(tmp_path):
    """Plain transcript ids do not name their gene: the transcripts are listed, the genes
    lost are unknown (None), not guessed."""
    tx = transcripts()
    salmon_folder(tmp_path / "salmon", tx["tx"].tolist(), np.full((len(tx), 2), 100.0))
    tx.iloc[:20][["tx", "gene"]].to_csv(tmp_path / "t.tsv", sep="\t", index=False, header=False)
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o", tx2gene=tmp_path / "t.tsv")
    assert record["unmapped_transcript_ids"] == tx["tx"].tolist()[20:]
    assert record["genes_lost_unmapped_ids"] is None and record["genes_lost_unmapped"] is None
    assert "e.g. ENST00000000100.2, ENST00000000101.2, ENST00000000110.2, ..." in (
        record["warnings"][0])


def test_a_full_map_lists_no_transcript(tmp_path):
    tx = transcripts()
    salmon_folder(tmp_path / "salmon", tx["tx"].tolist(), np.full((len(tx), 1), 10.0))
    tx[["tx", "gene"]].to_csv(tmp_path / "t.tsv", sep="\t", index=False, header=False)
    _, record = assemble_quant_dir(tmp_path / "salmon", tmp_path / "o", tx2gene=tmp_path / "t.tsv")
    assert record["unmapped_transcript_ids"] == [] and record["warnings"] == []
    assert not any("not in it:" in line for line in joined_lines(record))


def _prepare_three_unmapped(tmp_path):  # noqa: ANN001, ANN202
    """``genemoe prepare --quant-dir`` of Salmon files whose tx2gene lacks the first three
    transcripts, into ``tmp_path / "b"``: the CLI's result."""
    tx = transcripts()
    salmon_folder(tmp_path / "salmon", tx["name"].tolist(), reads(len(tx)))
    tx.iloc[3:][["tx", "gene"]].to_csv(tmp_path / "tx2gene.tsv", sep="\t", index=False,
                                       header=False)  # the first three transcripts missing
    res = CliRunner().invoke(app, ["prepare", "--quant-dir", str(tmp_path / "salmon"),
                                   "--tx2gene", str(tmp_path / "tx2gene.tsv"),
                                   "--cancer-type", "ACC", "--min-class-size", "1",
                                   "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    return res


def test_the_bundle_summary_counts_rounding_versions_and_unmapped_transcripts(tmp_path):
    """Defects 1 and 3 through `genemoe prepare`: summary.json carries the counts rounded,
    the versions stripped and the transcripts the map lacked (old: none of the three)."""
    res = _prepare_three_unmapped(tmp_path)
    joined = json.loads((tmp_path / "b_quant_inputs" / "joined.json").read_text())
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    record = json.loads((tmp_path / "b" / "record.json").read_text())
    kept = N_GENES - 1  # gene 0's two transcripts not in the map
    assert joined["counts_rounded"] == kept * N_SAMPLES  # every sum had decimals
    assert summary["n_counts_rounded"] == joined["counts_rounded"]
    stripped = [s["report"]["version_stripped"] for s in record["steps"]
                if s["step"] == "map_gene_ids"]
    assert stripped == [kept] and summary["n_versions_stripped"] == kept
    assert summary["n_transcripts_unmapped"] == 3
    assert "not in it: ENST00000000000.2, ENST00000000001.2, ENST00000000010.2 " \
           "(all 3 in joined.json)" in res.output  # the terminal names them too


def test_join_change_counts_of_an_older_record_and_of_no_join():
    """A record without the joins' lists counts from their totals; no join counts 0."""
    from genemoe.data.quant_record import join_change_counts  # new: the other tests run on old code

    record = {"inputs": [{"joined": {"counts_rounded": 5, "unmapped_transcripts": 2}},
                         {"role": "labels"}],
              "steps": [{"step": "map_gene_ids", "report": {"version_stripped": 4}},
                        {"step": "read"}]}
    assert join_change_counts(record) == {"n_counts_rounded": 5, "n_versions_stripped": 4,
                                          "n_transcripts_unmapped": 2}
    assert join_change_counts({}) == {"n_counts_rounded": 0, "n_versions_stripped": 0,
                                      "n_transcripts_unmapped": 0}


def test_a_long_list_of_unmapped_transcripts_is_cut_in_the_bundle_record(tmp_path, monkeypatch):
    """Old behaviour: every transcript a partial tx2gene left out went into the bundle's
    record.json as well as joined.json (tens of thousands of ~80-character GENCODE names for
    a map from another annotation; record.json is read and hashed by every later step); the
    record now keeps the first ``RECORD_IDS_KEPT`` with the total and the full list's file,
    and the summary still counts them all."""
    import genemoe.data.quant_record as qr

    monkeypatch.setattr(qr, "RECORD_IDS_KEPT", 2)
    _prepare_three_unmapped(tmp_path)
    joined_file = tmp_path / "b_quant_inputs" / "joined.json"
    full = json.loads(joined_file.read_text())["unmapped_transcript_ids"]
    record = json.loads((tmp_path / "b" / "record.json").read_text())
    kept = next(i["joined"] for i in record["inputs"] if i.get("joined"))
    assert len(full) == 3 and kept["unmapped_transcript_ids"] == full[:2]
    assert kept["unmapped_transcript_ids_total"] == 3
    assert kept["unmapped_transcript_ids_full_list"] == str(joined_file)
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["n_transcripts_unmapped"] == 3
