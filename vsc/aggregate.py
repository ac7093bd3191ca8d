"""Aggregation of run folders into Table 1 (CSV, Markdown, LaTeX) and tidy curves.

Reads only what runs wrote (final.json, metrics.csv). Diverged runs are counted and shown as
diverged, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from vsc.catalogue import FAMILY_NAMES, PAPER_FAMILIES, SPARSITY_FREE_FAMILIES, method_label
from vsc.config import register_extra_families
from vsc.errors import UserError
from vsc.intervals import (
    INTERVAL_NOTE,
    bootstrap_means,
    cell_losses,
    ordering_table,
    with_intervals,
)
from vsc.io import read_json
from vsc.paper import PAPER_DNN_MSE, PAPER_TABLE1
from vsc.results import BENCHMARK_FILE

ZERO_CODE = "zero_code"  # the all-zero code b = 0: the level any useful code must beat
# families registered from outside the repository come after the paper's, in their order
METHOD_ORDER = [ZERO_CODE, "fista", "sklearn_lasso_lars", "sklearn_lasso_cd", "sklearn_omp",
                *PAPER_FAMILIES]
SCALE_NOTE = ("The ratio to the paper is meaningful only for IMAGES.mat at the paper's "
              "settings; on other data or scales compare the ordering of methods.")
ZERO_CODE_NOTE = ("† above the zero code: these codes score worse than reconstructing "
                  "nothing at all.")

ORDERING_FILE = "ordering.csv"  # Kendall's tau against the paper per J, with its interval

# A validation loss this many times the zero code's means the run learned nothing usable (a
# blow-up that stayed finite, or data too small to train on): tables and the report say so.
ABSURD_FACTOR = 100.0


def in_method_order(table: pd.DataFrame, *then: str) -> pd.DataFrame:
    """Rows sorted by METHOD_ORDER (unknown methods last), then by the columns ``then``."""
    order = {m: i for i, m in enumerate(dict.fromkeys([*METHOD_ORDER, *FAMILY_NAMES]))}
    rank = table.method.map(lambda m: order.get(m, len(order)))
    return (table.assign(_order=rank).sort_values(["_order", *then]).drop(columns="_order")
            .reset_index(drop=True))


def label(method: str) -> str:
    if method.startswith("sklearn_"):
        return f"scikit-learn ({method.removeprefix('sklearn_')})"
    if method == ZERO_CODE:
        return "Zero code (b = 0)"
    return method_label(method) or method


def read_finals(run_dirs: Iterable[str | Path]) -> pd.DataFrame:
    """One row per (run, method): final.json, with a scikit-learn run's transforms expanded
    into one row per sparse-coding algorithm."""
    rows = []
    for run in map(Path, run_dirs):
        path = run / "final.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: the run in {run} has not finished")
        final = read_json(path)
        final["run_dir"] = str(run)
        register_run_families(run)
        transforms = final.pop("transforms", None)
        if transforms:
            for algorithm, scores in transforms.items():
                rows.append({**final, **scores, "method": f"sklearn_{algorithm}"})
        else:
            rows.append(final)
    return pd.DataFrame(rows)


def register_run_families(run: Path) -> None:
    """Register the families from outside the repository that made a run (its config.json
    names them), so tables and figures give them their declared labels."""
    record = run / "config.json"
    if record.is_file():
        register_extra_families(read_json(record).get("config", {}).get("extra_families"))


def read_costs(run_dirs: Iterable[str | Path]) -> pd.DataFrame:
    """What each run cost, one row per run folder: the training loop's seconds summed over
    resumes (final.json), and from the folder's benchmark.tsv, when the workflow wrote one,
    the job's wall and CPU seconds and peak resident memory (of its last job only, when a
    killed run was resumed); the peak GPU memory of GPU runs."""
    rows = []
    for run in map(Path, run_dirs):
        final = read_json(run / "final.json")
        row = {"method": final["method"], "J": final.get("J"),
               "device": final.get("device"), "train_seconds": final.get("wall_seconds"),
               "peak_gpu_memory_mb": final.get("peak_gpu_memory_mb")}
        bench = run / BENCHMARK_FILE
        if bench.is_file():
            measured = pd.read_csv(bench, sep="\t").iloc[-1]
            row.update(job_seconds=float(measured["s"]), cpu_seconds=float(measured["cpu_time"]),
                       peak_rss_mb=float(measured["max_rss"]))
        rows.append(row)
    return pd.DataFrame(rows)


def cost_table(costs: pd.DataFrame) -> pd.DataFrame:
    """Mean cost per (method, J) over its runs (columns absent from every run stay NaN)."""
    columns = ["train_seconds", "job_seconds", "cpu_seconds", "peak_rss_mb",
               "peak_gpu_memory_mb"]
    frame = costs.reindex(columns=["method", "J", "device", *columns])
    frame[columns] = frame[columns].astype(float)
    grouped = frame.groupby(["method", "J"], sort=False, dropna=False)
    table = grouped[columns].mean().reset_index()
    table.insert(2, "runs", grouped.size().to_numpy())
    table.insert(3, "device", grouped.device.first().to_numpy())
    return table


def table1(finals: pd.DataFrame, replicated: dict | None = None) -> pd.DataFrame:
    """One row per (method, J): seeds, validation loss mean and std over finished runs with
    its 95% bootstrap interval (vsc.intervals; ``replicated``: the cells' bootstrap means,
    drawn here from the run folders when not given), the paper's value and our ratio to it,
    fraction non-zero, divergences."""
    out = []
    for (method, samples), group in finals.groupby(["method", "J"], sort=False):
        ok = group[group.status == "finished"]
        loss = ok.val_loss.astype(float)
        paper = PAPER_TABLE1.get((method, int(samples)), math.nan)
        mean = loss.mean() if len(ok) else math.nan
        row = {
            "method": method, "label": label(method), "J": int(samples),
            "n_seeds": len(group), "n_diverged": int((group.status == "diverged").sum()),
            "val_loss_mean": mean, "val_loss_std": loss.std(ddof=1) if len(ok) > 1 else math.nan,
            "paper_val_loss": paper, "ratio_to_paper": mean / paper,
            "frac_nonzero_mean": ok.frac_nonzero.astype(float).mean() if len(ok) else math.nan,
            "dataset": ", ".join(sorted(group.dataset.unique())),
            "preset": ", ".join(sorted(group.preset.unique())),
        }
        row["lambda0"] = _lambda0(group)
        row.update(_statistics(ok, own=("val_loss", "frac_nonzero")))
        out.append(row)
    table = pd.DataFrame(out)
    zero = _zero_code_rows(finals, sorted(table.J.unique()))
    if zero is not None:
        table = pd.concat([zero, table], ignore_index=True)
        level = zero.val_loss_mean.iloc[0]
        table["above_zero_code"] = table.val_loss_mean > level
        table["absurd_loss"] = table.val_loss_mean > ABSURD_FACTOR * level
    if replicated is None:
        replicated = table1_replicates(finals)
    return in_method_order(with_intervals(table, replicated), "J")


def table1_replicates(finals: pd.DataFrame) -> dict:
    """The paired bootstrap means of every Table 1 cell whose runs kept per-patch losses
    (none for records without run folders)."""
    if "run_dir" not in finals:
        return {}
    return bootstrap_means(cell_losses(finals, ZERO_CODE))


def _lambda0(runs: pd.DataFrame) -> float:
    """The threshold lambda0 the runs used (a fixed threshold, or the prior mean of a
    learned one); NaN for families without a threshold."""
    if "lambda0" not in runs:
        return math.nan
    values = runs.lambda0.dropna().astype(float).unique()
    return float(values[0]) if len(values) == 1 else math.nan


def _zero_code_rows(finals: pd.DataFrame, js: list[int]) -> pd.DataFrame | None:
    """One 'zero code' row per J: the Table 1 metric of b = 0 on the validation patches, as
    every run computed it on its own patches (None when no run reports it)."""
    if "zero_code_val_loss" not in finals or finals.zero_code_val_loss.isna().all():
        return None
    levels = finals.zero_code_val_loss.dropna().astype(float)
    level = levels.mean()
    if levels.max() - levels.min() > 1e-6 * abs(level):
        raise UserError("the runs were scored on different validation patches (their zero "
                         "codes score differently): aggregate runs of one preset at a time")
    return pd.DataFrame([{
        "method": ZERO_CODE, "label": label(ZERO_CODE), "J": j, "n_seeds": 0, "n_diverged": 0,
        "val_loss_mean": level, "val_loss_std": math.nan, "paper_val_loss": math.nan,
        "ratio_to_paper": math.nan, "frac_nonzero_mean": 0.0, "val_recon_mean": level,
        "val_l1_mean": 0.0, "dataset": ", ".join(sorted(finals.dataset.unique())),
        "preset": ", ".join(sorted(finals.preset.unique())), "lambda0": math.nan} for j in js])


# final.json numbers that say what a run was (its place in the grid, its length, its clock),
# not what it measured. Every other number a run reports becomes a column of the summary
# tables, as its mean and standard deviation over the finished seeds: a new statistic needs
# no list to reach them.
DESCRIPTIVE_KEYS = frozenset({
    "J", "seed", "epoch", "epochs", "epochs_completed", "iterations_per_epoch", "eval_samples",
    "torch_threads", "diverged_at_iteration", "wall_seconds", "peak_gpu_memory_mb", "latents",
    "target_sparsity", "lambda0", "width", "lr"})


def _is_number(value: object) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _statistics(finished: pd.DataFrame, own: Iterable[str] = ()) -> dict[str, float]:
    """Mean and sd over finished runs of every number they report, except the descriptive
    keys and the columns the table computes itself (``own``)."""
    out: dict[str, float] = {}
    if not len(finished):
        return out
    skip = DESCRIPTIVE_KEYS | set(own)
    for column in finished.columns:
        values = finished[column]
        if column in skip or not values.map(_is_number).all() or values.isna().all():
            continue
        values = values.astype(float)
        out[f"{column}_mean"] = values.mean()
        out[f"{column}_std"] = values.std(ddof=1) if len(values) > 1 else math.nan
    return out


def _cell(row: pd.Series | None, latex: bool = False) -> str:
    if row is None:
        return "-"
    if row.n_seeds and row.n_diverged == row.n_seeds:
        return "diverged"
    value = f"{row.val_loss_mean:.2E}"
    if not math.isnan(row.val_loss_std):
        value += (r" $\pm$ " if latex else " ± ") + f"{row.val_loss_std:.1E}"
    low, high = getattr(row, "val_loss_ci_low", math.nan), getattr(row, "val_loss_ci_high",
                                                                   math.nan)
    if not pd.isna(low):
        value += f" [{low:.4g}, {high:.4g}]"
    if getattr(row, "above_zero_code", False) is True:
        value += r"$^\dagger$" if latex else " †"
    if getattr(row, "absurd_loss", False) is True:
        value += r"$^\ddagger$" if latex else " ‡"
    if row.n_diverged:
        value += f" ({row.n_diverged}/{row.n_seeds} diverged)"
    return value


def _number(row: pd.Series | None, column: str, spec: str) -> str:
    value = getattr(row, column, math.nan) if row is not None else math.nan
    return "-" if value is None or pd.isna(value) else format(value, spec)


def _row_cells(by: dict, m: str, js: list[int], latex: bool = False) -> list[str]:
    """Per J: ours, the paper's, FISTA on the method's own dictionary, mean atom norm."""
    first = next((by[(m, j)] for j in js if (m, j) in by), None)
    cells = [_number(first, "lambda0", ".3g")]
    for j in js:
        r = by.get((m, j))
        cells += [_cell(r, latex), _paper(m, j), _number(r, "fista_val_loss_mean", ".2E"),
                  _number(r, "atom_norm_mean_mean", ".2f")]
    return cells


def _table_notes(table: pd.DataFrame) -> str:
    """Provenance and what the extra columns mean, under every rendering of Table 1."""
    datasets = ", ".join(sorted(table.dataset.unique()))
    presets = ", ".join(sorted(table.preset.unique()))
    seeds = int(table.n_seeds.max())
    length = ""
    if "iteration_mean" in table and table.iteration_mean.notna().any():
        length = f"; {int(table.iteration_mean.max()):,} training iterations per run"
    notes = [f"Data: {datasets}; preset: {presets}{length}; up to {seeds} seed(s) per cell "
             f"(mean ± standard deviation over seeds, [95% interval]). {SCALE_NOTE}",
             f"95% interval: {INTERVAL_NOTE}",
             "FISTA on own dictionary: the same metric with exact inference (FISTA codes) on "
             "the method's own dictionary, so amortisation and dictionary quality can be told "
             "apart. lambda0: the fixed threshold, or the prior mean of a learned one."]
    if ZERO_CODE in set(table.method):
        notes.append(f"Zero code: b = 0 on the same validation patches. {ZERO_CODE_NOTE}")
    return "\n\n".join(notes)


def _paper(method: str, j: int) -> str:
    value = PAPER_TABLE1.get((method, j))
    return "-" if value is None else f"{value:.2E}"


def _layout(table: pd.DataFrame) -> tuple[list[str], list[int]]:
    methods = list(dict.fromkeys(table.method))
    return methods, sorted(table.J.unique())


TABLE1_TITLE = ("Table 1: validation loss (1/2 ||x - A b||^2 + 20 ||b||_1, mean over "
                "validation patches)")


def table1_markdown(table: pd.DataFrame) -> str:
    """The paper's layout: one row per method; per J ours, the paper's, FISTA on the
    method's own dictionary and the mean atom norm; the zero code's row first."""
    methods, js = _layout(table)
    by = {(r.method, r.J): r for r in table.itertuples()}
    header = "| Method | lambda0 | " + " | ".join(
        f"J = {j} (ours) | J = {j} (paper) | J = {j} FISTA on own dict. | J = {j} atom norm"
        for j in js) + " |"
    lines = [header, "|---|---|" + "---|---|---|---|" * len(js)]
    for m in methods:
        lines.append(f"| {label(m)} | " + " | ".join(_row_cells(by, m, js)) + " |")
    return f"# {TABLE1_TITLE}\n\n" + "\n".join(lines) + f"\n\n{_table_notes(table)}\n"


def table1_latex(table: pd.DataFrame) -> str:
    methods, js = _layout(table)
    by = {(r.method, r.J): r for r in table.itertuples()}
    cols = "lr" + "rrrr" * len(js)
    head = " & ".join(f"J={j} ours & J={j} paper & J={j} FISTA own dict. & J={j} atom norm"
                      for j in js)
    body = "\n".join(f"{label(m)} & " + " & ".join(_row_cells(by, m, js, latex=True))
                     + r" \\" for m in methods)
    notes = "\n".join(f"% {line}" for line in _table_notes(table).split("\n") if line)
    return (f"% generated by vsc aggregate\n{notes}\n"
            f"\\begin{{tabular}}{{{cols}}}\n\\toprule\nMethod & $\\lambda_0$ & {head} "
            f"\\\\\n\\midrule\n{body}\n\\bottomrule\n\\end{{tabular}}\n")


def zero_code_level(table: pd.DataFrame) -> float | None:
    """The zero code's Table 1 metric from a Table 1 frame (None if it has no such row)."""
    zero = table[table.method == ZERO_CODE]
    return float(zero.val_loss_mean.iloc[0]) if len(zero) else None


