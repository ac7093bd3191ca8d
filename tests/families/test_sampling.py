"""Sampler quantiles, exact zeros and their rate, schedules, the registry."""

import math

import pytest
import torch

from vsc.config import FamilyConfig, SpikeSlabConfig, WarmupConfig, config_from_dict
from vsc.families import FAMILIES, build_family
from vsc.families.base import noise_warmup
from vsc.families.laplacian import unit_laplace_noise
from vsc.families.noise import GLOBAL
from vsc.families.soft_threshold import gaussian_lambda0, laplace_lambda0
from vsc.families.spike_slab import temperature

DONE = 10**6  # a step after every warm-up


def test_registry_holds_seven_families_and_rejects_unknown():
    assert len(FAMILIES) == 7
    with pytest.raises(ValueError, match="unknown family 'cauchy'"):
        build_family("cauchy")


@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_family_returns_shaped_codes(name):
    fam = build_family(name)
    out = fam({h: torch.randn(6, 5) for h in fam.heads}, 4, DONE)
    assert out.z.shape == (6, 4, 5) and out.kl.shape == (6, 5)
    assert torch.isfinite(out.z).all() and torch.isfinite(out.kl).all()


def test_laplace_noise_quantiles():
    eps = 0.3 * unit_laplace_noise(1, 200_000, 1, torch.zeros(()), GLOBAL).flatten()
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        expected = -0.3 * math.copysign(1, q - 0.5) * math.log(1 - 2 * abs(q - 0.5))
        assert abs(torch.quantile(eps, q).item() - expected) < 0.01


def test_gaussian_sampler_quantiles():
    fam = build_family("gaussian")
    params = {"mu": torch.tensor([[0.5]]), "logvar": torch.tensor([[math.log(0.04)]])}
    s = fam(params, 200_000, 0).z.flatten()
    for q, zq in ((0.1, -1.2816), (0.5, 0.0), (0.9, 1.2816)):
        assert abs(torch.quantile(s, q).item() - (0.5 + 0.2 * zq)) < 0.005


def test_lambda0_from_target_sparsity():
    assert gaussian_lambda0(0.1, 0.1) == pytest.approx(0.5201, abs=1e-4)
    assert laplace_lambda0(0.1, 0.1) == pytest.approx(0.2303, abs=1e-4)
    fam = build_family("thresholded_laplacian", config_from_dict(
        {"family": {"threshold": {"lambda0_laplacian": 0.25}}}).family)
    assert fam.lambda0 == 0.25
    with pytest.raises(ValueError, match="target sparsity"):
        laplace_lambda0(-0.1, 0.1)


def test_thresholded_laplacian_zero_rate_matches_theory():
    """With w = 1, P(z != 0) = P(|Laplace(0, b)| > lambda) = exp(-lambda / b)."""
    fam = build_family("thresholded_laplacian")
    b = 0.1
    params = {"mu": torch.randn(50, 40), "logscale": torch.full((50, 40), math.log(b))}
    z = fam(params, 200, DONE).z
    assert abs((z != 0).float().mean().item() - math.exp(-fam.lambda0 / b)) < 0.005


def test_thresholded_gaussian_hits_its_target_under_the_prior():
    """Under the prior itself (mu = 0, variance 0.1) the active fraction is the target."""
    fam = build_family("thresholded_gaussian")
    params = {"mu": torch.zeros(100, 50), "logvar": torch.full((100, 50), math.log(0.1))}
    assert abs(fam(params, 100, DONE).zero_fraction() - 0.9) < 0.005


def test_noise_warmup_and_temperature_schedules():
    w = WarmupConfig(start=0.1, hold_iterations=1500, step=2e-4)
    assert noise_warmup(w, 0) == 0.1 and noise_warmup(w, 1499) == 0.1
    assert noise_warmup(w, 2000) == pytest.approx(0.2) and noise_warmup(w, 10**5) == 1.0
    t = SpikeSlabConfig()
    assert temperature(t, 0) == 1.0
    assert temperature(t, 100) == pytest.approx(0.9995**100)
    assert temperature(t, 10**5) == 0.5


@pytest.mark.parametrize("selection, expected", [("faithful_log", lambda g: g / (1 + g)),
                                                 ("logit", lambda g: g)])
def test_spike_slab_activation_probability(selection, expected):
    """Faithful log-gamma relaxation activates with gamma/(1+gamma); the logit form with gamma."""
    cfg = FamilyConfig(spike_slab=SpikeSlabConfig(selection=selection))
    fam = build_family("spike_slab", cfg)
    spike = torch.full((1, 1), math.log(0.3))  # log gamma = head when head <= 0
    params = {"mu": torch.ones(1, 1), "logvar": torch.full((1, 1), -4.0), "spike": spike}
    z = fam(params, 200_000, DONE).z
    assert abs((z != 0).float().mean().item() - expected(0.3)) < 0.005
