"""results/REPORT.md: every reproduced number next to the paper's, whether the ordering of
methods agrees (Kendall's tau), whether the paper's main claims held, and what produced it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pandas as pd

from vsc.aggregate import (
    ABSURD_FACTOR,
    INTERVAL_NOTE,
    SCALE_NOTE,
    ZERO_CODE,
    ZERO_CODE_NOTE,
    cost_table,
    label,
)
from vsc.catalogue import PAPER_FAMILIES
from vsc.columns import cell, formatted
from vsc.columns import label as column_label
from vsc.intervals import kendall_tau, ordering_table
from vsc.paper import PAPER_DNN_MSE
from vsc.summaries import REPORTED, function

VARIATIONAL = PAPER_FAMILIES  # the paper's claims compare the paper's families


def _fmt(value: float | None, spec: str = ".3g") -> str:
    return formatted(value, spec)


def _interval(row: object) -> str:
    """A Table 1 row's 95% bootstrap interval as '[low, high]', '-' without one."""
    low, high = getattr(row, "val_loss_ci_low", math.nan), getattr(row, "val_loss_ci_high",
                                                                   math.nan)
    return "-" if pd.isna(low) else f"[{_fmt(low)}, {_fmt(high)}]"


def _mean_sd(mean: float, sd: float, spec: str) -> str:
    text = _fmt(mean, spec)
    return text if text == "-" or math.isnan(sd) else f"{text} ± {_fmt(sd, '.2g')}"


# the measured columns each report table shows after its own (their labels and formats:
# vsc/columns.py)
TABLE1_MEASURES = ("fista_val_loss", "atom_norm_mean", "val_recon", "frac_nonzero")
GROUNDTRUTH_MEASURES = ("recovered_fraction", "mean_matched_cosine", "support_precision",
                        "support_recall", "support_f1", "frac_nonzero", "atom_norm_mean",
                        "val_loss")


def _header(first: Sequence[str], columns: Sequence[str]) -> str:
    """A Markdown table's header and rule: the ``first`` titles, then the columns' labels."""
    titles = [*first, *(column_label(c) for c in columns)]
    return "| " + " | ".join(titles) + " |\n" + "|---" * len(titles) + "|"


def _cells(row: object, columns: Sequence[str]) -> list[str]:
    """Each column of ``row`` (a namedtuple or Series) printed its declared way."""
    return [cell(c, getattr(row, c, None)) for c in columns]


def _row(first: Sequence[object], cells: Sequence[str]) -> str:
    return "| " + " | ".join([*map(str, first), *cells]) + " |"


def ordering_agreement(ours: dict, paper: dict) -> tuple[float, int]:
    """Kendall's tau between our and the paper's values over the keys (methods, or
    (method, J) pairs) both have."""
    common = [m for m in ours if m in paper and not math.isnan(ours[m])]
    return kendall_tau([ours[m] for m in common], [paper[m] for m in common]), len(common)


def _left_out(cells: list[tuple[str, int]]) -> str:
    """' (judged without ...: diverged)' for the (method, J) cells a verdict could not use."""
    if not cells:
        return ""
    names = ", ".join(f"{label(m)} J = {j}" for m, j in cells)
    return f"; judged without {names}, which diverged"


SEPARATION_NOTE = ("A claim **held** where its ordering holds and the 95% bootstrap intervals "
                   "of the cells it compares do not overlap; **consistent, not separated** "
                   "where the ordering holds but the intervals overlap, so these runs cannot "
                   "tell it from noise; **did not hold** where the ordering is reversed.")


def _verdict(holds: bool, separated: bool | None) -> str:
    """'held' only with separated intervals; ``separated`` None: a cell has no interval."""
    if not holds:
        return "did not hold"
    if separated is None:
        return "held on the means (no intervals: runs without per-patch losses)"
    return "held" if separated else "consistent, not separated"


def _below(lower: list[tuple[str, int]], upper: list[tuple[str, int]],
           ci: dict[tuple[str, int], tuple[float, float]]) -> bool | None:
    """Whether every interval of the ``lower`` cells lies below every one of the ``upper``
    cells (None when a cell has no interval)."""
    bounds = [ci.get(c, (math.nan, math.nan)) for c in lower + upper]
    if any(math.isnan(low) or math.isnan(high) for low, high in bounds):
        return None
    return max(ci[c][1] for c in lower) < min(ci[c][0] for c in upper)


