"""Laplacian family: s = mu + w * eps, eps ~ Laplace(0, b), prior Laplace(0, b0)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from vsc.config import FamilyConfig, WarmupConfig
from vsc.families.base import Draws, UnthresholdedFamily, noise_warmup
from vsc.families.noise import Noise
from vsc.families.soft_threshold import laplace_lambda0

# The inverse CDF takes log(1 - 2|u|); clamping keeps it finite when |u| -> 1/2.
_LOG_ARG_FLOOR = 1e-6


def laplace_kl(mu: Tensor, logscale: Tensor, prior_scale: float) -> Tensor:
    """KL(Laplace(mu, b) || Laplace(0, b0)) per entry, b = exp(logscale)."""
    b = logscale.exp()
    return (mu.abs() / prior_scale + math.log(prior_scale) - logscale - 1
            + (b / prior_scale) * torch.exp(-mu.abs() / b))


def unit_laplace_noise(rows: int, n_samples: int, width: int, like: Tensor,
                       noise: Noise) -> Tensor:
    """Laplace(0, 1) noise [rows, J, width] by inverse CDF (``like``'s device and dtype)."""
    u = noise.uniform(rows, n_samples, width, like=like) - 0.5
    return -(u.sign() * torch.log((1 - 2 * u.abs()).clamp_min(_LOG_ARG_FLOOR)))


class LaplacianBase:
    """Sampler and KL of the Laplacian base distribution (heads mu and logscale)."""

    heads = ("mu", "logscale")

    def __init__(self, prior_scale: float, warmup: WarmupConfig) -> None:
        self.prior_scale = prior_scale
        self.warmup = warmup

    def draw(self, params: dict[str, Tensor], n_samples: int, noise: Noise) -> Draws:
        """Laplace(0, 1) noise eps [N, J, K]."""
        mu = params["mu"]
        return {"eps": unit_laplace_noise(mu.shape[0], n_samples, mu.shape[1], mu, noise)}

    def sample(self, params: dict[str, Tensor], draws: Draws, step: int) -> Tensor:
        """s = mu + w * b * eps with b = exp(logscale): [N, K] heads -> [N, J, K]."""
        w = noise_warmup(self.warmup, step)
        eps = params["logscale"].exp().unsqueeze(1) * draws["eps"]
        return params["mu"].unsqueeze(1) + w * eps

    def kl(self, params: dict[str, Tensor], step: int) -> Tensor:
        return laplace_kl(params["mu"], params["logscale"], self.prior_scale)

    def schedule(self, step: int) -> dict[str, float]:
        return {"noise_warmup": noise_warmup(self.warmup, step)}


class Laplacian(UnthresholdedFamily):
    name = "laplacian"
    heads = LaplacianBase.heads

    @staticmethod
    def make_base(config: FamilyConfig) -> LaplacianBase:
        return LaplacianBase(config.prior.laplace_scale, config.warmup)

    @staticmethod
    def fixed_lambda0(config: FamilyConfig) -> float:
        t = config.threshold
        return t.lambda0_laplacian or laplace_lambda0(t.target_sparsity,
                                                      config.prior.laplace_scale)
