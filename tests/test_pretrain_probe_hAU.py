"""Probe of `genemoe pretrain` on real bundles (helper hAU).

* The scaler's ±10 z clip changed 188 training and 29 validation values of a 2-epoch run on
  the six GDC cohorts (protein-coding) without a word: the per-fold pre-training of an
  ablation counted it, `genemoe pretrain` did not. It is now counted per bundle in
  summary.json (``bundles[].clipped``) and said on the terminal, streamed or not.
* The critic note ("the adversarial part ended with the critic preferring reconstructions
  ...") was logged as one line of about 300 characters.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
import yaml

from genemoe.data.bundle import load_bundle
from genemoe.train import pretrain_data as pdata
from genemoe.train.pretrain_data import load_pretrain_data
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE

CLIP = 1.0  # a clip that real-sized outliers reach on a small synthetic bundle


def _low_clip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bundle scaler clips at ±CLIP z (the default ±10 is rarely reached by the
    synthetic cohort; real bundles reach it: gdc6 protein-coding, |z| up to 15.9)."""
    real = pdata.bundle_scaler

    def scaler(*args, **kwargs):
        s = real(*args, **kwargs)
        s.clip = CLIP
        return s

    monkeypatch.setattr(pdata, "bundle_scaler", scaler)


def _expected(bundle, data, role: str) -> int:
    """Values of ``role``'s rows beyond ±CLIP z, counted here independently."""
    cols, scaler = pdata._bundle_columns(bundle, data.gene_ids)
    x = np.asarray(bundle.X[bundle.indices(role)])[:, cols].astype(np.float32)
    return int((np.abs((x - scaler.shift) / scaler.scale) > CLIP).sum())


@pytest.mark.parametrize("stream", [False, True])
def test_the_scalers_clip_is_counted_per_bundle_and_part(synthetic_bundle, monkeypatch, stream):
    """Old behaviour: no ``clipped`` entry; the values were clipped unsaid."""
    bundle = load_bundle(synthetic_bundle(seed=3, clinical=False).path)
    _low_clip(monkeypatch)
    data = load_pretrain_data([bundle.path], stream=stream)
    clipped = data.bundles[0]["clipped"]
    assert clipped["train"]["n_values"] == _expected(bundle, data, "train") > 0
    assert clipped["val"]["n_values"] == _expected(bundle, data, "val") > 0
    assert clipped["train"]["clip"] == CLIP
    assert clipped["train"]["n_rows"] == len(bundle.indices("train"))
    assert clipped["val"]["n_rows"] == len(bundle.indices("val"))


def test_npy_columns_reads_the_rows_asked_in_blocks(synthetic_bundle, monkeypatch):
    from genemoe.train import pretrain_stream
    from genemoe.train.pretrain_stream import NpyColumns, NpyRows

    bundle = load_bundle(synthetic_bundle(seed=3, clinical=False).path)
    monkeypatch.setattr(pretrain_stream, "READ_BLOCK_VALUES", 7)  # a few rows per read
    rows, cols = np.array([5, 6, 7, 2, 40]), np.array([4, 0, 9])
    got = NpyColumns(NpyRows(bundle.path / "X.npy"), cols)[rows]
    np.testing.assert_array_equal(got, np.asarray(bundle.X)[rows][:, cols])
    assert NpyColumns(NpyRows(bundle.path / "X.npy"), cols)[np.array([], int)].shape == (0, 3)


