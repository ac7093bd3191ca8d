"""Reparameterised Gamma variates that are cheap on a CPU.

torch's own ``Gamma.rsample`` draws each variate with a scalar loop and, in the backward
pass, evaluates the implicit reparameterisation gradient dx/dalpha for every variate. At
J = 20 samples per latent that made the two Gamma families about 3.5 times slower per
iteration than the thresholded Laplacian on a 2-core CPU. Here:

* the variates come from Marsaglia and Tsang's rejection method, vectorised: one round of
  normal and uniform proposals for every entry (at shape alpha + 1 at least 95% are
  accepted), then rounds over the rejected entries only, then the boost
  x = y U^(1 / alpha) that turns Gamma(alpha + 1) into Gamma(alpha) (Marsaglia and Tsang
  2000, section 6). The distribution is exact; only the order of the random draws differs
  from torch's sampler.
* the gradient is the implicit one, dx/dalpha = -(dF/dalpha)(x; alpha) / f(x; alpha), which
  depends on x and alpha alone, not on how x was drawn, and is computed by torch's own kernel
  (``torch._standard_gamma_grad``), but only where the incoming gradient is non-zero. With
  the max-ELBO estimator only the selected sample of each point carries a gradient, so at
  J = 20 that is one entry in twenty.

The result is numerically a different stream from torch's sampler (the config key
``family.threshold.gamma_sampler`` chooses; it is part of every run's config digest).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def marsaglia_tsang(alpha: Tensor, samples: int, generator: torch.Generator | None) -> Tensor:
    """``samples`` Gamma(alpha, 1) variates per entry of alpha [N, ...] (alpha > 0), drawn
    from ``generator``, as [N, samples, ...]; no gradient. See the module docstring.

    The boost's uniform is recycled from the acceptance test: given that a proposal eps was
    accepted, log u is uniform below its bound b(eps) <= 0, so exp(log u - b(eps)) is a
    uniform independent of the accepted variate, and one random draw per variate is saved.
    The variate d v U^(1/alpha) is formed in the log domain, as the test already needs log v."""
    a = alpha.detach().unsqueeze(1)  # [N, 1, ...]: the per-entry constants broadcast over J
    shape = (a.shape[0], samples, *a.shape[2:])
    like = {"generator": generator, "device": a.device, "dtype": a.dtype}
    d = a + (1.0 - 1.0 / 3.0)  # shape alpha + 1, minus 1/3
    c, log_d, inv_a = torch.rsqrt(9.0 * d), d.log(), a.reciprocal()
    one = torch.ones((), device=a.device, dtype=a.dtype)

    def propose(dd: Tensor, cc: Tensor, size) -> tuple[Tensor, Tensor, Tensor]:
        """(log v, log u - b, accepted) for one proposal per entry: v = (1 + c eps)^3,
        accepted when log u < b = eps^2 / 2 + d (1 + log v - v) (v <= 0: NaN, rejected)."""
        eps = torch.randn(size, **like)
        log_u = torch.rand(size, **like).log_()
        v = torch.addcmul(one, eps, cc).pow_(3)
        log_v = torch.log(v)
        bound = torch.addcmul(log_v.sub(v).add_(1.0).mul_(dd), eps, eps, value=0.5)
        return log_v, log_u.sub_(bound), log_u < 0

    log_v, slack, accepted = propose(d, c, shape)  # every entry: at shape >= 1, >= 95% kept
    todo = accepted.logical_not_().view(-1).nonzero().squeeze(1)
    flat_v, flat_slack, per_sample = log_v.view(-1), slack.view(-1), math.prod(shape[2:])
    while todo.numel():  # the rejected entries again, until none is left
        entry = (todo // (samples * per_sample)) * per_sample + todo % per_sample
        value, gap, ok = propose(d.view(-1)[entry], c.view(-1)[entry], todo.shape)
        flat_v[todo[ok]], flat_slack[todo[ok]] = value[ok], gap[ok]
        todo = todo[~ok]
    # Gamma(alpha + 1) variate d v, times U^(1 / alpha): a Gamma(alpha) variate
    return torch.addcmul(log_v.add_(log_d), slack, inv_a).exp_()


class ScaledImplicitGamma(torch.autograd.Function):
    """lambda = x / beta for Gamma(alpha, 1) variates x, with the implicit reparameterisation
    gradient: a Gamma(alpha, rate beta) variate, differentiable in alpha and beta.

    forward(alpha [N, K], beta [N, K], x [N, J, K]) -> [N, J, K]. The backward pass works
    only on the entries that receive a gradient (all of them when more than half do):
    dL/dalpha = sum_j g dx/dalpha / beta and dL/dbeta = -sum_j g x / beta^2, with torch's
    dx/dalpha."""

    @staticmethod
    def forward(ctx, alpha: Tensor, beta: Tensor, x: Tensor) -> Tensor:
        ctx.save_for_backward(alpha, beta, x)
        return x / beta.unsqueeze(1)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor, None]:
        alpha, beta, x = ctx.saved_tensors
        n, j, k = x.shape
        flat_grad = grad.reshape(-1)
        where = flat_grad.nonzero().squeeze(1)
        if where.numel() > flat_grad.numel() // 2:
            dx = torch._standard_gamma_grad(alpha.unsqueeze(1).expand_as(x).contiguous(), x)
            g = grad / beta.unsqueeze(1)
            return (g * dx).sum(1), -(g * x).sum(1) / beta, None
        at = (where // (j * k)) * k + where % k  # the (alpha, beta) entry of each variate
        a, b, xs = alpha.reshape(-1)[at], beta.reshape(-1)[at], x.reshape(-1)[where]
        g = flat_grad[where] / b
        grad_alpha = torch.zeros(n * k, device=x.device, dtype=x.dtype)
        grad_alpha.index_add_(0, at, g * torch._standard_gamma_grad(a, xs))
        grad_beta = torch.zeros(n * k, device=x.device, dtype=x.dtype)
        grad_beta.index_add_(0, at, -g * xs / b)
        return grad_alpha.view_as(alpha), grad_beta.view_as(beta), None


__all__ = ["ScaledImplicitGamma", "marsaglia_tsang"]
