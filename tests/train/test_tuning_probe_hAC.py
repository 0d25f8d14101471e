"""A classical model's study is made only once trial 0's grid has chosen its values (hAC).

Old behaviour: ``tune_model`` opened (created) the Optuna study before the model's own grid
search. A grid that crashed, or a Ctrl-C in it (an SVM's grid runs for minutes on thousands
of genes), left an empty study with no setup behind; a crash between the grid and the
setup check left one holding the grid's choice, which the next call, with another
``--seed``, took back as its own trial 0 (not fitting the grid again).
"""

from __future__ import annotations

import optuna
import pytest

import genemoe.train.tuning as tuning
import genemoe.train.tuning_start as tuning_start
from genemoe.train.task_data import TaskData
from genemoe.train.tuning import tune_model


@pytest.fixture(scope="module")
def parts() -> dict[str, TaskData]:
    """Three classes apart on a few genes."""
    from synthetic_inputs import three_class_parts

    return three_class_parts(seed=7, n_train=60, n_val=30, n_genes=12)


def _tune(parts, storage: str, seed: int = 0):
    return tune_model("logreg", "classify", parts, base_model_cfg={}, base_train_cfg={},
                      n_outputs=3, n_trials=1, seed=seed, storage=storage, study_name="s")


def _grid_fits(monkeypatch, fail: BaseException | None = None) -> list[int]:
    """Count the grid fits (``tune: True``); raise ``fail`` in them if given."""
    real, fits = tuning_start.fit_model, []

    def fit(*args, **kwargs):
        if (kwargs.get("model_cfg") or {}).get("tune") is True:
            fits.append(1)
            if fail is not None:
                raise fail
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning_start, "fit_model", fit)
    return fits


@pytest.mark.parametrize("fail", [KeyboardInterrupt(), RuntimeError("grid crashed")])
def test_a_grid_that_fails_leaves_no_study(parts, tmp_path, monkeypatch, fail):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    _grid_fits(monkeypatch, fail)
    with pytest.raises(type(fail)):
        _tune(parts, storage)
    # old behaviour: an empty study "s" (no trials, no setup) was left in the database
    assert "s" not in optuna.get_all_study_names(storage)
    monkeypatch.undo()
    assert _tune(parts, storage).grid_points > 1  # the next call makes it, fitting the grid


def test_a_crash_before_the_setup_check_keeps_no_grid_choice(parts, tmp_path, monkeypatch):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    fits, real_widen = _grid_fits(monkeypatch), tuning.widen_to_start

    def crash(*args, **kwargs):
        raise RuntimeError("after the grid")

    monkeypatch.setattr(tuning, "widen_to_start", crash)
    with pytest.raises(RuntimeError):
        _tune(parts, storage, seed=0)
    assert fits == [1]
    monkeypatch.setattr(tuning, "widen_to_start", real_widen)
    res = _tune(parts, storage, seed=1)
    # old behaviour: the seed-0 grid choice kept in the setup-less study was taken as trial
    # 0's values of the seed-1 call (fits stayed [1]) and its seconds charged to it
    assert fits == [1, 1] and res.grid_points > 1


def test_a_resume_of_a_made_study_still_reuses_its_grid_choice(parts, tmp_path, monkeypatch):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    fits = _grid_fits(monkeypatch)
    first = _tune(parts, storage)
    again = tune_model("logreg", "classify", parts, base_model_cfg={}, base_train_cfg={},
                       n_outputs=3, n_trials=2, seed=0, storage=storage, study_name="s")
    assert fits == [1]  # kept once the setup was checked, read back by the resume
    assert again.grid_points == first.grid_points and again.n_done_before == 1


def test_both_setup_checks_refuse_in_one_text():
    """check_setup_but_space (before the grid) wrote its own copy of check_setup's refusal
    (message, where, fix); both now raise study_storage.setup_refusal, word for word."""
    from genemoe.errors import InputError
    from genemoe.train.study_sampler import open_study
    from genemoe.train.study_storage import check_setup
    from genemoe.train.tuning_start import check_setup_but_space

    study = open_study(None, "s", seed=0)
    old = {"model": "m", "seed": 0, "train_cfg": {"seed": 0, "epochs": 2}, "space": {"a": "1"}}
    check_setup(study, old, None)
    new = {**old, "train_cfg": {"seed": 0, "epochs": 3}}
    refusals = []
    for check in (check_setup_but_space, check_setup):
        with pytest.raises(InputError) as refused:
            check(study, new, None)
        refusals.append((str(refused.value), refused.value.fix))
    assert refusals[0] == refusals[1]
    assert refusals[0][0].count("another setup") == 1 and "epochs 2 → 3" in refusals[0][0]
