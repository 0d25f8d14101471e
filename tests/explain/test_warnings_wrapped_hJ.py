"""explain's warnings are wrapped at 100 characters as predict's lines are (probeJJ nit 6).

Old behaviour: explain logged its routing-jump warning as one line of 469 characters (and
its reference warnings at 177), and its summary's ``warning:`` line ran as long, where
predict wraps every line at 100, continued 4 deeper.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

_LONG = ("the routing jump the attributions leave out is 32% of the live change in the median "
         "sample (at most 130%); 52% of the live change per reference (the mean |jump| in the "
         "median sample; at most 360%), which the mean over the references lets cancel; for 1 of "
         "20 samples (TCGA-VD-AA8O-01A-11R-A405-07) the attributions' sum has the other sign than "
         "the live change: they explain each sample's own experts, not the live model "
         "(samples.tsv: output_change, live_change)")


def _as_shown(message: str) -> list[str]:
    """The terminal's lines of a logged warning (its handler puts ``warning: `` first)."""
    return ("warning: " + message).split("\n")


def test_explain_shares_predicts_wrapping_and_wraps_a_warning_to_log():
    from genemoe.text_wrap import warning_text, wrapped
    from genemoe.workflows import predict_text

    assert predict_text.wrapped is wrapped  # one helper, not a copy
    shown = _as_shown(warning_text(_LONG))
    assert len(shown) > 1 and max(map(len, shown)) <= 100
    assert all(line.startswith("    ") and not line.startswith("     ") for line in shown[1:])
    assert " ".join(" ".join(shown).split()) == "warning: " + _LONG  # nothing lost


def test_explains_logged_warnings_and_summary_warning_fit_100_characters(
        moe_and_cox_runs, tmp_path, monkeypatch, caplog):
    import genemoe.explain.routing_jump as rj
    from genemoe.explain import explain_run
    from genemoe.explain.api import ExplainResult

    d, b = moe_and_cox_runs
    monkeypatch.setattr(rj, "JUMP_WARN", -1.0)  # any jump is "large": the warning's path
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", max_samples_per_class=2,
                          n_steps=4, max_steps=4, n_draws=2, progress=False, max_maps=0)
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    jumps = [m for m in said if "routing jump the attributions leave out" in m]
    assert jumps and len(res.convergence["routing_warning"]) > 100  # long: wrapped
    assert " ".join(jumps[0].split()) == " ".join(res.convergence["routing_warning"].split())
    for message in said:
        if "the run fitted or monitored" not in message:  # its one-line form is pinned elsewhere
            assert max(map(len, _as_shown(message))) <= 100, message
    conv = {**res.convergence, "warning": _LONG}  # the summary's warning line
    text = ExplainResult(Path(tmp_path), res.n_samples, res.task, conv, pd.DataFrame(
        columns=["class", "rank", "symbol", "n_samples"])).describe()
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("  warning: the routing"))
    assert max(len(line) for line in lines[start:start + 6]) <= 100
    assert lines[start + 1].startswith("      ")  # continued 4 deeper, as predict's
