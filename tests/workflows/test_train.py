"""train_run: the honest protocol end to end, on a small synthetic bundle."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

import genemoe.train.loop as loop
from genemoe.errors import InputError
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    d = tmp_path_factory.mktemp("run")
    return prepare_synthetic(d, n_samples=240, n_genes=120, n_types=4, seed=4)[0]


def test_neural_run_writes_a_self_describing_run(bundle, tmp_path, monkeypatch):
    seen = {}
    real = loop.train_model

    def spy(model, **kw):  # record what the trainer is given: never the test split
        seen.update(kw)
        return real(model, **kw)

    monkeypatch.setattr(loop, "train_model", spy)
    res = train_run(bundle.path, out_dir=tmp_path / "r", task="classify", model_name="fcn",
                    epochs=4, progress=False)
    obs = bundle.obs
    n_val, n_test = int((obs.split == "val").sum()), int((obs.split == "test").sum())
    assert len(seen["X_val"]) == n_val and len(seen["X_train"]) == int((obs.split == "train").sum())
    assert n_test > 0 and len(seen["X_train"]) + len(seen["X_val"]) == len(obs) - n_test
    m = json.loads((tmp_path / "r" / "metrics.json").read_text())
    for split in ("val", "test"):
        assert {"accuracy", "macro_precision", "macro_recall", "macro_f1", "per_class"} <= set(m[split])
    assert m["test"]["n"] == n_test and m["protocol"]["synthetic"] is True
    assert m["protocol"]["device"] == "cpu"  # config.yaml holds "auto" only
    payload = load_model_file(tmp_path / "r")
    assert payload["class_names"] == bundle.class_names
    assert payload["gene_ids"] == bundle.var["gene_id"].tolist()
    assert payload["normalisation"] == "fpkm_uq" and payload["record"]["synthetic"]
    np.testing.assert_allclose(payload["scaler"]["shift"], bundle.var["train_mean"], rtol=1e-5)
    pred = pd.read_csv(tmp_path / "r" / "predictions.tsv", sep="\t")
    assert len(pred) == len(obs) and set(pred["split"]) == {"train", "val", "test"}
    assert np.allclose(pred.filter(like="prob_").sum(1), 1, atol=1e-4)
    hist = [json.loads(line) for line in (tmp_path / "r" / "history.jsonl").read_text().splitlines()]
    assert len(hist) >= 1 and res.metrics["test"]["accuracy"] > 1 / 4  # above chance (4 types)


def test_classical_and_survival_runs(bundle, tmp_path):
    r = train_run(bundle.path, out_dir=tmp_path / "lr", task="classify", model_name="logreg",
                  progress=False)
    assert r.metrics["test"]["accuracy"] > 0.5
    s = train_run(bundle.path, out_dir=tmp_path / "cox", task="survival", model_name="genemoe",
                  epochs=3, progress=False)
    t = s.metrics["test"]
    assert {"c_index", "c_index_ci", "c_index_by_type", "logrank_p"} <= set(t)
    assert 0 <= t["c_index"] <= 1 and t["n"] == int(
        (bundle.obs.split == "test").sum() - (~bundle.obs.has_survival[bundle.obs.split == "test"]).sum())
    # the endpoint is said (an outside probe: an OS and a PFI run read alike everywhere)
    assert bundle.endpoint == "OS" and s.metrics["protocol"]["endpoint"] == "OS"
    assert " · survival (OS) · " in s.describe()
    assert yaml.safe_load((tmp_path / "cox" / "config.yaml").read_text())["endpoint"] == "OS"
    from genemoe.report.html import write_report

    assert "genemoe run — genemoe (survival (OS))" in write_report(tmp_path / "cox").read_text()
    assert "endpoint" not in r.metrics["protocol"]


def test_samples_without_survival_left_out_of_a_survival_run_are_said(bundle, tmp_path, caplog):
    """A survival run left out the samples without time and event (a training split of 55
    became 30) without a word; the benchmark said it."""
    import dataclasses

    from genemoe.data.bundle import write_bundle

    obs = bundle.obs.copy()
    gone = obs.index[obs["split"] == "train"][:5]
    obs.loc[gone, "has_survival"] = False
    write_bundle(dataclasses.replace(bundle, obs=obs), tmp_path / "b")
    with caplog.at_level("WARNING"):
        train_run(tmp_path / "b", out_dir=tmp_path / "cox", task="survival", model_name="coxnet",
                  progress=False)
    n_train = int((obs["split"] == "train").sum())
    assert (f"5 of {bundle.n_samples} samples have no survival time and event: left out (train "
            f"{n_train - 5} of {n_train}, val ") in caplog.text


def test_epochs_for_a_classical_model_is_said_to_be_ignored(bundle, tmp_path, caplog):
    """Old behaviour: ``--epochs 3`` with logreg was dropped without a word."""
    import logging

    with caplog.at_level(logging.WARNING, logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "lr", task="classify", model_name="logreg",
                  epochs=3, progress=False)
    assert "--epochs applies to neural models; logreg is fitted to convergence: ignored" in caplog.text


@pytest.mark.parametrize("model", ["fcn", "logreg"])
def test_a_misspelt_model_option_leaves_a_finished_run_alone(bundle, tmp_path, caplog, model):
    """Old behaviour: "holds a finished run: replacing it", its history, plots and report
    removed, and only then the factory refused ``hiden``."""
    import logging

    out = tmp_path / "run"
    train_run(bundle.path, out_dir=out, task="classify", model_name=model, epochs=1, progress=False)
    before = sorted(p.name for p in out.iterdir())
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"model:\n  {model}:\n    hiden: 8\n")
    with caplog.at_level(logging.WARNING, logger="genemoe"), \
            pytest.raises(InputError, match=rf"model '{model}' has no option hiden"):
        train_run(bundle.path, out_dir=out, task="classify", model_name=model, config_path=bad,
                  epochs=1, progress=False)
    assert "replacing it" not in caplog.text and sorted(p.name for p in out.iterdir()) == before


def test_training_into_another_commands_folder_is_refused_and_leaves_it_alone(bundle, tmp_path):
    """Old behaviour: a run trained into a tuning folder (or onto a bundle) without a word,
    its config.yaml, model.pt and metrics mixed with the study's files."""
    from genemoe.workflows.pretrain import pretrain_run
    from genemoe.workflows.tune import tune_run

    tune_dir = tmp_path / "tune"
    tune_dir.mkdir()
    for name in ("study.db", "trials.csv", "best.yaml"):
        (tune_dir / name).write_text("")
    for folder, what in ((tune_dir, "a tuning study"), (bundle.path, "a dataset bundle")):
        before = sorted(p.name for p in folder.iterdir())
        with pytest.raises(InputError, match=f"(?s)the --out folder holds {what}.*choose another --out"):
            train_run(bundle.path, out_dir=folder, model_name="logreg", progress=False)
        assert sorted(p.name for p in folder.iterdir()) == before
    run = tmp_path / "run"
    train_run(bundle.path, out_dir=run, model_name="logreg", progress=False)
    train_run(bundle.path, out_dir=run, model_name="logreg", progress=False)  # its own: replaced
    with pytest.raises(InputError, match="holds a trained run"):
        tune_run(bundle.path, out_dir=run, model_name="logreg", n_trials=1)
    with pytest.raises(InputError, match="holds a trained run"):
        pretrain_run([bundle.path], out_dir=run, epochs=1, device="cpu", progress=False)


