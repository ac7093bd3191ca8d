"""Figures from saved CSVs and arrays only; each names the data and preset that made it."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from skimage.util import montage

from vsc.aggregate import ZERO_CODE, label
from vsc.catalogue import FAMILY_NAMES, SPARSITY_FREE_FAMILIES
from vsc.columns import label as column_label
from vsc.errors import UserError
from vsc.io import atomic_path
from vsc.paper import PAPER_TABLE1

J_COLOURS = {1: "tab:blue", 20: "tab:orange"}
LEGEND_PT = 8  # the smallest text any figure uses (legends, annotations, tick labels)
DPI = 120  # PNG resolution
ATOM_PX = 4  # PNG pixels per atom pixel, so that 16 x 16 atoms stay legible
ATOMS_SHOWN = 64  # the largest-norm atoms a dictionary panel shows (an 8 x 8 grid)
GREY = plt.get_cmap("gray").with_extremes(bad="white")  # NaN separators drawn white
IMAGES_MAT = "IMAGES.mat"  # the data set the paper's linear numbers come from


def provenance_line(frame: pd.DataFrame) -> str:
    """'data: ... | preset: ...', and the training length where the frame records it."""
    datasets = ", ".join(sorted(frame.dataset.astype(str).unique()))
    presets = ", ".join(sorted(frame.preset.astype(str).unique()))
    line = f"data: {datasets} | preset: {presets}"
    for column in ("iteration", "iteration_mean"):
        if column in frame and frame[column].notna().any():
            return line + f" | {int(frame[column].max()):,} iterations"
    return line


def save(fig: plt.Figure, stem: str | Path) -> list[Path]:
    """Write ``stem``.png and ``stem``.pdf atomically; returns both paths."""
    paths = []
    for suffix in (".png", ".pdf"):
        path = Path(f"{stem}{suffix}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=suffix[1:], dpi=DPI, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def atom_grid(atoms: np.ndarray, patch: int | None = None, pad: int = 1,
              max_atoms: int | None = None) -> np.ndarray:
    """Tile a [P*P, K] dictionary into one image, atoms sorted by norm (largest first, the
    ``max_atoms`` largest when given), each scaled to [-1, 1] by its own largest magnitude.
    Returns [H, W] with NaN padding between the atoms."""
    d, k = atoms.shape
    patch = patch or round(math.sqrt(d))
    order = np.argsort(-np.linalg.norm(atoms, axis=0))[:max_atoms]
    k = len(order)
    ordered = atoms[:, order].T.reshape(k, patch, patch)
    scale = np.abs(ordered).max(axis=(1, 2), keepdims=True)
    cols = math.ceil(math.sqrt(k))
    grid = montage(ordered / np.where(scale == 0, 1.0, scale), fill=np.nan,
                   grid_shape=(math.ceil(k / cols), cols), padding_width=pad)
    return grid[pad:-pad, pad:-pad] if pad else grid  # montage also pads the border


def image_panels(rows: int, cols: int, image_shape: tuple[int, ...], title_lines: int = 2,
                 header_lines: int = 1) -> tuple[plt.Figure, list[list[plt.Axes]]]:
    """A figure of rows x cols image panels, each exactly ATOM_PX PNG pixels per image pixel
    (``image_shape`` [H, W, ...] is the largest image a panel shows), with room for a title
    of ``title_lines`` lines over each panel and ``header_lines`` for the figure's title.
    Axes are placed in inches, so the PNG's scale does not depend on the panel count."""
    line = LEGEND_PT * 1.5 / 72  # inches per line of panel title
    width, height = (ATOM_PX * n / DPI for n in (image_shape[1], image_shape[0]))
    gap, above = 0.2, title_lines * line + 0.1
    header = header_lines * 0.22 + 0.1
    fig_w = cols * width + (cols + 1) * gap
    fig_h = header + rows * (above + height) + gap
    fig = plt.figure(figsize=(fig_w, fig_h))
    axes = [[fig.add_axes(((gap + c * (width + gap)) / fig_w,
                           (fig_h - header - (r + 1) * (above + height)) / fig_h,
                           width / fig_w, height / fig_h))
             for c in range(cols)] for r in range(rows)]
    for ax in (a for row in axes for a in row):
        ax.axis("off")
    return fig, axes


