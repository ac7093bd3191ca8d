"""The fast Gamma sampler (vsc/families/gamma.py): the right distribution, torch's implicit
gradient wherever a gradient arrives, the right expected gradients, and one random stream per
run of a bundle."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import torch

from vsc.config import FamilyConfig, ThresholdConfig
from vsc.families import build_family
from vsc.families.gamma import ScaledImplicitGamma, marsaglia_tsang
from vsc.families.noise import Noise


@pytest.mark.parametrize("alpha", [0.05, 0.5, 1.0, 3.0, 30.0, 500.0])
def test_variates_follow_the_gamma_distribution(alpha):
    gen = torch.Generator().manual_seed(1)
    x = marsaglia_tsang(torch.full((400, 1), alpha), 100, gen).double().numpy().ravel()
    assert scipy.stats.kstest(x, scipy.stats.gamma(alpha).cdf).pvalue > 1e-3
    assert np.all(x >= 0)


def test_variates_have_a_sample_axis_and_alphas_dtype():
    alpha = torch.rand(3, 5, dtype=torch.float64) + 0.1
    x = marsaglia_tsang(alpha, 4, torch.Generator().manual_seed(0))
    assert x.shape == (3, 4, 5) and x.dtype == torch.float64


@pytest.mark.parametrize("pattern", ["one_sample_per_point", "dense"])
def test_gradients_are_torchs(pattern):
    """For the same variates, the gradients to alpha and beta are those torch's
    Gamma(alpha, beta).rsample gives (its implicit dx/dalpha, and x / beta's derivative),
    whether one sample per point carries a gradient (max-ELBO) or all do (avg, iwae)."""
    gen = torch.Generator().manual_seed(2)
    alpha = (torch.randn(30, 7, generator=gen) * 0.8).exp().requires_grad_()
    beta = (torch.randn(30, 7, generator=gen) * 0.5).exp().requires_grad_()
    lam = ScaledImplicitGamma.apply(alpha, beta, marsaglia_tsang(alpha.detach(), 5, gen))
    grad = torch.randn(30, 5, 7, generator=gen)
    if pattern == "one_sample_per_point":
        keep = torch.zeros(30, 5, 1)
        keep[torch.arange(30), torch.randint(0, 5, (30,), generator=gen)] = 1
        grad = grad * keep
    lam.backward(grad)

    a2, b2 = alpha.detach().clone().requires_grad_(), beta.detach().clone().requires_grad_()
    x = (lam * beta.unsqueeze(1)).detach()  # the standard variates behind lam
    dx = torch._standard_gamma_grad(a2.detach().unsqueeze(1).expand_as(x).contiguous(), x)
    reference = (x + (a2.unsqueeze(1) - a2.detach().unsqueeze(1)) * dx) / b2.unsqueeze(1)
    reference.backward(grad)
    torch.testing.assert_close(alpha.grad, a2.grad, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(beta.grad, b2.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("alpha", [0.3, 2.0, 12.0])
def test_expected_gradients_match_the_analytic_ones(alpha):
    """For x ~ Gamma(alpha, rate beta): d/dalpha E[x] = 1 / beta, d/dbeta E[x] = -alpha /
    beta^2 and d/dalpha E[log x] = trigamma(alpha), by Monte Carlo."""
    gen = torch.Generator().manual_seed(3)
    a = torch.tensor([[alpha]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[2.0]], dtype=torch.float64, requires_grad=True)
    x = ScaledImplicitGamma.apply(a, b, marsaglia_tsang(a.detach(), 200_000, gen))
    da, db = torch.autograd.grad(x.mean(), (a, b), retain_graph=True)
    (da_log,) = torch.autograd.grad(x.log().mean(), a)
    assert da.item() == pytest.approx(0.5, rel=0.02)
    assert db.item() == pytest.approx(-alpha / 4, rel=0.02)
    assert da_log.item() == pytest.approx(float(torch.polygamma(1, a.detach())), rel=0.02)


def test_each_run_of_a_bundle_draws_its_own_stream():
    alpha = torch.rand(6, 4) + 0.5
    alone = [Noise([torch.Generator().manual_seed(s)]).gamma_variates(
        alpha[3 * i:3 * (i + 1)], 5, "marsaglia_tsang") for i, s in enumerate((7, 8))]
    bundled = Noise([torch.Generator().manual_seed(s) for s in (7, 8)]).gamma_variates(
        alpha, 5, "marsaglia_tsang")
    torch.testing.assert_close(bundled, torch.cat(alone), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["thresholded_gaussian_gamma", "thresholded_laplacian_gamma"])
def test_families_use_the_configured_sampler(name):
    """Same heads, same generator state: the two samplers give different streams of the same
    shape, and the threshold's mean follows alpha / beta under both."""
    config = FamilyConfig(threshold=ThresholdConfig(gamma_sampler="marsaglia_tsang"))
    fast, reference = build_family(name, config), build_family(name)
    params = {head: torch.zeros(64, 8) for head in fast.heads}
    params["log_beta"] = torch.full((64, 8), np.log(2.0))
    params["log_alpha"] = torch.full((64, 8), np.log(4.0))
    torch.manual_seed(0)
    a = fast(params, 50, 0).threshold
    torch.manual_seed(0)
    b = reference(params, 50, 0).threshold
    assert a.shape == b.shape == (64, 50, 8) and not torch.equal(a, b)
    for lam in (a, b):
        assert lam.mean().item() == pytest.approx(2.0, rel=0.02)


def test_unknown_sampler_is_an_error():
    with pytest.raises(ValueError, match="unknown Gamma sampler"):
        Noise().gamma_variates(torch.ones(2, 2), 3, "lanczos")