# the runs whose dictionaries are shown during training: the paper's best variational family
# and exact inference, each at its first J and lowest seed
SNAPSHOT_METHODS = (("thresholded_laplacian", 1), ("fista", 1))


def snapshot_panels(finals: pd.DataFrame) -> dict[str, dict[int, np.ndarray]]:
    """{label: {iteration: [P*P, K] dictionary}} from the snapshots.npz of the
    SNAPSHOT_METHODS runs among ``finals`` (runs without snapshots are skipped)."""
    panels = {}
    for method, samples in SNAPSHOT_METHODS:
        runs = finals[(finals.method == method) & (finals.J == samples)]
        for run in runs.sort_values("seed").itertuples():
            path = Path(run.run_dir) / "snapshots.npz"
            if path.is_file():
                with np.load(path) as data:
                    name = label(method) + (f" J={samples}" if method in FAMILY_NAMES else "")
                    panels[name] = {
                        int(k.removeprefix("iteration_")): data[k] for k in data.files}
                break
    return panels


def read_curves(run_dirs: Iterable[str | Path]) -> pd.DataFrame:
    """Every run's per-epoch metrics, stacked (tidy: one row per run and epoch)."""
    frames = []
    for run in map(Path, run_dirs):
        frame = pd.read_csv(run / "metrics.csv")
        if frame.empty:  # diverged before its first epoch: nothing to plot
            continue
        frame["run_dir"] = str(run)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_recovered(folders: Sequence[str | Path]) -> pd.DataFrame:
    """The recovered.json of each folder written by ``vsc recover``, one row each."""
    return pd.DataFrame([read_json(Path(folder) / "recovered.json") for folder in folders])


