"""The linear generator x = A z, trained by the hand-written SGD rule of the reference."""

from __future__ import annotations

import torch
from torch import Tensor


class Dictionary:
    """A [D, K] dictionary, never renormalised (its atoms grow during training).

    Updated by A <- A + lr [ (1/B) sum_n sum_j w[n,j] (x_n - A z_nj) z_nj^T - 2 c A ],
    which for max selection (one-hot w) is the reference's rule on the selected codes.
    """

    def __init__(self, atoms: Tensor) -> None:
        if atoms.dim() != 2:
            raise ValueError(f"a dictionary is [D, K], got shape {tuple(atoms.shape)}")
        self.atoms = atoms

    @classmethod
    def unit_norm(cls, n_pixels: int, n_atoms: int, seed: int, device: str | torch.device = "cpu",
                  dtype: torch.dtype = torch.float32) -> Dictionary:
        """Gaussian random atoms scaled to unit norm, from a generator seeded by ``seed``."""
        gen = torch.Generator().manual_seed(seed)
        atoms = torch.randn(n_pixels, n_atoms, generator=gen, dtype=torch.float64)
        atoms /= atoms.norm(dim=0, keepdim=True)
        return cls(atoms.to(device=device, dtype=dtype))

    def decode(self, z: Tensor) -> Tensor:
        """A z for codes [..., K] -> [..., D]."""
        return decode(self.atoms, z)

    def gradient(self, x: Tensor, z: Tensor, weights: Tensor | None = None) -> Tensor:
        """(1/B) sum_n sum_j w[n,j] (x_n - A z_nj) z_nj^T for x [B, D], z [B, J, K] -> [D, K].

        ``weights`` [B, J] defaults to 1 (a single code per point when J = 1)."""
        return gradient(self.atoms, x, z, weights)

    def sgd_step(self, x: Tensor, z: Tensor, weights: Tensor | None, lr: float,
                 weight_decay: float) -> None:
        """One in-place update with codes that carry no gradient."""
        sgd_step(self.atoms, x, z.detach(), weights, lr, weight_decay)

    def frobenius_sq(self) -> float:
        return self.atoms.pow(2).sum().item()

    def atom_norms(self) -> Tensor:
        """[K] Euclidean norm of each atom."""
        return self.atoms.norm(dim=0)


# The rule on plain tensors, for one dictionary [D, K] or M stacked ones [M, D, K] (a bundle of
# runs, vsc.bundle): the stacked shapes below carry a leading M.

def decode(atoms: Tensor, z: Tensor) -> Tensor:
    """A z: atoms [D, K] and codes [..., K] -> [..., D]; stacked atoms [M, D, K] and codes
    [M, ..., K] -> [M, ..., D] (run m's codes through run m's dictionary)."""
    if atoms.dim() == 2:
        return z @ atoms.T
    return (z.flatten(1, -2) @ atoms.mT).unflatten(1, z.shape[1:-1])


def gradient(atoms: Tensor, x: Tensor, z: Tensor, weights: Tensor | None = None) -> Tensor:
    """The update direction (1/B) sum_n sum_j w[n,j] (x_n - A z_nj) z_nj^T: x [(M,) B, D],
    z [(M,) B, J, K], weights [(M,) B, J] or None -> [(M,) D, K]."""
    residual = x.unsqueeze(-2) - decode(atoms, z)  # [(M,) B, J, D]
    if weights is not None:
        residual = residual * weights.unsqueeze(-1)
    return residual.flatten(-3, -2).mT @ z.flatten(-3, -2) / residual.shape[-3]


def sgd_step(atoms: Tensor, x: Tensor, z: Tensor, weights: Tensor | None, lr: float,
             weight_decay: float) -> None:
    """A <- A + lr (gradient - 2 c A), in place, for one or M stacked dictionaries."""
    with torch.no_grad():
        atoms += lr * (gradient(atoms, x, z, weights) - 2 * weight_decay * atoms)