@pytest.fixture(scope="module")
def clipped_run(synthetic_bundle, tmp_path_factory):
    """A one-epoch tiny pre-training whose scaler clips at ±CLIP z, its log records kept."""
    from genemoe.train import pretrain as pre

    bundle = synthetic_bundle(seed=3, clinical=False)
    d = tmp_path_factory.mktemp("hAU_clipped")
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE},
                                   "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1,
                                                "critic_widths": [8]}}))
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("genemoe").addHandler(handler)
    real_step = pre.critic_step
    try:
        with pytest.MonkeyPatch.context() as m:
            _low_clip(m)  # and a critic gap below 0 beyond its noise, which is noted (pc33's
            m.setattr(pre, "critic_step",  # -0.0045 is within it: not noted)
                      lambda *a, **k: {**real_step(*a, **k), "critic_gap": -0.77})
            run = pretrain_run([bundle.path], out_dir=d / "run", config_path=cfg, device="cpu",
                               progress=False)
    finally:
        logging.getLogger("genemoe").removeHandler(handler)
    return run, records


def test_the_clip_reaches_summary_json_and_the_terminal(clipped_run):
    run, _ = clipped_run
    (entry,) = json.loads((run.out_dir / "summary.json").read_text())["bundles"]
    n_train, n_val = entry["clipped"]["train"]["n_values"], entry["clipped"]["val"]["n_values"]
    assert n_train > 0 and n_val > 0
    text = run.describe()
    said = " ".join(line.strip() for line in text.splitlines())
    assert f"inputs clipped to ±{CLIP:g} z: train {n_train:,} values" in said
    assert f"val {n_val:,}" in said and "(summary.json: bundles[].clipped)" in said
    assert all(len(line) <= 100 for line in text.splitlines())


def _rep(n_values: int, n_genes: int, max_abs: float) -> dict:
    return {"method": "standard", "clip": 10.0, "n_values": n_values, "n_samples": n_values,
            "n_genes": n_genes, "n_rows": 100, "n_total": 100_000, "max_abs": max_abs}


def test_clipped_words_sums_bundles_and_says_nothing_without_a_clip():
    from genemoe.train.pretrain_record import clipped_words

    none = {"clipped": {"train": _rep(0, 0, 9.3), "val": _rep(0, 0, 5.2)}}
    assert clipped_words([none]) == "" and clipped_words([{}]) == ""
    a = {"clipped": {"train": _rep(150, 120, 15.9), "val": _rep(20, 18, 14.7)}}
    b = {"clipped": {"train": _rep(38, 38, 11.0), "val": _rep(9, 6, 10.5)}}
    said = clipped_words([a, b, none])
    assert said.startswith("inputs clipped to ±10 z: train 188 values (0.1%), val 29 (<0.1%)")
    assert "largest |z| 15.9" in said and "folds" not in said


def test_every_warning_line_fits_100_characters(clipped_run):
    """Old behaviour: the critic note was logged as one line of about 300 characters."""
    _, records = clipped_run
    said = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    assert any(s.startswith("pre-training: the adversarial part ended with the critic")
               for s in said)
    for message in said:
        first, *rest = message.split("\n")
        assert len("warning: " + first) <= 100 and all(len(line) <= 100 for line in rest), message


def test_the_losses_are_said_with_their_weights(clipped_run):
    """Old behaviour: the terminal said no loss term and summary.json no weight (the
    config.yaml beside it had them); the per-epoch line behind -v had no weights either."""
    run, _ = clipped_run
    summary = json.loads((run.out_dir / "summary.json").read_text())
    config = yaml.safe_load((run.out_dir / "config.yaml").read_text())["pretrain"]
    weights = summary["loss_weights"]
    assert weights == {k: config[k] for k in ("lambda_l1", "lambda_kl", "lambda_adv",
                                               "lambda_balance", "lambda_gp", "n_critic")}
    final = summary["final"]
    said = " ".join(line.strip() for line in run.describe().splitlines())
    l1 = f"{final['loss/l1']:.3g}".replace("-", "−")
    assert f"losses (last epoch, unweighted × weight): L1 {l1} × {config['lambda_l1']:g}, KL " in said
    balance = f"{final['loss/importance'] + final['loss/load']:.3g}".replace("-", "−")
    assert f"balance {balance} × {config['lambda_balance']:g}; critic: gap " in said
    assert f"× {config['lambda_gp']:g}, 1 step per generator step" in said


