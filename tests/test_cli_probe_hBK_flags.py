"""A first-contact probe of the command line (helper hBK): genemoe's own flags.

Old behaviour: ``genemoe -v -q models`` ran with -v (every DEBUG line) and ignored -q
without a word.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.mark.parametrize("flags", [["-v", "-q"], ["--quiet", "--verbose"]])
def test_verbose_and_quiet_together_are_a_usage_error(flags):
    """One message naming both flags and the fix, status 2, no traceback."""
    from genemoe.cli import app

    r = CliRunner().invoke(app, [*flags, "models"])
    said = " ".join(r.output.split())
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert "-v (every message) and -q (warnings only) contradict each other" in said
    assert "fix: give one of them, or neither" in said


@pytest.mark.parametrize("flag", ["-v", "-q"])
def test_either_flag_alone_still_runs(flag):
    from genemoe.cli import app

    r = CliRunner().invoke(app, [flag, "models"])
    assert r.exit_code == 0 and "genemoe" in r.output, r.output
