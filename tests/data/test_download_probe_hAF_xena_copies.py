"""A browser's renamed copy of a GDC-hub matrix (``TCGA-ACC.star_counts (1).tsv.gz``) is
known by its name.

Old behaviour: ``xena_values_of`` gave None for such a name, so a copy of another unit
(``star_tpm (1)`` beside ``star_counts``) passed the refusal of mixed units unsaid, and a
copy beside its original was read whole, then refused with "sample ... appears more than
once ... give each file distinct samples" (a fix for another case).
"""

from __future__ import annotations

import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.xena_listing import check_one_xena_unit, xena_given_scale, xena_values_of
from genemoe.errors import InputError
from synthetic_inputs import small_counts_file


@pytest.mark.parametrize(("name", "values"), [
    ("TCGA-ACC.star_counts (1).tsv.gz", "counts"),  # Chrome, Edge
    ("TCGA-ACC.star_tpm (2).tsv.gz", "tpm"),
    ("TCGA-ACC.star_fpkm-uq(1).tsv.gz", "fpkm_uq"),  # Firefox
    ("TCGA-ACC.star_fpkm.tsv (1).gz", "fpkm"),  # ".gz" taken as the extension
    ("TCGA-ACC.star_counts copy.tsv.gz", "counts"),  # macOS Finder
    ("TCGA-ACC.star_counts - Copy.tsv", "counts"),  # Windows Explorer
    ("TCGA-ACC.star_counts.tsv.gz", "counts"),  # the original: unchanged
])
def test_a_renamed_copy_says_its_values(name: str, values: str) -> None:
    assert xena_values_of(name) == values


@pytest.mark.parametrize("name", ["TCGA-ACC.star_counts (1).tsv (1).gz", "x TCGA-ACC.star_tpm.tsv",
                                  "TCGA-ACC.star_counts (a).tsv.gz", "TCGA-ACC.clinical (1).tsv.gz"])
def test_other_names_say_nothing(name: str) -> None:
    assert xena_values_of(name) is None


def test_a_copy_of_another_unit_is_refused() -> None:
    with pytest.raises(InputError, match="different units") as err:
        check_one_xena_unit(["x/TCGA-ACC.star_counts.tsv.gz", "x/TCGA-UVM.star_tpm (1).tsv.gz"])
    assert "TCGA-UVM.star_tpm (1).tsv.gz (tpm)" in str(err.value)


def test_a_copy_of_star_tpm_is_still_log2tpm() -> None:
    assert xena_given_scale(["TCGA-ACC.star_tpm (1).tsv.gz", "TCGA-UVM.star_tpm.tsv.gz"])[0] == \
        "log2tpm"


def test_a_copy_beside_its_original_is_told_as_a_copy_before_reading(tmp_path) -> None:
    ids = [f"TCGA-OR-A{i:03d}-01A" for i in range(10)]
    original = small_counts_file(tmp_path / "TCGA-ACC.star_counts.tsv", ids)
    copy = tmp_path / "TCGA-ACC.star_counts (1).tsv"
    copy.write_bytes(b"not read: refused by the names first\n")
    with pytest.raises(InputError) as err:
        prepare_dataset([original, copy], out_path=tmp_path / "b",
                        config=PrepareConfig(cancer_type="ACC"))
    text = str(err.value)
    assert "TCGA-ACC's star_counts matrix is given 2 times" in text
    assert "renamed copy (a browser or file manager names a second download so): " \
        "TCGA-ACC.star_counts (1).tsv" in text
    assert "pass one of them" in text and not (tmp_path / "b").exists()


def test_one_path_given_twice_is_not_called_a_copy() -> None:
    check_one_xena_unit(["x/TCGA-ACC.star_counts.tsv.gz", "x/TCGA-ACC.star_counts.tsv.gz"])


def test_plain_and_gz_forms_are_told_by_their_names() -> None:
    with pytest.raises(InputError, match=r"the same table in both forms \(plain and \.gz"):
        check_one_xena_unit(["TCGA-ACC.star_tpm.tsv", "TCGA-ACC.star_tpm.tsv.gz"])