def show_atoms(ax: plt.Axes, atoms: np.ndarray) -> np.ndarray:
    """Draw the ATOMS_SHOWN largest atoms of a [P*P, K] dictionary, the same way in every
    panel of every figure (one grey scale, white separators, top left aligned); returns the
    tiled image."""
    grid = atom_grid(atoms, max_atoms=ATOMS_SHOWN)
    ax.imshow(grid, cmap=GREY, vmin=-1, vmax=1, interpolation="nearest")
    return grid


def atoms_caption(atoms: np.ndarray) -> str:
    """'the 64 largest of 256 atoms' (or 'all 16 atoms'), for a figure's title."""
    k = atoms.shape[1]
    return f"the {ATOMS_SHOWN} largest of {k} atoms" if k > ATOMS_SHOWN else f"all {k} atoms"


def tile_shape(atoms: np.ndarray) -> tuple[int, int]:
    """[H, W] of the image ``show_atoms`` draws for a [P*P, K] dictionary (as atom_grid
    lays it out, without tiling it)."""
    d, k = atoms.shape
    patch, shown = round(math.sqrt(d)), min(k, ATOMS_SHOWN)
    cols = math.ceil(math.sqrt(shown))
    return (math.ceil(shown / cols) * (patch + 1) - 1, cols * (patch + 1) - 1)


def plot_dictionaries(finals: pd.DataFrame, stem: str | Path,
                      notes: Sequence[str] = ()) -> list[Path]:
    """One panel per (method, J): the lowest seed's dictionary, its largest atoms by norm."""
    # a scikit-learn run has one row per coding algorithm but a single dictionary
    runs = (finals.drop_duplicates("run_dir").sort_values("seed")
            .drop_duplicates(["method", "J"]))
    dictionaries = [np.load(Path(run.run_dir) / "dictionary.npy") for run in runs.itertuples()]
    cols = min(4, len(runs))
    title = (f"Learned dictionaries, {atoms_caption(dictionaries[0])} by norm "
             f"({provenance_line(runs)}){notes_lines(notes)}")
    fig, axes = image_panels(math.ceil(len(runs) / cols), cols, tile_shape(dictionaries[0]),
                             header_lines=title.count("\n") + 1)
    for ax, run, atoms in zip((a for row in axes for a in row), runs.itertuples(),
                              dictionaries, strict=False):
        show_atoms(ax, atoms)
        name = "scikit-learn" if run.method.startswith("sklearn_") else label(run.method)
        ax.set_title(f"{name}\nJ={run.J}, mean norm "
                     f"{np.linalg.norm(atoms, axis=0).mean():.1f}", fontsize=LEGEND_PT + 1)
    fig.suptitle(title, fontsize=10, y=1.0, va="top")
    return save(fig, stem)


def legend_once() -> Callable[[str], str | None]:
    """A labeller that returns each legend text the first time only (None after), so a
    figure drawn mark by mark lists each kind of mark once."""
    labelled: set[str] = set()

    def once(text: str) -> str | None:
        if text in labelled:
            return None
        labelled.add(text)
        return text
    return once


def paper_label(frame: pd.DataFrame) -> str:
    """How the paper's linear values are named in a legend: 'paper' on IMAGES.mat itself,
    'paper, IMAGES.mat' wherever the figure's data differ from the paper's."""
    return "paper" if set(frame.dataset.astype(str)) == {IMAGES_MAT} else f"paper, {IMAGES_MAT}"


def notes_lines(notes: Sequence[str]) -> str:
    """The preset's notes as extra title lines (wrapped), so a figure carries its caveats."""
    return "".join("\n" + "\n".join(textwrap.wrap(note, 110)) for note in notes)


