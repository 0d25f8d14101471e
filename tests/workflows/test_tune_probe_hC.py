"""`genemoe tune` probed as a user (probe hC): resuming, a changed setup, budgets."""

from __future__ import annotations

import logging

import pytest

from genemoe.errors import InputError
from genemoe.workflows.tune import tune_run


@pytest.fixture()
def resumed(synthetic_bundle, tmp_path):
    """A one-trial logreg study in ``tmp_path / 't'``, and the options that made it."""
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    tune_run(bundle.path, n_trials=1, **opts)
    return bundle, opts


@pytest.mark.parametrize("changed", [{"seed": 1}, {"cv": 2}])
def test_a_changed_setup_is_refused_without_saying_resuming_first(resumed, caplog, changed):
    """Old behaviour: "resuming study 'logreg-classify': 1 trial already finished in it;
    --trials 2 runs up to 1 more", then the refusal of the changed setup: the study was not
    resumed."""
    bundle, opts = resumed
    with caplog.at_level(logging.INFO, logger="genemoe"), pytest.raises(InputError,
                                                                        match="another setup"):
        tune_run(bundle.path, n_trials=2, **opts, **changed)
    assert not [m for m in caplog.messages if "resuming" in m], caplog.messages


def test_the_same_setup_still_says_resuming_before_its_trials(resumed, caplog):
    bundle, opts = resumed
    with caplog.at_level(logging.INFO, logger="genemoe"):
        tune_run(bundle.path, n_trials=2, **opts)
    said = [m for m in caplog.messages  # the resuming line and the trials' own lines
            if m.startswith("resuming") or m.startswith("trial ") and "(" in m.split(":")[0]]
    assert said[0] == ("resuming study 'logreg-classify': 1 trial already finished in it; "
                       "--trials 2 runs up to 1 more"), said
    assert said[1].startswith("trial 1 (2/2)")
