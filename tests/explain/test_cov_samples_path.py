"""check_samples: a value holding a path separator is taken for a file; Python's str or
Path is told the Python fix, the command line's one-item list the shell's."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.errors import InputError
from genemoe.explain.options import check_samples


@pytest.mark.parametrize("given", ["lists/ids", "lists\\ids", " lists/ids "])
def test_a_path_separator_is_refused_as_a_file_path(given) -> None:
    with pytest.raises(InputError, match="looks like a file path: --samples takes the sample "
                                         "ids themselves") as e:
        check_samples([given])
    assert e.value.where == "--samples" and "paste -sd," in e.value.fix


@pytest.mark.parametrize("given", ["lists/ids", Path("ids.tsv"), "ids.CSV"])
def test_python_is_told_to_pass_a_list_and_read_the_file_itself(given) -> None:
    with pytest.raises(InputError, match="samples takes a list of sample ids") as e:
        check_samples(given)
    assert e.value.where == "samples" and ".read_text().split()" in e.value.fix
    assert "paste" not in e.value.fix


def test_an_existing_file_given_from_python_says_it_is_a_file(tmp_path: Path) -> None:
    (ids := tmp_path / "ids").write_text("S1\n")
    with pytest.raises(InputError, match=r"is a file: samples takes a list"):
        check_samples(ids)


@pytest.mark.parametrize("given", ["S1", ("S1",), ["S1", "lists/ids"], "a/b,c"])
def test_plain_ids_and_lists_pass(given) -> None:
    check_samples(given)