def plot_table1(table: pd.DataFrame, stem: str | Path) -> list[Path]:
    """Validation loss per method on a log scale with its 95% bootstrap interval (the seeds'
    sd for tables without one), J side by side, the paper's values marked, exact inference on
    each method's own dictionary as grey crosses and the zero code as a dashed line."""
    zero = table[table.method == ZERO_CODE]
    table = table[table.method != ZERO_CODE]
    methods = list(dict.fromkeys(table.method))
    js = sorted(table.J.unique())
    fig, ax = plt.subplots(figsize=(1.1 * len(methods) + 2, 4.5))
    width = 0.25
    once = legend_once()

    for k, j in enumerate(js):
        offset = (k - (len(js) - 1) / 2) * width
        sub = table[table.J == j].set_index("method")
        colour = J_COLOURS.get(j, f"C{k}")
        for i, m in enumerate(methods):
            if m not in sub.index:
                continue
            row = sub.loc[m]
            if row.n_diverged == row.n_seeds:
                ax.annotate("diverged", (i + offset, 0.5), xycoords=("data", "axes fraction"),
                            rotation=90, ha="center", fontsize=LEGEND_PT, color=colour)
                continue
            low = getattr(row, "val_loss_ci_low", math.nan)
            if pd.notna(low):  # the 95% bootstrap interval (vsc.intervals)
                yerr = [[row.val_loss_mean - low], [row.val_loss_ci_high - row.val_loss_mean]]
            else:
                yerr = 0 if math.isnan(row.val_loss_std) else row.val_loss_std
            ax.errorbar(i + offset, row.val_loss_mean, yerr=yerr, fmt="o", color=colour,
                        capsize=3, label=once(f"ours, J={j} (95% interval)"))
            paper = PAPER_TABLE1.get((m, int(j)))
            if paper:
                ax.plot(i + offset, paper, marker="_", markersize=14, color=colour, mew=2,
                        linestyle="none", label=once(f"{paper_label(table)}, J={j}"))
            exact = getattr(row, "fista_val_loss_mean", math.nan)
            if pd.notna(exact):
                ax.plot(i + offset, exact, marker="x", color="grey", linestyle="none",
                        label=once("FISTA on the method's own dictionary"))
    if len(zero):
        ax.axhline(zero.val_loss_mean.iloc[0], color="black", linestyle="--", linewidth=1,
                   label=f"zero code (b = 0), {zero.val_loss_mean.iloc[0]:.3g}")
    ax.set_yscale("log")
    ax.set_xticks(range(len(methods)), [label(m) for m in methods], rotation=35, ha="right",
                  fontsize=8)
    ax.set_ylabel("validation loss (log scale)")
    ax.set_title(f"Table 1: validation loss per method ({provenance_line(table)})", fontsize=9)
    ax.legend(fontsize=LEGEND_PT, loc="best")
    ax.grid(axis="y", alpha=0.3, which="both")
    return save(fig, stem)


def plot_curves(curves: pd.DataFrame, stem: str | Path) -> list[Path]:
    """Validation loss per epoch for every run, one panel per J."""
    js = sorted(curves.J.unique())
    fig, axes = plt.subplots(1, len(js), figsize=(6 * len(js), 4.2), squeeze=False,
                             sharey=True)
    for ax, j in zip(axes[0], js, strict=True):
        for i, ((method, seed), run) in enumerate(
                curves[curves.J == j].groupby(["method", "seed"], sort=False)):
            name, colour = f"{label(method)} (seed {seed})", f"C{i % 10}"
            if len(run) == 1:  # one evaluation (scikit-learn): a level across the panel
                ax.axhline(run.val_loss.iloc[0], color=colour, linestyle=":",
                           label=f"{name}, one evaluation")
                ax.plot(run.epoch, run.val_loss, marker="D", color=colour)
            else:
                ax.plot(run.epoch, run.val_loss, marker=".", color=colour, label=name)
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(f"J = {j}")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=LEGEND_PT)
    axes[0][0].set_ylabel("validation loss (log scale)")
    fig.suptitle(f"Validation loss per epoch ({provenance_line(curves)})", fontsize=10)
    return save(fig, stem)


