"""``genemoe ablation --pretrain-per-fold`` rerun into the same --out (an outside probe):
a bundle prepared again at the same path stopped the ablation at the first fold's run
("holds a finished run of a different pre-training setup (gene list; bundle ... prepared
again ...)") after its tables were deleted; adding --repeats pre-trained every earlier run
again (on a GPU, invalidating repeat 0's fine-tuned cells)."""

from __future__ import annotations

import gzip

import pandas as pd
import yaml

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.workflows.ablation import run_ablation
from log_lines import warning_lines
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_ABLATION_PRESET

OPTS = dict(task="classify", pretrain_per_fold=True, n_folds=2, epochs=1, device="cpu")


def _preset(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY_ABLATION_PRESET))
    return str(path)


def _stamps(pretrain) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in pretrain.glob("*/pretrained.pt")}


def test_a_bundle_prepared_again_at_the_same_path_sets_the_runs_aside(tmp_path):
    bundle, files, _ = prepare_synthetic(tmp_path, n_samples=150, n_genes=100, n_types=3, seed=3)
    out, preset = tmp_path / "abR", _preset(tmp_path)
    run_ablation(bundle.path, out_dir=out, preset=preset, n_repeats=1, **OPTS)
    with gzip.open(files["counts"], "rt") as fh:  # genes × samples: 85 of the 100 genes
        counts = pd.read_csv(fh, sep="\t")
    fewer = tmp_path / "in" / "fewer_counts.tsv.gz"
    counts.iloc[:85].to_csv(fewer, sep="\t", index=False, compression="gzip")
    prepare_dataset([fewer], out_path=bundle.path, label_paths=[files["labels"]],
                    clinical_path=files["clinical"], annotation_path=files["annotation"],
                    config=PrepareConfig(synthetic=True))
    said = warning_lines(lambda: run_ablation(bundle.path, out_dir=out, preset=preset, n_repeats=1,
                                          **OPTS))  # stopped: "holds a finished run of a ..."
    assert (out / "results.csv").is_file() and (out / "tables.md").is_file()
    aside = [s for s in said if "holds the pre-training runs of other options" in s]
    assert len(aside) == 1 and "the bundle (prepared again since)" in aside[0], said
    kept = [p for p in tmp_path.joinpath("abR").iterdir() if p.name.startswith("pretrain.")]
    assert len(kept) == 1 and sorted(p.name for p in kept[0].glob("r*")) == ["r0_f0", "r0_f1"]


def test_adding_repeats_keeps_the_runs_of_the_folds_already_pre_trained(synthetic_bundle,
                                                                       tmp_path):
    bundle, out, preset = synthetic_bundle(seed=1), tmp_path / "ab", _preset(tmp_path)
    run_ablation(bundle.path, out_dir=out, preset=preset, n_repeats=1, **OPTS)
    first = _stamps(out / "pretrain")
    said = warning_lines(lambda: run_ablation(bundle.path, out_dir=out, preset=preset, n_repeats=2,
                                          **OPTS))
    assert not [s for s in said if "pre-training runs of other options" in s], said
    both = _stamps(out / "pretrain")
    assert set(both) == {"r0_f0", "r0_f1", "r1_f0", "r1_f1"}
    assert {k: both[k] for k in first} == first  # repeat 0's runs not pre-trained again
    assert not [p for p in out.iterdir() if p.name.startswith("pretrain.")]
    # back to one repeat: repeat 1's runs set aside, named; then back again: they return
    said = warning_lines(lambda: run_ablation(bundle.path, out_dir=out, preset=preset, n_repeats=1,
                                          **OPTS))
    aside = [s for s in said if "pre-training runs of other options" in s]
    assert len(aside) == 1 and "r1_f0, r1_f1 kept in" in aside[0], said
    assert _stamps(out / "pretrain") == first
    said = warning_lines(lambda: run_ablation(bundle.path, out_dir=out, preset=preset, n_repeats=2,
                                          **OPTS))
    assert _stamps(out / "pretrain") == both
    assert [s for s in said if "pre-training runs of an earlier ablation" in s] == [
        f"{out / 'pretrain'}: the pre-training runs of an earlier ablation with these options "
        "are reused (r1_f0, r1_f1)"], said
    assert not [p for p in out.iterdir() if p.name.startswith("pretrain.")]  # emptied: removed
