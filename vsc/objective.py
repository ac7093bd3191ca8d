"""The linear experiment's loss per sample, and the samples whose graph training needs.

The max-ELBO estimator differentiates one sample per data point, the one of lowest loss. Its
gradient is the gradient of that sample's loss alone, so the other J - 1 samples are only
needed to find it: :func:`training_losses` evaluates all J without autograd, picks each
point's best sample by its random draws (vsc.families.base.Family.draw) and rebuilds that
sample's codes and loss with a graph. The backward pass, and the forward pass that records
it, are then those of one sample instead of J. The average and importance-weighted
estimators weight every sample, so they keep the graph of all J.
"""

from __future__ import annotations

import torch
from torch import Tensor

from vsc.dictionary import decode
from vsc.families.base import Codes, Draws, Family, pick_draws
from vsc.families.noise import GLOBAL, Noise


def sample_losses(family: Family, params: dict[str, Tensor], draws: Draws, step: int,
                  x: Tensor, atoms: Tensor, kl_weight: float) -> tuple[Codes, Tensor, Tensor]:
    """L[..., n, j] = mean_pixels (x_n - A z_nj)^2 + kl_weight sum_k KL_k(n) of the codes
    that ``draws`` make.

    x [B, D] with atoms [D, K], or a bundle's x [M, B, D] with atoms [M, D, K]; params and
    draws are flat over the leading axes ([M B, K], [M B, J, K]). Returns (the family's
    codes, flat; z [..., B, J, K]; L [..., B, J])."""
    codes = family.codes(params, draws, step)
    lead = x.shape[:-1]
    z = codes.z.unflatten(0, lead)
    recon = (x.unsqueeze(-2) - decode(atoms, z)).pow(2).mean(-1)
    return codes, z, recon + kl_weight * codes.kl.sum(-1).unflatten(0, lead).unsqueeze(-1)


def training_losses(family: Family, params: dict[str, Tensor], x: Tensor, atoms: Tensor,
                    samples: int, step: int, kl_weight: float, estimator: str,
                    noise: Noise = GLOBAL) -> tuple[Tensor, Tensor]:
    """The codes z [..., B, J', K] and losses L [..., B, J'] that train a run, with the
    graph its estimator differentiates (shapes as in :func:`sample_losses`).

    For 'max' J' = 1: each point's lowest-loss sample among ``samples``, selected without
    autograd (the same selection as on the full graph: the same values are compared).
    For 'avg' and 'iwae' J' = J, all with their graph. The random draws are those of J
    samples in either case, so a run's random stream does not depend on the estimator's
    bookkeeping."""
    draws = family.draw(params, samples, step, noise)
    if estimator == "max" and samples > 1:
        with torch.no_grad():
            _, _, every = sample_losses(family, params, draws, step, x, atoms, kl_weight)
        draws = pick_draws(draws, every.argmin(-1).flatten())
    _, z, losses = sample_losses(family, params, draws, step, x, atoms, kl_weight)
    return z, losses
