"""First-contact error texts (helper hBR): an unknown model's list under one indent, the
``features`` range refusals' fixes each about its own flag, and ``--out`` naming a file
refused as such by every command that makes a folder (it said the system's ``afile: File
exists``)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.models.registry import get_spec, list_models
from genemoe.workflows.features_checks import check_feature_options


def _fix_lines(err: pytest.ExceptionInfo) -> list[str]:
    return str(err.value).split("\n")[1:]


@pytest.mark.parametrize("name", ["genmoe", "zzzz"])
def test_an_unknown_models_list_is_under_one_indent(name):
    """The list wrapped under 6 then 10 spaces (the wrapper's own indent + 4 per line)."""
    with pytest.raises(InputError) as err:
        get_spec(name)
    lines = _fix_lines(err)
    assert all(len(line) <= 100 for line in lines), str(err.value)
    assert {len(line) - len(line.lstrip()) for line in lines[1:]} == {6}, str(err.value)
    listed = ", ".join(line.strip() for line in lines[1:])
    assert listed.replace(",,", ",") == ", ".join(list_models()), listed
    if name == "genmoe":  # the nearest name first, before the list
        assert lines[0].startswith("  fix: nearest: genemoe"), lines[0]


_OK = dict(n_features=20, threshold=0.4, k=15, max_samples=None, n_heatmap_genes=0, seed=0,
           max_missing=0.2, embedding="tsne")


@pytest.mark.parametrize(("arg", "bad", "flag", "others"), [
    ("k", 0, "--k", ("--n-features", "--threshold")),
    ("n_features", 0, "--n-features", ("--k", "--threshold")),
    ("threshold", 2.0, "--threshold", ("--k", "--n-features"))])
def test_a_features_range_refusal_says_the_fix_for_its_own_flag(arg, bad, flag, others):
    """``--k 0``'s fix was ``e.g. --n-features 20 --threshold 0.4 --k 15 (...)``."""
    with pytest.raises(InputError) as err:
        check_feature_options(**{**_OK, arg: bad})
    fix = err.value.fix
    assert err.value.where == flag
    assert f"{flag} (Python {arg})" in fix and not any(o in fix for o in others), fix
    assert all(len(line) <= 100 for line in _fix_lines(err)), str(err.value)
    if arg == "k":
        assert "nearest neighbours" in fix and "from 1 to" in fix and "--k 15" in fix, fix


@pytest.fixture
def afile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder\n")
    (tmp_path / "r1").mkdir()
    return tmp_path / "afile"


@pytest.mark.parametrize("command", ["train", "tune", "benchmark", "ablation", "pretrain",
                                     "explain", "features"])
def test_out_naming_a_file_is_refused_as_a_file(command, afile, synthetic_bundle):
    data = str(synthetic_bundle().path)
    args = {"explain": ["--model", "r1", "--data", data],
            "features": ["--model", "r1", "--data", data]}.get(command, ["--data", data])
    r = CliRunner().invoke(app, [command, *args, "--out", "afile"])
    said = f"{r.output}{r.exception}"  # in process, an InputError is raised to the caller
    assert r.exit_code != 0 and isinstance(r.exception, InputError), said
    assert "--out afile is a file, not a folder" in said and "a new folder" in said, said
    assert "File exists" not in said, said
    assert afile.read_text() == "not a folder\n"
