"""An outside reviewer's (probeM's) findings with the Python API: a Bundle object used after
its folder was prepared again, seeds and pandas tables prepare_dataset took, '..' kept in
result folders, and the umask set to 0 on every atomic write."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from genemoe.data.args import AtFolder, folder_of
from genemoe.data.bundle import atomic_write_text, load_bundle, write_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3, seed=4)
    return write_synthetic_files(cohort, tmp_path_factory.mktemp("probeM"))


def _prepare(files: dict[str, Path], out: Path, **config):
    return prepare_dataset([files["counts"]], out_path=out, label_paths=[files["labels"]],
                           config={"synthetic": True, "min_variance": 0, **config})


def test_a_bundle_object_whose_folder_was_prepared_again_is_refused(files, tmp_path):
    """Old behaviour: train_run(b1) after the folder was prepared again trained on the new
    folder (523 samples, 9 types) while b1 still said 990 samples, 33 types."""
    from genemoe.workflows.train import train_run

    out = tmp_path / "b"
    b1 = _prepare(files, out)
    assert folder_of(b1, "data_path") == out.absolute()  # fresh: taken
    b2 = _prepare(files, out, seed=1)  # the folder prepared again
    with pytest.raises(InputError, match=r"data_path: the bundle was prepared again since this "
                                         r"Bundle object was loaded(?s:.*)fix: load it again "
                                         r"\(genemoe\.load_bundle\("):
        folder_of(b1, "data_path")
    with pytest.raises(InputError, match="prepared again since this Bundle object was loaded"):
        train_run(b1, out_dir=tmp_path / "run", model_name="logreg", progress=False)
    assert not (tmp_path / "run").exists()
    assert folder_of(b2, "data_path") == out.absolute()  # the object prepare returned last
    loaded = load_bundle(b1)  # loading it again is the fix: it reads the folder
    assert loaded.record["config"]["seed"] == 1 and folder_of(loaded) == out.absolute()
    loaded.record = {**loaded.record, "note": "edited"}
    write_bundle(loaded, out)  # written again through the same object: still its folder
    assert folder_of(loaded) == out.absolute()
    with pytest.raises(InputError, match="prepared again"):
        folder_of(b2)


def test_writing_a_loaded_bundle_elsewhere_keeps_its_own_folder_usable(files, tmp_path):
    b = _prepare(files, tmp_path / "a")
    b.record = {**b.record, "note": "copied"}
    write_bundle(b, tmp_path / "c")  # another folder: b still describes "a"'s ...
    assert folder_of(b) == (tmp_path / "a").absolute()  # ... record (not refused)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_a_seed_numpy_refuses_is_refused_when_the_config_is_made(seed):
    """Old behaviour: config={"seed": -1} ran until numpy's "ValueError: expected
    non-negative integer"."""
    with pytest.raises(InputError, match=rf"seed / --seed: {seed} is not a seed"):
        PrepareConfig(seed=seed)


def test_a_negative_seed_in_a_config_dict_is_refused_before_reading(files, tmp_path):
    with pytest.raises(InputError, match="-1 is not a seed"):
        _prepare(files, tmp_path / "b", seed=-1)
    assert not (tmp_path / "b").exists()


def test_a_dataframe_for_the_expression_or_labels_is_refused_saying_write_it_first(files, tmp_path):
    """Old behaviour: prepare_dataset(<DataFrame>) read its column names as file paths
    ("613037: no such file")."""
    df = pd.read_csv(files["counts"], sep="\t", index_col=0)
    with pytest.raises(InputError, match=r"expression_paths is a DataFrame(?s:.*)write it "
                                         r"first, e\.g\. df\.to_csv\('expression\.tsv'"):
        prepare_dataset(df, out_path=tmp_path / "b")
    with pytest.raises(InputError, match=r"expression_paths is a Series"):
        prepare_dataset(df.iloc[:, 0], out_path=tmp_path / "b")
    with pytest.raises(InputError, match=r"expression_paths\[1\] is a DataFrame"):
        prepare_dataset([files["counts"], df], out_path=tmp_path / "b")
    labels = pd.read_csv(files["labels"], sep="\t")
    with pytest.raises(InputError, match=r"label_paths is a DataFrame(?s:.*)df\.to_csv\("
                                         r"'labels\.tsv'"):
        prepare_dataset(files["counts"], label_paths=labels, out_path=tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_result_and_bundle_folders_fold_dotdot(files, tmp_path, monkeypatch):
    """Old behaviour: from s12/tmpdir, out_dir="../lr" was kept as '.../s12/tmpdir/../lr',
    which broke once tmpdir was removed."""

    @dataclass
    class Result(AtFolder):
        out_dir: Path

    here = tmp_path / "s12" / "tmpdir"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    assert Result(Path("../lr")).out_dir == tmp_path / "s12" / "lr"
    b = _prepare(files, Path("../b"))
    assert b.path == tmp_path / "s12" / "b" and ".." not in b.path.parts
    assert load_bundle("../b").path == tmp_path / "s12" / "b"


def test_atomic_writes_leave_the_umask_alone(tmp_path, monkeypatch):
    """Old behaviour: every atomic write set the process umask to 0 for a moment (a thread
    creating a file then got 0o666 / 0o777)."""
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "first.txt", "x")  # a first use may read it once
        set_to: list[int] = []
        real = os.umask
        monkeypatch.setattr(os, "umask", lambda mask: (set_to.append(mask), real(mask))[1])
        atomic_write_text(tmp_path / "a.txt", "y")
        monkeypatch.undo()
        assert set_to == []
        assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640  # still applied
    finally:
        os.umask(old)