def _intervals(table: pd.DataFrame) -> dict[tuple[str, int], tuple[float, float]]:
    if "val_loss_ci_low" not in table:
        return {}
    return {(r.method, r.J): (float(r.val_loss_ci_low), float(r.val_loss_ci_high))
            for r in table.itertuples()}


def claims(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The paper's Table 1 claims, each judged on our numbers and their intervals: (claim,
    verdict) with the verdicts of SEPARATION_NOTE. A verdict names the diverged cells it had
    to leave out."""
    v = {(r.method, r.J): r.val_loss_mean for r in table.itertuples()}
    ci = _intervals(table)
    diverged = sorted((r.method, r.J) for r in table.itertuples()
                      if r.method in VARIATIONAL and math.isnan(r.val_loss_mean))
    out = []
    for j in sorted(table.J.unique()):
        scores = {m: v.get((m, j), math.nan) for m in VARIATIONAL}
        finished = {m: s for m, s in scores.items() if not math.isnan(s)}
        if not finished:
            continue
        gone = _left_out([c for c in diverged if c[1] == j])
        best = min(finished, key=finished.get)
        rest = [(m, j) for m in finished if m != best]
        if rest:  # one family alone (e.g. a paper-length cell) has nothing to be lowest among
            verdict = _verdict(best == "thresholded_laplacian", _below([(best, j)], rest, ci))
            out.append((f"J = {j}: Thresholded Laplacian has the lowest validation loss of the "
                        "variational families",
                        f"{verdict} (lowest: {label(best)}, {finished[best]:.3g}{gone})"))
        thresholded = [(m, j) for m in finished if m.startswith("thresholded")]
        others = [(m, j) for m in finished if not m.startswith("thresholded")]
        if thresholded and others:
            holds = max(v[c] for c in thresholded) < min(v[c] for c in others)
            out.append((f"J = {j}: every thresholded family beats Gaussian, Laplacian and "
                        "spike-and-slab",
                        _verdict(holds, _below(thresholded, others, ci))
                        + (f" ({gone[2:]})" if gone else "")))
    pairs = [(m, v.get((m, 1), math.nan), v.get((m, 20), math.nan)) for m in VARIATIONAL]
    pairs = [(m, a, b) for m, a, b in pairs if not (math.isnan(a) or math.isnan(b))]
    if pairs:
        better = [m for m, a, b in pairs if b <= a]
        separations = [_below([(m, 20)], [(m, 1)], ci) for m, _, _ in pairs]
        separated = None if None in separations else all(separations)
        apart = sum(1 for s in separations if s)
        out.append(("J = 20 is no worse than J = 1 for every family",
                    f"{_verdict(len(better) == len(pairs), separated)} "
                    f"({len(better)} of {len(pairs)} families with both runs finished"
                    + (f", {apart} with separated intervals" if ci else "")
                    + f"{_left_out(diverged)})"))
    fista = v.get(("fista", 1), math.nan)
    vi = [c for c, s in v.items() if c[0] in VARIATIONAL and not math.isnan(s)]
    if vi and not math.isnan(fista):
        out.append(("FISTA (exact inference) scores below every amortised variational method",
                    _verdict(fista < min(v[c] for c in vi), _below([("fista", 1)], vi, ci))
                    + (f" ({_left_out(diverged)[2:]})" if diverged else "")))
    return out


def zero_code_findings(table: pd.DataFrame) -> list[str]:
    """Plain statements of where the methods stand against the all-zero code: which score
    above it, and how much of its reconstruction error the variational codes leave. Empty
    without a zero-code row."""
    zero = table[table.method == ZERO_CODE]
    if zero.empty:
        return []
    level = float(zero.val_loss_mean.iloc[0])
    scored = table[(table.method != ZERO_CODE) & table.val_loss_mean.notna()]
    above = scored[scored.val_loss_mean > level]
    below = scored[scored.val_loss_mean <= level]

    def names(rows: pd.DataFrame) -> str:
        return ", ".join(f"{r.label}" + (f" (J = {r.J})" if r.method in VARIATIONAL else "")
                         for r in rows.itertuples())

    lines = [f"- The zero code (b = 0) scores **{level:.3g}** on these validation patches."]
    if len(above):
        lines.append(f"- **{len(above)} of {len(scored)}** scored cells are *above* the zero "
                     f"code, i.e. worse than reconstructing nothing: {names(above)}.")
    if len(below):
        lines.append(f"- Below the zero code: {names(below)}.")
    vi = scored[scored.method.isin(VARIATIONAL)]
    if len(vi) and "val_recon_mean" in vi:
        share = vi.val_recon_mean / level
        lines.append(f"- The variational methods' own codes leave {share.min():.0%} to "
                     f"{share.max():.0%} of the zero code's reconstruction error"
                     f"{_iterations(table)}; whether their dictionaries have formed is "
                     "seen in the dictionaries and snapshots figures, not in these numbers.")
    return lines


def _iterations(table: pd.DataFrame) -> str:
    if "iteration_mean" not in table or table.iteration_mean.isna().all():
        return ""
    return f" after {int(table.iteration_mean.max()):,} iterations"


def build_report(table: pd.DataFrame, finals: pd.DataFrame,
                 sections: Mapping[str, pd.DataFrame] | None = None,
                 config_path: str | None = None, *, notes: Sequence[str] = (),
                 costs: pd.DataFrame | None = None,
                 ordering: pd.DataFrame | None = None) -> str:
    """The Markdown report from Table 1, the run records, the tables of the summaries with a
    report section (``sections``: {summary name: its table}; each shown in the order of
    vsc.summaries.SUMMARIES, with its summary bullet where it declares one), the runs' costs
    (vsc.aggregate.read_costs) and Kendall's tau with its intervals (ordering.csv, from
    vsc.intervals.ordering_table; computed here without intervals when not given)."""
    shown = [(summary, sections[summary.name]) for summary in REPORTED
             if sections and summary.name in sections and len(sections[summary.name])]
    datasets = _provenance(finals)
    presets = ", ".join(sorted(finals.preset.astype(str).unique()))
    lines = ["# Reproduction report: Variational Sparse Coding with Learned Thresholding",
             "",
             f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by vsc-bench from "
             f"{len(finals)} run(s). Preset: **{presets}**; data: **{datasets}**.",
             "", f"> {SCALE_NOTE}", "", "## Summary", ""]
    if ordering is None:
        ordering = ordering_table(table, {})
    tau_lines = []
    for r in ordering.itertuples():
        interval = ("" if math.isnan(r.kendall_tau_ci_low) else
                    f", 95% bootstrap interval [{r.kendall_tau_ci_low:.2f}, "
                    f"{r.kendall_tau_ci_high:.2f}]")
        tau_lines.append(f"- Table 1, J = {r.J}: Kendall's tau between our and the paper's "
                         f"ordering of {r.n_methods} methods = **{r.kendall_tau:.2f}**"
                         f"{interval} (1: same order).")
    lines += tau_lines
    lines += [f"- {claim}: **{verdict}**." for claim, verdict in claims(table)]
    lines += [f"- {SEPARATION_NOTE}"]
    lines += zero_code_findings(table)
    lines += [f"- **Note:** {note}" for note in notes]
    lines += [function(s.finding)(frame) for s, frame in shown if s.finding]
    diverged = table[table.n_diverged > 0]
    for r in diverged.itertuples():
        lines.append(f"- {r.label}, J = {r.J}: {r.n_diverged} of {r.n_seeds} run(s) diverged "
                     "(loss became non-finite; shown as diverged, not dropped).")
    for r in table.itertuples():
        if getattr(r, "absurd_loss", False) is True:
            lines.append(f"- {r.label}, J = {r.J}: validation loss {r.val_loss_mean:.3g} is "
                         f"more than {ABSURD_FACTOR:g} times the zero code's (marked ‡): the "
                         "run learned nothing usable and its number means little.")

    lines += ["", "## Table 1: validation loss", "",
              _header(["Method", "J", "seeds", column_label("lambda0"), "ours (mean ± sd)",
                       "95% interval", "paper", "ours / paper"], TABLE1_MEASURES)]
    for r in table.itertuples():
        ours = ("diverged" if r.n_seeds and r.n_diverged == r.n_seeds
                else _mean_sd(r.val_loss_mean, r.val_loss_std, ".3g"))
        if getattr(r, "above_zero_code", False) is True:
            ours += " †"
        if getattr(r, "absurd_loss", False) is True:
            ours += " ‡"
        lines.append(_row([r.label, r.J, r.n_seeds, cell("lambda0", getattr(r, "lambda0", None)),
                           ours, _interval(r), _fmt(r.paper_val_loss),
                           _fmt(r.ratio_to_paper, ".2f")],
                          _cells(r, [f"{key}_mean" for key in TABLE1_MEASURES])))
    if ZERO_CODE in set(table.method):
        lines += ["", f"{ZERO_CODE_NOTE} FISTA on own dictionary: exact inference on the "
                  "method's own dictionary (amortisation gap = ours minus this). "
                  "Reconstruction: the 1/2 ||x - A b||^2 part of ours."]
    lines += ["", f"95% interval: {INTERVAL_NOTE}"]

    for summary, frame in shown:
        lines += function(summary.section)(frame)

    if costs is not None and len(costs):
        lines += _cost_section(costs)

    lines += _produced_by(finals, config_path)
    return "\n".join(line for line in lines if line is not None) + "\n"


def dnn_section(dnn: pd.DataFrame) -> list[str]:
    """The DNN table (vsc.aggregate.dnn_table): MSE per family next to the paper's, and the
    mean-image and PCA baselines where the table has them, with the comparisons they allow."""
    from vsc.image_baselines import MEAN_IMAGE, PCA

    lines = ["", "## DNN generator", "",
             "| Method | latents | J | seeds | MSE per pixel (mean ± sd) | paper (CelebA, "
             "512) | non-zero | true atoms recovered | mean matched abs. cosine "
             "(centred) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in dnn.itertuples():
        recovered = getattr(r, "recovered_fraction_mean", math.nan)
        cosine = getattr(r, "centered_mean_matched_cosine_mean", math.nan)
        lines.append(f"| {r.label} | {r.latents} | {_fmt(r.J, '.0f')} | "
                     f"{_fmt(r.n_seeds, '.0f')} | "
                     f"{_mean_sd(r.mse_per_pixel_mean, r.mse_per_pixel_std, '.4f')} | "
                     f"{cell('paper_mse_celeba_512', r.paper_mse_celeba_512)} | "
                     f"{cell('frac_nonzero', r.frac_nonzero_mean)} | "
                     f"{cell('recovered_fraction', recovered)} | "
                     f"{cell('centered_mean_matched_cosine', cosine)} |")
    families = dnn[~dnn.method.isin([MEAN_IMAGE, PCA])]
    ours = {r.method: r.mse_per_pixel_mean for r in families.itertuples()}
    tau, n = ordering_agreement(ours, PAPER_DNN_MSE)
    lines += ["", f"Data: {_provenance(families)}. Kendall's tau of the MSE ordering against "
              f"the paper's CelebA values over {n} methods: {_fmt(tau, '.2f')} (meaningful "
              "only on CelebA at 512 latents)."]
    baseline = dict(zip(dnn.method, dnn.mse_per_pixel_mean, strict=True))
    if MEAN_IMAGE in baseline and len(families):
        lines += ["", _baseline_finding(families.mse_per_pixel_mean, baseline[MEAN_IMAGE],
                                        baseline.get(PCA, math.nan))]
    return lines


def _baseline_finding(mses: pd.Series, mean_image: float, pca: float) -> str:
    """What the families' MSEs mean next to the mean image's and the PCA's."""
    worst = mses.max()
    text = f"Baselines on the same test images: the mean training image scores {mean_image:.4f}"
    if worst < mean_image:
        text += f"; every family is below it, the worst by a factor {mean_image / worst:.1f}."
    else:
        text += (f"; {int((mses >= mean_image).sum())} of {len(mses)} families do no better: "
                 "their codes carry little of the image.")
    if not math.isnan(pca):
        text += (f" PCA with as many components as latents scores {pca:.4f}; "
                 f"{int((mses < pca).sum())} of {len(mses)} families reconstruct better than "
                 "this linear code of the same size.")
    return text


