"""Closed-form KLs against Monte Carlo estimates of E_q[log q - log p]."""

import math

import pytest
import torch
from torch.distributions import Gamma, Laplace, Normal

from vsc.config import FamilyConfig
from vsc.families import build_family
from vsc.families.gaussian import gaussian_kl
from vsc.families.laplacian import laplace_kl
from vsc.families.soft_threshold import gamma_kl
from vsc.families.spike_slab import SpikeSlab

N_MC = 400_000


def test_gaussian_kl_matches_monte_carlo():
    mu, logvar = torch.tensor([0.3, -1.0, 0.0]), torch.tensor([-2.0, 0.5, math.log(0.1)])
    q, p = Normal(mu, (0.5 * logvar).exp()), Normal(0.0, math.sqrt(0.1))
    s = q.sample((N_MC,))
    mc = (q.log_prob(s) - p.log_prob(s)).mean(0)
    torch.testing.assert_close(gaussian_kl(mu, logvar, 0.1), mc, rtol=0.02, atol=0.01)
    assert gaussian_kl(torch.zeros(1), torch.tensor([math.log(0.1)]), 0.1).abs().item() < 1e-6


def test_laplace_kl_matches_monte_carlo():
    mu, logb = torch.tensor([0.2, -0.5, 0.0]), torch.tensor([-2.5, -1.0, math.log(0.1)])
    q, p = Laplace(mu, logb.exp()), Laplace(0.0, 0.1)
    s = q.sample((N_MC,))
    mc = (q.log_prob(s) - p.log_prob(s)).mean(0)
    torch.testing.assert_close(laplace_kl(mu, logb, 0.1), mc, rtol=0.02, atol=0.01)


def test_spike_slab_kl_matches_monte_carlo():
    """KL between spike-and-slab q (P(active)=gamma) and the prior (P(active)=a)."""
    fam = SpikeSlab(FamilyConfig())
    params = {"mu": torch.tensor([[0.4, -0.2]]), "logvar": torch.tensor([[-1.0, -3.0]]),
              "spike": torch.tensor([[-0.7, -2.0]])}
    step = 10**6  # warm-up finished: slab N(mu, exp(h/2)^2)
    gamma = fam.log_gamma(params["spike"]).exp()[0]
    slab = Normal(params["mu"][0], (0.5 * params["logvar"][0]).exp())
    prior_slab, a = Normal(0.0, math.sqrt(0.1)), 0.1
    active = torch.rand(N_MC, 2) < gamma
    s = slab.sample((N_MC,))
    slab_ratio = slab.log_prob(s) - prior_slab.log_prob(s)
    log_ratio = torch.where(active, torch.log(gamma / a) + slab_ratio,
                            torch.log((1 - gamma) / (1 - a)))
    kl = fam(params, 1, step).kl[0]
    torch.testing.assert_close(kl, log_ratio.mean(0), rtol=0.03, atol=0.01)


def test_gamma_kl_matches_torch_distributions():
    alpha, beta = torch.tensor([0.5, 3.0, 10.0]), torch.tensor([2.0, 12.0, 0.7])
    expected = torch.distributions.kl_divergence(Gamma(alpha, beta), Gamma(3.0, 3.0 / 0.25))
    torch.testing.assert_close(gamma_kl(alpha, beta, 3.0, 3.0 / 0.25), expected)


@pytest.mark.parametrize("name, base", [("thresholded_gaussian", "gaussian"),
                                        ("thresholded_laplacian", "laplacian")])
def test_fixed_threshold_kl_is_the_base_kl(name, base):
    fam, base_fam = build_family(name), build_family(base)
    params = {h: torch.randn(5, 7) for h in fam.heads}
    torch.testing.assert_close(fam(params, 2, 0).kl, base_fam(params, 2, 0).kl)


def test_learned_threshold_adds_weighted_gamma_kl():
    fam = build_family("thresholded_laplacian_gamma")
    params = {h: torch.randn(5, 7) for h in fam.heads}
    alpha, beta = fam.gamma.parameters(params)
    expected = (build_family("laplacian")(params, 1, 0).kl
                + 0.1 * gamma_kl(alpha, beta, 3.0, 3.0 / fam.lambda0))
    torch.testing.assert_close(fam(params, 3, 0).kl, expected)


@pytest.mark.parametrize("name", ["gaussian", "laplacian", "spike_slab", "thresholded_gaussian",
                                  "thresholded_laplacian", "thresholded_laplacian_gamma"])
def test_kl_ignores_the_noise_warmup(name):
    """Every family's KL is taken on the raw encoder heads (as the reference code does), so it
    is the same during the noise warm-up (w = 0.1 at step 0) as after it. A KL taken on the
    warmed-up slab, the spike-and-slab defect this catches, depends on the step."""
    fam = build_family(name)
    params = {h: torch.randn(6, 5) for h in fam.heads}
    torch.manual_seed(0)
    during = fam(params, 2, 0).kl
    torch.manual_seed(0)
    after = fam(params, 2, 10**6).kl
    torch.testing.assert_close(during, after)


def test_spike_slab_kl_is_taken_on_the_raw_heads():
    fam = SpikeSlab(FamilyConfig())
    params = {"mu": torch.tensor([[0.4, -0.2]]), "logvar": torch.tensor([[-1.0, -3.0]]),
              "spike": torch.tensor([[-0.7, -2.0]])}
    gamma = fam.log_gamma(params["spike"]).exp()
    expected = (gamma * gaussian_kl(params["mu"], params["logvar"], 0.1)
                + gamma * torch.log(gamma / 0.1) + (1 - gamma) * torch.log((1 - gamma) / 0.9))
    torch.testing.assert_close(fam(params, 3, 0).kl, expected)
