"""Compare values of one model option on a bundle's validation split, over training seeds.

Each value of ``--option`` (a ``model.<name>`` key, or ``train.<key>``) trains ``--model``
once per seed with the preset otherwise unchanged (``genemoe train`` on the bundle's
train/validation/test split); the validation score of the kept model (macro-F1, or
Harrell's C for survival) is read from ``metrics.json``. The test split is scored by the
runs as usual but never read here. Used for the preset choices in docs/benchmarks.md
(expert dropout, the shared expert).

    python benchmarks/option_seeds.py --data bundles/pc33 --model moe \\
        --option model.shared_expert --values false,true --seeds 10 --work /tmp/xs --out xs.json
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import yaml

from genemoe.data.bundle import atomic_write_text
from genemoe.workflows.train import train_run


def _config(model: str, option: str, value) -> dict:
    """The ``--config`` YAML of one value: ``model.<key>`` goes under the model's section."""
    section, key = option.split(".", 1)
    cfg: dict = {"train": {"num_threads": 1}}
    if section == "model":
        cfg["model"] = {model: {key: value}}
    else:
        cfg.setdefault(section, {})[key] = value
    return cfg


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--task", default="classify")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--option", required=True, help="e.g. model.shared_expert")
    ap.add_argument("--values", required=True, help="comma-separated YAML values")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=None, help="override the preset's epochs")
    ap.add_argument("--work", required=True, help="folder for the runs")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    work, rows = Path(args.work), []
    metric = "macro_f1" if args.task == "classify" else "c_index"
    for raw in args.values.split(","):
        value = yaml.safe_load(raw)
        cfg = work / f"{args.model}_{raw}.yaml"
        work.mkdir(parents=True, exist_ok=True)
        atomic_write_text(cfg, yaml.safe_dump(_config(args.model, args.option, value)))
        for seed in range(args.seeds):
            run = work / f"{args.model}_{raw}_{seed}"
            train_run(args.data, out_dir=run, task=args.task, model_name=args.model,
                      preset=args.preset, config_path=cfg, seed=seed, device="cpu",
                      epochs=args.epochs, progress=False)
            val = json.loads((run / "metrics.json").read_text()).get("val", {}).get(metric)
            rows.append({"value": raw, "seed": seed, f"val_{metric}": val})
            print(json.dumps(rows[-1]), flush=True)
    summary = {}
    for raw in args.values.split(","):
        v = [r[f"val_{metric}"] for r in rows if r["value"] == raw]
        summary[raw] = {"mean": statistics.fmean(v),
                        "sd": statistics.stdev(v) if len(v) > 1 else None, "n": len(v)}
    out = {"data": str(args.data), "model": args.model, "option": args.option,
           "preset": args.preset, "rows": rows, "summary": summary}
    atomic_write_text(Path(args.out), json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))
    return out


if __name__ == "__main__":
    main()