def build_dnn_report(dnn: pd.DataFrame, finals: pd.DataFrame, config_path: str | None = None,
                     *, notes: Sequence[str] = (), costs: pd.DataFrame | None = None) -> str:
    """A Markdown report of the DNN experiment alone (a run of its rules without Table 1):
    the DNN table with its baselines, the notes, the costs and what produced the numbers."""
    presets = ", ".join(sorted(finals.preset.astype(str).unique()))
    lines = ["# DNN-generator report: Variational Sparse Coding with Learned Thresholding", "",
             f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by vsc-bench from "
             f"{len(finals)} run(s). Preset: **{presets}**; data: **{_provenance(finals)}**."]
    lines += [""] + [f"- **Note:** {note}" for note in notes]
    lines += dnn_section(dnn)
    if costs is not None and len(costs):
        lines += _cost_section(costs)
    lines += _produced_by(finals, config_path)
    return "\n".join(lines) + "\n"


def _produced_by(finals: pd.DataFrame, config_path: str | None) -> list[str]:
    first = finals.iloc[0]
    return ["", "## What produced these numbers", "",
            f"- vsc-bench {first.get('vsc_version', '?')}, git {first.get('git_commit', '?')}",
            f"- torch {first.get('torch_version', '?')} on {first.get('device', '?')}",
            *([f"- resolved settings: `{config_path}`"] if config_path else []),
            "- the paper's values: Fallah & Rozell (ICML 2022), Table 1 and section 6, as "
            "listed in vsc-bench's docs/method.md (sections 5 and 6)."]


