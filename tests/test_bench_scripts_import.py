"""Every script of ``benchmarks/`` imports against today's package (calibration_ood.py kept
importing ``workflows.predict._score`` after the forward pass moved to predict_forward, and
nothing noticed until a whole-repo import check)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from benchmark_scripts import BENCHMARKS

SCRIPTS = sorted(p.stem for p in BENCHMARKS.glob("*.py"))


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_script_imports(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a script's dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    assert module.__doc__
