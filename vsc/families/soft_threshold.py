"""The shifted soft-threshold, its straight-through estimator, and how lambda is set."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

import torch
from torch import Tensor

from vsc.families.gamma import ScaledImplicitGamma
from vsc.families.noise import Noise

_GAMMA_PARAM_RANGE = (1e-6, 1e6)


def shifted_soft_threshold(s: Tensor, mu: Tensor, threshold: Tensor | float,
                           mode: Literal["faithful", "identity"] = "faithful") -> Tensor:
    """Threshold samples s around their location mu, with a straight-through gradient.

    Forward value (both modes): with n = s - mu and t the threshold, entries with |n| <= t
    are exactly 0 and the rest are mu + sign(n) (|n| - t). t >= 0 (a fixed lambda0 > 0 or
    Gamma variates; the reference takes |t|, the same for these, without the extra pass over
    [N, J, K]). Shapes broadcast: s [N, J, K], mu [N, 1, K], t a number or [N, J, K].

    faithful: z = s + T(sg[n]; mu, t) - sg[s] as in the reference code: mu and t inside T
        keep their gradient, so dz/dmu = 2 on active entries (1 on zeros) and t receives the
        soft-threshold's gradient.
    identity: z = s + sg[T - s]: gradient 1 to mu and s everywhere, none to t.
    """
    noise = (s - mu).detach()
    # excess = |n| - t on active entries (|n| > t exactly when |n| - t > 0 in floats) and 0
    # elsewhere, so its sign is the activity mask as a float: the same values and gradients
    # as where(|n| > t, mu + sign(n) (|n| - t), 0), up to the sign of a zero, without the
    # boolean tensors that are several times slower on a CPU than arithmetic
    excess = torch.relu(noise.abs() - threshold)
    thresholded = (mu + noise.sign() * excess) * excess.detach().sign()
    if mode == "faithful":
        return s - s.detach() + thresholded
    if mode == "identity":
        return s + (thresholded - s).detach()
    raise ValueError(f"unknown straight-through mode {mode!r}: use 'faithful' or 'identity'")


def gaussian_lambda0(target_sparsity: float, prior_variance: float) -> float:
    """lambda0 with P(|N(0, v)| > lambda0) = p: z_{1 - p/2} sqrt(v)."""
    _check_sparsity(target_sparsity)
    return NormalDist().inv_cdf(1 - target_sparsity / 2) * math.sqrt(prior_variance)


def laplace_lambda0(target_sparsity: float, prior_scale: float) -> float:
    """lambda0 with P(|Laplace(0, b0)| > lambda0) = p: b0 ln(1/p)."""
    _check_sparsity(target_sparsity)
    return prior_scale * math.log(1 / target_sparsity)


def _check_sparsity(p: float) -> None:
    if not 0 < p < 1:
        raise ValueError(f"target sparsity must be in (0, 1), got {p}")


def gamma_kl(alpha: Tensor, beta: Tensor, prior_shape: float, prior_rate: float) -> Tensor:
    """KL(Gamma(alpha, rate beta) || Gamma(prior_shape, rate prior_rate)) per entry."""
    a2 = torch.as_tensor(prior_shape, dtype=alpha.dtype, device=alpha.device)
    return ((alpha - a2) * torch.digamma(alpha) - torch.lgamma(alpha) + torch.lgamma(a2)
            + a2 * (beta.log() - math.log(prior_rate)) + alpha * (prior_rate - beta) / beta)


class GammaThreshold:
    """Learned thresholds: q(lambda | x) = Gamma(alpha, beta), prior Gamma(k, k / lambda0)."""

    heads = ("log_alpha", "log_beta")

    def __init__(self, lambda0: float, prior_shape: float, sampler: str = "torch") -> None:
        self.prior_shape, self.sampler = prior_shape, sampler
        self.prior_rate = prior_shape / lambda0  # prior mean = lambda0

    def parameters(self, params: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """alpha and beta, each [N, K], clipped to [1e-6, 1e6]."""
        alpha = params["log_alpha"].exp().clamp(*_GAMMA_PARAM_RANGE)
        beta = params["log_beta"].exp().clamp(*_GAMMA_PARAM_RANGE)
        return alpha, beta

    def draw(self, params: dict[str, Tensor], n_samples: int, noise: Noise) -> Tensor:
        """Gamma(alpha, 1) variates [N, J, K] (no gradient) from the configured sampler."""
        with torch.no_grad():
            alpha, _ = self.parameters(params)
        return noise.gamma_variates(alpha, n_samples, self.sampler)

    def sample(self, params: dict[str, Tensor], variates: Tensor) -> tuple[Tensor, Tensor]:
        """One reparameterised lambda per sample: ([N, J, K] lambdas, [N, K] KL).

        lambda = x / beta for the Gamma(alpha, 1) variates x [N, J, K] of :meth:`draw`, with
        the implicit gradient to alpha and beta (vsc.families.gamma), floored at the smallest
        normal float as torch.distributions.Gamma floors its samples."""
        alpha, beta = self.parameters(params)
        threshold = ScaledImplicitGamma.apply(alpha, beta, variates)
        threshold.detach().clamp_(min=torch.finfo(threshold.dtype).tiny)
        return threshold, gamma_kl(alpha, beta, self.prior_shape, self.prior_rate)
