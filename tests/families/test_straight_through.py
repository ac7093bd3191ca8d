"""Gradient paths of the straight-through shifted soft-threshold."""

import torch

from vsc.families.soft_threshold import shifted_soft_threshold


def _setup():
    mu = torch.tensor([[[0.5, 0.5, -0.2]]], requires_grad=True)
    noise = torch.tensor([[[0.3, -0.05, -0.4]]])  # active, zero, active for lambda = 0.1
    s = mu + noise
    lam = torch.tensor(0.1, requires_grad=True)
    return mu, s, lam


def test_forward_value_is_the_shifted_soft_threshold_with_exact_zeros():
    for mode in ("faithful", "identity"):
        mu, s, lam = _setup()
        z = shifted_soft_threshold(s, mu, lam, mode)
        torch.testing.assert_close(z.detach(), torch.tensor([[[0.7, 0.0, -0.5]]]))
        assert z[0, 0, 1].item() == 0.0


def test_faithful_gradients():
    mu, s, lam = _setup()
    shifted_soft_threshold(s, mu, lam, "faithful").sum().backward()
    torch.testing.assert_close(mu.grad, torch.tensor([[[2.0, 1.0, 2.0]]]))
    # d z / d lambda = -sign(noise) on active entries: -1 + 1
    torch.testing.assert_close(lam.grad, torch.tensor(0.0))
    mu2, s2, lam2 = _setup()
    z = shifted_soft_threshold(s2, mu2, lam2, "faithful")
    z[0, 0, 0].backward()
    assert lam2.grad.item() == -1.0


def test_identity_gradients():
    mu, s, lam = _setup()
    shifted_soft_threshold(s, mu, lam, "identity").sum().backward()
    torch.testing.assert_close(mu.grad, torch.ones(1, 1, 3))
    assert lam.grad is None or lam.grad.item() == 0.0


def test_gradient_to_the_scale_passes_through_zeros():
    """The encoder keeps learning when a feature is off: ds/dscale flows on zeroed entries."""
    mu = torch.zeros(1, 1, 1)
    scale = torch.tensor(0.01, requires_grad=True)
    s = mu + scale * torch.tensor([[[1.0]]])
    z = shifted_soft_threshold(s, mu, torch.tensor(0.5), "faithful")
    assert z.item() == 0.0
    z.sum().backward()
    assert scale.grad.item() == 1.0
