"""Scores of a learned dictionary, and of its codes, against a known generator: which true
atoms were recovered (absolute cosine, matched one-to-one) and how well the codes' supports
agree with the true ones. Used by the linear ground-truth benchmark and the DNN stand-in.
"""

from __future__ import annotations

import numpy as np

from vsc.data.synthetic import GroundTruth

MATCH_THRESHOLD = 0.9
# what groundtruth_scores returns, in the order tables show it
GROUNDTRUTH_KEYS = ("recovered_fraction", "mean_matched_cosine", "mean_best_cosine",
                 "support_precision", "support_recall", "support_f1")


def _unit_columns(a: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=0, keepdims=True)
    return a / np.where(norms == 0, 1, norms)


def assign_atoms(recovered: np.ndarray, truth: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-to-one assignment of recovered atoms [P, K] to true atoms [P, T] maximising the
    total |cos| (Hungarian). Returns |cos| [K, T] and the matched (recovered, true) index
    arrays, min(K, T) pairs."""
    from scipy.optimize import linear_sum_assignment  # 0.45 s to import: only runs that need it

    cos = np.abs(_unit_columns(recovered).T @ _unit_columns(truth))
    rows, cols = linear_sum_assignment(-cos)
    return cos, rows, cols


def match_atoms(recovered: np.ndarray, truth: np.ndarray,
                threshold: float = MATCH_THRESHOLD) -> dict[str, float]:
    """Compare recovered atoms [P, K] with true atoms [P, T] by absolute cosine.

    recovered_fraction: share of true atoms matched one-to-one (Hungarian assignment on
    |cos|) with |cos| above ``threshold``; mean_matched_cosine: mean |cos| of that matching;
    mean_best_cosine: mean over true atoms of the best |cos| of any recovered atom."""
    cos, rows, cols = assign_atoms(recovered, truth)
    return {**_matching_scores(cos, rows, cols, threshold),
            "n_true_atoms": int(truth.shape[1]), "n_recovered_atoms": int(recovered.shape[1])}


def _matching_scores(cos: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                     threshold: float) -> dict[str, float]:
    matched = np.zeros(cos.shape[1])  # true atoms left unassigned score 0
    matched[cols] = cos[rows, cols]
    return {"recovered_fraction": float((matched > threshold).mean()),
            "mean_matched_cosine": float(matched.mean()),
            "mean_best_cosine": float(cos.max(axis=0).mean())}


def support_scores(codes: np.ndarray, true_codes: np.ndarray, rows: np.ndarray,
                   cols: np.ndarray) -> dict[str, float]:
    """Support recovery of codes [N, K] against the true codes [N, T], with recovered atom
    rows[i] standing for true atom cols[i] (the one-to-one assignment).

    precision: share of all non-zero coefficients (unassigned atoms' included) that sit on a
    true non-zero of their assigned atom; recall: share of true non-zeros found."""
    predicted, actual = codes != 0, true_codes != 0
    hits = np.logical_and(predicted[:, rows], actual[:, cols]).sum()
    n_predicted, n_actual = predicted.sum(), actual.sum()
    precision = hits / n_predicted if n_predicted else float("nan")
    recall = hits / n_actual if n_actual else float("nan")
    f1 = 2 * hits / (n_predicted + n_actual) if n_predicted + n_actual else float("nan")
    return {"support_precision": float(precision), "support_recall": float(recall),
            "support_f1": float(f1)}


def groundtruth_scores(atoms: np.ndarray, codes: np.ndarray, truth: GroundTruth,
                        threshold: float = MATCH_THRESHOLD) -> dict[str, float]:
    """Dictionary and support recovery of a learned dictionary atoms [P, K] and its
    validation codes [N, K] against the generator of synthetic patches."""
    cos, rows, cols = assign_atoms(atoms, truth.atoms)
    return {**_matching_scores(cos, rows, cols, threshold),
            **support_scores(codes, truth.val_codes, rows, cols)}
