"""``bash benchmarks/device_check.sh --help`` reads the options only.

Old behaviour: it made its output folder ($OUT) and ran nvidia-smi into it before the
python script printed its help, so asking for help left a folder behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "device_check.sh"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_help_makes_no_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "OUT": str(out), "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(SCRIPT), "--help"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "usage: device_check.py" in proc.stdout
    assert not out.exists(), "--help made the output folder"