def test_model_task_mismatch_is_a_clear_error(bundle, tmp_path):
    with pytest.raises(InputError, match="does not support task"):
        train_run(bundle.path, out_dir=tmp_path / "x", task="survival", model_name="svm")
    with pytest.raises(InputError, match="unknown model"):
        train_run(bundle.path, out_dir=tmp_path / "y", task="classify", model_name="nope")
    (tmp_path / "bad.yaml").write_text("model: {n_experts: 8}\n")
    with pytest.raises(InputError, match="not a mapping of options"):
        train_run(bundle.path, out_dir=tmp_path / "z", task="classify", model_name="fcn",
                  config_path=tmp_path / "bad.yaml")
    assert not (tmp_path / "y").exists() and not (tmp_path / "z").exists()  # no empty run left


def test_a_runs_config_yaml_trains_the_same_run_again(bundle, tmp_path):
    """A run's own config.yaml was refused as a config (its keys are not a preset's); it now
    gives that run's model and training options, so the same seed trains the same run."""
    first = train_run(bundle.path, out_dir=tmp_path / "a", task="classify", model_name="fcn",
                      epochs=2, seed=1, progress=False,
                      config_path=_yaml(tmp_path / "c.yaml", "model: {fcn: {hidden: 24}}\n"
                                        "train: {lr: 0.003}\n"))
    again = train_run(bundle.path, out_dir=tmp_path / "b", task="classify", model_name="fcn",
                      seed=1, progress=False, config_path=tmp_path / "a" / "config.yaml")
    assert again.metrics["test"] == first.metrics["test"]
    saved = yaml.safe_load((tmp_path / "b" / "config.yaml").read_text())
    assert saved["model_config"]["hidden"] == 24 and saved["train"]["lr"] == 0.003
    assert saved["train"]["epochs"] == 2  # the first run's --epochs, from its config.yaml


