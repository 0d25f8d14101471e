"""One GDC portal STAR file given as an expression matrix (an outside probe): its comment
line was refused with "remove the comment lines: grep -v '^#' ..."; done, and the N_ rows
removed, the file was read as 6 samples named unstranded, stranded_first, ...,
fpkm_uq_unstranded, and prepare wrote a bundle of them (predict scored them too)."""

from __future__ import annotations

import re

import pytest

from genemoe.data.read import read_expression
from genemoe.errors import InputError

HEADER = ("gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\t"
          "tpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded\n")
ROWS = ["N_unmapped\t\t\t1234567\t1234567\t1234567\t\t\t\n",
        "ENSG00000000003.15\tTSPAN6\tprotein_coding\t2360\t47\t2313\t198.3758\t40.5075\t118955.6\n",
        "ENSG00000000005.6\tTNMD\tprotein_coding\t3\t0\t3\t0.5\t0.1\t300.2\n"]


@pytest.mark.parametrize("text", [
    "# gene-model: GENCODE v36\n" + HEADER + "".join(ROWS),  # as the portal serves it
    HEADER + "".join(ROWS),  # its comment line removed (the old fix)
    HEADER + "".join(ROWS[1:]),  # and its N_ rows: read as 6 samples before
])
def test_a_gdc_portal_star_file_is_pointed_to_gdc_dir(tmp_path, text):
    path = tmp_path / "x.rna_seq.augmented_star_gene_counts.tsv"
    path.write_text(text)
    with pytest.raises(InputError, match=r"(?s)a GDC portal STAR gene-counts file.*"
                       + re.escape("--gdc-dir FOLDER --sample-sheet")):
        read_expression(path)