def _cost_section(costs: pd.DataFrame) -> list[str]:
    """Seconds and peak memory per method and J (means over runs)."""
    table = cost_table(costs)
    lines = ["", "## What the runs cost", "",
             "| Method | J | runs | device | training s | job s | CPU s | peak RAM (MB) | "
             "peak GPU memory (MB) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {label(r.method)} | {r.J} | {r.runs} | {r.device} | "
                     f"{_fmt(r.train_seconds, '.0f')} | {_fmt(r.job_seconds, '.0f')} | "
                     f"{_fmt(r.cpu_seconds, '.0f')} | {_fmt(r.peak_rss_mb, '.0f')} | "
                     f"{_fmt(r.peak_gpu_memory_mb, '.0f')} |")
    lines += ["", "Training s: the training loop, summed over resumes (final.json). Job s, "
              "CPU s and peak RAM: Snakemake's benchmark of the run's last job (benchmark.tsv "
              "in the run folder; absent for runs made outside the workflow). Concurrent "
              "jobs share the machine, so seconds are upper bounds of a run's own cost."]
    return lines


def _provenance(frame: pd.DataFrame) -> str:
    return ", ".join(sorted(frame.dataset.astype(str).unique())) if "dataset" in frame else "?"


def snr_section(snr: pd.DataFrame) -> list[str]:
    """Encoder and dictionary gradient SNR next to the reference's encoder values."""
    lines = ["", "## Gradient signal-to-noise ratio", "",
             "| Method | J | encoder SNR, ours | reference | ours / reference | "
             "dictionary SNR, ours |", "|---|---|---|---|---|---|"]
    ours, reference = {}, {}
    for r in snr.itertuples():
        mine = getattr(r, "encoder_snr_mean", math.nan)
        ref = r.reference_encoder_snr if pd.notna(r.reference_encoder_snr) else math.nan
        ratio = mine / ref if ref and not math.isnan(ref) else math.nan
        shown = _fmt(mine) if r.status == "finished" else str(r.status)
        dictionary = _fmt(getattr(r, "dictionary_snr_mean", math.nan))
        lines.append(f"| {label(r.method)} | {r.J} | {shown} | {_fmt(ref)} | "
                     f"{_fmt(ratio, '.1f')} | {dictionary} |")
        ours[(r.method, r.J)], reference[(r.method, r.J)] = mine, ref
    tau, n = ordering_agreement(ours, {k: v for k, v in reference.items() if not math.isnan(v)})
    lines += ["", f"Data: {_provenance(snr)}. Kendall's tau of the encoder-SNR ordering over "
              f"{n} (family, J) pairs against the reference: {_fmt(tau, '.2f')}. The "
              "reference's dictionary values (about 3e4) measure its 1e-9 epsilon more than "
              "the gradient (see vsc/snr.py), so they are not listed."]
    return lines


