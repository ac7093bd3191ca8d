"""One table of what a device does for the suite: linear training iterations per second alone
and in bundles, FISTA against the host's solvers, DNN images per second, and the projected
wall time of the paper's linear and CelebA grids, each goal with its ratio and met / not met.

    python bench/device_check.py             # on a CUDA machine (scripts/device_check.sh)
    python bench/device_check.py --reduced   # CPU, small sizes: seconds, so CI keeps it alive

Speed does not depend on the data: random z-scored patches and random images stand in.
Every rate is the median of ``--repeats`` timed repeats after a warm-up.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmarks
from dnn_throughput import PAPER_IMAGES_PER_RUN, PAPER_RUNS, images_per_second
from fista import LAM, gabor_dictionary
from linear_throughput import median_seconds, mid_run, seconds, timed_result

from vsc.allocator import keep_freed_memory
from vsc.bundle import train_together
from vsc.catalogue import FAMILY_NAMES
from vsc.config import load_config
from vsc.data.patches import load_patches
from vsc.fista import fista
from vsc.linear import bundle_experiments
from vsc.metrics import sparse_coding_objective
from vsc.runtime import resolve_device

REPO = Path(__file__).resolve().parents[1]
PAPER_ITERATIONS = 300 * 800
PAPER_SEEDS = 3
PAPER_BUNDLE = 21  # config/paper.yaml: the 7 families x 3 seeds of one J in one job


def bundle_seconds(families: list[str], samples: int, iterations: int, device: str,
                   repeats: int) -> float:
    """Seconds per training iteration of a bundle of runs of ``families`` (one seed each,
    paper architecture), past the warm-ups."""
    runs = mid_run(families, samples, iterations, device)
    return median_seconds(lambda: train_together(runs, 0), runs[0].device,
                          repeats) / iterations


def mixed(n: int, families: list[str] = FAMILY_NAMES) -> list[str]:
    """n runs cycling through the families, as a bundle of the paper's grid mixes them."""
    return [families[i % len(families)] for i in range(n)]


