"""Statistics of a set of codes (docs/method.md section 5, "Other linear analyses").

multi-information: total correlation sum_k H(z_k) - H(z_1..z_K) in bits, plug-in estimates
over codes digitised into 20 bins on [-2, 2] plus a bin of exact zeros (as the reference). The
joint entropy is at most log2(N) for N codes, so with many latents the estimate is biased up;
compare it between methods on the same data, not against an absolute value.
"""

from __future__ import annotations

import numpy as np

BIN_EDGES = np.sort(np.append(np.linspace(-2, 2, 20), [-1e-50, 1e-50]))
COLLAPSE_TOLERANCE = 1e-2  # |value| at most this counts as collapsed
COLLAPSE_SHARE = 0.95      # ... on at least this share of data points


def digitise(codes: np.ndarray) -> np.ndarray:
    """[N, K] codes -> [N, K] bin indices (exact zeros get a bin of their own)."""
    return np.digitize(codes, BIN_EDGES)


def entropy_bits(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def multi_information(codes: np.ndarray) -> float:
    """Total correlation of the digitised codes [N, K], in bits (0 for independent latents,
    H(z_1) for two copies of one latent)."""
    symbols = digitise(np.asarray(codes, dtype=np.float64))
    marginals = sum(entropy_bits(np.bincount(col)) for col in symbols.T)
    _, joint_counts = np.unique(symbols, axis=0, return_counts=True)
    return marginals - entropy_bits(joint_counts)


def collapse_percent(values: np.ndarray) -> float:
    """% of latents whose |value| <= 1e-2 on >= 95% of points; values [N, K]."""
    share = (np.abs(values) <= COLLAPSE_TOLERANCE).mean(axis=0)
    return float(100.0 * (share >= COLLAPSE_SHARE).mean())


def code_statistics(codes: np.ndarray, kl: np.ndarray | None = None) -> dict[str, float]:
    """Multi-information, % coefficient collapse (codes), % posterior collapse (per-latent
    KL [N, K], if given) and atom usage (latents non-zero for at least one point)."""
    stats = {"multi_information_bits": multi_information(codes),
             "coefficient_collapse_percent": collapse_percent(codes),
             "atoms_used": int((codes != 0).any(axis=0).sum())}
    if kl is not None:
        stats["posterior_collapse_percent"] = collapse_percent(kl)
    return stats
