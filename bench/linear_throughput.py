"""Training iterations per second of the linear experiment, every family at J = 1 and 20.

Paper architecture (256 pixels, 256 latents, MLP 256-512-1024-512-256, batch 100) on random
z-scored signals (speed does not depend on the data). Prints a table and the projected hours
of the paper-scale grid (240,000 iterations per run, 7 families x 2 J x 3 seeds).

    python bench/linear_throughput.py [--iterations 50] [--repeats 3] [--device auto]

Each time is the median of ``--repeats`` timed epochs. The +Gamma families are timed with
both Gamma samplers (family.threshold.gamma_sampler). Two goals are printed with their
measured ratios, with the process's threads and with one: the thresholded Laplacian's J = 20
iteration within 1.3x of its J = 1 iteration, and the Gamma families at J = 20 within 1.3x
of the thresholded Laplacian.

Reference point (issue 2): the authors' code on this 2-core machine, about 0.7-0.9 s per
iteration at J = 20 and 0.12 s at J = 1.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import torch

from vsc.allocator import keep_freed_memory
from vsc.catalogue import FAMILY_NAMES
from vsc.config import Config, FamilyConfig, LinearConfig, ThresholdConfig
from vsc.data.patches import PatchSet
from vsc.linear import LinearExperiment, bundle_experiments

PAPER_ITERATIONS = 300 * 800
PAPER_SEEDS = 3
REFERENCE_SECONDS = {1: 0.12, 20: 0.8}
T = TypeVar("T")


def fake_patches(n: int, d: int = 256) -> PatchSet:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, d)).astype(np.float32)
    return PatchSet(train=x, val=x[:100], mean=np.zeros(d, np.float32),
                    std=np.ones(d, np.float32), meta={"dataset": "random"})


WARM_STEP = 2000  # past the warm-ups, as in most of a run


def mid_run(families: list[str], samples: int, iterations: int, device: str,
            gamma_sampler: str = "torch") -> list[LinearExperiment]:
    """Paper-architecture runs of ``families`` (the i-th with seed i) on random patches, as
    one bundle, placed at iteration WARM_STEP with epochs of ``iterations``; every benchmark
    of linear training times these."""
    config = Config(device=device, linear=LinearConfig(epochs=100, fista_eval_every=0),
                    family=FamilyConfig(threshold=ThresholdConfig(gamma_sampler=gamma_sampler)))
    runs = bundle_experiments(config, samples, [(f, seed) for seed, f in enumerate(families)],
                              fake_patches(100 * (iterations + 5)))
    for run in runs:
        run.set_position(WARM_STEP, iterations)
    return runs


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def seconds(fn: Callable[[], object], device: torch.device) -> float:
    """Wall seconds of one call of ``fn``, the device synchronised before and after."""
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def timed_result(fn: Callable[[], T], device: torch.device, repeats: int) -> tuple[T, float]:
    """The result of one warm-up call of ``fn`` (allocations, first-call overheads) and the
    median wall seconds of ``repeats`` further calls."""
    result = fn()
    return result, statistics.median(seconds(fn, device) for _ in range(repeats))


def median_seconds(fn: Callable[[], object], device: torch.device, repeats: int) -> float:
    """Median wall seconds of ``fn`` over ``repeats`` calls after one warm-up call."""
    return timed_result(fn, device, repeats)[1]


def epoch_timer(exp: LinearExperiment) -> Callable[[], float]:
    """A function that times one training epoch of ``exp``, each from the state ``exp`` has
    now (weights, step and random stream restored, outside the timing): repeated epochs on
    random patches would otherwise drift until an unthresholded family diverges."""
    start = copy.deepcopy(exp.state_dict())

    def timed_epoch() -> float:
        exp.load_state_dict(copy.deepcopy(start))
        return seconds(lambda: exp.train_epoch(0), exp.device)
    return timed_epoch


def seconds_per_iteration(family: str, samples: int, iterations: int, device: str,
                          repeats: int = 1, gamma_sampler: str = "torch") -> float:
    """Median seconds per training iteration over ``repeats`` epochs of ``iterations``
    (after a warm-up epoch), each epoch from the same state."""
    (exp,) = mid_run([family], samples, iterations, device, gamma_sampler)
    timed_epoch = epoch_timer(exp)
    timed_epoch()
    return statistics.median(timed_epoch() for _ in range(repeats)) / iterations


GAMMA_FAMILIES = ("thresholded_gaussian_gamma", "thresholded_laplacian_gamma")
GOAL_RATIO = 1.3  # J = 20 against J = 1, and the +Gamma families against the Laplacian


def alternating_ratio(numerator: tuple[str, int, str], denominator: tuple[str, int, str],
                      iterations: int, repeats: int, device: str = "cpu") -> float:
    """Median over ``repeats`` of the seconds per iteration of ``numerator`` over those of
    ``denominator``, each a (family, J, Gamma sampler), the two timed in alternation (one
    epoch each) so that a change in the machine's load hits both alike."""
    (top,) = mid_run([numerator[0]], numerator[1], iterations, device, numerator[2])
    (bottom,) = mid_run([denominator[0]], denominator[1], iterations, device, denominator[2])
    top_epoch, bottom_epoch = epoch_timer(top), epoch_timer(bottom)
    top_epoch()  # warm-ups
    bottom_epoch()
    return statistics.median(top_epoch() / bottom_epoch() for _ in range(repeats))


