"""Which model-selection criterion holds steady? Measured on validation data only.

For each fold of a survival benchmark's plan (repeat 0), a *check* part (``--check-fraction``
of the fold's training part, stratified by type and event) is set aside before training.
The model trains on the rest, early-stops and keeps its best epoch by each criterion of
``genemoe.train.fit.SURVIVAL_SELECTION`` read on the fold's validation part, and the kept
model is scored (Harrell's C) on the check part, which took no part in training or
selection. The test part of every fold is never read. A criterion that picks epochs which
generalise scores higher on the check part; how often it keeps an epoch <= 5 is reported too.
``--windows 1,3`` also tries each criterion on the mean of the last w epochs (``train:
select_window``); ``--criteria`` picks criteria.

    python benchmarks/survival_selection.py --data bundles/gdc6 --model genemoe --out sel.json
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from genemoe.data.bundle import atomic_write_text, load_bundle
from genemoe.data.splits import stratified_split, stratify_keys
from genemoe.train.fit import fit_model, resolve_config
from genemoe.train.selection import SURVIVAL_SELECTION, selection_metric
from genemoe.workflows.folds import fold_data, plan_folds


def _split_check(train, fraction: float, seed: int):
    """The fold's training part → (train, check), stratified by type (and event)."""
    survival = train.event is not None
    keys = stratify_keys(train.groups, train.event) if survival else np.asarray(train.groups)
    part = stratified_split(keys, val_fraction=fraction, test_fraction=0.0, seed=seed)
    keep, check = np.flatnonzero(part == "train"), np.flatnonzero(part == "val")

    def sub(rows):
        def take(a):
            return None if a is None else a[rows]

        return replace(train, X=train.X[rows], rows=train.rows[rows], y=take(train.y),
                       time=take(train.time), event=take(train.event), groups=train.groups[rows])

    return sub(keep), sub(check)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default="genemoe")
    ap.add_argument("--task", default="survival", choices=("survival", "classify"),
                    help="classify: the windows only (macro-F1 on validation, scored on check)")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--check-fraction", type=float, default=0.2)
    ap.add_argument("--windows", default="1", help="comma-separated select_window values")
    ap.add_argument("--criteria", default=",".join(SURVIVAL_SELECTION))
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    bundle = load_bundle(args.data)
    task = args.task
    windows = [int(w) for w in args.windows.split(",")]
    criteria = args.criteria.split(",") if task == "survival" else ["macro_f1"]
    variants = [(c, w) for c in criteria for w in windows]
    n_out = 1 if task == "survival" else len(bundle.class_names)
    rows = []
    for plan in plan_folds(bundle, task, n_folds=args.folds, seed=0):
        fold = fold_data(bundle, plan, task, bundle.class_names)
        train, check = _split_check(fold.parts["train"], args.check_fraction, seed=plan.fold)
        data = {"train": train, "val": fold.parts["val"], "check": check}
        score = selection_metric(task, n_out)
        for seed in range(args.seeds):
            for crit, window in variants:
                _, model_cfg, train_cfg = resolve_config(args.preset, None, args.model, seed=seed,
                                                         device="cpu", epochs=None, task=task)
                chosen = {"select_window": window}
                if task == "survival":
                    chosen["survival_selection"] = crit
                t0 = time.perf_counter()
                res = fit_model(args.model, task, data, model_cfg=model_cfg,
                                train_cfg={**train_cfg, **chosen, "num_threads": 1},
                                n_outputs=n_out, gene_variance=fold.gene_variance)
                rows.append({"fold": plan.fold, "seed": seed,
                             "criterion": crit if window == 1 else f"{crit} w{window}",
                             "best_epoch": res.info["best_epoch"],
                             "epochs_run": len(res.history),
                             "check_score": score(res.outputs["check"], check.targets(task)),
                             "seconds": round(time.perf_counter() - t0, 1)})
                print(json.dumps(rows[-1]), flush=True)
    summary = {}
    for crit in dict.fromkeys(x["criterion"] for x in rows):
        r = [x for x in rows if x["criterion"] == crit]
        c = np.array([x["check_score"] for x in r])
        summary[crit] = {"check_mean": float(c.mean()), "check_sd": float(c.std(ddof=1)) if len(c) > 1 else None,
                         "best_epoch": [x["best_epoch"] for x in r],
                         "share_kept_epoch_le_5": float(np.mean([x["best_epoch"] <= 5 for x in r]))}
    out = {"data": str(args.data), "model": args.model, "task": task, "preset": args.preset,
           "check_metric": "c_index" if task == "survival" else "macro_f1",
           "check_fraction": args.check_fraction, "rows": rows, "summary": summary}
    atomic_write_text(Path(args.out), json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))
    return out


if __name__ == "__main__":
    main()