class Table:
    """Rows of (what, measured, goal) printed as one aligned table at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []
        self.failed = False

    def add(self, what: str, measured: str, goal: str = "") -> None:
        self.rows.append((what, measured, goal))
        print(f"  {what}: {measured} {goal}", file=sys.stderr, flush=True)

    def print(self, title: str) -> None:
        width = max(len(r[0]) for r in self.rows)
        mwidth = max(len(r[1]) for r in self.rows)
        print(f"\n{title}\n{'-' * len(title)}")
        for what, measured, goal in self.rows:
            print(f"{what:{width}s}  {measured:>{mwidth}s}  {goal}")


def goal(ratio: float, needed: float, text: str) -> str:
    return f"goal {text}: {ratio:.2f}x, {'met' if ratio >= needed else 'NOT MET'}"


def linear_rows(table: Table, args, device: str) -> dict[tuple[int, int], float]:
    """Iterations per second alone and in bundles; returns run-iterations per second by
    (J, bundle size)."""
    rates: dict[tuple[int, int], float] = {}
    for j in (1, 20):
        alone = bundle_seconds(["thresholded_laplacian"], j, args.iterations, device,
                               args.repeats)
        table.add(f"linear J={j:<2d} one run (thresholded Laplacian)",
                  f"{1 / alone:8.1f} it/s")
        rates[(j, 1)] = 1 / alone
        for size in args.bundles:
            sec = bundle_seconds(mixed(size), j, args.iterations, device, args.repeats)
            rates[(j, size)] = size / sec
            table.add(f"linear J={j:<2d} bundle of {size} (7 families mixed)",
                      f"{1 / sec:8.1f} it/s = {size / sec:8.1f} run-it/s")
        if 8 in args.bundles:
            separate = statistics.mean(
                bundle_seconds([family], j, args.iterations, device, args.repeats)
                for family in mixed(8)[:7])
            table.add(f"linear J={j:<2d} bundle of 8 per run vs 8 separate runs",
                      f"{rates[(j, 8)] * separate:8.2f}x",
                      goal(rates[(j, 8)] * separate, 1.0, ">= 1x"))
    return rates


def gamma_rows(table: Table, args) -> None:
    """The CPU goal: each +Gamma family (fast sampler) at J = 20 within 1.3x of the
    thresholded Laplacian (median ratio of alternating timed epochs)."""
    from linear_throughput import GAMMA_FAMILIES, GOAL_RATIO, gamma_ratio

    for family in GAMMA_FAMILIES:
        ratio = gamma_ratio(family, "marsaglia_tsang", args.iterations, max(args.repeats, 3))
        table.add(f"{family} (marsaglia_tsang) J=20 / thresholded Laplacian",
                  f"{ratio:8.2f}x",
                  f"goal <= {GOAL_RATIO}x: {'met' if ratio <= GOAL_RATIO else 'NOT MET'}")


def tf32_rows(table: Table, args, device: str) -> None:
    """What TensorFloat-32 does to the linear experiment: iterations/s of the paper's bundle
    at J = 20, and the quick preset's Table 1 numbers (bundled photographs, its settings)
    trained with and without it, against the spread between two seeds (the goal: TF32 moves
    val_loss less than a change of seed does)."""
    cuda = device.startswith("cuda")
    config = load_config(str(REPO / "config" / "config.yaml"))
    config = dataclasses.replace(config, device=device, linear=dataclasses.replace(
        config.linear, fista_eval_every=0, epochs=args.tf32_epochs))
    patches = load_patches(config.data)
    families = FAMILY_NAMES if not args.reduced else FAMILY_NAMES[:2]
    val: dict[tuple[bool, str, int], float] = {}
    for tf32 in (False, True):
        run_config = dataclasses.replace(config, linear=dataclasses.replace(config.linear,
                                                                            tf32=tf32))
        members = [(family, seed) for family in families for seed in (0, 1)]
        runs = bundle_experiments(run_config, 1, members, patches)
        if args.reduced:
            for run in runs:
                run.set_position(0, 2)
        epochs: list[list] = []  # each epoch's statistics per run
        took = seconds(lambda runs=runs, epochs=epochs: epochs.extend(
            train_together(runs, epoch) for epoch in range(args.tf32_epochs)), runs[0].device)
        for run, member in zip(runs, members, strict=True):
            val[(tf32, *member)] = run.evaluate(args.tf32_epochs - 1)["val_loss"]
        table.add(f"quick-preset Table 1 runs, J=1, {len(runs)} in a bundle, "
                  f"{'TF32' if tf32 else 'float32'}",
                  f"{epochs[-1][0]['iteration'] * len(runs) / took:8.1f} run-it/s")
    tf32_change = statistics.median(
        abs(val[(True, f, s)] - val[(False, f, s)]) / abs(val[(False, f, s)])
        for f in families for s in (0, 1))
    seed_change = statistics.median(
        abs(val[(False, f, 0)] - val[(False, f, 1)]) / abs(val[(False, f, 0)]) for f in families)
    note = "" if cuda else " (CPU: TF32 does not apply)"
    table.add(f"val_loss change from TF32 / from a change of seed{note}",
              f"{tf32_change:.2e} / {seed_change:.2e}",
              f"goal TF32 below seed noise: {'met' if tf32_change < seed_change else 'NOT MET'}")


def fista_rows(table: Table, args, device: torch.device) -> float:
    """FISTA on the device against scikit-learn's lasso_cd (and SPAMS) on the host; returns
    the device's seconds per dictionary-learning step (one batch of 100)."""
    rng = np.random.default_rng(0)
    atoms = gabor_dictionary()
    codes = rng.standard_normal((atoms.shape[1], args.signals)) * (rng.random(
        (atoms.shape[1], args.signals)) < 0.04)
    x64 = (atoms @ codes).T / 20 + 0.1 * rng.standard_normal((args.signals, atoms.shape[0]))
    x, a = (torch.from_numpy(v).float().to(device) for v in (x64, atoms))
    per = 10_000 / args.signals
    from sklearn.decomposition import sparse_encode

    cd_codes, cd = timed_result(lambda: sparse_encode(x64, atoms.T, algorithm="lasso_cd",
                                                      alpha=LAM, max_iter=5000),
                                torch.device("cpu"), 1)
    x_host, a_host = torch.from_numpy(x64), torch.from_numpy(atoms)

    def objective(codes: torch.Tensor) -> float:  # in float64 on the host
        score = sparse_coding_objective(x_host, a_host, codes.cpu().double(), LAM)
        return score.total.mean().item()

    cd_objective = objective(torch.from_numpy(cd_codes))
    for name, options in (("tol 1e-3", {"tol": 1e-3}),
                          ("tol 1e-4, restart", {"tol": 1e-4, "restart": True}),
                          ("tol 1e-4, restart, zero start",
                           {"tol": 1e-4, "restart": True, "init": "zero"})):
        result, seconds_each = timed_result(
            lambda o=options: fista(x, a, LAM, max_iter=2000, **o), device, args.repeats)
        gap = objective(result.codes) / cd_objective - 1
        table.add(f"FISTA on {device.type}, {args.signals} signals, {name}",
                  f"{seconds_each * per:8.3f} s/10k",
                  f"objective {gap:+.1e} vs lasso_cd's; {cd / seconds_each:.2f}x lasso_cd")
    ours = seconds_each  # restarted from zero, as accurate as lasso_cd to about 1e-6
    table.add(f"scikit-learn lasso_cd on the host ({torch.get_num_threads()} threads)",
              f"{cd * per:8.3f} s/10k",
              goal(cd / ours, 2.0, "ours (restart, zero start) >= 2x lasso_cd"))
    try:
        import spams  # optional, GPL-3.0

        lars = median_seconds(lambda: spams.lasso(np.asfortranarray(x64.T),
                                                  D=np.asfortranarray(atoms), lambda1=LAM,
                                                  mode=2, numThreads=-1),
                              torch.device("cpu"), 1)
        table.add("SPAMS lasso (LARS) on the host", f"{lars * per:8.3f} s/10k",
                  goal(lars / ours, 20.0, "ours >= 20x SPAMS"))
    except ImportError:
        table.add("SPAMS lasso (LARS) on the host", "not installed",
                  "goal ours >= 20x SPAMS: not measured (optional GPL extra)")
    batch = x[:100]  # the FISTA baseline's step: the reference's solver (no restart)
    return median_seconds(lambda: fista(batch, a, LAM, max_iter=2000, tol=1e-3), device,
                          args.repeats)


