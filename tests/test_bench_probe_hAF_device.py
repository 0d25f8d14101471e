"""device_check's log lines give a rate with its digits, and a python without torch one
clear error.

Old behaviour: the CPU run printed "matmul 512^3 float32: 0.0 TFLOP/s" and
"finetune: ... 0.00 TFLOP/s" (no figure at all); ``bash benchmarks/device_check.sh --help``
on a machine whose python3 lacks torch ended in a ModuleNotFoundError traceback.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


@pytest.mark.parametrize(("tflops", "said"), [
    (312.4, "312 TFLOP/s"), (41.94, "41.9 TFLOP/s"), (1.234, "1.23 TFLOP/s"),
    (0.0419, "41.9 GFLOP/s"), (0.00123, "1.23 GFLOP/s"), (0.00085, "850 MFLOP/s"),
    (0.0, "0.00 TFLOP/s"),
])
def test_a_rate_keeps_its_digits(tflops: float, said: str) -> None:
    pytest.importorskip("torch")
    assert _load("device_check_measure").flop_rate(tflops) == said


def test_the_cpu_run_s_lines_say_gflops_not_zero_tflops() -> None:
    pytest.importorskip("torch")
    result = {"mode": "cpu", "env": {"torch": "x"}, "seconds_total": 18.0,
              "matmul": {"n": 512, "dtype": "float32", "measured_tflops": 0.0412},
              "finetune": {"samples_per_s": 28.0, "batch": 32, "tflops": 0.00312,
                           "mfu_datasheet_bf16": None, "peak_rss_mib_process": 453.0}}
    text = _load("device_check").summarise(result)
    assert "matmul 512^3 float32: 41.2 GFLOP/s" in text
    assert "finetune: 28 samples/s at batch 32, 3.12 GFLOP/s, peak 453 MiB" in text
    assert "0.0 TFLOP/s" not in text and "0.00 TFLOP/s" not in text


def test_a_python_without_torch_gets_one_error_with_the_fix() -> None:
    code = ("import runpy, sys; sys.modules['torch'] = None; sys.argv = ['device_check.py', "
            f"'--help']; runpy.run_path({str(BENCH / 'device_check.py')!r}, run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "cannot import torch" in proc.stderr and "PYTHON=/path/to/python bash" in proc.stderr
    assert max(len(line) for line in proc.stderr.splitlines()) <= 100
