"""Image backbones: genemoe's gene-vector model vs the plain timm model, and IG cost.

For each backbone and image size: training samples/s of the genemoe model (gene vector →
layout → resize → normalise → timm features → head; forward + backward + Adam step, every
parameter trainable) against the plain timm model (its own classifier) on the same batch
already as images — the ratio is what the layout and head cost (the issue wants ≥ 0.8) —
and Integrated Gradients seconds per sample.

Usage::

    python benchmarks/bench_image.py --quick --out bench_out/image.json   # resnet50 @ 64
    python benchmarks/bench_image.py --out image.json                     # 4 nets x 64/128/224
    python benchmarks/bench_image.py --names resnet50 vgg19 --sizes 64 224 --ig-steps 16
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch


def _rate(step, n: int, *, repeats: int) -> float:
    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeats):
        step()
    return n * repeats / (time.perf_counter() - t0)


def bench_one(name: str, size: int, *, n_genes: int, batch: int, repeats: int,
              ig_steps: int) -> dict:
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
    r_ours, r_plain = _rate(ours, batch, repeats=repeats), _rate(timm_step, batch, repeats=repeats)
    X = np.random.default_rng(0).normal(size=(2, n_genes)).astype(np.float32)
    t0 = time.perf_counter()
    attribute(model, X, target=0, n_steps=ig_steps, internal_batch_size=ig_steps)
    ig_s = (time.perf_counter() - t0) / len(X)
    return {"train_samples_per_s": r_ours, "timm_train_samples_per_s": r_plain,
            "ratio_vs_timm": r_ours / r_plain, "ig_seconds_per_sample": ig_s,
            "ig_steps": ig_steps}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="resnet50 at 64 x 64 only")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    ap.add_argument("--threads", type=int, default=None, help="torch threads")
    ap.add_argument("--names", nargs="+", default=None, help="backbones (default: all four)")
    ap.add_argument("--sizes", nargs="+", type=int, default=None, help="image sizes (64 128 224)")
    ap.add_argument("--ig-steps", type=int, default=None, help="IG steps (default 50; quick 16)")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    names = args.names or (["resnet50"] if args.quick else ["resnet50", "densenet169", "vgg19", "xception"])
    sizes = args.sizes or ([64] if args.quick else [64, 128, 224])
    ig_steps = args.ig_steps or (16 if args.quick else 50)
    n_genes, batch = 5000, 16
    results: dict[str, dict] = {}
    for name in names:
        for size in sizes:
            try:
                r = bench_one(name, size, n_genes=n_genes, batch=batch,
                              repeats=3 if args.quick else 2, ig_steps=ig_steps)
            except Exception as exc:  # report and go on
                r = {"error": f"{type(exc).__name__}: {exc}"}
            results.setdefault(name, {})[str(size)] = r
            print(name, size, json.dumps(r), flush=True)
    data = {"n_genes": n_genes, "batch": batch, "threads": torch.get_num_threads(),
            "backbones": results, "goal_ratio": 0.8,
            "failures": [f"{n}@{s}" for n, d in results.items() for s, r in d.items() if "error" in r]}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