def _yaml(path, text):
    path.write_text(text)
    return path


def test_completed_run_drops_its_resume_checkpoint(bundle, tmp_path):
    train_run(bundle.path, out_dir=tmp_path / "c", task="classify", model_name="fcn", epochs=2,
              progress=False)
    assert (tmp_path / "c" / "model.pt").exists() and not (tmp_path / "c" / "checkpoint.pt").exists()


def test_an_ensemble_keeps_no_member_checkpoints(bundle, tmp_path):
    """A finished ensemble kept every member's checkpoint.pt (weights and optimiser state,
    about the size of the run's model.pt each)."""
    train_run(bundle.path, out_dir=tmp_path / "e", task="classify", model_name="fcn", epochs=2,
              progress=False, ensemble=2)
    assert (tmp_path / "e" / "member0" / "history.jsonl").exists()
    assert not list((tmp_path / "e").glob("**/checkpoint.pt"))


def test_training_over_a_finished_run_replaces_it_whole(bundle, tmp_path, caplog):
    """An MLP trained into a logistic regression's finished run kept the old report.html,
    plots/ and (the other way) history.jsonl and routing.json, and said nothing."""
    import logging

    out = tmp_path / "r"
    train_run(bundle.path, out_dir=out, task="classify", model_name="moe", epochs=2,
              progress=False)
    (out / "plots").mkdir()
    (out / "report.html").write_text("<html>the moe run</html>")
    assert (out / "routing.json").exists() and (out / "history.jsonl").exists()
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        train_run(bundle.path, out_dir=out, task="classify", model_name="logreg", progress=False)
    assert "holds a finished run (moe, classify): replacing it" in caplog.text
    left = {p.name for p in out.iterdir()}
    assert left == {"config.yaml", "metrics.json", "model.pt", "predictions.tsv"}, left


