"""``--ensemble-members folds``: every model's members fit on the K inner folds, each on
(K − 1)/K of the training part (the seeded models' by seed too), so a benchmark's neural
models and forest no longer see every training row while logreg's members see (K − 1)/K.
``auto`` (the default) keeps the scheme of before."""

from __future__ import annotations

import numpy as np
import pytest

import genemoe.train.ensemble as ens
from genemoe.errors import InputError
from genemoe.train.ensemble import check_ensemble_members, fit_ensemble, member_rows
from genemoe.train.task_data import TaskData

FCN = {"hidden": 8, "latent": 4}
FAST = {"epochs": 2, "device": "cpu", "seed": 4}
FOREST = {"n_estimators": 20, "tune_n_estimators": 10, "n_jobs": 1}


def _data(rng: np.random.Generator, n: int = 90) -> dict[str, TaskData]:
    def part(m: int, offset: int) -> TaskData:
        y = np.arange(m) % 3
        X = (rng.normal(size=(m, 10)) + y[:, None]).astype(np.float32)
        return TaskData(X=X, rows=np.arange(offset, offset + m), y=y, time=None, event=None,
                        groups=np.array(["A"] * m, object))

    return {"train": part(n, 0), "val": part(30, n), "test": part(30, n + 30)}


@pytest.fixture
def seen(monkeypatch):
    """Each member's (training rows, seed), as ``fit_ensemble`` hands them to ``fit_model``."""
    calls: list[tuple[tuple[int, ...], int]] = []
    real = ens.fit_model

    def spy(name, task, part, **kw):
        calls.append((tuple(part["train"].rows.tolist()), kw["train_cfg"]["seed"]))
        return real(name, task, part, **kw)

    monkeypatch.setattr(ens, "fit_model", spy)
    return calls


@pytest.mark.parametrize(("name", "model_cfg"), [("fcn", FCN), ("rf", FOREST)])
def test_folds_fit_every_member_of_a_seeded_model_on_k_minus_1_of_k_rows(rng, seen, name,
                                                                         model_cfg):
    """Old behaviour: an fcn's or a forest's members each fitted all 90 training rows
    while logreg's fitted 60 (there was no option to make them equal)."""
    data = _data(rng)
    res = fit_ensemble(name, "classify", data, 3, model_cfg=model_cfg, train_cfg=FAST,
                       n_outputs=3, members="folds")
    assert [len(rows) for rows, _ in seen] == [60, 60, 60]  # (K − 1)/K of 90 each
    assert [s for _, s in seen] == [4, 5, 6]  # seeded: seed + i too
    expected = member_rows(data["train"], "classify", 3, seed=4)
    assert [list(r) for r, _ in seen] == [data["train"].rows[e].tolist() for e in expected]
    left_out = np.concatenate([np.setdiff1d(np.arange(90), r) for r, _ in seen])
    assert sorted(left_out.tolist()) == list(range(90))  # each row left out by one member
    record = res.info["ensemble"]
    assert record["members_scheme"] == "folds" and record["member_train_rows"] == [60] * 3
    assert record["members_differ_by"] == "inner training folds and seed"
    assert res.outputs["train"].shape == (90, 3)  # the whole training part is scored


def test_folds_leave_a_deterministic_model_as_it_was(rng, seen):
    """logreg's members already took the inner folds: folds changes neither rows nor seed."""
    res = fit_ensemble("logreg", "classify", _data(rng), 3, model_cfg={}, train_cfg={"seed": 4},
                       n_outputs=3, members="folds")
    assert [(len(r), s) for r, s in seen] == [(60, 4)] * 3
    assert res.info["ensemble"]["members_differ_by"] == "inner training folds"


def test_auto_is_the_scheme_of_before(rng, seen):
    """The default: seeded models on every row with K seeds, logreg on the inner folds."""
    data = _data(rng)
    res = fit_ensemble("fcn", "classify", data, 3, model_cfg=FCN, train_cfg=FAST, n_outputs=3)
    assert [(len(r), s) for r, s in seen] == [(90, 4), (90, 5), (90, 6)]
    assert res.info["ensemble"]["members_differ_by"] == "seed"
    assert res.info["ensemble"]["members_scheme"] == "auto"
    assert res.info["ensemble"]["member_train_rows"] == [90] * 3
    seen.clear()
    fit_ensemble("rf", "classify", data, 2, model_cfg=FOREST, train_cfg=FAST, n_outputs=3,
                 members="auto")
    assert [(len(r), s) for r, s in seen] == [(90, 4), (90, 5)]
    seen.clear()
    fit_ensemble("logreg", "classify", data, 3, model_cfg={}, train_cfg={"seed": 4}, n_outputs=3)
    assert [(len(r), s) for r, s in seen] == [(60, 4)] * 3


def test_folds_keep_a_lazy_training_part_lazy(rng, monkeypatch):
    """A neural member's rows of a lazy part (``ScaledRows``, torchrun or a big bundle) are
    a lazy view, not the rows read into memory."""
    from genemoe.data.scaling import fit_scaler
    from genemoe.train.scaled_rows import ScaledRows

    data = _data(rng)
    X = np.asarray(data["train"].X)
    lazy = ScaledRows(X, np.arange(90), np.ones(10, bool), fit_scaler(X, method="none"))
    data["train"] = TaskData(X=lazy, rows=data["train"].rows, y=data["train"].y, time=None,
                             event=None, groups=data["train"].groups)
    kinds = []
    real = ens.fit_model
    monkeypatch.setattr(ens, "fit_model", lambda name, task, part, **kw: (
        kinds.append(type(part["train"].X)), real(name, task, part, **kw))[1])
    fit_ensemble("fcn", "classify", data, 2, model_cfg=FCN, train_cfg=FAST, n_outputs=3,
                 members="folds")
    assert kinds == [ScaledRows, ScaledRows]


@pytest.mark.parametrize("value", ["Folds", "fold", "seed", None, 2, ["folds"]])
def test_a_scheme_other_than_auto_or_folds_is_refused_naming_the_option(value):
    with pytest.raises(InputError) as err:
        check_ensemble_members(value, 3)
    said = str(err.value)
    assert "--ensemble-members" in said and "must be auto or folds" in said
    assert repr(value) in said and "fix:" in said


def test_folds_without_an_ensemble_is_refused(rng):
    """One model has no members: ``folds`` would be recorded for a scheme that never ran."""
    with pytest.raises(InputError, match=r"--ensemble-members: folds needs --ensemble 2 or more"):
        check_ensemble_members("folds", 1)
    check_ensemble_members("auto", 1)  # the default, with or without --ensemble
    check_ensemble_members("folds", 2)