def sampling_section(sampling: pd.DataFrame) -> list[str]:
    """Validation loss against J, and max against avg selection."""
    columns = ["val_loss", "multi_information_bits", "jaccard_mean"]
    lines = ["", "## Sampling studies", "", _header(["Method", "J", "selection"], columns)]
    for r in sampling.sort_values(["method", "estimator", "J"]).itertuples():
        cells = _cells(r, columns)
        if r.status != "finished":
            cells[0] = str(r.status)
        lines.append(_row([label(r.method), r.J, r.estimator], cells))
    lines += ["", f"Data: {_provenance(sampling)}. The paper reports these as figures only."]
    return lines


def sweep_section(sweep: pd.DataFrame) -> list[str]:
    """DNN MSE and multi-information against code size and against target sparsity."""
    lines = ["", "## DNN sweeps", "",
             "| sweep | Method | latents | target sparsity | MSE per pixel (mean ± sd) | paper "
             "| multi-information (bits) | non-zero |", "|---|---|---|---|---|---|---|---|"]
    for r in sweep.itertuples():
        mse = ("diverged" if r.n_diverged == r.n_seeds
               else _mean_sd(r.mse_per_pixel_mean, r.mse_per_pixel_std, ".4f"))
        lines.append(f"| {r.sweep} | {r.label} | {r.latents} | {r.target_sparsity:g} | {mse} | "
                     + " | ".join(_cells(r, ["paper_mse_per_pixel", "multi_information_bits_mean",
                                             "frac_nonzero_mean"])) + " |")
    lines += ["", f"Data: {_provenance(sweep)}. The paper's MSE (CelebA) exists only at its "
              "setting, 512 latents and 10% sparsity; elsewhere it shows these as figures."]
    return lines