def test_an_interrupted_replacement_leaves_no_old_run_and_no_cut_checkpoint(bundle, tmp_path,
                                                                            monkeypatch):
    """Old behaviour (a probe): Ctrl-C while replacing a finished run left the old model.pt,
    metrics.json and config.yaml beside the new checkpoint (`report` showed the old run as
    the folder's), and a checkpoint write cut by SIGKILL (.checkpoint.pt.*.tmp, ~4 x model.pt)
    stayed after the resumed run finished."""
    import genemoe.train.loop as loop

    out = tmp_path / "r"
    train_run(bundle.path, out_dir=out, task="classify", model_name="fcn", epochs=2, progress=False)
    real, calls = loop._run_epoch, []

    def stop_in_epoch_2(run, epoch):
        if epoch == 2:
            raise KeyboardInterrupt
        calls.append(epoch)
        return real(run, epoch)

    monkeypatch.setattr(loop, "_run_epoch", stop_in_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        train_run(bundle.path, out_dir=out, task="classify", model_name="fcn", epochs=3, seed=2,
                  progress=False)
    left = {p.name for p in out.iterdir()}
    assert "checkpoint.pt" in left and not left & {"model.pt", "metrics.json", "config.yaml",
                                                   "predictions.tsv"}, left
    monkeypatch.undo()
    (out / ".checkpoint.pt.k1ll3d.tmp").write_bytes(b"PK\x03\x04 half a checkpoint")
    train_run(bundle.path, out_dir=out, task="classify", model_name="fcn", epochs=3, seed=2,
              progress=False)
    assert not list(out.glob(".*.tmp")) and (out / "model.pt").exists()


def test_image_flags_fit_the_genomic_layout_on_the_bundle(bundle, tmp_path):
    from typer.testing import CliRunner

    from genemoe.cli import app
    from genemoe.models.image import genomic_order, input_scaling
    from genemoe.models.registry import create_model

    out = tmp_path / "h"
    res = CliRunner().invoke(app, ["train", "--data", str(bundle.path), "--model", "hybrid_cnn",
                                   "--layout", "genomic", "--image-size", "12", "--epochs", "2",
                                   "--no-progress", "--out", str(out)])
    assert res.exit_code == 0, res.output
    payload = load_model_file(out)
    cfg = payload["model_config"]
    assert cfg["layout"] == "genomic" and cfg["image_size"] == 12
    assert "layout_state" not in cfg  # the map travels as a buffer, not in the config
    model = create_model("hybrid_cnn", n_genes=len(payload["gene_ids"]), n_outputs=payload["n_outputs"],
                         task="classify", **cfg)
    model.load_state_dict(payload["state_dict"])
    var = bundle.var.loc[bundle.gene_mask()]
    order = genomic_order(var["chrom"].to_numpy(object), var["start"].to_numpy())
    pixels = model.to_image.pixel_of_gene.numpy()  # genes in genomic order fill pixels 0, 1, 2, ...
    np.testing.assert_array_equal(pixels[order], np.arange(len(order)))
    # the grid and the pixel sharing are said and recorded at training (explain said them only)
    image = json.loads((out / "metrics.json").read_text())["protocol"]["image"]
    assert image["grid"] == image["image_size"] == "12 x 12"
    assert image["genes_per_pixel_max"] == int(np.bincount(pixels).max())
    assert image["input_scaling"] == input_scaling("hybrid_cnn", cfg)
    assert (f"genes on a 12 x 12 grid (up to {image['genes_per_pixel_max']} a pixel; layout "
            "genomic)") in res.output
    assert image["layout"] == "genomic"  # the rebuilt map said "reshape"
    from genemoe.report.html import write_report

    assert "image (layout)</th><td>grid 12 x 12" in write_report(out).read_text()


def test_image_flags_are_refused_for_vector_models(bundle, tmp_path):
    with pytest.raises(InputError, match="--layout"):
        train_run(bundle.path, out_dir=tmp_path / "x", model_name="fcn", epochs=1, progress=False,
                  model_options={"layout": "genomic"})
    with pytest.raises(InputError, match="--weights"):
        train_run(bundle.path, out_dir=tmp_path / "y", model_name="hybrid_cnn", epochs=1,
                  progress=False, model_options={"weights": "none"})


def test_a_backbone_weights_file_is_recorded_by_its_hash(bundle, tmp_path):
    """``--weights PATH`` was recorded as the path alone (the bundle's inputs get sha256)."""
    import importlib.util

    import torch

    if importlib.util.find_spec("timm") is None:
        pytest.skip("image backbones need the `image` extra (timm, torchvision)")

    from genemoe.data.bundle import file_sha256
    from genemoe.models.registry import create_model

    net = create_model("resnet50", n_genes=10, n_outputs=2, task="classify", image_size=32)
    torch.save(net.backbone.state_dict(), tmp_path / "w.pt")
    train_run(bundle.path, out_dir=tmp_path / "r", model_name="resnet50", epochs=1, progress=False,
              model_options={"weights": str(tmp_path / "w.pt"), "image_size": 32,
                             "layout": "genomic"})  # a fitted layout: config.yaml rewritten
    m = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert m["protocol"]["weights_file"] == {"path": str((tmp_path / "w.pt").resolve()),
                                             "sha256": file_sha256(tmp_path / "w.pt")}
    # config.yaml said `weights: none` (the value that rebuilds the trained model), so a run
    # retrained from it started from random weights, unsaid; the depth `auto` chose was
    # recorded nowhere
    saved = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())
    cfg = saved["model_config"]
    assert cfg["weights"] == str(tmp_path / "w.pt") and cfg["layout_fitted_on"] == "gene positions (annotation)"
    image = m["protocol"]["image"]
    assert image["weights"] == str(tmp_path / "w.pt") and image["finetune"] == "last_block"
    assert load_model_file(tmp_path / "r")["model_config"]["weights"] == "none"  # rebuilds offline


