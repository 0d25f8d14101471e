"""pretrain_run refuses a bad max_epochs_this_call or progress before it reads the bundles
(it read every bundle first: minutes on a large one, then the refusal)."""

from __future__ import annotations

import pytest

import genemoe.workflows.pretrain as wf
from genemoe.errors import InputError


@pytest.mark.parametrize("options", [{"max_epochs_this_call": "1"}, {"progress": "no"}])
def test_refused_before_any_bundle_is_read(tmp_path, monkeypatch, options):
    read = []
    monkeypatch.setattr(wf, "load_pretrain_data", lambda *a, **k: read.append(a))
    (tmp_path / "b").mkdir()  # a folder: the loader (stubbed) is what would read it
    with pytest.raises(InputError, match="max_epochs_this_call|progress"):
        wf.pretrain_run(tmp_path / "b", out_dir=tmp_path / "p", **options)
    assert read == [] and not (tmp_path / "p").exists()
