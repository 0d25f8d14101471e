"""``explain_run(samples='ids.txt')`` is refused in Python's words (it gave the shell's
``--samples "$(paste -sd, ids.txt)"``); the command line's ``--samples ids.txt`` (a list of
that one value: it was not checked at all) keeps the shell's fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.errors import InputError
from genemoe.explain.options import check_samples


@pytest.mark.parametrize("as_path", [False, True])
def test_a_file_passed_from_python_gets_the_python_fix(tmp_path: Path, as_path: bool) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("S1\nS2\n")
    with pytest.raises(InputError) as info:
        check_samples(ids if as_path else str(ids))
    err = info.value
    assert err.where == "samples"
    assert "samples takes a list of sample ids" in err.problem
    assert f"Path({str(ids)!r}).read_text().split()" in err.fix
    assert "--samples" not in str(err) and "paste" not in str(err)


def test_the_command_lines_one_value_gets_the_shell_fix() -> None:
    with pytest.raises(InputError) as info:
        check_samples(["ids.txt"])  # `--samples ids.txt`: the CLI hands ['ids.txt']
    assert info.value.where == "--samples"
    assert 'paste -sd, ids.txt' in info.value.fix