def test_a_model_without_gates_has_no_balance_term_and_old_runs_no_line():
    from genemoe.train.pretrain_record import losses_words

    final = {"loss/l1": 0.79, "loss/kl": 0.08, "loss/adv": -0.079, "loss/critic_gap": 0.02,
             "loss/gp": 0.84}
    weights = {"lambda_l1": 20.0, "lambda_kl": 1.0, "lambda_adv": 0.1, "lambda_balance": 10.0,
               "lambda_gp": 10.0, "n_critic": 5}
    assert losses_words(final, weights) == (
        "losses (last epoch, unweighted × weight): L1 0.79 × 20, KL 0.08 × 1, adversarial "
        "−0.079 × 0.1; critic: gap 0.02, GP 0.84 × 10, 5 steps per generator step")
    assert losses_words(final, {}) == ""  # a summary.json written before the weights were


def test_a_streamed_run_monitoring_a_subset_says_every_validation_sample(synthetic_bundle,
                                                                         tmp_path):
    """Old behaviour: "samples: 105 training, 5 validation" of a run whose samples.tsv (and
    fine-tuning's test-overlap check) holds every validation sample; pc33 said 50 of 100."""
    import pandas as pd

    bundle = synthetic_bundle(seed=3, clinical=False)
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE},
                                   "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1,
                                                "critic_widths": [8], "stream_val_rows": 5}}))
    run = pretrain_run([bundle.path], out_dir=tmp_path / "run", config_path=cfg, device="cpu",
                       progress=False, stream=True)
    n_val = int((pd.read_csv(run.out_dir / "samples.tsv", sep="\t")["role"] == "val").sum())
    assert n_val > 5 and run.summary["n_val"] == 5
    assert f", {n_val:,} validation (5 monitored);" in run.describe()


def test_an_invalid_loss_weight_is_named_with_its_value():
    """Old behaviour: "invalid pre-training value(s): lambdas" with a fix listing all five
    weights: which one was wrong, and its value, were not said."""
    from genemoe.errors import InputError
    from genemoe.train.pretrain_config import PretrainConfig

    with pytest.raises(InputError) as err:
        PretrainConfig.from_dict({"lambda_l1": -1, "lambda_gp": float("nan")})
    said = str(err.value)
    assert "invalid pre-training value(s): lambda_gp=nan, lambda_l1=-1" in said
    assert "set lambda_gp to a number of 0 or more; lambda_l1 to a number of 0 or more" in said
    assert "lambdas" not in said and "lambda_kl" not in said


def test_a_stop_while_the_finished_run_is_written_is_resumed_into_every_file(
        synthetic_bundle, tmp_path, monkeypatch):
    """Old behaviour: pretrained.pt was written first; a stop (Ctrl-C, SIGTERM) before
    summary.json left a run that the same command then reused as finished: summary.json,
    samples.tsv and config.yaml never written, the checkpoint never removed."""
    from genemoe.train import pretrain as pre

    bundle = synthetic_bundle(seed=3, clinical=False)
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE},
                                   "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1,
                                                "critic_widths": [8]}}))
    real = pre.atomic_write_text

    def stopped(path, text):
        if path.name == "summary.json":
            raise KeyboardInterrupt
        return real(path, text)

    out = tmp_path / "run"
    monkeypatch.setattr(pre, "atomic_write_text", stopped)
    with pytest.raises(KeyboardInterrupt):
        pretrain_run([bundle.path], out_dir=out, config_path=cfg, device="cpu", progress=False)
    monkeypatch.setattr(pre, "atomic_write_text", real)
    run = pretrain_run([bundle.path], out_dir=out, config_path=cfg, device="cpu", progress=False)
    assert run.finished
    for name in ("pretrained.pt", "summary.json", "samples.tsv", "config.yaml"):
        assert (out / name).is_file(), name
    assert not (out / "checkpoint.pt").exists()
    assert json.loads((out / "summary.json").read_text())["epochs_run"] == 1
