"""Training iterations per second of the linear experiment, every family at J = 1 and 20.

Paper architecture (256 pixels, 256 latents, MLP 256-512-1024-512-256, batch 100) on random
z-scored signals (speed does not depend on the data). Prints a table and the projected hours
of the paper-scale grid (240,000 iterations per run, 7 families x 2 J x 3 seeds).

    python bench/linear_throughput.py [--iterations 50] [--device auto]

Reference point (issue 2): the authors' code on this 2-core machine, about 0.7-0.9 s per
iteration at J = 20 and 0.12 s at J = 1.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from vsc.catalogue import FAMILY_NAMES
from vsc.config import Config, LinearConfig
from vsc.data.patches import PatchSet
from vsc.linear import LinearExperiment

PAPER_ITERATIONS = 300 * 800
PAPER_SEEDS = 3
REFERENCE_SECONDS = {1: 0.12, 20: 0.8}


def fake_patches(n: int, d: int = 256) -> PatchSet:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, d)).astype(np.float32)
    return PatchSet(train=x, val=x[:100], mean=np.zeros(d, np.float32),
                    std=np.ones(d, np.float32), meta={"dataset": "random"})


def seconds_per_iteration(family: str, samples: int, iterations: int, device: str) -> float:
    config = Config(device=device, linear=LinearConfig(epochs=100, fista_eval_every=0))
    exp = LinearExperiment(config, family, samples, 0, fake_patches(100 * (iterations + 5)))
    exp.iters_per_epoch = 5
    exp.step = 2000  # past the warm-ups, as in most of a run
    exp.train_epoch(0)  # warm-up: allocations, first-call overheads
    exp.iters_per_epoch = iterations
    if exp.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    exp.train_epoch(1)
    if exp.device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--samples", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, device {args.device}")
    print(f"{'family':30s} {'J':>3s} {'ms/iter':>8s} {'iter/s':>7s} {'x reference':>11s} "
          f"{'h per paper run':>15s}")
    total_hours = 0.0
    for family in FAMILY_NAMES:
        for j in args.samples:
            sec = seconds_per_iteration(family, j, args.iterations, args.device)
            hours = sec * PAPER_ITERATIONS / 3600
            total_hours += hours * PAPER_SEEDS
            ref = REFERENCE_SECONDS.get(j)
            speedup = f"{ref / sec:11.1f}" if ref else f"{'-':>11s}"
            print(f"{family:30s} {j:3d} {1000 * sec:8.1f} {1 / sec:7.1f} {speedup} {hours:15.1f}")
    print(f"projected paper-scale grid ({len(FAMILY_NAMES)} families x {len(args.samples)} J x "
          f"{PAPER_SEEDS} seeds, {PAPER_ITERATIONS} iterations each): {total_hours:.0f} hours "
          "on one such device, sequentially")


if __name__ == "__main__":
    main()