def dnn_table(finals: pd.DataFrame, recovered: pd.DataFrame | None = None,
              baselines: dict | None = None) -> pd.DataFrame:
    """One row per (method, latents, J): per-pixel MSE mean and sd over seeds, fraction
    non-zero, the paper's CelebA value (comparable only on CelebA at 512 latents), the
    stand-in's scores of the recovered dictionaries when given (read_recovered), and last the
    rows of the mean-image and PCA baselines when given (vsc.image_baselines)."""
    out = []
    keys = ["method", "latents", "target_sparsity", "J"]
    for (method, latents, sparsity, samples), group in finals.groupby(keys, sort=False):
        ok = group[group.status == "finished"]
        mse = ok.mse_per_pixel.astype(float)
        row = {"method": method, "label": label(method), "latents": int(latents),
               "target_sparsity": sparsity, "J": int(samples), "n_seeds": len(group),
               "n_diverged": int((group.status == "diverged").sum()),
               "mse_per_pixel_mean": mse.mean() if len(ok) else math.nan,
               "mse_per_pixel_std": mse.std(ddof=1) if len(ok) > 1 else math.nan,
               "frac_nonzero_mean": ok.frac_nonzero.astype(float).mean() if len(ok) else math.nan,
               "paper_mse_celeba_512": PAPER_DNN_MSE.get(method, math.nan),
               "dataset": ", ".join(sorted(group.dataset.unique())),
               "preset": ", ".join(sorted(group.preset.unique())),
               **_statistics(ok, own=("mse_per_pixel", "frac_nonzero"))}
        if recovered is not None and len(recovered):
            rec = recovered[(recovered.method == method) & (recovered.J == samples)]
            for col in ("recovered_fraction", "mean_matched_cosine", "mean_best_cosine",
                        "centered_recovered_fraction", "centered_mean_matched_cosine"):
                if col in rec:
                    row[f"{col}_mean"] = rec[col].astype(float).mean()
        out.append(row)
    table = in_method_order(pd.DataFrame(out), "latents", "J")
    if baselines is None:
        return table
    from vsc.image_baselines import baseline_rows

    return pd.concat([table, pd.DataFrame(baseline_rows(baselines))], ignore_index=True)


