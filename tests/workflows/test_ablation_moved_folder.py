"""An ablation folder copied (or moved) elsewhere and rerun there: the paths its parts
recorded inside it (the per-fold pre-training runs, a --pretrained run kept in it) are read
relative to it, so the move is not said as changed options; a --pretrained run elsewhere
still is."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from genemoe.evaluate.benchmark_files import option_changes
from genemoe.workflows.ablation import run_ablation
from log_lines import logged_lines, warning_lines
from tiny_configs import TINY_ABLATION_PRESET

OPTS = dict(task="classify", n_folds=2, n_repeats=1, epochs=1, device="cpu",
            pretrain_per_fold=True)


@pytest.fixture(scope="module")
def per_fold(ablation_bundle, tmp_path_factory):
    """A finished per-fold ablation (its folder) and its preset."""
    d = tmp_path_factory.mktemp("moved")
    preset = d / "tiny.yaml"
    preset.write_text(yaml.safe_dump(TINY_ABLATION_PRESET))
    run_ablation(ablation_bundle.path, out_dir=d / "abl", preset=str(preset), **OPTS)
    return d / "abl", preset


def test_a_copied_folder_rerun_with_the_same_options_reuses_every_cell(ablation_bundle, per_fold,
                                                                       tmp_path):
    src, preset = per_fold
    out = tmp_path / "elsewhere" / "abl"
    shutil.copytree(src, out)
    (out / "report.html").write_text("<html>the copied results</html>")
    res, lines = logged_lines(lambda: run_ablation(ablation_bundle.path, out_dir=out,
                                                   preset=str(preset), **OPTS))
    said = [ln for ln in lines if ln.startswith("WARNING") and "collapse" not in ln]
    assert not said, said
    assert res.n_computed == 0 and res.n_reused == 8
    assert (out / "report.html").exists()  # the same cells: its page still holds


def test_a_copied_folder_rerun_with_other_options_names_only_those(ablation_bundle, per_fold,
                                                                   tmp_path):
    """Old behaviour: `the pre-trained rows are computed anew (freeze_encoder_epochs 0 → 1;
    pretrained.runs.r0_f0 /tmp/.../abl/pretrain/r0_f0 → /tmp/.../elsewhere/abl/pretrain/r0_f0;
    pretrained.runs.r0_f1 ...)`: the folder's move said as changed options."""
    src, preset = per_fold
    out = tmp_path / "elsewhere" / "abl"
    shutil.copytree(src, out)
    said = warning_lines(lambda: run_ablation(ablation_bundle.path, out_dir=out, preset=str(preset),
                                              freeze_encoder_epochs=1, **OPTS))
    anew = [s for s in said if "computed anew" in s]
    assert anew == ["the pre-trained rows are computed anew (freeze_encoder_epochs 0 → 1); the "
                    "earlier cells are kept aside"], said
    assert not [s for s in said if str(src) in s or "pretrained.runs" in s], said
    protocol = json.loads((out / "pretrained" / "protocol.json").read_text())
    assert all(str(out) in run for run in protocol["pretrained"]["runs"].values())


def _protocol(part, fingerprint, **opts):
    part.mkdir(parents=True)
    (part / "protocol.json").write_text(json.dumps({"fingerprint": fingerprint, **opts}))


def test_a_pretrained_run_inside_the_folder_moves_with_it_and_one_elsewhere_is_said(tmp_path):
    from genemoe.workflows.ablation_rerun import rebase_part

    old, new = tmp_path / "old" / "abl", tmp_path / "new" / "abl"
    before = {"out_dir": str(old), "out_dir_resolved": str(old.resolve())}
    _protocol(new / "pretrained", "a" * 64, pretrained=str(old / "run"), seed=0)
    assert rebase_part(new / "pretrained", before, new, {"pretrained": str(new / "run")})
    assert option_changes(new / "pretrained", {"fingerprint": "b" * 64, "seed": 1,
                                                "pretrained": str(new / "run")}) == ["seed 0 → 1"]
    # a genuinely other run (outside the folder, or elsewhere in it) is a changed option
    for other in (tmp_path / "runs" / "run", new / "run2"):
        shutil.rmtree(new / "pretrained")
        _protocol(new / "pretrained", "a" * 64, pretrained=str(old / "run"), seed=0)
        assert not rebase_part(new / "pretrained", before, new, {"pretrained": str(other)})
        changes = option_changes(new / "pretrained", {"fingerprint": "b" * 64, "seed": 0,
                                                      "pretrained": str(other)})
        assert len(changes) == 1 and changes[0].startswith("pretrained "), changes
    # nothing is rewritten in the folder the earlier run wrote
    assert not rebase_part(new / "pretrained", {"out_dir": str(new),
                                                "out_dir_resolved": str(new.resolve())},
                           new, {"pretrained": str(tmp_path / "x")})
