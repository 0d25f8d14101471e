"""bench_prepare times prepare_dataset's steps under the names the code has now.

Old behaviour: 5 of its 16 timed names (``_attach_labels``, ``_gene_filter``,
``_var_table``, ...) had been renamed in genemoe.data.prepare; the child skipped them
unsaid, and their time (~1.5 s on the six cohorts) was counted as "other".
"""

from __future__ import annotations

import inspect
import types

import pytest

from benchmark_scripts import load_script
from genemoe.data import prepare


def _resolve(key: str) -> object:
    """``prepare.<key>`` (a dotted key walks modules prepare imports: ``ann.read_annotation``)."""
    owner: object = prepare
    for name in key.split("."):
        owner = getattr(owner, name, None)
    return owner


def test_every_timed_step_is_a_function_prepare_dataset_calls() -> None:
    steps = load_script("bench_prepare").STEPS
    gone = [key for key in steps if not callable(_resolve(key))]
    assert gone == [], f"bench_prepare.STEPS names functions prepare no longer has: {gone}"
    source = inspect.getsource(prepare.prepare_dataset)
    uncalled = [key for key in steps if f"{key}(" not in source]
    assert uncalled == [], f"STEPS names what prepare_dataset does not call: {uncalled}"


def test_a_renamed_step_is_refused_by_name_not_counted_as_other() -> None:
    bench = load_script("bench_prepare")
    fake = types.ModuleType("fake_prepare")
    fake.step_a = lambda: None
    assert bench.missing_steps(fake, {"step_a": "a", "_gone": "b"}) == ["_gone"]
    with pytest.raises(SystemExit, match="_gone no longer in fake_prepare; update STEPS"):
        bench.wrap_steps(fake, {"step_a": "a", "_gone": "b"}, {})


def test_a_timed_call_inside_another_is_counted_once() -> None:
    bench = load_script("bench_prepare")
    fake = types.ModuleType("fake_prepare")
    fake.inner = lambda: 1
    fake.outer = lambda: fake.inner() + 1
    seconds: dict[str, float] = {}
    bench.wrap_steps(fake, {"outer": "outer", "inner": "inner"}, seconds)
    assert fake.outer() == 2
    assert set(seconds) == {"outer"}  # inner ran inside outer: its time is outer's
    assert fake.inner() == 1 and set(seconds) == {"outer", "inner"}
