"""Calibration and the unfamiliar-sample flag on real data (pancan33_random100).

1. ``prepare`` the primary tumours (sample types 01, 03) of ``pancan33_random100`` (split 0),
   and once more with one cancer type's samples removed for each ``--held-out`` type.
2. ``train`` Gene-MOE and logistic regression (``small`` preset, one seed) on each bundle.
3. ``predict`` every sample of the expression file with each run, and measure how well
   ``ood_score`` separates (AUROC, ``sklearn.metrics.roc_auc_score``; 0.5 = chance) the
   file's normal-tissue samples (sample type 11), and each held-out type's primary
   tumours, from the held-out (test split) primary tumours of the trained types. The same
   for two scores of the outputs: the energy ``-logsumexp(logits)`` (Gene-MOE) and one
   minus the top calibrated probability (MSP). Also two obviously foreign copies of the
   test samples: values shuffled across genes, and every value x 8 (a change of units).
4. ECE of the test split before and after temperature scaling (metrics.json; before is
   ``softmax(T * log p)`` of the calibrated ``p``, which are exactly the uncalibrated
   probabilities), mean confidence and accuracy.

Bundles and runs already in ``--work`` (from an earlier call) are reused, not redone, even
if ``--seed`` differs: the record's ``reused`` lists them and each is printed; delete them
(or use a new ``--work``) to start afresh. The JSON goes to ``--out`` (default
``WORK/calibration_ood.json``), atomically.

Usage (one thread, a few minutes)::

    OMP_NUM_THREADS=1 python benchmarks/calibration_ood.py --data ../shared/data \\
        --work /tmp/calood --held-out LGG KIRC LIHC --out /tmp/calood/calibration_ood.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.atomic import atomic_write_text
from genemoe.data.prepare import PrepareConfig, PrepLog, normalise_table, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.data.scaling import Scaler
from genemoe.evaluate.metrics import expected_calibration_error
from genemoe.train.calibration import apply_temperature
from genemoe.train.model_file import load_model_file
from genemoe.train.ood import energy_score
from genemoe.workflows.predict import align_to_model, predict_table
from genemoe.workflows.predict_forward import model_outputs
from genemoe.workflows.train import train_run

MODELS = ("genemoe", "logreg")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"  # ../shared/data


def _prepare(expr: Path, labels: Path, out: Path, drop_type: str | None, work: Path) -> Path:
    if drop_type is not None:
        samples = pd.read_csv(labels, sep="\t").set_index("sample_id")
        table = pd.read_csv(expr, sep="\t", index_col=0)
        keep = samples.reindex(table.index)["cancer_type"] != drop_type
        expr = work / f"expression_without_{drop_type}.tsv.gz"
        table.loc[keep.to_numpy()].to_csv(expr, sep="\t")
    if not out.exists():
        prepare_dataset([expr], out_path=out, label_paths=[labels], config=PrepareConfig(seed=0))
    return out


def _with_foreign(table, test_ids: set[str], seed: int):
    """``table`` plus two obviously foreign copies of its test samples: values shuffled
    across genes (``shuffled:<id>``) and every value x 8 (``units:<id>``, a unit change)."""
    rng = np.random.default_rng(seed)
    test = np.isin(table.sample_ids, list(test_ids))
    vals = np.asarray(table.values, np.float64)
    shuffled = np.stack([row[rng.permutation(row.size)] for row in vals[test]])
    ids = np.asarray(table.sample_ids, dtype=object)
    return dataclasses.replace(
        table, values=np.concatenate([vals, shuffled, vals[test] * 8.0]),
        sample_ids=np.concatenate([ids, "shuffled:" + ids[test], "units:" + ids[test]]))


def _scores(run: Path, expr: Path, test_ids: set[str], seed: int) -> pd.DataFrame:
    """Predict every sample of ``expr`` (and foreign copies); add the energy and MSP scores."""
    payload = load_model_file(run)
    table = _with_foreign(read_expression(expr), test_ids, seed)
    df, _ = predict_table(payload, table, annotation=None)
    df["msp_score"] = 1.0 - df["confidence"]
    if payload["kind"] == "torch":  # the energy of the raw logits (neural models only)
        t, _ = normalise_table(table, PrepareConfig(normalisation=payload["normalisation"]), None,
                               PrepLog())
        scaler = Scaler.from_dict(payload["scaler"])
        X, _ = align_to_model(t, payload["gene_ids"], fill=scaler.shift, max_missing=1.0)
        df["energy_score"] = energy_score(model_outputs(payload, scaler.transform(X))["logits"])
    return df


def _auroc(scores: pd.Series, foreign: np.ndarray, familiar: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if not foreign.any() or not familiar.any():
        return None
    keep = foreign | familiar
    return float(roc_auc_score(foreign[keep], scores.to_numpy()[keep]))


def _separation(df: pd.DataFrame, test_ids: set[str], foreign: np.ndarray) -> dict:
    familiar = df["sample_id"].isin(test_ids).to_numpy()
    out = {"n_foreign": int(foreign.sum()), "n_familiar": int(familiar.sum()),
           "flagged_foreign": float((~df["looks_like_training"][foreign]).mean()),
           "flagged_familiar": float((~df["looks_like_training"][familiar]).mean())}
    for col in ("ood_score", "energy_score", "msp_score"):
        if col in df:
            out[f"auroc_{col.removesuffix('_score')}"] = _auroc(df[col], foreign, familiar)
    return out


def _calibration(run: Path) -> dict:
    m = json.loads((run / "metrics.json").read_text())["test"]
    cal = load_model_file(run)["calibration"]
    pred = pd.read_csv(run / "predictions.tsv", sep="\t")
    test = pred[pred["split"] == "test"]
    names = [c for c in pred if c.startswith("prob_")]
    p = test[names].to_numpy(np.float64)
    y = pd.Index([c.removeprefix("prob_") for c in names]).get_indexer(test["cancer_type"])
    raw = apply_temperature(np.log(np.clip(p, 1e-300, None)), 1.0 / cal["temperature"])
    return {"temperature": cal["temperature"], "accuracy": m["accuracy"], "macro_f1": m["macro_f1"],
            "ece_before": expected_calibration_error(y, raw), "ece_after": m["ece"],
            "confidence_before": float(raw.max(1).mean()), "confidence_after": m["mean_confidence"],
            "val_ece_before": cal["ece_before"], "val_ece_after": cal["ece_after"]}


def _reused(path: Path, results: dict) -> bool:
    """Whether ``path`` is already there (then it is recorded and said, not redone)."""
    if path.exists():
        results["reused"].append(str(path))
        print(f"reusing {path} (from an earlier call; delete it to redo it)")
        return True
    return False


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--held-out", nargs="*", default=["LGG"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None,
                    help="the JSON (default: WORK/calibration_ood.json)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    d = args.data / "pancan33_random100"
    expr, labels = d / "expression.tsv.gz", d / "samples.tsv.gz"
    for f in (expr, labels):
        if not f.is_file():
            raise SystemExit(f"calibration_ood: {f} not found; pass --data, the folder that "
                             "holds pancan33_random100/ (the shared data folder)")
    args.work.mkdir(parents=True, exist_ok=True)
    samples = pd.read_csv(labels, sep="\t").set_index("sample_id")
    results: dict = {"seed": args.seed, "separation": {}, "calibration": {}, "reused": []}
    for drop in [None, *args.held_out]:
        name = "pc33" if drop is None else f"pc33_without_{drop}"
        _reused(args.work / name, results)
        bundle = _prepare(expr, labels, args.work / name, drop, args.work)
        for model in MODELS:
            run = args.work / f"{name}_{model}"
            if not _reused(run / "model.pt", results):
                train_run(bundle, out_dir=run, model_name=model, preset="small", seed=args.seed,
                          progress=False)
            pred = pd.read_csv(run / "predictions.tsv", sep="\t")
            test_ids = set(pred.loc[pred["split"] == "test", "sample_id"])
            df = _scores(run, expr, test_ids, args.seed)
            info = samples.reindex(df["sample_id"])
            sets = {"shuffled genes": df["sample_id"].str.startswith("shuffled:").to_numpy(),
                    "units x 8": df["sample_id"].str.startswith("units:").to_numpy()}
            if drop is None:
                sets["normal tissue"] = (info["sample_type"] == "Solid Tissue Normal").to_numpy()
                results["calibration"][model] = _calibration(run)
            else:
                sets[f"held-out {drop}"] = ((info["cancer_type"] == drop)
                                            & info["sample_type"].str.startswith("Primary")).to_numpy()
            key = "without none" if drop is None else f"without {drop}"
            results["separation"].setdefault(key, {})[model] = {
                k: _separation(df, test_ids, f) for k, f in sets.items()}
            print(key, model, json.dumps(results["separation"][key][model]))
    out = args.out or args.work / "calibration_ood.json"
    atomic_write_text(out, json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
