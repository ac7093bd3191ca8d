"""Compare fresh results with reference results (e.g. those shipped in results/reference/).

Every summary CSV both folders hold is joined on its identity columns; every number both
hold is listed as ours, the reference's, and whether the difference is beyond what seeds
explain. Table 1's validation loss decides the verdict: a value that moved by more than the
tolerance, or a cell that diverged in one folder and not in the other, fails the comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vsc.errors import UserError
from vsc.summaries import COMPARED  # summary CSVs and the columns identifying their rows

VERDICT_FILE, VERDICT_COLUMN = "table1.csv", "val_loss_mean"
DEFAULT_TOLERANCE = 0.05  # relative change of a Table 1 value that fails the comparison
SEED_SDS = 2.0  # a difference within this many standard deviations of seed noise is noise
# columns that are not results: run-time, bookkeeping and the paper's own values
_NOT_COMPARED = ("seconds", "wall", "n_seeds", "paper_", "ratio_to_paper", "reference_")


class MalformedTable(UserError):
    """A summary CSV that cannot be compared (unreadable, no rows' keys)."""


def read_table(path: Path, keys: tuple[str, ...]) -> pd.DataFrame:
    """A summary CSV with its identity columns; MalformedTable (one line) otherwise."""
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise MalformedTable(f"{path} cannot be read as a table ({reason}); regenerate it "
                             "(rerun the workflow's summaries)") from None
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise MalformedTable(f"{path} lacks the column(s) {', '.join(missing)} that identify "
                             "its rows (written by an older vsc-bench?); regenerate it "
                             "(rerun the workflow's summaries)")
    return frame


@dataclass
class Comparison:
    """Every shared number (tidy: file, row key, column, ours, reference, verdict) and the
    Table 1 cells that failed."""

    numbers: pd.DataFrame
    failures: list[str]
    only_in_one: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures


def _compared_columns(ours: pd.DataFrame, ref: pd.DataFrame, keys: tuple[str, ...]) -> list[str]:
    shared = [c for c in ours.columns if c in ref.columns and c not in keys]
    return [c for c in shared
            if pd.api.types.is_numeric_dtype(ours[c]) and pd.api.types.is_numeric_dtype(ref[c])
            and not c.endswith("_std") and not any(t in c for t in _NOT_COMPARED)]


def _spread(row: pd.Series, column: str, side: str) -> float:
    """The seed standard deviation recorded next to a ``*_mean`` column (NaN if none)."""
    if not column.endswith("_mean"):
        return math.nan
    value = row.get(f"{column.removesuffix('_mean')}_std_{side}", math.nan)
    return float(value) if pd.notna(value) else math.nan


def compare_file(ours: pd.DataFrame, ref: pd.DataFrame, keys: tuple[str, ...], name: str,
                 tolerance: float) -> tuple[pd.DataFrame, list[str]]:
    """Tidy rows of every shared number of one summary CSV, and the keys found in one only."""
    keys = tuple(k for k in keys if k in ours.columns and k in ref.columns)
    # copies: frames built column by column merge slowly and warn
    merged = ours.copy().merge(ref.copy(), on=list(keys), how="outer",
                               suffixes=("_ours", "_ref"), indicator=True)
    lonely = [f"{name} {dict(zip(keys, r[list(keys)], strict=True))}: only in "
              f"{'ours' if r['_merge'] == 'left_only' else 'the reference'}"
              for _, r in merged[merged._merge != "both"].iterrows()]
    rows = []
    for column in _compared_columns(ours, ref, keys):
        for _, r in merged[merged._merge == "both"].iterrows():
            a, b = r[f"{column}_ours"], r[f"{column}_ref"]
            if pd.isna(a) and pd.isna(b):
                continue
            sd = math.hypot(np.nan_to_num(_spread(r, column, "ours")),
                            np.nan_to_num(_spread(r, column, "ref")))
            diff = a - b
            relative = abs(diff) / abs(b) if pd.notna(b) and b != 0 else math.inf
            if pd.isna(a) != pd.isna(b):
                verdict = "one is missing (diverged?)"
            elif sd > 0:
                verdict = ("beyond seeds" if abs(diff) > SEED_SDS * sd else "within seeds")
            else:  # one seed: no spread to judge by, so the tolerance decides
                verdict = "beyond tolerance" if relative > tolerance else "within tolerance"
            if a == b:
                verdict = "identical"
            rows.append({"file": name, **{k: r[k] for k in keys}, "column": column,
                         "ours": a, "reference": b, "relative_change": relative,
                         "verdict": verdict})
    return pd.DataFrame(rows), lonely


def table1_failures(numbers: pd.DataFrame, tolerance: float) -> list[str]:
    """Table 1 cells whose validation loss moved more than ``tolerance`` (relative) or
    diverged in one folder only."""
    cells = numbers[(numbers.file == VERDICT_FILE) & (numbers.column == VERDICT_COLUMN)]
    failed = []
    for r in cells.itertuples():
        if pd.isna(r.ours) != pd.isna(r.reference):
            failed.append(f"{r.method} J={r.J}: diverged in "
                          f"{'ours' if pd.isna(r.ours) else 'the reference'} only")
        elif r.relative_change > tolerance:
            failed.append(f"{r.method} J={r.J}: {r.ours:.4g} against {r.reference:.4g} "
                          f"({r.relative_change:.1%} > {tolerance:.0%})")
    return failed


def table1_gaps(ours: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """What the reference's Table 1 has and ours lacks: rows (method, J) and columns. A
    comparison that cannot see a cell cannot pass it."""
    keys = list(COMPARED[VERDICT_FILE])
    gaps = [f"{VERDICT_FILE}: ours lacks the column {c}" for c in reference.columns
            if c not in ours.columns]
    have = set(map(tuple, ours[keys].astype(str).to_numpy()))
    gaps += [f"{VERDICT_FILE}: ours lacks the row method={m} J={j}"
             for m, j in reference[keys].astype(str).to_numpy() if (m, j) not in have]
    return gaps


def compare_results(ours: str | Path, reference: str | Path,
                    tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """Compare every summary CSV present in both folders. FileNotFoundError when the
    reference (or ours) has no table1.csv, the file the verdict rests on; MalformedTable for
    a summary that cannot be read. Ours failing to hold a Table 1 row or column of the
    reference's is a failure of the comparison."""
    ours, reference = Path(ours), Path(reference)
    for folder in (ours, reference):
        if not (folder / VERDICT_FILE).is_file():
            raise FileNotFoundError(f"{folder / VERDICT_FILE} does not exist: give a folder "
                                    "that holds a table1.csv (a results folder or a "
                                    "results/reference/<preset> folder)")
    frames, lonely, gaps = [], [], []
    for name, keys in COMPARED.items():
        if (ours / name).is_file() and (reference / name).is_file():
            mine, theirs = read_table(ours / name, keys), read_table(reference / name, keys)
            if name == VERDICT_FILE:
                gaps = table1_gaps(mine, theirs)
            frame, alone = compare_file(mine, theirs, keys, name, tolerance)
            frames.append(frame)
            lonely += alone
    numbers = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=["file", "column", "ours",
                                                           "reference", "relative_change",
                                                           "verdict"])
    return Comparison(numbers=numbers, failures=gaps + table1_failures(numbers, tolerance),
                      only_in_one=lonely)


def format_comparison(result: Comparison, tolerance: float) -> str:
    """A readable listing: one table per file, then the verdict."""
    out = []
    for name, frame in result.numbers.groupby("file", sort=False):
        keys = [k for k in COMPARED[name] if k in frame]
        shown = frame[[*keys, "column", "ours", "reference", "relative_change", "verdict"]]
        out += [f"## {name}", "", shown.to_markdown(index=False, floatfmt=".4g"), ""]
    out += [f"- {line}" for line in result.only_in_one]
    moved = (result.numbers.verdict.isin(["beyond seeds", "beyond tolerance"])).sum()
    out.append(f"{len(result.numbers)} shared numbers, {moved} beyond seed noise or the "
               f"{tolerance:.0%} tolerance.")
    if result.ok:
        out.append(f"Table 1: every value within {tolerance:.0%} of the reference: OK")
    else:
        out += [f"Table 1 incomplete or moved beyond {tolerance:.0%}: FAILED"] + \
            [f"- {line}" for line in result.failures]
    return "\n".join(out) + "\n"