def plot_dictionary_learning(curves: pd.DataFrame, zero_code: float | None,
                             stem: str | Path) -> list[Path]:
    """When the dictionaries form: per run, mean atom norm and validation reconstruction
    error (1/2 ||x - A b||^2 of the method's own codes) against iteration, J = 1 solid and
    larger J dashed; the zero code's error as a dashed black line."""
    fig, (norm_ax, recon_ax) = plt.subplots(1, 2, figsize=(13, 5.5))
    curves = curves[curves.iteration.notna()] if "iteration" in curves else curves.iloc[:0]
    colours = {m: plt.cm.tab10(i % 10) for i, m in enumerate(dict.fromkeys(curves.method))}
    for (method, samples), run in curves.groupby(["method", "J"], sort=False):
        style = {"color": colours[method], "linestyle": "-" if samples == 1 else "--",
                 "marker": "D" if len(run) == 1 else "." if len(run) < 30 else None,
                 "label": label(method) + (f" J={samples}" if method in FAMILY_NAMES
                                           else "")}
        if "atom_norm_mean" in run:
            norm_ax.plot(run.iteration, run.atom_norm_mean, **style)
        if "val_recon" in run:
            recon_ax.plot(run.iteration, run.val_recon, **style)
    if zero_code is not None and not math.isnan(zero_code):
        recon_ax.axhline(zero_code, color="black", linestyle="--", linewidth=1,
                         label=f"zero code, {zero_code:.3g}")
    norm_ax.set_ylabel(column_label("atom_norm_mean"))
    recon_ax.set_ylabel("validation reconstruction 1/2 ||x - A b||^2")
    recon_ax.set_yscale("log")
    for ax in (norm_ax, recon_ax):
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3, which="both")
    handles, labels = recon_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=6, fontsize=LEGEND_PT, frameon=False)
    fig.subplots_adjust(bottom=0.27)
    fig.suptitle(f"Dictionary learning over time ({provenance_line(curves)})", fontsize=10)
    return save(fig, stem)


def plot_snapshots(snapshots: dict[str, dict[int, np.ndarray]], provenance: str,
                   stem: str | Path, max_columns: int = 6) -> list[Path]:
    """Dictionary snapshots: one row per run (name -> {iteration: [P*P, K]}), at most
    ``max_columns`` iterations evenly chosen from those kept (always the first and last),
    the largest atoms by norm."""
    picked = {}
    for name, by_iteration in snapshots.items():
        its = sorted(by_iteration)
        idx = np.unique(np.linspace(0, len(its) - 1, min(max_columns, len(its))).round())
        picked[name] = [its[int(i)] for i in idx]
    first = next(iter(next(iter(snapshots.values())).values()))
    fig, axes = image_panels(len(picked), max(len(v) for v in picked.values()),
                             tile_shape(first))
    for r, (name, its) in enumerate(picked.items()):
        for c, it in enumerate(its):
            atoms = snapshots[name][it]
            show_atoms(axes[r][c], atoms)
            axes[r][c].set_title(f"{name}\niteration {it:,}, norm "
                                 f"{np.linalg.norm(atoms, axis=0).mean():.2f}",
                                 fontsize=LEGEND_PT)
    fig.suptitle(f"Dictionaries during training, {atoms_caption(first)} by norm "
                 f"({provenance})", fontsize=10, y=1.0, va="top")
    return save(fig, stem)