def test_a_backbones_default_weights_are_said_and_recorded(bundle, tmp_path):
    """An outside probe: resnet50 without --weights started from random weights (the
    default, ``none``) while metrics.json recorded ``weights: null``, the report "None" and
    the terminal nothing, beside `genemoe models` calling it ImageNet transfer learning."""
    import importlib.util

    if importlib.util.find_spec("timm") is None:
        pytest.skip("image backbones need the `image` extra (timm, torchvision)")
    from typer.testing import CliRunner

    from genemoe.cli import app

    res = CliRunner().invoke(app, ["train", "--data", str(bundle.path), "--model", "resnet50",
                                   "--image-size", "32", "--epochs", "1", "--no-progress",
                                   "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    image = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]["image"]
    assert image["weights"] == "none" and image["finetune"] == "all"
    assert "weights none; finetune all (random init: no ImageNet transfer)" in res.output
    # the record and the report's protocol row said "weights none" with no meaning, and
    # config.yaml named no weights (the default the run started from)
    assert image["init"] == "random (no ImageNet transfer)"
    saved = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())
    assert saved["model_config"]["weights"] == "none"


def test_pixels_as_the_network_sees_them_are_counted(bundle, tmp_path):
    """A 140 x 140 grid seen at 32 x 32 said "up to 1 a pixel" at training and explain gave
    no pixel-sharing warning, though each seen pixel blends ~19 genes."""
    from genemoe.models.image import reshape_layout

    lay = reshape_layout(19400, image_size=140)
    assert int(lay.counts.max()) == 1 and lay.most_genes_seen(32) >= 18
    assert lay.most_genes_seen(140) == lay.most_genes_seen(None) == 1
    assert lay.most_genes_seen(32) == int(np.bincount(
        ((lay.pixel_of_gene // 140) * 32 // 140) * 32 + (lay.pixel_of_gene % 140) * 32 // 140).max())


def test_input_scaling_per_model_family(bundle, tmp_path):
    from genemoe.data.scaling import Scaler
    from genemoe.models.image import IMAGE_MODELS, input_scaling

    assert {m: input_scaling(m, {}) for m in IMAGE_MODELS} == {
        "hybrid_cnn": "centred", "resnet50": "global", "densenet169": "global",
        "vgg19": "global", "xception": "global"}
    train_run(bundle.path, out_dir=tmp_path / "h", model_name="hybrid_cnn", epochs=1, progress=False,
              model_options={"input_scaling": "global"})
    train_run(bundle.path, out_dir=tmp_path / "f", model_name="fcn", epochs=1, progress=False)
    train_run(bundle.path, out_dir=tmp_path / "c", model_name="hybrid_cnn", epochs=1, progress=False)
    h = Scaler.from_dict(load_model_file(tmp_path / "h")["scaler"])
    f = Scaler.from_dict(load_model_file(tmp_path / "f")["scaler"])
    c = Scaler.from_dict(load_model_file(tmp_path / "c")["scaler"])
    assert h.method == "global" and np.unique(h.shift).size == 1 and h.train_mean is not None
    assert f.method == "standard"
    var = bundle.var.loc[bundle.gene_mask()]
    assert c.method == "centred" and np.unique(c.scale).size == 1  # the default for hybrid_cnn
    np.testing.assert_allclose(c.shift, var["train_mean"], rtol=1e-5)
    np.testing.assert_allclose(h.train_mean, var["train_mean"], rtol=1e-5)
    with pytest.raises(InputError, match="input_scaling"):
        train_run(bundle.path, out_dir=tmp_path / "x", model_name="hybrid_cnn", epochs=1,
                  progress=False, model_options={"input_scaling": "minmax"})


def _without_val_events(bundle, path):
    """A copy of ``bundle`` whose validation split holds no event (all censored)."""
    from genemoe.data.bundle import Bundle, write_bundle

    obs = bundle.obs.copy()
    obs.loc[obs["split"] == "val", "event"] = False
    copy = Bundle(X=np.asarray(bundle.X), obs=obs, var=bundle.var, record=bundle.record,
                  folds=bundle.folds)
    write_bundle(copy, path)
    return path


def test_survival_without_validation_events_is_refused(bundle, tmp_path):
    """Issue 10 (6): model selection on a validation part without events would read a
    constant C-index and keep epoch 1 silently; it stops with an error naming the part."""
    path = _without_val_events(bundle, tmp_path / "noevents")
    with pytest.raises(InputError, match="every val sample is censored"):
        train_run(path, out_dir=tmp_path / "gm", task="survival", model_name="fcn", epochs=2,
                  progress=False)


def _planted_variance_bundle(path, seed=0, n=150, n_genes=40, n_planted=5):
    """A survival bundle (log scale) where ``n_planted`` genes vary widely and set the hazard,
    and every other gene varies little: the top-variance genes are known."""
    from genemoe.data.bundle import Bundle, write_bundle

    rng = np.random.default_rng(seed)
    X = rng.normal(5.0, 0.2, size=(n, n_genes))  # low-variance genes
    X[:, :n_planted] = rng.normal(5.0, 2.0, size=(n, n_planted))  # planted: 100x the variance
    risk = (X[:, :n_planted] - 5.0).sum(1) / 2.0
    time = rng.exponential(1000 * np.exp(-risk))
    event = rng.random(n) < 0.8
    split = np.array(["train"] * 100 + ["val"] * 25 + ["test"] * 25, dtype=object)
    obs = pd.DataFrame({"sample_id": [f"S{i:03d}" for i in range(n)],
                        "patient_id": [f"P{i:03d}" for i in range(n)],
                        "cancer_type": "ACC", "sample_type": "01", "time": time, "event": event,
                        "has_survival": True, "split": split})
    tr = X[split == "train"]
    var = pd.DataFrame({"gene_id": [f"G{j}" for j in range(n_genes)], "train_mean": tr.mean(0),
                        "train_std": tr.std(0), "train_min": tr.min(0), "train_max": tr.max(0)})
    write_bundle(Bundle(X=X.astype(np.float32), obs=obs, var=var, record={"synthetic": True}), path)
    return path


@pytest.mark.parametrize("model", ["coxph", "coxnet"])
def test_survival_baselines_choose_genes_on_unscaled_expression(model, tmp_path):
    """Issue 10 (1): through the real train_run path (data z-scored per gene first), the
    classical Cox models keep the genes of highest *unscaled* training variance — the
    old code ranked z-scored genes, whose variances are all 1, and kept an arbitrary set."""
    import yaml

    path = _planted_variance_bundle(tmp_path / "b")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({"model": {model: {"n_top_genes": 5, "tune": False}}}))
    train_run(path, out_dir=tmp_path / "run", task="survival", model_name=model,
              config_path=cfg, progress=False)
    est = load_model_file(tmp_path / "run")["estimator"]
    assert sorted(est.selected_genes_.tolist()) == [0, 1, 2, 3, 4]


def test_vector_models_take_centred_input_from_the_config_and_predict_with_it(tmp_path):
    """``input_scaling`` is a data option every model takes (issue 14's centred input, for
    the vector models too): the run saves that scaler and ``predict`` applies it."""
    import yaml

    from genemoe.data.scaling import Scaler
    from genemoe.workflows.predict import predict_file

    b, f, _ = prepare_synthetic(tmp_path / "d", n_samples=120, n_genes=60, n_types=3, seed=2,
                                clinical=False)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"mlp": {"input_scaling": "centred", "widths": [16]}}}))
    train_run(b.path, out_dir=tmp_path / "run", model_name="mlp", config_path=cfg, epochs=2,
              progress=False)
    s = Scaler.from_dict(load_model_file(tmp_path / "run")["scaler"])
    assert s.method == "centred" and np.unique(s.scale).size == 1
    ran = pd.read_csv(tmp_path / "run" / "predictions.tsv", sep="\t").set_index("sample_id")
    predict_file(tmp_path / "run", f["counts"], out_path=tmp_path / "p.csv")
    new = pd.read_csv(tmp_path / "p.csv").set_index("sample_id")
    common = ran.index.intersection(new.index)
    assert len(common) == len(ran)
    # one column name in both files (predictions.tsv said "predicted", predict "predicted_type")
    assert (new.loc[common, "predicted_type"] == ran.loc[common, "predicted_type"]).all()
    probs = [c for c in ran.columns if c.startswith("prob_")]
    np.testing.assert_allclose(new.loc[common, probs], ran.loc[common, probs], atol=1e-5)
    cfg.write_text(yaml.safe_dump({"model": {"mlp": {"input_scaling": "zscore"}}}))
    with pytest.raises(InputError, match="input_scaling must be standard, global or centred"):
        train_run(b.path, out_dir=tmp_path / "bad", model_name="mlp", config_path=cfg, epochs=1,
                  progress=False)