def groundtruth_table(finals: pd.DataFrame) -> pd.DataFrame:
    """The ground-truth benchmark, tidy: one row per (method, J, seed) with the
    dictionary and support recovery scores, the Table 1 metric and the data that made it."""
    from vsc.groundtruth import GROUNDTRUTH_KEYS

    keep = ["method", "J", "seed", "status", *GROUNDTRUTH_KEYS, "val_loss", "frac_nonzero",
            "atom_norm_mean", "iteration", "dataset", "preset"]
    table = finals[[c for c in keep if c in finals]].copy()
    table.insert(1, "label", table.method.map(label))
    return in_method_order(table, "J", "seed")


def dnn_sweep_table(finals: pd.DataFrame, main_latents: int, main_sparsity: float
                    ) -> pd.DataFrame:
    """The DNN sweeps, tidy: one row per (sweep, method, latents, target sparsity, J) with
    MSE and multi-information (mean and sd over seeds). Sweep 'latents' holds the runs at
    the main target sparsity, sweep 'sparsity' those at the main code size, so the main
    setting appears in both. The paper's MSE is given only where the setting is the
    paper's (512 latents, 10% sparsity), and it was measured on CelebA."""
    table = dnn_table(finals)
    paper_setting = (table.latents == 512) & np.isclose(table.target_sparsity, 0.1)
    table["paper_mse_per_pixel"] = table.paper_mse_celeba_512.where(paper_setting)
    table = table.drop(columns="paper_mse_celeba_512")
    by_latents = table[np.isclose(table.target_sparsity, main_sparsity)].assign(sweep="latents")
    by_sparsity = table[(table.latents == main_latents)
                        & ~table.method.isin(SPARSITY_FREE_FAMILIES)].assign(sweep="sparsity")
    out = pd.concat([by_latents, by_sparsity], ignore_index=True)
    first = ["sweep", "method", "label", "latents", "target_sparsity", "J", "n_seeds",
             "n_diverged", "mse_per_pixel_mean", "mse_per_pixel_std", "paper_mse_per_pixel",
             "multi_information_bits_mean", "multi_information_bits_std", "frac_nonzero_mean"]
    first = [c for c in first if c in out]
    return out[first + [c for c in out if c not in first]]


