"""Derive preset values from a ``genemoe benchmark --tune N`` run's studies (validation only).

Every cell of a tuned benchmark runs one Optuna study on its fold's validation part. The
studies of one model share the sampler seed, so their first (random, startup) trials draw
the same configurations in every fold. This script takes, for each model, the
configurations that finished in *every* fold's study and ranks them by their mean
validation score across the folds (the test parts never enter: a study only sees its
fold's training and validation parts). The best one is written as a YAML fragment for a
preset: ``model.<name>`` options and a ``train_<task>_models.<name>`` recipe, with a
``tuned_on`` entry saying where the values come from and that the validation parts of
one fold sit in the test parts of the others.

Usage::

    python benchmarks/derive_presets.py BENCH_DIR --models genemoe moe mlp fcn --out derived.yaml
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import yaml


def _decode(value: Any) -> Any:
    """Optuna stores list choices as JSON text; give them back as lists."""
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value)
    return value


def shared_configs(storage: str, prefix: str, model: str, n_folds: int, repeat: int = 0
                   ) -> list[dict[str, Any]]:
    """Configurations finished in every fold's study, best mean validation score first.

    Returns
    -------
    list of dict
        ``{"params", "scores" (per fold), "mean", "sd"}``.
    """
    by_key: dict[str, dict[int, float]] = defaultdict(dict)
    params: dict[str, dict[str, Any]] = {}
    for fold in range(n_folds):
        study = optuna.load_study(study_name=f"{prefix}-{model}-r{repeat}-f{fold}", storage=storage)
        for t in study.trials:
            if t.state == optuna.trial.TrialState.COMPLETE:
                key = json.dumps(t.params, sort_keys=True)
                by_key[key][fold] = float(t.value)
                params[key] = {k: _decode(v) for k, v in t.params.items()}
    rows = [{"params": params[k], "scores": [s[f] for f in range(n_folds)],
             "mean": float(np.mean(list(s.values()))), "sd": float(np.std(list(s.values()), ddof=1))}
            for k, s in by_key.items() if len(s) == n_folds]
    return sorted(rows, key=lambda r: -r["mean"])


def fragment(model: str, task: str, row: dict[str, Any], n_candidates: int, bench: Path,
             protocol: dict[str, Any]) -> dict[str, Any]:
    """The preset fragment (model options, per-model recipe, tuned_on) of one model."""
    model_opts = {k.removeprefix("model."): v for k, v in row["params"].items() if k.startswith("model.")}
    train_opts = {k.removeprefix("train."): v for k, v in row["params"].items() if k.startswith("train.")}
    data = Path(str(protocol.get("bundle_path", "?"))).name
    tuned = {
        "value": {**{f"model.{k}": v for k, v in model_opts.items()},
                  **{f"train.{k}": v for k, v in train_opts.items()}},
        "data": f"{data} ({protocol.get('n_folds')}-fold benchmark, seed {protocol.get('seed')})",
        "part": (f"each fold's validation part (Optuna, {protocol.get('tune')} trials a fold); of the "
                 f"{n_candidates} configurations finished in every fold, the best mean validation "
                 f"score: {row['mean']:.3f} (folds: {', '.join(f'{s:.3f}' for s in row['scores'])})"),
        "overlaps_benchmark_test_folds": True,
        "see": f"benchmarks/derive_presets.py {bench.name}; docs/benchmarks.md",
    }
    return {"model": {model: model_opts}, f"train_{task}_models": {model: train_opts},
            "tuned_on": {f"model.{model}, train_{task}_models.{model}": tuned}}


class _NoAliases(yaml.SafeDumper):
    """Write a repeated value out again (a preset is read by people) instead of an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bench_dir", type=Path)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    protocol = json.loads((args.bench_dir / "protocol.json").read_text())
    storage = f"sqlite:///{(args.bench_dir / 'tuning.db').resolve()}"
    prefix = str(protocol["study_key"])[:12]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out: dict[str, Any] = {}
    for model in args.models:
        rows = shared_configs(storage, prefix, model, int(protocol["n_folds"]))
        if not rows:
            print(f"{model}: no configuration finished in every fold", file=sys.stderr)
            return 1
        print(f"{model}: {len(rows)} shared configurations, mean validation "
              + ", ".join(f"{r['mean']:.3f}" for r in rows))
        frag = fragment(model, str(protocol["task"]), rows[0], len(rows), args.bench_dir, protocol)
        for section, value in frag.items():
            out.setdefault(section, {}).update(value)
    args.out.write_text(yaml.dump(out, Dumper=_NoAliases, sort_keys=False, width=100))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