def test_a_torchrun_worker_other_than_rank_0_prints_no_table():
    """Old behaviour: rank 1 printed "genemoe · classify · 5 s → runs/p2" over an empty table
    before rank 0's real one."""
    from pathlib import Path

    from genemoe.workflows.train import RunResult

    assert RunResult(Path("runs/p2"), {}, "classify", "genemoe", 5.0).describe() == ""


def test_a_bundle_too_big_to_read_is_read_batch_by_batch(bundle, tmp_path, monkeypatch, caplog):
    """Old behaviour: `train` read every split into memory whatever its size (a probe: the
    memory check counted the model, never the data), so a bundle larger than the free memory
    had the process killed without a word."""
    import genemoe.train.memory as memory

    train_run(bundle.path, out_dir=tmp_path / "eager", task="classify", model_name="fcn",
              epochs=2, progress=False)
    monkeypatch.setattr(memory, "available_memory", lambda **kw: 1000)
    with caplog.at_level("WARNING", logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "lazy", task="classify", model_name="fcn",
                  epochs=2, progress=False)
    assert "would take more than half the free memory" in caplog.text
    assert "read batch by batch from its memory map" in caplog.text
    a, b = (pd.read_csv(tmp_path / r / "predictions.tsv", sep="\t") for r in ("eager", "lazy"))
    probs = [c for c in a if c.startswith("prob_")]
    np.testing.assert_allclose(a[probs], b[probs], atol=1e-5)