def write_table1(run_dirs: Iterable[str | Path], out_dir: str | Path) -> pd.DataFrame:
    """Table 1 of the given run folders as table1.csv, table1.md and table1.tex in
    ``out_dir``, Kendall's tau against the paper with its interval per J as ordering.csv,
    and the per-epoch curves as linear_curves.csv; returns the table."""
    from vsc.io import atomic_path, write_text

    run_dirs, out = list(run_dirs), Path(out_dir)
    finals = read_finals(run_dirs)
    replicated = table1_replicates(finals)
    table = table1(finals, replicated)
    with atomic_path(out / "table1.csv") as tmp:
        table.to_csv(tmp, index=False)
    with atomic_path(out / ORDERING_FILE) as tmp:
        ordering_table(table, replicated).to_csv(tmp, index=False)
    write_text(out / "table1.md", table1_markdown(table))
    write_text(out / "table1.tex", table1_latex(table))
    with atomic_path(out / "linear_curves.csv") as tmp:
        read_curves(run_dirs).to_csv(tmp, index=False)
    return table


def sampling_table(finals: pd.DataFrame, consistency: list[dict]) -> pd.DataFrame:
    """The sampling studies' runs (loss against J, max against avg) with the support
    consistency (mean Jaccard index) of those that have one."""
    keep = ["method", "J", "estimator", "seed", "status", "val_loss", "frac_nonzero",
            "multi_information_bits", "dataset", "preset"]
    table = finals[[c for c in keep if c in finals]].copy()
    jaccard = {(c["method"], c["J"], c["estimator"]): c["jaccard_mean"]
               for c in consistency}
    table["jaccard_mean"] = [jaccard.get((r.method, r.J, r.estimator))
                             for r in table.itertuples()]
    return table