def dnn_rows(table: Table, args, device: str, cuda: bool) -> float:
    best = 0.0
    for amp in ([True, False] if cuda else [False]):
        rate = statistics.median(
            images_per_second("thresholded_gaussian_gamma", args.dnn_batch, args.dnn_iterations,
                              10, device, amp) for _ in range(args.repeats))
        best = max(best, rate)
        table.add(f"DNN thresholded Gaussian+Gamma, batch {args.dnn_batch}, "
                  f"{'bf16' if amp else 'float32'}", f"{rate:8.1f} images/s")
    return best


def section(table: Table, name: str, rows: Callable[[], float]) -> float | None:
    """Run one part of the table; a failure becomes a row (so the rest is still measured)
    and the script's exit status."""
    try:
        return rows()
    except Exception as err:  # reported in the table, then in the exit status
        table.add(f"{name} section", f"FAILED: {type(err).__name__}: {err}"[:120])
        table.failed = True
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reduced", action="store_true",
                        help="small sizes on any device (CI): checks that the script runs")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    keep_freed_memory()  # as every vsc command does
    device = resolve_device(args.device)
    cuda = device.type == "cuda"
    if args.reduced:
        args.iterations, args.repeats, args.bundles = 2, 1, [8]
        args.signals, args.dnn_batch, args.dnn_iterations = 500, 8, 1
        args.tf32_epochs = 1
    else:
        args.iterations, args.repeats, args.bundles = 20, 3, [8, PAPER_BUNDLE, 45]
        args.signals, args.dnn_batch, args.dnn_iterations = 10_000, 500, 3
        args.tf32_epochs = 10  # the quick preset's length: 1,500 iterations
    name = torch.cuda.get_device_name(device) if cuda else \
        f"CPU, {torch.get_num_threads()} threads"
    print(f"device check: torch {torch.__version__} on {name}"
          f"{' (reduced sizes: not a measurement)' if args.reduced else ''}", flush=True)

    table = Table()
    rates = linear_rows(table, args, str(device))
    if not cuda:
        gamma_rows(table, args)
    section(table, "TF32", lambda: tf32_rows(table, args, str(device)))
    fista_step = section(table, "FISTA", lambda: fista_rows(table, args, device))
    dnn_rate = section(table, "DNN", lambda: dnn_rows(table, args, str(device), cuda))

    bundle = max(size for size in (1, *args.bundles) if size <= PAPER_BUNDLE)
    runs_per_j = len(FAMILY_NAMES) * PAPER_SEEDS
    linear_hours = sum(runs_per_j * PAPER_ITERATIONS / rates[(j, bundle)] for j in (1, 20)) / 3600
    fista_hours = PAPER_SEEDS * PAPER_ITERATIONS * (fista_step or float("nan")) / 3600
    grid = linear_hours + fista_hours
    table.add(f"paper linear grid, {2 * runs_per_j} runs in bundles of {bundle} + "
              f"{PAPER_SEEDS} FISTA runs, one after another",
              f"{grid:8.2f} h", f"goal <= 1 h: {'met' if grid <= 1 else 'NOT MET'}"
              if cuda else "(GPU goal; not measured on a CPU)")
    if dnn_rate:
        celeba = PAPER_RUNS * PAPER_IMAGES_PER_RUN / dnn_rate / 3600
        table.add(f"paper CelebA grid, {PAPER_RUNS} runs one after another", f"{celeba:8.1f} h")
    table.print(f"Device check on {name}, torch {torch.__version__}"
                f"{', reduced sizes' if args.reduced else ''}")
    sys.exit(1 if table.failed else 0)


if __name__ == "__main__":
    main()