def gamma_ratio(family: str, sampler: str, iterations: int, repeats: int,
                device: str = "cpu") -> float:
    """``family`` with ``sampler`` over the thresholded Laplacian, both at J = 20."""
    return alternating_ratio((family, 20, sampler), ("thresholded_laplacian", 20, "torch"),
                             iterations, repeats, device)


def goal_line(what: str, ratio: float, threads: int) -> str:
    return (f"goal: {what} within {GOAL_RATIO}x, {threads} thread(s): {ratio:.2f}x, "
            f"{'met' if ratio <= GOAL_RATIO else 'NOT MET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--samples", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    keep_freed_memory()  # as every vsc command does
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, device {args.device}, "
          f"median of {args.repeats} epochs of {args.iterations} iterations")
    print(f"{'family':30s} {'sampler':16s} {'J':>3s} {'ms/iter':>8s} {'iter/s':>7s} "
          f"{'x reference':>11s} {'h per paper run':>15s}")
    total_hours, ms = 0.0, {}
    for family in FAMILY_NAMES:
        for j in args.samples:
            for sampler in (("torch", "marsaglia_tsang") if family in GAMMA_FAMILIES
                            else ("-",)):
                sec = seconds_per_iteration(family, j, args.iterations, args.device,
                                            args.repeats, "torch" if sampler == "-" else sampler)
                ms[(family, j, sampler)] = 1000 * sec
                hours = sec * PAPER_ITERATIONS / 3600
                if sampler != "torch":  # the projection uses the faster sampler
                    total_hours += hours * PAPER_SEEDS
                ref = REFERENCE_SECONDS.get(j)
                speedup = f"{ref / sec:11.1f}" if ref else f"{'-':>11s}"
                print(f"{family:30s} {sampler:16s} {j:3d} {1000 * sec:8.1f} {1 / sec:7.1f} "
                      f"{speedup} {hours:15.1f}")
    print(f"projected paper-scale grid ({len(FAMILY_NAMES)} families x {len(args.samples)} J x "
          f"{PAPER_SEEDS} seeds, {PAPER_ITERATIONS} iterations each): {total_hours:.0f} hours "
          "on one such device, sequentially")
    # The goals, each timed in alternation with its reference, with this process's threads
    # and with one (as the workflow runs each job): torch draws CPU random numbers on one
    # thread, so the J = 20 steps gain less from a second one than the rest.
    threads = torch.get_num_threads()
    for n_threads in dict.fromkeys((threads, 1)):
        torch.set_num_threads(n_threads)
        ratio = alternating_ratio(("thresholded_laplacian", 20, "torch"),
                                  ("thresholded_laplacian", 1, "torch"), args.iterations,
                                  args.repeats, args.device)
        print(goal_line("thresholded_laplacian at J = 20 against its J = 1", ratio, n_threads))
        for family in GAMMA_FAMILIES:
            for sampler in ("torch", "marsaglia_tsang"):
                ratio = gamma_ratio(family, sampler, args.iterations, args.repeats,
                                    args.device)
                print(goal_line(f"{family} ({sampler}) at J = 20 against the thresholded "
                                "Laplacian", ratio, n_threads))
    torch.set_num_threads(threads)


if __name__ == "__main__":
    main()
