"""An unknown ``--projects`` code says what it most likely meant, and the list of the 33
codes comes on lines under 100 characters.

Before: ``--projects "ACC;UVM"``, ``"ACC UVM"`` and ``COADREAD`` (a Firehose cohort) were
each "unknown TCGA project code(s)" with the one fix "use comma-separated codes from: ACC,
BLCA, ..." on a single line of about 190 characters.
"""

from __future__ import annotations

import pytest

from genemoe.data.xena_listing import plan_downloads
from genemoe.errors import InputError


def _error(projects: str) -> str:
    with pytest.raises(InputError) as info:
        plan_downloads(projects)
    return str(info.value)


@pytest.mark.parametrize("given", ["ACC;UVM", "ACC UVM", "acc; tcga-uvm"])
def test_codes_separated_otherwise_than_by_commas_get_the_command(given: str) -> None:
    text = _error(given)
    assert "\n  fix: --projects ACC,UVM (codes separated by commas), or codes from:\n" in text


def test_a_firehose_cohort_names_its_projects() -> None:
    text = _error("COADREAD")
    assert "fix: --projects COAD,READ (COADREAD joins several projects" in text
    assert "--projects KICH,KIRC,KIRP" in _error("ACC,KIPAN")


def test_the_33_codes_come_on_short_lines() -> None:
    text = _error("XYZ")
    assert text.startswith("--projects: unknown TCGA project code(s) ['XYZ']\n"
                           "  fix: use comma-separated codes (--projects ACC,UVM) from:\n")
    lines = text.splitlines()
    assert all(len(line) < 100 for line in lines)
    listed = ", ".join(line.strip().removesuffix(",") for line in lines[2:]).split(", ")
    assert len(listed) == 33 and listed[0] == "ACC" and listed[-1] == "UVM"
