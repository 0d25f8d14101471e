"""An ensemble's record after outside probe hT: it kept how many training rows each member
fitted on but neither each member's seed nor how the inner folds were drawn, so which rows
a member left out (its out-of-fold samples) could not be told from the run."""

from __future__ import annotations

import numpy as np

from genemoe.train.ensemble import fit_ensemble, member_rows
from genemoe.train.task_data import TaskData

FCN = {"hidden": 8, "latent": 4}
FAST = {"epochs": 1, "device": "cpu", "seed": 7}


def _data(rng: np.random.Generator, n: int = 60) -> dict[str, TaskData]:
    def part(m: int, offset: int) -> TaskData:
        y = np.arange(m) % 3
        X = (rng.normal(size=(m, 10)) + y[:, None]).astype(np.float32)
        return TaskData(X=X, rows=np.arange(offset, offset + m), y=y, time=None, event=None,
                        groups=np.array(["A"] * m, object))

    return {"train": part(n, 0), "val": part(24, n), "test": part(24, n + 24)}


def _redo(said: str, data: dict[str, TaskData]) -> list[np.ndarray]:
    """The members' rows from the recorded words alone (the seed read back from them)."""
    k = int(said.split("StratifiedKFold(")[1].split(",")[0])
    seed = int(said.split("random_state=")[1].split(")")[0])
    return member_rows(data["train"], "classify", k, seed)


def test_seeded_members_record_their_seeds_and_no_folds():
    data = _data(np.random.default_rng(0))
    rec = fit_ensemble("fcn", "classify", data, 2, model_cfg=FCN, train_cfg=FAST,
                       n_outputs=3).info["ensemble"]
    assert rec["member_seeds"] == [7, 8]
    assert rec["member_folds"] is None  # every member on every training row


def test_fold_members_record_the_split_so_each_member_s_rows_can_be_redrawn(monkeypatch):
    import genemoe.train.ensemble as ens

    data = _data(np.random.default_rng(1))
    seen: list[np.ndarray] = []
    real = ens.fit_model

    def spy(name, task, part, **kw):  # noqa: ANN001, ANN003, ANN202
        seen.append(part["train"].rows.copy())
        return real(name, task, part, **kw)

    monkeypatch.setattr(ens, "fit_model", spy)
    rec = fit_ensemble("fcn", "classify", data, 3, model_cfg=FCN, train_cfg=FAST, n_outputs=3,
                       members="folds").info["ensemble"]
    assert rec["member_seeds"] == [7, 8, 9]
    redone = _redo(rec["member_folds"], data)
    assert [data["train"].rows[r].tolist() for r in redone] == [s.tolist() for s in seen]
    assert "member i leaves out fold i" in rec["member_folds"]
