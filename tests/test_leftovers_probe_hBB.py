"""Three leftovers (helper hBB).

* ``explain --samples`` refused ids of pancan33's ``samples.tsv`` as "not in the bundle"
  and no more: that label table names 11,060 samples, the expression 1,106, and prepare
  drops normals and metastases (sample types 11, 06) by default; the refusal said neither.
* ids written as decimals (``613037.0``) were said twice at prepare: as a warning
  ("8 gene id(s) are Entrez ids ...") and on the read line.
* a single expression file with no gene left (only ``_PAR_Y`` rows) was refused as "the
  expression files share no gene identifier".
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.errors import InputError
from genemoe.explain.sample_rows import select_rows

_TYPES = ("BRCA", "LUAD")


def _barcodes(n: int) -> list[str]:
    return [f"TCGA-{'OR' if i % 2 else 'VD'}-{i:04d}-01" for i in range(n)]


def _counts(path: Path, genes: list[str], samples: list[str]) -> Path:
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(len(genes), len(samples))), index=genes,
                 columns=samples).rename_axis("gene").to_csv(path, sep="\t")
    return path


def _labels(path: Path, samples: list[str]) -> Path:
    pd.DataFrame({"sample_id": samples, "cancer_type": [_TYPES[i % 2] for i in range(len(samples))]}
                 ).to_csv(path, sep="\t", index=False)
    return path


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A bundle of 12 primary tumours, prepared from 12 + 3 normals (sample type 11),
    with a label table naming 4 samples the expression lacks (as pancan33's does)."""
    d = tmp_path_factory.mktemp("b")
    kept, normals = _barcodes(12), [f"TCGA-VD-{90 + i:04d}-11" for i in range(3)]
    expr = _counts(d / "e.tsv", [str(7157 + i) for i in range(30)], kept + normals)
    labels = _labels(d / "l.tsv", kept + normals + [f"TCGA-VD-{50 + i:04d}-01" for i in range(4)])
    return prepare_dataset([expr], out_path=d / "b", label_paths=[labels],
                           config=PrepareConfig(min_variance=0, min_mean=0))


def test_ids_of_a_label_table_not_in_the_expression_are_refused_saying_why(bundle):
    """Old behaviour: "2 sample id(s) not in the bundle: [...]", fix "use ids of the
    bundle's obs.sample_id": not why (prepare never read them) nor where to find ids."""
    with pytest.raises(InputError) as e:
        select_rows(bundle, ["TCGA-VD-0050-01", "TCGA-VD-0051-01", "TCGA-VD-0000-01"], "test")
    text = " ".join(str(e.value).split())
    assert "2 sample ids not in the bundle" in text
    assert "2 are in no expression file prepare read" in text
    assert "predictions.tsv" in e.value.fix and "--sample-types" not in e.value.fix


def test_ids_of_a_sample_type_prepare_left_out_are_refused_with_the_option_to_keep_them(bundle):
    """Old behaviour: a normal (``-11``) was "not in the bundle", unexplained, though prepare
    had dropped it for its sample type (--sample-types 01,03 by default)."""
    with pytest.raises(InputError) as e:
        select_rows(bundle, ["TCGA-VD-0090-11", "TCGA-VD-0050-01"], "test")
    text = " ".join(str(e.value).split())
    assert "1 is of sample type 11, which prepare did not keep (it kept 01, 03)" in text
    assert "1 is in no expression file prepare read" in text
    assert "prepare again with --sample-types 01,03,11" in e.value.fix


def test_one_missing_id_is_said_in_the_singular_and_a_bundle_without_record_still_refuses(tmp_path):
    bare = SimpleNamespace(sample_ids=np.array(["A", "B"], dtype=object), path=tmp_path)
    with pytest.raises(InputError) as e:
        select_rows(bare, ["C"], "test")
    assert e.value.problem == "1 sample id not in the bundle: ['C']"


def test_entrez_ids_written_as_decimals_are_said_once_at_prepare(tmp_path, caplog):
    """Old behaviour: a warning "30 gene id(s) are Entrez ids written as decimals ..." and
    the read line's "30 Entrez ids written as decimals read as whole numbers, ...": twice."""
    samples = _barcodes(12)
    expr = _counts(tmp_path / "e.tsv", [f"{613037 + i}.0" for i in range(30)], samples)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        b = prepare_dataset([expr], out_path=tmp_path / "b",
                            label_paths=[_labels(tmp_path / "l.tsv", samples)],
                            config=PrepareConfig(min_variance=0, min_mean=0))
    said = [line for r in caplog.records for line in r.getMessage().splitlines()
            if "decimals" in line]
    assert len(said) == 1, said
    assert "30 Entrez ids written as decimals read as whole numbers, e.g. 613037.0 → 613037" \
        in said[0]
    assert "613037" in b.gene_ids.tolist()


def test_a_single_file_with_no_gene_left_is_refused_for_what_it_is(tmp_path):
    """Old behaviour: "the expression files share no gene identifier" (fix: "use files with
    the same identifier kind") for one file whose rows were all GENCODE _PAR_Y copies."""
    samples = _barcodes(12)
    expr = _counts(tmp_path / "par.tsv", [f"ENSG{i:011d}.5_PAR_Y" for i in range(5)], samples)
    with pytest.raises(InputError) as e:
        prepare_dataset([expr], out_path=tmp_path / "b",
                        label_paths=[_labels(tmp_path / "l.tsv", samples)],
                        config=PrepareConfig(min_variance=0, min_mean=0))
    text = " ".join(str(e.value).split())
    assert "par.tsv" in text and "share" not in text
    assert "no gene is left to prepare" in text and "_PAR_Y): 5" in text
    assert "Ensembl ids, Entrez ids or symbols" in e.value.fix
