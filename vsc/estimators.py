"""Combining the losses of J samples per data point: max-ELBO, average, importance-weighted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

EstimatorName = Literal["max", "avg", "iwae"]
ESTIMATORS: tuple[str, ...] = ("max", "avg", "iwae")


@dataclass
class Selection:
    """loss: the objective to minimise, one per leading index ([] for losses [N, J], [M]
    for a bundle's [M, N, J]). weights: [..., N, J] detached weight of each sample in the
    gradient (one-hot for max), used to weight the codes of the dictionary update.
    index: [..., N] the lowest-loss sample of each point (what evaluation reports)."""

    loss: Tensor
    weights: Tensor
    index: Tensor

    def pick(self, values: Tensor) -> Tensor:
        """The selected sample of each point: [..., N, J, ...] -> [..., N, ...]."""
        axis = self.index.dim()  # the J axis of values
        trailing = values.shape[axis + 1:]
        idx = self.index.view(*self.index.shape, 1, *([1] * len(trailing)))
        return values.gather(axis, idx.expand(*self.index.shape, 1, *trailing)).squeeze(axis)


def select(losses: Tensor, mode: EstimatorName = "max") -> Selection:
    """Combine per-sample losses L [..., N, J] into a training objective per leading index.

    max: mean_n L[n, j*] with j* = argmin_j L[n, j] (index detached);
    avg: mean over n and j (standard VI);
    iwae: -mean_n log mean_j exp(-L[n, j]), whose gradient weights samples by softmax(-L).
    """
    if losses.dim() < 2:
        raise ValueError(f"losses must be [..., N, J], got shape {tuple(losses.shape)}")
    index = losses.detach().argmin(dim=-1)
    if mode == "max":
        loss = losses.gather(-1, index.unsqueeze(-1)).squeeze(-1).mean(-1)
        weights = torch.zeros_like(losses).scatter_(-1, index.unsqueeze(-1), 1.0).detach()
    elif mode == "avg":
        loss = losses.mean((-2, -1))
        weights = torch.full_like(losses, 1.0 / losses.shape[-1]).detach()
    elif mode == "iwae":
        loss = -(torch.logsumexp(-losses, dim=-1) - math.log(losses.shape[-1])).mean(-1)
        weights = torch.softmax(-losses.detach(), dim=-1)
    else:
        raise ValueError(f"unknown estimator {mode!r}; choose one of {ESTIMATORS}")
    return Selection(loss=loss, weights=weights, index=index)
