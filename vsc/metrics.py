"""The Table 1 metric, shared by the variational runs and the baselines."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor


@dataclass
class SparseCodingScore:
    """Per-signal parts of 1/2 ||x - A b||^2 + lam ||b||_1, each [N]."""

    recon: Tensor
    l1: Tensor

    @property
    def total(self) -> Tensor:
        return self.recon + self.l1


def sparse_coding_objective(x: Tensor, atoms: Tensor, codes: Tensor, lam: float
                            ) -> SparseCodingScore:
    """Score codes [N, K] of signals x [N, D] on a dictionary atoms [D, K].

    recon = 1/2 ||x - A b||^2 summed over pixels; l1 = lam ||b||_1. Table 1 reports the mean
    of their sum over validation patches at lam = 20 (a zero code scores 1/2 ||x||^2).
    """
    residual = x - codes @ atoms.T
    return SparseCodingScore(recon=0.5 * residual.pow(2).sum(-1), l1=lam * codes.abs().sum(-1))


def zero_code_losses(x: Tensor) -> Tensor:
    """The Table 1 metric of the all-zero code b = 0 on each signal of x [N, D]: 1/2 ||x||^2,
    [N]."""
    return 0.5 * x.pow(2).sum(-1)


def zero_code_loss(x: Tensor) -> float:
    """The Table 1 metric of the all-zero code b = 0 on signals x [N, D], averaged. Any
    dictionary gives it, so it is the level a method must beat for its codes to explain
    anything."""
    return zero_code_losses(x).mean().item()
