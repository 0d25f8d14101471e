"""The training commands' process set-up: freed memory kept unless GENEMOE_RETAIN_MEMORY=0."""

from __future__ import annotations

import pytest

from genemoe import cli_process
from genemoe.models import dispatch


@pytest.mark.parametrize(("env", "called"), [(None, True), ("1", True), ("0", False)])
def test_training_process_keeps_freed_memory_unless_opted_out(monkeypatch, env, called):
    calls = []
    monkeypatch.setattr(dispatch, "retain_freed_memory", lambda: calls.append(1) or True)
    if env is None:
        monkeypatch.delenv("GENEMOE_RETAIN_MEMORY", raising=False)
    else:
        monkeypatch.setenv("GENEMOE_RETAIN_MEMORY", env)
    cli_process.training_process()
    assert calls == ([1] if called else [])


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("wanted", "tty", "shown"), [(True, True, True), (True, False, False),
                                                      (False, True, False)])
def test_progress_bars_are_drawn_only_on_a_terminal(monkeypatch, wanted, tty, shown):
    monkeypatch.setattr(cli_process.sys, "stderr", _Stream(tty))
    assert cli_process.progress_bars(wanted) is shown


def test_tuning_process_leaves_optuna_warnings_only():
    import optuna

    before = optuna.logging.get_verbosity()
    try:
        optuna.logging.set_verbosity(optuna.logging.INFO)
        cli_process.tuning_process()
        assert optuna.logging.get_verbosity() == optuna.logging.WARNING
    finally:
        optuna.logging.set_verbosity(before)


def test_optuna_says_nothing_of_a_ctrl_c_trial_but_still_of_a_failed_one():
    """At Ctrl-C Optuna printed "Trial 0 failed with value None." after the (filtered)
    traceback, before genemoe's one-line "interrupted"; another failure still shows."""
    import io
    import logging

    import optuna

    from genemoe.cli_process import tuning_process

    # a handler of our own: Optuna's, made at its first import, may write to a stream closed
    # since (a CliRunner's, when an in-process CLI test imported Optuna first)
    said = io.StringIO()
    handler = logging.StreamHandler(said)
    optuna_logger = logging.getLogger("optuna")
    optuna_logger.addHandler(handler)
    tuning_process()
    assert all(h.filters for h in optuna_logger.handlers)  # Optuna's own handler filtered too
    study = optuna.create_study()

    def interrupted(trial):
        raise KeyboardInterrupt

    def broken(trial):
        raise ValueError("a real failure")

    try:
        with pytest.raises(KeyboardInterrupt):
            study.optimize(interrupted, n_trials=1)
        assert "Trial 0 failed" not in said.getvalue()
        study.optimize(broken, n_trials=1, catch=(ValueError,))
    finally:
        optuna_logger.removeHandler(handler)
    assert "Trial 1 failed with parameters" in said.getvalue()
    assert "Trial 1 failed with value None." in said.getvalue()


_SCRIPT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from genemoe.cli_process import defer_interrupts_in_imports
defer_interrupts_in_imports()
print("ready", flush=True)
try:
    import slow_package  # its body sleeps 1.5 s, then prints "imported"
    time.sleep(5)
    print("not interrupted", flush=True)
except KeyboardInterrupt:
    print("interrupted", "slow_package" in sys.modules, flush=True)
"""


def test_a_ctrl_c_inside_another_packages_import_waits_for_its_end(tmp_path):
    """A KeyboardInterrupt halfway through numpy/scipy's imports left them half-initialised:
    the demo interrupted 0.8 s after its start died of a RecursionError with a traceback.
    Now the interrupt lands once the import is complete, and then at once."""
    import signal
    import subprocess
    import sys
    import time

    (tmp_path / "slow_package.py").write_text(
        "import time\ntime.sleep(1.5)\nprint('imported', flush=True)\n")
    # a suite started as a background job (`make test &`) passes SIGINT ignored to its
    # children, and Python then leaves it ignored: give the child the default, as a terminal does
    p = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(tmp_path)],
                         stdout=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.4)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert out.split() == ["imported", "interrupted", "True"]
