"""The mapping line says the number the record carries (``matched_in_annotation``): Entrez
ids kept as given beside an Ensembl annotation read "100 of 100 mapped (100 as given)"."""

from __future__ import annotations

from genemoe.data.prep_text import step_line


def test_the_mapped_count_is_the_records_matched_count():
    info = {"file": "expression.tsv.gz", "annotation": True, "n_genes": 100,
            "report": {"n_ids": 100, "mapped": 100, "unmapped": 0, "entrez_kept": 100,
                       "matched_in_annotation": 0}}
    assert step_line("map_gene_ids", info) == ("gene ids of expression.tsv.gz: 0 of 100 mapped "
                                               "(100 as given), 100 kept")
    older = {**info, "report": {"n_ids": 10, "mapped": 10, "ensembl_not_in_annotation": 2}}
    assert "8 of 10 mapped" in step_line("map_gene_ids", older)  # a record without the field