def recovered_atom_order(atoms: np.ndarray, rows: int, cols: int, layout: str = "top_random",
                         seed: int = 0) -> np.ndarray:
    """Which recovered atoms [P, K] fill a rows x cols grid, by norm rank (0 = largest).

    top_random (the paper's figure): first row the largest atoms, bottom row random ones
    (seeded), rows between evenly spaced norm-rank strata. rank_strata (the reference
    notebook): every row an evenly spaced stratum of the norm ranking."""
    k = atoms.shape[1]
    ranked = np.argsort(-np.linalg.norm(atoms, axis=0))
    starts = np.linspace(0, max(0, k - cols), rows).round().astype(int)
    picks = [ranked[s:s + cols] for s in starts]
    if layout == "top_random":
        picks[0] = ranked[:cols]
        if rows > 1:
            picks[-1] = np.random.default_rng(seed).choice(k, size=min(cols, k), replace=False)
    elif layout != "rank_strata":
        raise UserError(f"unknown layout {layout!r}: use 'top_random' or 'rank_strata'")
    return np.concatenate(picks)


def plot_recovered(recovered: dict[str, np.ndarray], provenance: str, stem: str | Path,
                   rows: int = 4, cols: int = 8, size: int = 32,
                   layout: str = "top_random") -> list[Path]:
    """Recovered dictionaries side by side (e.g. Gaussian vs Thresholded Gaussian+Gamma);
    each atom is an RGB image scaled to its own range, white lines between the atoms."""
    shape = (rows * (size + 1) - 1, cols * (size + 1) - 1, 3)
    fig, axes = image_panels(1, len(recovered), shape, title_lines=1)
    for ax, (name, atoms) in zip(axes[0], recovered.items(), strict=True):
        if atoms.size == 0:
            ax.set_title(f"{name}: diverged", fontsize=LEGEND_PT + 1)
            continue
        order = recovered_atom_order(atoms, rows, cols, layout)
        canvas = np.ones(shape)
        for i, idx in enumerate(order):
            img = atoms[:, idx].reshape(3, size, size).transpose(1, 2, 0)
            img = (img - img.min()) / (np.ptp(img) or 1.0)
            r, c = divmod(i, cols)
            canvas[r * (size + 1):r * (size + 1) + size, c * (size + 1):c * (size + 1) + size] = img
        ax.imshow(canvas, interpolation="nearest")
        ax.set_title(name, fontsize=LEGEND_PT + 1)
    caption = ("top row: largest atoms; bottom row: random atoms" if layout == "top_random"
               else "rows: evenly spaced norm-rank strata")
    fig.suptitle(f"Dictionaries recovered from DNN codes ({caption}; {provenance})",
                 fontsize=10, y=1.0, va="top")
    return save(fig, stem)


