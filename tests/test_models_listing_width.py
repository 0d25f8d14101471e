"""``genemoe models`` printed each model's description on one line: up to 144 characters
(densenet169), past the 100 the terminal output keeps to."""

from __future__ import annotations

import subprocess
import sys


def test_models_table_lines_fit_100_and_keep_every_word():
    r = subprocess.run([sys.executable, "-m", "genemoe.cli", "models"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["name", "kind", "tasks", "what"]
    assert max(map(len, lines)) <= 100
    from genemoe.models.registry import get_spec, list_models

    words = " ".join(r.stdout.split())
    for name in list_models(stored=True):  # the wrapped description loses no word
        assert " ".join(get_spec(name).description.split()) in words
