"""How every dictionary-learning method is scored: one function for the variational runs,
FISTA and scikit-learn alike, so Table 1 compares like with like.

A method differs only in how it produces validation codes and how it updates its dictionary;
:func:`score_codes` turns its codes and dictionary into the row of numbers every table reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from torch import Tensor

from vsc.code_statistics import code_statistics
from vsc.config import LinearConfig
from vsc.data.synthetic import GroundTruth
from vsc.dictionary import Dictionary
from vsc.fista import fista_batched
from vsc.groundtruth import groundtruth_scores
from vsc.metrics import sparse_coding_objective, zero_code_loss, zero_code_losses
from vsc.results import PATCH_LOSSES, ZERO_CODE_KEY
from vsc.training import is_due

FROBENIUS_WEIGHT = 1e-3  # the reference adds 1e-3 ||A||_F^2 to its loss; reported separately


def fista_scores(x: Tensor, atoms: Tensor, lam: float) -> dict[str, float]:
    """The optimum of the Table 1 objective on a given dictionary (FISTA codes), so the gap
    between amortised inference and exact inference can be read off the same run."""
    result = fista_batched(x, atoms, lam, max_iter=1000, tol=1e-4, stopping="per_signal")
    return {"fista_val_loss": result.objective.mean().item(),
            "fista_frac_nonzero": (result.codes != 0).float().mean().item()}


def dictionary_scores(val_x: Tensor, dictionary: Dictionary, lc: LinearConfig, epoch: int,
                      epochs: int) -> dict[str, float]:
    """What every learned dictionary is judged by beside its method's own codes, on the
    validation patches val_x [N, D]: the zero code's Table 1 metric (the level any useful code
    beats), the mean atom norm, the reference's Frobenius term and, every
    ``lc.fista_eval_every`` epochs and at the last, exact inference (FISTA) on it."""
    scores = {"zero_code_val_loss": zero_code_loss(val_x),
              "atom_norm_mean": dictionary.atom_norms().mean().item(),
              "frobenius_term": FROBENIUS_WEIGHT * dictionary.frobenius_sq()}
    if lc.fista_eval_every and is_due(epoch, lc.fista_eval_every, epochs):
        scores.update(fista_scores(val_x, dictionary.atoms, lc.eval_lambda))
    return scores


def score_codes(val_x: Tensor, atoms: Tensor, codes: Tensor, lam: float, *, lc: LinearConfig,
                epoch: int, epochs: int, truth: GroundTruth | None,
                extra: Mapping[str, float] | None = None,
                kl_latent: np.ndarray | None = None,
                judged: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The scores of a method's validation codes [N, K] of val_x [N, D] on its dictionary
    atoms [D, K], in the order tables show them: the Table 1 metric at ``lam`` and its parts,
    the share of non-zero coefficients, the method's own ``extra`` statistics, the dictionary
    scores, the code statistics (with the posterior collapse when the per-latent KL
    ``kl_latent`` [N, K] is given) and, on data with a known generator, the ground-truth
    scores. The metric is computed in the codes' precision; the dictionary scores in float32,
    as training runs (``judged``: those scores, already computed for this dictionary).

    Under the key PATCH_LOSSES it also returns the per-patch losses the means come from,
    {"val_loss": [N], ZERO_CODE_KEY: [N]} float64, from which tables bootstrap their
    intervals (the epoch loop writes them to the run folder, vsc.results)."""
    score = sparse_coding_objective(val_x, atoms, codes, lam)
    codes_np = codes.cpu().numpy()
    scores = {"val_loss": score.total.mean().item(), "val_recon": score.recon.mean().item(),
              "val_l1": score.l1.mean().item(),
              "frac_nonzero": (codes != 0).to(codes.dtype).mean().item(),
              **(extra or {}),
              **(judged if judged is not None else
                 dictionary_scores(val_x.float(), Dictionary(atoms.float()), lc, epoch, epochs)),
              **code_statistics(codes_np, kl_latent),
              PATCH_LOSSES: {"val_loss": score.total.double().cpu().numpy(),
                             ZERO_CODE_KEY: zero_code_losses(val_x.float()).double().cpu()
                             .numpy()}}
    if truth is not None:
        scores.update(groundtruth_scores(atoms.cpu().numpy(), codes_np, truth))
    return scores
