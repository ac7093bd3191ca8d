"""Sampling studies of the linear experiment (docs/method.md section 5): validation loss against J,
max against avg selection, and support consistency across the J samples of one input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from vsc.errors import UserError
from vsc.linear import LinearExperiment
from vsc.runtime import derive_seed


def mean_pairwise_jaccard(supports: Tensor) -> Tensor:
    """Mean Jaccard index between the supports of the J samples of each input, self-pairs
    excluded: supports [N, J, K] bool -> [N] (two empty supports count as identical, 1)."""
    j = supports.shape[1]
    if j < 2:
        raise UserError("support consistency needs at least two samples per input")
    s = supports.float()
    inter = s @ s.transpose(1, 2)  # [N, J, J]
    size = s.sum(-1)
    union = size[:, :, None] + size[:, None, :] - inter
    jaccard = torch.where(union > 0, inter / union.clamp_min(1), torch.ones_like(inter))
    off_diagonal = jaccard.sum((1, 2)) - jaccard.diagonal(dim1=1, dim2=2).sum(-1)
    return off_diagonal / (j * (j - 1))


@torch.no_grad()
def support_consistency(run: str | Path, inputs: int | None = None) -> dict:
    """Per-input support consistency of a finished run, its own J, the first ``inputs``
    validation patches (default: the run's sampling.consistency_inputs). Returns identity,
    estimator, the per-input values, mean and median."""
    exp, final, config = LinearExperiment.reopen(run)
    if inputs is None:
        inputs = config.sampling.consistency_inputs
    result = {k: final[k] for k in ("method", "J", "seed", "dataset", "preset",
                                    "estimator", "status")}
    if exp is None or final["J"] < 2:
        return {**result, "jaccard": [], "jaccard_mean": None, "jaccard_median": None}
    torch.manual_seed(derive_seed("consistency", final["seed"]))
    z = exp.sample_codes(exp.validation_patches()[:inputs])
    values = mean_pairwise_jaccard(z != 0).cpu().numpy()
    return {**result, "jaccard": values.round(6).tolist(),
            "jaccard_mean": float(values.mean()), "jaccard_median": float(np.median(values))}
