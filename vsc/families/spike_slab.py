"""Spike-and-slab family (after Tonolini et al. 2020, fixed prior, no pseudo-inputs).

z = selection * slab, slab ~ N(w mu, (w exp(h/2) + sqrt(1 - w))^2), selection a relaxed
Bernoulli rounded to {0, 1} in the forward pass with the relaxation's gradient.

The slab's KL is taken on the raw encoder heads, N(mu, exp(h)) against the prior, not on the
warmed-up slab that is sampled: that is the reference code's loss, and with the KL on the
warmed-up slab the linear J = 1 run diverges at the quick settings where the reference
finishes.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from vsc.config import FamilyConfig, SpikeSlabConfig
from vsc.families.base import Codes, Draws, Family, noise_warmup
from vsc.families.gaussian import gaussian_kl
from vsc.families.noise import GLOBAL, Noise

_GAMMA_EPS = 1e-6
_UNIFORM_EPS = 1e-7  # keeps the logistic noise finite


def temperature(config: SpikeSlabConfig, step: int) -> float:
    """Relaxation temperature: start * decay^step, floored at ``temperature_min``."""
    return max(config.temperature_min, config.temperature_start * config.temperature_decay ** step)


def bernoulli_kl(gamma: Tensor, prior: float) -> Tensor:
    """KL(Bernoulli(gamma) || Bernoulli(prior)) per entry."""
    return gamma * torch.log(gamma / prior) + (1 - gamma) * torch.log((1 - gamma) / (1 - prior))


class SpikeSlab(Family):
    name = "spike_slab"
    heads = ("mu", "logvar", "spike")

    def __init__(self, config: FamilyConfig) -> None:
        super().__init__(config)
        self.prior = config.prior
        self.options = config.spike_slab
        self.warmup = config.warmup

    def schedule(self, step: int) -> dict[str, float]:
        return {"noise_warmup": noise_warmup(self.warmup, step),
                "temperature": temperature(self.options, step)}

    def log_gamma(self, spike_head: Tensor) -> Tensor:
        """log gamma = -relu(-head), so gamma <= 1; clamped away from 0 and 1. [N, K]."""
        gamma = torch.exp(-F.relu(-spike_head)).clamp(_GAMMA_EPS, 1 - _GAMMA_EPS)
        return gamma.log()

    def slab(self, params: dict[str, Tensor], step: int) -> tuple[Tensor, Tensor]:
        """Slab mean and standard deviation under the noise warm-up, each [N, K]."""
        w = noise_warmup(self.warmup, step)
        mean = w * params["mu"]
        std = w * (0.5 * params["logvar"]).exp() + math.sqrt(1 - w)
        return mean, std

    def draw(self, params: dict[str, Tensor], n_samples: int, step: int,
             noise: Noise = GLOBAL) -> Draws:
        """The slab's standard normals eps and the selection's logistic noise, [N, J, K]."""
        mu = params["mu"]
        n, k = mu.shape
        eps = noise.normal(n, n_samples, k, like=mu)
        u = noise.uniform(n, n_samples, k, like=mu).clamp(_UNIFORM_EPS, 1 - _UNIFORM_EPS)
        return {"eps": eps, "logistic": torch.log(u) - torch.log1p(-u)}

    def codes(self, params: dict[str, Tensor], draws: Draws, step: int) -> Codes:
        mean, std = self.slab(params, step)
        log_gamma = self.log_gamma(params["spike"])
        slab = mean.unsqueeze(1) + draws["eps"] * std.unsqueeze(1)
        logistic = draws["logistic"]
        if self.options.selection == "faithful_log":
            logit = log_gamma  # the reference's form: activation probability gamma / (1 + gamma)
        else:
            logit = log_gamma - torch.log1p(-log_gamma.exp())  # logit(gamma): probability gamma
        soft = torch.sigmoid((logistic + logit.unsqueeze(1)) / temperature(self.options, step))
        selection = soft + (torch.round(soft) - soft).detach()  # straight-through rounding

        gamma = log_gamma.exp()
        kl = (gamma * gaussian_kl(params["mu"], params["logvar"], self.prior.gaussian_variance)
              + bernoulli_kl(gamma, self.prior.spike_probability))
        return Codes(z=selection * slab, kl=kl)