def test_an_image_size_that_crowds_the_grid_is_warned(bundle, tmp_path, caplog):
    """Old behaviour: `--image-size 1` squeezed the whole grid into one pixel with an info line
    only (it trained to the majority class)."""
    with caplog.at_level("WARNING", logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "c", model_name="hybrid_cnn", epochs=1,
                  progress=False, device="cpu", model_options={"image_size": 1})
    image = json.loads((tmp_path / "c" / "metrics.json").read_text())["protocol"]["image"]
    assert image["image_size"] == "1 x 1"
    n = int(bundle.gene_mask().sum())
    assert (f"the network sees the {n:,} genes at 1 x 1: up to {image['genes_per_pixel_max']} share "
            f"one pixel" in caplog.text)
    assert f"--image-size {math.isqrt(n - 1) + 1} or more gives each its own" in caplog.text
    # the advice was on the terminal only: metrics.json (and the report's protocol) kept none
    assert image["crowded_pixels"] == f"--image-size {math.isqrt(n - 1) + 1} or more gives each its own"


def test_a_bundle_whose_endpoint_is_empty_is_not_said_to_lack_clinical(bundle):
    """An outside probe: a bundle prepared with --clinical and an endpoint its patients lack
    was refused as "prepared without --clinical"."""
    import dataclasses

    from genemoe.workflows.common import check_bundle_has_task

    empty = dataclasses.replace(bundle, summary={**bundle.summary, "n_with_survival": 0})
    with pytest.raises(InputError) as err:
        check_bundle_has_task(empty, "survival")
    assert "no patient has OS time and event" in str(err.value)
    assert "without --clinical" not in str(err.value) and "another --endpoint" in err.value.fix
