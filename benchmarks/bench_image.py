"""Image backbones: genemoe's gene-vector model vs the plain timm model, and IG cost.

For each backbone and image size: training samples/s of the genemoe model (gene vector →
layout → resize → normalise → timm features → head; forward + backward + Adam step, every
parameter trainable) against the plain timm model (its own classifier) on the same batch
already as images — the ratio is what the layout and head cost (the issue wants ≥ 0.8) —
and Integrated Gradients seconds per sample. The two models' steps alternate over
``--rounds`` rounds (after one warm-up step each), the first of the pair swapped every
round, so neither always runs first; the record keeps each round's ratio and reports the
median ratio and median samples/s.

Usage::

    python benchmarks/bench_image.py --quick --out bench_out/image.json   # resnet50 @ 64
    python benchmarks/bench_image.py --out image.json                     # 4 nets x 64/128/224
    python benchmarks/bench_image.py --names resnet50 vgg19 --sizes 64 224 --ig-steps 16
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch


def alternated_rates(steps: dict[str, Callable[[], None]], n: int, *, repeats: int,
                     rounds: int) -> dict[str, list[float]]:
    """Samples/s of each step in each round, the steps taken in turn.

    Each step runs once to warm up; then, ``rounds`` times, each runs ``repeats`` times in a
    row, in the given order in even rounds and reversed in odd ones.
    """
    names = list(steps)
    for name in names:
        steps[name]()  # warm-up
    rates: dict[str, list[float]] = {k: [] for k in names}
    for i in range(rounds):
        for name in names if i % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            for _ in range(repeats):
                steps[name]()
            rates[name].append(n * repeats / (time.perf_counter() - t0))
    return rates


def bench_one(name: str, size: int, *, n_genes: int, batch: int, repeats: int,
              ig_steps: int, rounds: int = 3) -> dict:
    from genemoe.explain.integrated_gradients import attribute
    from genemoe.models.backbones import BACKBONES, import_timm
    from genemoe.models.registry import create_model

    timm = import_timm()
    torch.manual_seed(0)
    model = create_model(name, n_genes=n_genes, n_outputs=33, task="classify", image_size=size,
                         weights="none", finetune="all", dropout=0.0)
    x = torch.randn(batch, n_genes)
    y = torch.randint(0, 33, (batch,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)

    def ours() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x).out, y).backward()
        opt.step()

    plain = timm.create_model(BACKBONES[name].timm_name, num_classes=33,
                              **dict(BACKBONES[name].kwargs))
    with torch.no_grad():
        images = model.images(x)  # the same batch, already as images
    popt = torch.optim.Adam(plain.parameters(), lr=1e-4)

    def timm_step() -> None:
        popt.zero_grad()
        torch.nn.functional.cross_entropy(plain(images), y).backward()
        popt.step()

    model.train()
    plain.train()
    rates = alternated_rates({"genemoe": ours, "timm": timm_step}, batch, repeats=repeats,
                             rounds=rounds)
    ratios = [a / b for a, b in zip(rates["genemoe"], rates["timm"], strict=True)]
    X = np.random.default_rng(0).normal(size=(2, n_genes)).astype(np.float32)
    t0 = time.perf_counter()
    attribute(model, X, target=0, n_steps=ig_steps, internal_batch_size=ig_steps)
    ig_s = (time.perf_counter() - t0) / len(X)
    return {"train_samples_per_s": statistics.median(rates["genemoe"]),
            "timm_train_samples_per_s": statistics.median(rates["timm"]),
            "ratio_vs_timm": statistics.median(ratios), "ratio_rounds": ratios,
            "rounds": rounds, "steps_per_round": repeats,
            "ig_seconds_per_sample": ig_s, "ig_steps": ig_steps}


def result_line(name: str, size: int, r: dict) -> str:
    """One cell for people (at most 100 characters; the JSON keeps every number)."""
    if "error" in r:
        return f"{name} @{size}: FAILED {r['error']}"[:100]
    ratios = r["ratio_rounds"]
    return (f"{name} @{size}: {r['train_samples_per_s']:.1f} vs timm "
            f"{r['timm_train_samples_per_s']:.1f} samples/s; median ratio "
            f"{r['ratio_vs_timm']:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f}); "
            f"IG {r['ig_seconds_per_sample']:.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="resnet50 at 64 x 64 only")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    ap.add_argument("--threads", type=int, default=None, help="torch threads")
    ap.add_argument("--names", nargs="+", default=None, help="backbones (default: all four)")
    ap.add_argument("--sizes", nargs="+", type=int, default=None, help="image sizes (64 128 224)")
    ap.add_argument("--ig-steps", type=int, default=None, help="IG steps (default 50; quick 16)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternated timing rounds of the two models (default 3)")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    names = args.names or (["resnet50"] if args.quick
                           else ["resnet50", "densenet169", "vgg19", "xception"])
    sizes = args.sizes or ([64] if args.quick else [64, 128, 224])
    ig_steps = args.ig_steps or (16 if args.quick else 50)
    n_genes, batch = 5000, 16
    results: dict[str, dict] = {}
    for name in names:
        for size in sizes:
            try:
                r = bench_one(name, size, n_genes=n_genes, batch=batch, repeats=1,
                              ig_steps=ig_steps, rounds=max(1, args.rounds))
            except Exception as exc:  # report and go on
                r = {"error": f"{type(exc).__name__}: {exc}"}
            results.setdefault(name, {})[str(size)] = r
            print(result_line(name, size, r), flush=True)
    data = {"n_genes": n_genes, "batch": batch, "threads": torch.get_num_threads(),
            "backbones": results, "goal_ratio": 0.8,
            "failures": [f"{n}@{s}" for n, d in results.items() for s, r in d.items()
                         if "error" in r]}
    if args.out:
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(args.out, json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
