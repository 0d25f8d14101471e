"""The real-data claims of "Gene-MOE models and supervised training", end to end (slow).

Each test prepares a real bundle in a temporary folder, trains through
:func:`genemoe.workflows.train.train_run` (validation selects, the test split is scored once) and
asserts only comparisons that held on every split seed and training seed tried; the runs
behind them, and the comparisons that did NOT hold, are in ``docs/results.md``.

Runs use one torch thread: on a loaded 2-core machine a Gene-MOE training step took 8.3 s
with torch's default two threads against 0.54 s with one, and the asserted numbers were
measured with one thread (CPU results are deterministic for a given thread count).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import yaml

from genemoe.data.prepare import prepare_dataset
from genemoe.workflows.train import train_run

pytestmark = pytest.mark.slow

GDC_TYPES = ("ACC", "CHOL", "DLBC", "KICH", "UCS", "UVM")
ONE_THREAD = {"num_threads": 1, "checkpoint_every": 1000}  # speed and disk only, not results
# Survival settings chosen on the gdc6 validation split (3 seeds x lr {1e-4 .. 3e-3} x dropout
# {0.25, 0.5}); they cannot live in the shared `train:` section of the small preset, where
# pancan33 validation wants lr 1e-3 (see docs/results.md).
SURVIVAL_OVERRIDE = {"lr": 1.0e-4, "epochs": 40, "patience": 8}


@pytest.fixture
def one_thread():
    """Restore torch's thread count after a run that set it (the setting is process-wide)."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def _overlay(path: Path, **train) -> Path:
    path.write_text(yaml.safe_dump({"train": {**ONE_THREAD, **train}}))
    return path


@pytest.fixture(scope="module")
def pancan33(shared_data, tmp_path_factory) -> Path:
    d = shared_data / "pancan33_random100"
    out = tmp_path_factory.mktemp("real") / "pancan33"
    prepare_dataset([d / "expression.tsv.gz"], out_path=out, label_paths=[d / "samples.tsv.gz"])
    return out


@pytest.fixture(scope="module")
def gdc6(shared_data, tmp_path_factory) -> Path:
    g = shared_data / "gdc_counts_6types"
    out = tmp_path_factory.mktemp("real") / "gdc6"
    prepare_dataset([g / f"TCGA_{t}_Counts.exp.gz" for t in GDC_TYPES], out_path=out,
                    label_paths=[g / f"TCGA_{t}_Target.txt.gz" for t in GDC_TYPES],
                    clinical_path=shared_data / "tcga_survival/clinical_survival.tsv.gz",
                    annotation_path=shared_data / "annotation/ensembl105_genes.tsv.gz")
    return out


def _selection_score(record: dict) -> float:
    """What the trainer selects on: the mean validation metric of the last ``select_window``
    epochs where the run sets a window (``val_selection``; null before the first full
    window), else the epoch's own validation metric."""
    value = record.get("val_selection", record["val_metric"])
    return -math.inf if value is None or not math.isfinite(value) else float(value)


def _selected_on_validation(run_dir: Path) -> None:
    """The kept epoch is the best selection score of the run's own history, a tie going to
    the lower validation loss, then to the earlier epoch (``train.loop``'s rule)."""
    history = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    window = config["train_config"]["select_window"]
    assert config["train_config"]["min_delta"] == 0  # the rule below assumes no margin
    for i, record in enumerate(history):  # a window mean is the mean of the epochs it names
        if window > 1 and i >= window - 1:
            mean = sum(h["val_metric"] for h in history[i - window + 1:i + 1]) / window
            assert record["val_selection"] == pytest.approx(mean)
    best = max(_selection_score(h) for h in history)
    tied = [h for h in history if _selection_score(h) == best]
    assert config["best_epoch"] == min(tied, key=lambda h: (h["val_loss"], h["epoch"]))["epoch"]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["protocol"]["selection"] == "validation split"


