"""A Ctrl-C or SIGTERM in the middle of a command, for the tests of what it says and keeps."""

from __future__ import annotations

from typing import Any

import pytest


def stop_second_fit(monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]) -> Any:
    """Make the second model fit of a tuning study raise ``stop`` (``KeyboardInterrupt`` for a
    Ctrl-C, ``Terminated`` for a SIGTERM); returns the real fit, to put back."""
    import genemoe.train.tuning as tuning

    real, calls = tuning.fit_model, []

    def second_stopped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise stop
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", second_stopped)
    return real


def interrupted_group(group: Any, ctx: Any) -> str:
    """What a CLI group says when a Ctrl-C stops its command (``ctx``: its click context)."""
    from genemoe.cli_args import CliGroup
    from genemoe.errors import Interrupted

    def stopped(self: Any, ctx: Any) -> Any:
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as m:
        m.setattr(CliGroup, "_invoke", stopped)
        with pytest.raises(Interrupted) as caught:
            group.invoke(ctx)
    return str(caught.value)