def groundtruth_finding(groundtruth: pd.DataFrame) -> str:
    scores = (groundtruth[groundtruth.status == "finished"]
              .groupby(["method", "J"])[["recovered_fraction", "mean_matched_cosine"]]
              .mean().sort_values(["recovered_fraction", "mean_matched_cosine"],
                                  ascending=False))
    if scores.empty:
        return "- Ground-truth benchmark: every run diverged."

    def name(key: tuple[str, int]) -> str:
        return label(key[0]) + (f" (J = {key[1]})" if key[0] in VARIATIONAL else "")

    best = scores.index[0]
    text = (f"- Ground-truth benchmark (no paper values): most true atoms recovered by "
            f"{name(best)}, {scores.recovered_fraction.iloc[0]:.0%}")
    variational = scores[[m in VARIATIONAL for m, _ in scores.index]]
    if len(variational) and best[0] not in VARIATIONAL:
        top, row = variational.index[0], variational.iloc[0]
        text += (f"; best variational family {name(top)}, {row.recovered_fraction:.0%}"
                 if row.recovered_fraction > 0 else
                 f"; no variational family recovered an atom (closest: {name(top)}, mean "
                 f"matched absolute cosine {row.mean_matched_cosine:.2f})")
    return text + "."


def groundtruth_section(groundtruth: pd.DataFrame) -> list[str]:
    """The ground-truth benchmark (no paper values: none of the published code has one)."""
    columns = GROUNDTRUTH_MEASURES
    lines = ["", "## Ground-truth benchmark (synthetic patches, known dictionary)", "",
             _header(["Method", "J", "seeds"], columns)]
    for (method, samples), runs in groundtruth.groupby(["method", "J"], sort=False):
        done = runs[runs.status == "finished"]
        if done.empty:
            cells = ["diverged"] + ["-"] * (len(columns) - 1)
        else:
            cells = _cells(done.reindex(columns=columns).astype(float).mean(), columns)
        lines.append(_row([label(method), samples, len(runs)], cells))
    lines += ["", f"Data: {_provenance(groundtruth)}. An atom counts as recovered when a learned "
              "atom, matched one-to-one, has absolute cosine above 0.9 with it; support "
              "precision and recall compare the codes' non-zeros with the true ones. Where a "
              "method recovers nothing, its last columns say why: atoms still near their "
              "unit-norm random start (mean atom norm about 1) have barely been updated, and "
              "codes that are almost all zero (recall near 0) or active everywhere (precision "
              "at the true rate of active atoms) cannot carry the true supports."]
    return lines
