"""One table given in both forms (plain and .gz, as a download of the other form leaves
them) is told as such.

Old behaviour: "sample '...' appears more than once (79 duplicated sample ids) ... fix: remove
the repeated profiles, or give each file distinct samples", with nothing on why.
"""

from __future__ import annotations

import gzip
import shutil

import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError
from synthetic_inputs import small_counts_file


def _ids(n: int) -> list[str]:
    return [f"TCGA-OR-A{i:03d}-01A" for i in range(n)]


def test_a_plain_and_gz_pair_is_named_as_one_table(tmp_path):
    plain = small_counts_file(tmp_path / "TCGA-ACC.star_counts.tsv", _ids(10))
    with plain.open("rb") as src, gzip.open(tmp_path / "TCGA-ACC.star_counts.tsv.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    with pytest.raises(InputError) as err:
        prepare_dataset([plain, tmp_path / "TCGA-ACC.star_counts.tsv.gz"], out_path=tmp_path / "b",
                        config=PrepareConfig(cancer_type="ACC"))
    assert "the same table in both forms (plain and .gz" in str(err.value)


def test_two_tables_sharing_samples_keep_the_old_fix(tmp_path):
    a = small_counts_file(tmp_path / "a.tsv", _ids(10))
    b = small_counts_file(tmp_path / "b.tsv", _ids(10), seed=1)
    with pytest.raises(InputError) as err:
        prepare_dataset([a, b], out_path=tmp_path / "b", config=PrepareConfig(cancer_type="ACC"))
    assert "give each file distinct samples" in str(err.value)
