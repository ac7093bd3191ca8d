"""Max-ELBO training without a graph for the discarded samples (vsc.objective): the same
selection and, within float32 rounding, the same gradients as differentiating all J samples."""

from __future__ import annotations

import pytest
import torch

from vsc.config import FamilyConfig, ThresholdConfig
from vsc.dictionary import Dictionary
from vsc.estimators import select
from vsc.families import FAMILIES, build_family
from vsc.networks import mlp_encoder
from vsc.objective import sample_losses, training_losses

J, BATCH, PIXELS, LATENTS, STEP = 20, 64, 36, 48, 400
# Float32 rounding: the selected sample's codes and loss are recomputed on [B, 1, K]
# instead of [B, J, K] (other kernel tails, another matrix-product shape), so gradients agree
# to a few ulps of their largest entry, not bitwise.
RTOL, ATOL_SHARE = 1e-5, 1e-6


def _problem(name: str, sampler: str):
    family = build_family(name, FamilyConfig(threshold=ThresholdConfig(gamma_sampler=sampler)))
    torch.manual_seed(0)
    encoder = mlp_encoder(PIXELS, [64], family.heads, LATENTS)
    x = torch.randn(BATCH, PIXELS)
    atoms = Dictionary.unit_norm(PIXELS, LATENTS, seed=1).atoms
    return family, encoder, x, atoms


def _gradients(encoder, x, atoms, losses, z):
    """Encoder gradients and the dictionary's update direction of the max-ELBO loss."""
    chosen = select(losses, "max")
    encoder.zero_grad(set_to_none=True)
    chosen.loss.backward()
    codes = chosen.pick(z).detach().unsqueeze(1)
    return ({n: p.grad.clone() for n, p in encoder.named_parameters()},
            Dictionary(atoms).gradient(x, codes), chosen)


# every family, the +Gamma ones with both Gamma samplers
CASES = [(name, "torch") for name in sorted(FAMILIES)] + [
    (name, "marsaglia_tsang") for name in sorted(FAMILIES) if name.endswith("_gamma")]


@pytest.mark.parametrize(("name", "sampler"), CASES)
def test_max_without_graph_matches_the_full_graph(name: str, sampler: str) -> None:
    family, encoder, x, atoms = _problem(name, sampler)

    torch.manual_seed(7)
    params = encoder(x)
    _, z_full, full = sample_losses(family, params, family.draw(params, J, STEP), STEP, x,
                                    atoms, 1.0)
    full_grads, full_dict, full_choice = _gradients(encoder, x, atoms, full, z_full)

    torch.manual_seed(7)
    z_sel, selected = training_losses(family, encoder(x), x, atoms, J, STEP, 1.0, "max")
    assert selected.shape == (BATCH, 1) and z_sel.shape == (BATCH, 1, LATENTS)
    grads, direction, _ = _gradients(encoder, x, atoms, selected, z_sel)

    # a real choice among the J samples, and the same one: the selected loss and codes
    assert len(full_choice.index.unique()) > J // 2
    torch.testing.assert_close(selected.squeeze(1), full_choice.pick(full), rtol=RTOL, atol=0)
    torch.testing.assert_close(z_sel.squeeze(1), full_choice.pick(z_full), rtol=RTOL,
                               atol=1e-6)
    for n, g in full_grads.items():
        assert g.abs().max() > 0, f"{name} {n}: no gradient reaches it"
        scale = g.abs().max().item()
        torch.testing.assert_close(grads[n], g, rtol=RTOL, atol=ATOL_SHARE * scale,
                                   msg=lambda m, n=n: f"{name} {n}: {m}")
    torch.testing.assert_close(direction, full_dict, rtol=RTOL,
                               atol=ATOL_SHARE * full_dict.abs().max().item())


@pytest.mark.parametrize("estimator", ["avg", "iwae"])
def test_other_estimators_keep_every_sample(estimator: str) -> None:
    family, encoder, x, atoms = _problem("thresholded_laplacian", "torch")
    z, losses = training_losses(family, encoder(x), x, atoms, J, STEP, 1.0, estimator)
    assert losses.shape == (BATCH, J) and z.shape == (BATCH, J, LATENTS)
    assert losses.requires_grad
