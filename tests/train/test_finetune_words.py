"""The fine-tuning's line names its gene counts for what they are (an outside probe).

"35 of the run's genes absent here" counted genes the PRE-TRAINING had that the bundle
lacks, and new genes, said to start "afresh", start with zero input weights.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from genemoe.models.registry import create_model
from genemoe.train.finetune import load_pretrained_encoder, read_pretrained
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def run(tiny_pretrained):
    """The shared tiny pre-training (tests/conftest.py): its folder as ``run.out_dir``."""
    return SimpleNamespace(out_dir=tiny_pretrained[2])


def test_genes_the_bundle_lacks_are_the_pre_trainings_and_new_ones_start_at_zero(run, caplog):
    pre_genes = [str(g) for g in read_pretrained(run.out_dir)["gene_ids"]]
    genes = [*pre_genes[3:], "NEW1", "NEW2"]  # 3 of the pre-training's genes lacked, 2 new
    model = create_model("genemoe", n_genes=len(genes), n_outputs=3, task="classify",
                         **TINY_GENEMOE)
    with caplog.at_level("INFO", logger="genemoe"):
        info = load_pretrained_encoder(model, run.out_dir, gene_ids=genes)
    said = " | ".join(r.getMessage() for r in caplog.records if r.levelname == "INFO")
    n_pre = len(pre_genes)
    assert (f"{n_pre - 3} of the model's {n_pre - 1} genes pre-trained, 2 new (zero input "
            "weights)") in said, said
    assert (f"3 of the pre-training's {n_pre} genes are not among the model's: absent from "
            "the bundle or removed by its gene filter") in said, said  # not counted apart
    assert "run's genes" not in said and "afresh" not in said
    assert info["n_genes_pretrained"] == n_pre and info["n_genes_missing"] == 3
    gate = model.encoder.moe.gate.w_gate.detach()  # genes × experts: the new genes' rows
    assert gate[-2:].abs().sum() == 0 and gate[:-2].abs().sum() > 0


def test_a_caller_that_says_it_takes_the_line_to_debug(run, caplog):
    from genemoe.train.finetune import transfer_lines, transfer_said_by_caller

    genes = [str(g) for g in read_pretrained(run.out_dir)["gene_ids"]]
    model = create_model("genemoe", n_genes=len(genes), n_outputs=3, task="classify",
                         **TINY_GENEMOE)
    with caplog.at_level("DEBUG", logger="genemoe"), transfer_said_by_caller():
        info = load_pretrained_encoder(model, run.out_dir, gene_ids=genes)
    lines = [r for r in caplog.records if "started from the pre-trained" in r.getMessage()]
    assert [r.levelname for r in lines] == ["DEBUG"]
    assert transfer_lines(info, "RUN")[0] == ("started from the pre-trained Gene-MOE encoder "
                                              f"(encoder) of RUN: {info['n_tensors']} tensors")
    assert len(transfer_lines(info)) == 2  # none of its genes lacked: unsaid


def test_the_refusal_of_another_model_names_the_pretrain_flag(run):
    """Old behaviour: "pre-train moe (`pretrain: model: moe` in the --config YAML of
    `genemoe pretrain`)", though `genemoe pretrain --model moe` exists."""
    from genemoe.errors import InputError

    genes = [str(g) for g in read_pretrained(run.out_dir)["gene_ids"]]
    model = create_model("genemoe", n_genes=len(genes), n_outputs=3, task="classify",
                         **TINY_GENEMOE)
    with pytest.raises(InputError, match="the run pre-trained model 'genemoe', not 'moe'") as err:
        load_pretrained_encoder(model, run.out_dir, gene_ids=genes, model_name="moe")
    assert "fine-tune with --model genemoe, or pre-train moe: `genemoe pretrain --model moe" \
        in str(err.value), str(err.value)


def test_a_model_without_an_encoder_is_named_by_its_registered_name(run, synthetic_bundle,
                                                                    tmp_path):
    """``genemoe train --model mlp --pretrained PT`` said "...; MlpModel has none" (the
    class, not the --model name)."""
    from typer.testing import CliRunner

    from genemoe.cli import app
    from genemoe.errors import InputError

    bundle = synthetic_bundle(seed=5, clinical=False)
    res = CliRunner().invoke(app, ["train", "--data", str(bundle.path), "--model", "mlp",
                                   "--pretrained", str(run.out_dir), "--epochs", "1",
                                   "--no-progress", "--out", str(tmp_path / "r")])
    assert isinstance(res.exception, InputError), res.output
    said = str(res.exception)
    assert "--pretrained needs a model with a pre-trained encoder" in said
    assert "; mlp has none" in said and "Model has none" not in said
