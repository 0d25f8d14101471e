"""``--samples`` given a file of ids is refused saying it takes comma-separated ids (it
said "id 'ids.txt' is not in the bundle")."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.errors import InputError
from genemoe.explain.options import check_samples


def test_existing_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    ids = tmp_path / "ids"
    ids.write_text("S1\nS2\n")
    with pytest.raises(InputError, match="is a file: --samples takes the sample ids") as info:
        check_samples([str(ids)])  # what the command line hands over for --samples ids
    assert "comma-separated" in str(info.value) and "paste -sd," in str(info.value)


def test_file_like_name_is_refused() -> None:
    with pytest.raises(InputError, match="'ids.txt' looks like a file path"):
        check_samples(["ids.txt"])


@pytest.mark.parametrize("given", ["TCGA-OR-A5JR-01", "S1,S2", ["S1"], ["a/b", "c"], None])
def test_ids_pass(given) -> None:
    check_samples(given)
