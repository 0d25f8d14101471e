"""--encoder-lr and --stream are explained in words before their config keys."""

from __future__ import annotations

from typer.testing import CliRunner

from genemoe.cli import app


def test_encoder_lr_and_stream_help_in_plain_words():
    """Old behaviour: "the head keeps the train: lr, and warmup/decay scale both" and "the
    config's pretrain.stream (auto: stream when they would take > pretrain.stream_memory_
    fraction of free memory)": YAML keys where the words go."""
    train = " ".join(CliRunner().invoke(app, ["train", "--help"]).output.split())
    assert "the rest keeps the preset's learning rate (train.lr)" in train
    assert "train: lr" not in train
    pretrain = " ".join(CliRunner().invoke(app, ["pretrain", "--help"]).output.split())
    assert "stream only when loading would take more than a set share of free memory" in pretrain