def plot_snr(table: pd.DataFrame, stem: str | Path) -> list[Path]:
    """Encoder and dictionary gradient SNR per family, J = 1 and J = 20 bars side by side,
    the reference values marked (the reference's dictionary values are not comparable in
    size: see vsc/snr.py)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    once = legend_once()
    methods = list(dict.fromkeys(table.method))
    js = sorted(table.J.unique())
    width = 0.8 / max(1, len(js))
    for ax, part in zip(axes, ("encoder", "dictionary"), strict=True):
        for k, j in enumerate(js):
            sub = table[table.J == j].set_index("method")
            xs = [i + (k - (len(js) - 1) / 2) * width for i in range(len(methods))]
            ours = [sub.loc[m, f"{part}_snr_mean"] if m in sub.index and
                    f"{part}_snr_mean" in sub else float("nan") for m in methods]
            ax.bar(xs, ours, width=width, color=J_COLOURS.get(j, f"C{k}"), label=f"ours, J={j}")
            for x, m in zip(xs, methods, strict=True):
                if m in sub.index and sub.loc[m, "status"] != "finished":
                    ax.annotate(sub.loc[m, "status"], (x, 0), xytext=(0, 4),
                                textcoords="offset points", rotation=90, ha="center",
                                fontsize=LEGEND_PT)
            refs = [sub.loc[m, f"reference_{part}_snr"] if m in sub.index else None
                    for m in methods]
            for x, ref in zip(xs, refs, strict=True):
                if ref is not None and not pd.isna(ref) and part == "encoder":
                    ax.plot(x, ref, marker="_", markersize=18, mew=2, color="black",
                            linestyle="none", label=once(paper_label(table)))
        ax.set_xticks(range(len(methods)), [label(m) for m in methods], rotation=20,
                      ha="right", fontsize=8)
        ax.set_title(f"{part} gradient SNR (mean |mean| / std)", fontsize=9)
        ax.legend(fontsize=LEGEND_PT)
    fig.suptitle(f"Gradient SNR ({provenance_line(table)})", fontsize=10)
    return save(fig, stem)


def plot_sampling(table: pd.DataFrame, consistency: list[dict], stem: str | Path) -> list[Path]:
    """Left: validation loss against J (max selection) per family. Right: support
    consistency (mean pairwise Jaccard across the J samples of an input), max against avg."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    max_runs = table[(table.estimator == "max") & (table.status == "finished")]
    for i, (method, runs) in enumerate(max_runs.groupby("method", sort=False)):
        runs = runs.sort_values("J")
        left.plot(runs.J, runs.val_loss, marker="o", color=f"C{i}", label=label(method))
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("J (samples per input)")
    left.set_ylabel(column_label("val_loss"))
    left.set_title("Validation loss against J (max selection)", fontsize=9)
    left.legend(fontsize=LEGEND_PT)
    values = [v for c in consistency for v in c.get("jaccard") or ()]
    if values:  # one set of bins for every series, spanning the data (Jaccard is in [0, 1])
        low, high = min(values), max(values)
        pad = 0.05 * (high - low) or 0.01
        edges = np.histogram_bin_edges(values, bins=30, range=(max(0.0, low - pad),
                                                                min(1.0, high + pad)))
    for i, c in enumerate(consistency):
        if c.get("jaccard"):
            right.hist(c["jaccard"], bins=edges, alpha=0.5, color=f"C{i}",
                       label=f"{label(c['method'])}, J={c['J']}, {c['estimator']}")
    right.set_xlabel("mean pairwise Jaccard index of supports (self-pairs excluded)")
    right.set_ylabel("inputs")
    right.set_title("Support consistency across samples", fontsize=9)
    right.legend(fontsize=LEGEND_PT)
    fig.suptitle(f"Sampling studies ({provenance_line(table)})", fontsize=10)
    return save(fig, stem)


