"""Laplacian family: s = mu + w * eps, eps ~ Laplace(0, b), prior Laplace(0, b0)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from vsc.config import FamilyConfig, WarmupConfig
from vsc.families.base import UnthresholdedFamily, noise_warmup
from vsc.families.noise import Noise

# The inverse CDF takes log(1 - 2|u|); clamping keeps it finite when |u| -> 1/2.
_LOG_ARG_FLOOR = 1e-6


def laplace_kl(mu: Tensor, logscale: Tensor, prior_scale: float) -> Tensor:
    """KL(Laplace(mu, b) || Laplace(0, b0)) per entry, b = exp(logscale)."""
    b = logscale.exp()
    return (mu.abs() / prior_scale + math.log(prior_scale) - logscale - 1
            + (b / prior_scale) * torch.exp(-mu.abs() / b))


def laplace_noise(scale: Tensor, n_samples: int, noise: Noise) -> Tensor:
    """Laplace(0, scale) noise by inverse CDF: scale [N, K] -> [N, J, K]."""
    n, k = scale.shape
    u = noise.uniform(n, n_samples, k, like=scale) - 0.5
    return -scale.unsqueeze(1) * u.sign() * torch.log((1 - 2 * u.abs()).clamp_min(_LOG_ARG_FLOOR))


class LaplacianBase:
    """Sampler and KL of the Laplacian base distribution (heads mu and logscale)."""

    heads = ("mu", "logscale")

    def __init__(self, prior_scale: float, warmup: WarmupConfig) -> None:
        self.prior_scale = prior_scale
        self.warmup = warmup

    def sample(self, params: dict[str, Tensor], n_samples: int, step: int,
               noise: Noise) -> Tensor:
        """s = mu + w * eps: [N, K] heads -> [N, J, K]."""
        w = noise_warmup(self.warmup, step)
        eps = laplace_noise(params["logscale"].exp(), n_samples, noise)
        return params["mu"].unsqueeze(1) + w * eps

    def kl(self, params: dict[str, Tensor], step: int) -> Tensor:
        return laplace_kl(params["mu"], params["logscale"], self.prior_scale)


class Laplacian(UnthresholdedFamily):
    name = "laplacian"
    heads = LaplacianBase.heads

    @staticmethod
    def make_base(config: FamilyConfig) -> LaplacianBase:
        return LaplacianBase(config.prior.laplace_scale, config.warmup)