def test_pancan33_genemoe_and_the_tuned_svm(pancan33, tmp_path, one_thread):
    """Same split: Gene-MOE (small) and the SVM tuned on validation both classify well.

    Until issue 10 this test asserted Gene-MOE >= `--model svm`; that held only against an
    SVM running untuned (C = 1, gamma "scale"). Tuned on the validation split, the SVM
    reaches 0.813 test macro-F1 here against Gene-MOE's 0.804 (2026-11-29), so the old
    claim is gone; what is asserted is what both models reach, and that the SVM chose its
    C and gamma on validation.
    """
    cfg = _overlay(tmp_path / "overlay.yaml")
    svm = train_run(pancan33, out_dir=tmp_path / "svm", task="classify", model_name="svm",
                    progress=False)
    gm = train_run(pancan33, out_dir=tmp_path / "genemoe", task="classify", model_name="genemoe",
                   preset="small", config_path=cfg, seed=0, progress=False)
    _selected_on_validation(gm.out_dir)
    assert gm.metrics["protocol"]["n"] == {"train": 693, "val": 100, "test": 197}
    fitted = yaml.safe_load((svm.out_dir / "config.yaml").read_text())["params"]["fitted"]
    assert fitted["selection"] == "validation" and {"C", "gamma_scale"} <= set(fitted["chosen"])
    for run in (gm, svm):
        assert run.metrics["test"]["macro_f1"] > 0.75 and run.metrics["test"]["accuracy"] > 0.80


@pytest.mark.parametrize("model_name", ["fcn", "moe", "mlp"])
def test_pancan33_ablation_models_train_and_report(pancan33, tmp_path, one_thread, model_name):
    """The paper's ablations (two FC layers, MOE only) and the MLP train on the same split.

    Every such run tried scored 0.79-0.87 test accuracy (chance: 0.03); 0.7 leaves room for
    another machine's float rounding without letting a broken model through.
    """
    run = train_run(pancan33, out_dir=tmp_path / model_name, task="classify",
                    model_name=model_name, preset="small",
                    config_path=_overlay(tmp_path / "overlay.yaml"), seed=0, progress=False)
    _selected_on_validation(run.out_dir)
    for split in ("val", "test"):
        assert math.isfinite(run.metrics[split]["macro_f1"])
    assert run.metrics["test"]["accuracy"] > 0.7


def test_gdc6_cox_genemoe_and_coxnet_both_rank_acc_and_uvm_patients(gdc6, tmp_path, one_thread):
    """Same bundle and split: Cox Gene-MOE (validation-chosen lr 1e-4) and `--model coxnet`
    (its defaults) each rank the test patients well above chance: C-index >= 0.65 pooled
    (74 patients, 26 deaths) and >= 0.6 on ACC's and on UVM's 16 test patients each.
    Measured on 2026-12-03: pooled 0.689 (Gene-MOE) and 0.697 (Coxnet), ACC 0.727 and
    0.636, UVM 0.766 and 0.809.

    This was an ordering (Gene-MOE >= Coxnet per type) that held on 9 of 9 runs when it was
    written, but each type has 16 test patients with 4-7 deaths: the bootstrap 95%
    intervals are 0.17-0.75 wide and overlap in every run, and on the machine of
    2026-12-02/03 the same code gave UVM 0.766 (Gene-MOE) against 0.809 (Coxnet), on the
    session's starting code too. An ordering inside overlapping intervals is not something
    a test can hold a pipeline to; what it can hold is that both models find the signal.
    The paired comparison over folds is the benchmark's (docs/benchmarks.md).
    """
    cox = train_run(gdc6, out_dir=tmp_path / "coxnet", task="survival", model_name="coxnet",
                    progress=False)
    gm = train_run(gdc6, out_dir=tmp_path / "genemoe", task="survival", model_name="genemoe",
                   preset="small", config_path=_overlay(tmp_path / "o.yaml", **SURVIVAL_OVERRIDE),
                   seed=0, progress=False)
    _selected_on_validation(gm.out_dir)
    print(f"pooled: Gene-MOE {gm.metrics['test']['c_index']:.3f}, "
          f"coxnet {cox.metrics['test']['c_index']:.3f}")
    for cancer_type in ("ACC", "UVM"):
        ours = gm.metrics["test"]["c_index_by_type"][cancer_type]
        theirs = cox.metrics["test"]["c_index_by_type"][cancer_type]
        assert ours["n"] == theirs["n"] == 16  # the same test patients
        print(f"{cancer_type}: Gene-MOE {ours['c_index']:.3f}, coxnet {theirs['c_index']:.3f}")
        assert ours["c_index"] >= 0.6 and theirs["c_index"] >= 0.6, cancer_type
    assert gm.metrics["test"]["c_index"] >= 0.65 and cox.metrics["test"]["c_index"] >= 0.65
