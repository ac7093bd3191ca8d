"""What each measured column is called and how it is printed, declared once.

A column of a summary table is a final.json key, or that key's ``_mean`` / ``_std`` over
seeds: both are printed the key's way. A key not declared here (a new metric of your own
family or scorer) still gets a label (its name, spaced) and a general format, so it shows
without an entry; declare it for a better label.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    """A column's label in tables and reports and its format spec (Python's format())."""

    label: str
    format: str = ".3g"


COLUMNS: dict[str, Column] = {
    "lambda0": Column("lambda0"),
    "val_loss": Column("validation loss"),
    "val_recon": Column("reconstruction"),
    "fista_val_loss": Column("FISTA on own dictionary"),
    "atom_norm_mean": Column("mean atom norm", ".2f"),
    "frac_nonzero": Column("non-zero", ".1%"),
    "mse_per_pixel": Column("MSE per pixel", ".4f"),
    "paper_mse_celeba_512": Column("paper (CelebA, 512)", ".4f"),
    "paper_mse_per_pixel": Column("paper", ".4f"),
    "multi_information_bits": Column("multi-information (bits)"),
    "jaccard_mean": Column("support Jaccard across samples", ".3f"),
    "recovered_fraction": Column("true atoms recovered", ".0%"),
    "mean_matched_cosine": Column("mean matched abs. cosine", ".2f"),
    "centered_mean_matched_cosine": Column("mean matched abs. cosine (centred)", ".2f"),
    "support_precision": Column("support precision", ".2f"),
    "support_recall": Column("support recall", ".2f"),
    "support_f1": Column("support F1", ".2f"),
    "encoder_snr_mean": Column("encoder SNR, ours"),
    "dictionary_snr_mean": Column("dictionary SNR, ours"),
    "reference_encoder_snr": Column("reference"),
}
MISSING = "-"  # what a table shows for a number it does not have


def key_of(column: str) -> str:
    """The final.json key behind a summary column (``val_loss_mean`` -> ``val_loss``)."""
    if column in COLUMNS:
        return column
    for suffix in ("_mean", "_std"):
        if column.endswith(suffix) and column.removesuffix(suffix) in COLUMNS:
            return column.removesuffix(suffix)
    return column


def column(name: str) -> Column:
    """The declaration of a column (or of the key it summarises); a default for others."""
    return COLUMNS.get(key_of(name)) or Column(key_of(name).replace("_", " "))


def label(name: str) -> str:
    return column(name).label


def formatted(value: object, spec: str) -> str:
    """``value`` in format ``spec``; MISSING for None or NaN."""
    return MISSING if value is None or pd.isna(value) else format(value, spec)


def cell(name: str, value: object) -> str:
    """``value`` printed as column ``name`` is; MISSING without one."""
    return formatted(value, column(name).format)
