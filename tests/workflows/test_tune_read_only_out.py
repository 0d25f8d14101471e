"""``genemoe tune`` checks up front that it can write its ``--out`` folder and its SQLite
study database (file and folder: SQLite writes its journal beside the file). A probe's
read-only --out holding a study ended in a Rich traceback with Optuna's misleading
"StorageInternalError ... exceeding max length"; with --storage elsewhere, every trial ran
and best.yaml then failed to write.

The tests run as root too (root ignores chmod): ``os.access`` is made to say "not writable"
for the path under test, or --out sits under a regular file."""

from __future__ import annotations

import os

import pytest

import genemoe.workflows.tune as tune
from genemoe.errors import InputError
from genemoe.workflows.tune import tune_run

FCN = "model:\n  fcn: {hidden: 16, latent: 8}\ntrain: {batch_size: 32, patience: null}\n"


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)


@pytest.fixture
def no_trials(monkeypatch):
    """Any trial run is a failure: the refusal comes before the search."""
    def refuse(*args, **kwargs):
        raise AssertionError("a trial ran before the refusal")

    monkeypatch.setattr(tune, "tune_model", refuse)


def _read_only(monkeypatch, *paths):
    real = os.access
    banned = {os.path.realpath(p) for p in paths}
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: (
        False if mode & os.W_OK and os.path.realpath(p) in banned else real(p, mode, **kw)))


def _tune(bundle, tmp_path, out, **kw):
    config = tmp_path / "fcn.yaml"
    config.write_text(FCN)
    return tune_run(bundle.path, out_dir=out, model_name="fcn", n_trials=2, epochs=1,
                    config_path=config, device="cpu", progress=False, **kw)


def test_a_read_only_out_holding_a_study_is_refused_before_any_trial(
        bundle, tmp_path, monkeypatch, no_trials):
    out = tmp_path / "ro"
    out.mkdir()
    (out / "study.db").write_bytes(b"")
    _read_only(monkeypatch, out, out / "study.db")
    with pytest.raises(InputError) as err:
        _tune(bundle, tmp_path, out)
    said = str(err.value)
    assert str(out) in said and "--out" in said and "cannot write" in said


def test_a_read_only_out_with_storage_elsewhere_is_refused_before_any_trial(
        bundle, tmp_path, monkeypatch, no_trials):
    out = tmp_path / "ro2"
    out.mkdir()
    _read_only(monkeypatch, out)
    db = tmp_path / "elsewhere" / "x.db"
    with pytest.raises(InputError, match="--out") as err:
        _tune(bundle, tmp_path, out, storage=f"sqlite:///{db}")
    assert str(out) in str(err.value) and not db.exists()


def test_an_out_under_a_regular_file_is_refused_naming_it(bundle, tmp_path, no_trials):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="--out") as err:
        _tune(bundle, tmp_path, tmp_path / "afile" / "t")
    assert "afile" in str(err.value)


def test_a_read_only_study_database_is_refused(bundle, tmp_path, monkeypatch, no_trials):
    db = tmp_path / "dbs" / "x.db"
    db.parent.mkdir()
    db.write_bytes(b"")
    _read_only(monkeypatch, db)
    with pytest.raises(InputError, match="read-only") as err:
        _tune(bundle, tmp_path, tmp_path / "out1", storage=f"sqlite:///{db}")
    assert str(db) in str(err.value) and "--storage" in str(err.value)


def test_a_study_database_in_a_read_only_folder_is_refused(
        bundle, tmp_path, monkeypatch, no_trials):
    db = tmp_path / "dbs" / "x.db"
    db.parent.mkdir()
    _read_only(monkeypatch, db.parent)  # SQLite writes its journal there
    with pytest.raises(InputError, match="journal") as err:
        _tune(bundle, tmp_path, tmp_path / "out2", storage=f"sqlite:///{db}")
    assert str(db.parent) in str(err.value)
