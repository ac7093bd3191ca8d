"""How sure Table 1 is: bootstrap intervals on every cell and on Kendall's tau.

Every method of a preset is scored on the same validation patches, in the same order, and
each run folder keeps its per-patch losses (vsc.results.PATCH_LOSSES_FILE). A bootstrap
replicate draws the validation patches with replacement once and applies that draw to every
cell, so the cells stay paired as the data pair them; a cell with several seeds also draws
its seeds with replacement (a two-level bootstrap: which seed, then which patches). A cell's
interval is the 2.5 and 97.5 percentiles of its replicate means; tau's is the same
percentiles of the tau computed on each replicate's means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import scipy.stats

from vsc.errors import UserError
from vsc.paper import PAPER_TABLE1
from vsc.results import ZERO_CODE_KEY, read_patch_losses

REPLICATES = 2000
CONFIDENCE = 0.95
SEED = 0  # the bootstrap's own: the same runs always give the same intervals
CHUNK = 100  # replicates drawn at a time ([CHUNK, n_val] patch indices in memory)
INTERVAL_NOTE = (f"paired bootstrap over the validation patches ({REPLICATES:,} draws, the same "
                 "draw for every cell; a cell with several seeds also draws its seeds), the "
                 f"{100 * (1 - CONFIDENCE) / 2:g} and {100 * (1 + CONFIDENCE) / 2:g} "
                 "percentiles of the mean; '-' where the runs kept no per-patch losses.")

Cell = tuple[str, int]  # (method, J)


def kendall_tau(a: Iterable[float], b: Iterable[float]) -> float:
    """Kendall's tau (tau-b: tau-a when no two values tie) between two orderings of the same
    items, NaN pairs skipped; NaN for fewer than two items."""
    x, y = np.asarray(list(a), float), np.asarray(list(b), float)
    keep = ~(np.isnan(x) | np.isnan(y))
    if keep.sum() < 2:
        return math.nan
    return float(scipy.stats.kendalltau(x[keep], y[keep]).statistic)


def cell_losses(finals: pd.DataFrame, zero_code: str) -> dict[Cell, np.ndarray]:
    """Per (method, J): the per-patch losses of its finished runs, [n_seeds, n_val], read
    from the run folders named in ``finals`` (read_finals' run_dir column). The zero code's
    (from any run) is filed under (``zero_code``, J) for every J. Cells with a run whose
    folder predates per-patch losses are left out (no interval rather than a partial one)."""
    cells: dict[Cell, list[np.ndarray]] = {}
    incomplete: set[Cell] = set()
    zero: np.ndarray | None = None
    for row in finals[finals.status == "finished"].itertuples():
        stored = read_patch_losses(row.run_dir)
        key = (row.method, int(row.J))
        if stored is None or row.method not in stored:
            incomplete.add(key)
            continue
        cells.setdefault(key, []).append(stored[row.method])
        zero = stored.get(ZERO_CODE_KEY, zero)
    out = {key: np.stack(runs) for key, runs in cells.items() if key not in incomplete}
    if zero is not None:
        for j in sorted({j for _, j in cells}):
            out[(zero_code, j)] = zero[None, :]
    sizes = {len(a[0]) for a in out.values()}
    if len(sizes) > 1:
        raise UserError("the runs were scored on validation sets of different sizes "
                        f"({sorted(sizes)}): aggregate runs of one preset at a time")
    return out


def bootstrap_means(cells: Mapping[Cell, np.ndarray], replicates: int = REPLICATES,
                    seed: int = SEED) -> dict[Cell, np.ndarray]:
    """Each cell's mean loss under ``replicates`` paired bootstrap draws: {cell: [R]}.

    cells: {cell: [n_seeds, n_val]} as cell_losses returns them. One patch draw per
    replicate serves every cell; seeds are drawn per cell."""
    if not cells:
        return {}
    n_val = len(next(iter(cells.values()))[0])
    rng = np.random.default_rng(seed)
    keys = sorted(cells)
    out: dict[Cell, list[np.ndarray]] = {key: [] for key in keys}
    for start in range(0, replicates, CHUNK):
        size = min(CHUNK, replicates - start)
        patches = rng.integers(0, n_val, size=(size, n_val))
        for key in keys:
            per_seed = cells[key][:, patches].mean(-1)  # [n_seeds, size]
            n_seeds = per_seed.shape[0]
            if n_seeds > 1:
                drawn = rng.integers(0, n_seeds, size=(n_seeds, size))
                per_seed = np.take_along_axis(per_seed, drawn, axis=0)
            out[key].append(per_seed.mean(0))
    return {key: np.concatenate(parts) for key, parts in out.items()}


def percentile_interval(values: np.ndarray, confidence: float = CONFIDENCE
                        ) -> tuple[float, float]:
    """The central ``confidence`` interval of bootstrap replicates (NaN ones ignored)."""
    values = values[~np.isnan(values)]
    if not len(values):
        return math.nan, math.nan
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def with_intervals(table: pd.DataFrame, replicated: Mapping[Cell, np.ndarray]) -> pd.DataFrame:
    """Table 1 with val_loss_ci_low / val_loss_ci_high: each cell's 95% bootstrap interval
    (NaN where its runs kept no per-patch losses, or all diverged)."""
    intervals = [percentile_interval(replicated[(r.method, int(r.J))])
                 if (r.method, int(r.J)) in replicated else (math.nan, math.nan)
                 for r in table.itertuples()]
    out = table.copy()
    out["val_loss_ci_low"] = [low for low, _ in intervals]
    out["val_loss_ci_high"] = [high for _, high in intervals]
    return out


def ordering_table(table: pd.DataFrame, replicated: Mapping[Cell, np.ndarray]
                   ) -> pd.DataFrame:
    """Per J: Kendall's tau between our and the paper's ordering of the methods both have,
    with its 95% bootstrap interval (NaN when a method's cell has no replicates), and the
    data and preset it was computed on."""
    rows = []
    for j in sorted(table.J.unique()):
        ours = {r.method: r.val_loss_mean for r in table[table.J == j].itertuples()
                if not math.isnan(r.val_loss_mean)}
        methods = [m for m in ours if (m, j) in PAPER_TABLE1]
        if len(methods) < 2:
            continue
        paper = [PAPER_TABLE1[(m, j)] for m in methods]
        tau = kendall_tau([ours[m] for m in methods], paper)
        low = high = math.nan
        if all((m, j) in replicated for m in methods):
            draws = np.stack([replicated[(m, j)] for m in methods])  # [methods, R]
            low, high = percentile_interval(np.array([kendall_tau(draws[:, r], paper)
                                                      for r in range(draws.shape[1])]))
        cells = table[(table.J == j) & table.method.isin(methods)]
        rows.append({"J": int(j), "n_methods": len(methods), "kendall_tau": tau,
                     "kendall_tau_ci_low": low, "kendall_tau_ci_high": high,
                     "methods": " ".join(methods),
                     "dataset": ", ".join(sorted(cells.dataset.astype(str).unique())),
                     "preset": ", ".join(sorted(cells.preset.astype(str).unique()))})
    return pd.DataFrame(rows, columns=["J", "n_methods", "kendall_tau", "kendall_tau_ci_low",
                                       "kendall_tau_ci_high", "methods", "dataset", "preset"])