def plot_groundtruth(table: pd.DataFrame, stem: str | Path) -> list[Path]:
    """The ground-truth benchmark. Left: fraction of true atoms recovered per method (bars
    per J, mean over seeds, seeds as dots). Right: support precision against recall of the
    validation codes, one marker per run."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    methods = list(dict.fromkeys(table.method))
    js = sorted(table.J.unique())
    width = 0.8 / max(1, len(js))
    for k, j in enumerate(js):
        colour, legend_label = J_COLOURS.get(j, f"C{k + 2}"), f"J={j}"
        for i, method in enumerate(methods):
            runs = table[(table.method == method) & (table.J == j)]
            if runs.empty:
                continue
            x = i + (k - (len(js) - 1) / 2) * width
            done = runs[runs.status == "finished"]
            if done.empty:  # diverged: say so where the bar would be
                left.annotate(str(runs.status.iloc[0]), (x, 0), xytext=(0, 4),
                              textcoords="offset points", rotation=90, ha="center",
                              fontsize=LEGEND_PT)
                continue
            scores = done.recovered_fraction.astype(float)
            left.bar(x, scores.mean(), width=width, color=colour, label=legend_label)
            left.annotate(f"{scores.mean():.0%}", (x, scores.mean()), xytext=(0, 3),
                          textcoords="offset points", ha="center", fontsize=LEGEND_PT)
            left.plot([x] * len(scores), scores, "k.", markersize=3)
            legend_label = None  # one legend entry per J
    left.legend(fontsize=LEGEND_PT, title="J (baselines: 1)", title_fontsize=LEGEND_PT)
    left.set_xticks(range(len(methods)), [label(m) for m in methods], rotation=25, ha="right",
                    fontsize=8)
    left.set_ylim(0, 1)
    left.set_ylabel("true atoms recovered (|cos| > 0.9, one-to-one)")
    left.set_title("Dictionary recovery", fontsize=9)
    finished = table[table.status == "finished"]
    for i, method in enumerate(methods):
        runs = finished[finished.method == method]
        if not runs.empty:
            right.scatter(runs.support_recall, runs.support_precision, color=f"C{i % 10}",
                          marker="os^Dv<>pPX"[i % 10], label=label(method))
    right.set_xlim(0, 1.02)
    right.set_ylim(0, 1.02)
    right.set_xlabel(column_label("support_recall"))
    right.set_ylabel(column_label("support_precision"))
    right.set_title("Support recovery of the validation codes", fontsize=9)
    right.legend(fontsize=LEGEND_PT, loc="best")
    fig.suptitle(f"Ground-truth benchmark ({provenance_line(table)})", fontsize=10)
    return save(fig, stem)


def plot_dnn_sweep(table: pd.DataFrame, stem: str | Path) -> list[Path]:
    """Per-pixel MSE (top) and multi-information (bottom) against code size (left) and
    target sparsity (right), one line per family, error bars the sd over seeds. Families
    whose codes ignore the target sparsity appear on the right as a dashed level (their run
    at the main setting); the paper's value is marked where the setting is the paper's."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex="col", layout="constrained")
    colours = {m: f"C{i % 10}" for i, m in enumerate(dict.fromkeys(table.method))}
    once = legend_once()
    for col, (sweep, x) in enumerate((("latents", "latents"), ("sparsity", "target_sparsity"))):
        rows = table[table.sweep == sweep]
        for method, runs in rows.groupby("method", sort=False):
            runs = runs.sort_values(x)
            for row, y in enumerate(("mse_per_pixel", "multi_information_bits")):
                ax = axes[row, col]
                if f"{y}_mean" not in runs:
                    continue
                ax.errorbar(runs[x], runs[f"{y}_mean"], yerr=runs[f"{y}_std"], marker="o",
                            capsize=2, color=colours[method], label=label(method))
                ax.set_ylabel(column_label(y))
                if y == "mse_per_pixel":
                    paper = runs.dropna(subset=["paper_mse_per_pixel"])
                    if len(paper):
                        ax.plot(paper[x], paper.paper_mse_per_pixel, marker="*",
                                markersize=11, linestyle="none", color=colours[method],
                                label=once("paper (CelebA, 512 latents, 10%)"))
        if sweep == "sparsity" and len(rows):  # dense families: their main-setting level
            dense = table[(table.sweep == "latents") & table.method.isin(SPARSITY_FREE_FAMILIES)
                          & (table.latents == rows.latents.iloc[0])]
            for r in dense.itertuples():
                for row, y in enumerate(("mse_per_pixel_mean", "multi_information_bits_mean")):
                    if hasattr(r, y):
                        axes[row, col].axhline(getattr(r, y), linestyle="--",
                                               color=colours[r.method],
                                               label=f"{label(r.method)} (dense)")
    axes[1, 0].set_xlabel("latents (code size)")
    axes[1, 0].set_xscale("log", base=2)
    sizes = sorted(table[table.sweep == "latents"].latents.unique())
    axes[1, 0].set_xticks(sizes, [str(n) for n in sizes])
    axes[1, 1].set_xlabel("target sparsity (fraction of active latents)")
    axes[0, 0].set_title("against code size (main target sparsity)", fontsize=9)
    axes[0, 1].set_title("against target sparsity (main code size)", fontsize=9)
    for ax in axes[0]:
        if ax.get_legend_handles_labels()[0]:  # a panel with nothing drawn has no legend
            ax.legend(fontsize=LEGEND_PT)
    fig.suptitle(f"DNN generator sweeps ({provenance_line(table)})", fontsize=10)
    return save(fig, stem)
