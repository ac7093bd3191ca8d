"""What every variational family must do, checked on any Family subclass: the paper's
families by tests/families/test_contract.py, a family of your own by one line
(docs/extending.md)."""

from __future__ import annotations

import torch

from vsc.config import FamilyConfig
from vsc.families.base import Family, pick_draws
from vsc.families.noise import Noise


def heads(cls: type[Family], n: int = 64, k: int = 12, seed: int = 0) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return {h: torch.randn(n, k, generator=generator, requires_grad=True) for h in cls.heads}


def check_family_contract(cls: type[Family], config: FamilyConfig | None = None) -> None:
    """Declarations, shapes, finite KL, exact zeros for sparse families, draws repeatable from
    a seeded stream, codes rebuilt sample by sample, and gradients reaching every head."""
    for attribute, kind in (("name", str), ("label", str), ("sparse", bool), ("heads", tuple)):
        assert isinstance(getattr(cls, attribute, None), kind), f"{cls.__name__}.{attribute}"
    family = cls(config or FamilyConfig())
    params = heads(cls)
    n, k, j, step = 64, 12, 5, 10_000  # a step past every warm-up

    def draws():
        return family.draw(params, j, step, Noise([torch.Generator().manual_seed(1)]))

    first, again = draws(), draws()
    assert all(torch.equal(first[name], again[name]) for name in first), "draws not repeatable"
    assert all(v.shape == (n, j, k) and not v.requires_grad for v in first.values())
    codes = family.codes(params, first, step)
    assert codes.z.shape == (n, j, k) and codes.kl.shape == (n, k)
    assert torch.isfinite(codes.z).all() and torch.isfinite(codes.kl).all()
    if cls.sparse:
        assert (codes.z == 0).any(), f"{cls.name} declares sparse codes but has no exact zero"
    # the codes of one sample per point, rebuilt from its draws alone, are the same codes
    index = torch.arange(n) % j
    picked = family.codes(params, pick_draws(first, index), step)
    assert torch.allclose(picked.z[:, 0], codes.z[torch.arange(n), index], atol=1e-6)
    (picked.z.square().sum() + picked.kl.sum()).backward()
    for name, tensor in params.items():
        assert tensor.grad is not None and torch.isfinite(tensor.grad).all(), name
    # what it reports of its own schedules are plain numbers (they go into metrics.csv)
    assert all(isinstance(v, float) for v in family.schedule(step).values())
