"""Gaussian family: q(s | x) = N(mu, exp(h)), prior N(0, v)."""

from __future__ import annotations

import math

from torch import Tensor

from vsc.config import FamilyConfig
from vsc.families.base import Draws, UnthresholdedFamily
from vsc.families.noise import Noise
from vsc.families.soft_threshold import gaussian_lambda0


def gaussian_kl(mu: Tensor, logvar: Tensor, prior_variance: float) -> Tensor:
    """KL(N(mu, exp(logvar)) || N(0, prior_variance)) per entry (same shape as mu)."""
    return (-0.5 * (1 + logvar - math.log(prior_variance))
            + (mu.pow(2) + logvar.exp()) / (2 * prior_variance))


class GaussianBase:
    """Sampler and KL of the Gaussian base distribution (heads mu and logvar)."""

    heads = ("mu", "logvar")

    def __init__(self, prior_variance: float) -> None:
        self.prior_variance = prior_variance

    def draw(self, params: dict[str, Tensor], n_samples: int, noise: Noise) -> Draws:
        """Standard normals eps [N, J, K]."""
        mu = params["mu"]
        return {"eps": noise.normal(mu.shape[0], n_samples, mu.shape[1], like=mu)}

    def sample(self, params: dict[str, Tensor], draws: Draws, step: int) -> Tensor:
        """s = mu + eps * exp(h / 2): [N, K] heads -> [N, J, K]."""
        mu, logvar = params["mu"], params["logvar"]
        return mu.unsqueeze(1) + draws["eps"] * (0.5 * logvar).exp().unsqueeze(1)

    def kl(self, params: dict[str, Tensor], step: int) -> Tensor:
        return gaussian_kl(params["mu"], params["logvar"], self.prior_variance)

    def schedule(self, step: int) -> dict[str, float]:
        return {}  # no warm-up: the Gaussian samples at full scale from the start


class Gaussian(UnthresholdedFamily):
    name = "gaussian"
    heads = GaussianBase.heads

    @staticmethod
    def make_base(config: FamilyConfig) -> GaussianBase:
        return GaussianBase(config.prior.gaussian_variance)

    @staticmethod
    def fixed_lambda0(config: FamilyConfig) -> float:
        t = config.threshold
        return t.lambda0_gaussian or gaussian_lambda0(t.target_sparsity,
                                                      config.prior.gaussian_variance)
