"""Gradient signal-to-noise ratio of a trained linear run (docs/method.md section 5).

For each of a few validation batches, the training loss is evaluated ``passes`` times with
fresh noise; per parameter element, SNR = |mean| / std of its gradient over the passes (the
elements whose gradient never varies, e.g. of atoms whose codes are always exactly zero, have
no defined SNR and are left out). The run's summary is the mean (and median) over elements,
averaged over batches, for the encoder's parameters and for the dictionary.

The reference divides by (std + 1e-9) and scales the dictionary gradient by 1 / (number of
validation patches), which puts many of its dictionary stds near that 1e-9: its dictionary
values (about 3e4) measure the epsilon more than the gradient, so only the encoder values are
comparable in size; the ordering of families is what to compare for the dictionary.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor

from vsc.linear import LinearExperiment
from vsc.paper import PAPER_SNR
from vsc.runtime import derive_seed


class RunningMoments:
    """Per-element mean and standard deviation of a stream of vectors, in float64."""

    def __init__(self) -> None:
        self.n, self.total, self.total_sq = 0, None, None

    def add(self, vector: Tensor) -> None:
        v = vector.detach().double()
        if self.total is None:
            self.total, self.total_sq = torch.zeros_like(v), torch.zeros_like(v)
        self.total += v
        self.total_sq += v * v
        self.n += 1

    def snr(self) -> tuple[float, float]:
        """(mean, median) over elements of |mean| / std, elements with std > 0 only."""
        mean = self.total / self.n
        var = (self.total_sq / self.n - mean * mean).clamp_min(0)
        std = var.sqrt()
        # float64 round-off leaves ~1e-16 relative variance on constant elements
        varies = std > 1e-12 * mean.abs().clamp_min(1e-300)
        ratio = mean.abs()[varies] / std[varies]
        if ratio.numel() == 0:
            return float("nan"), float("nan")
        return ratio.mean().item(), ratio.median().item()


def gradient_snr(exp: LinearExperiment, passes: int, batches: int, batch_size: int,
                 seed: int) -> dict[str, float]:
    """Encoder and dictionary gradient SNR of a trained experiment at its own J, over
    ``batches`` validation batches of ``batch_size`` patches."""
    val_x = exp.validation_patches()
    results = {"encoder": [], "dictionary": []}
    devices = [val_x.device] if val_x.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        for b in range(min(batches, len(val_x) // batch_size)):
            x = val_x[b * batch_size:(b + 1) * batch_size]
            encoder_moments, dict_moments = RunningMoments(), RunningMoments()
            for _ in range(passes):
                encoder, dictionary = exp.gradient_sample(x)
                encoder_moments.add(encoder)
                dict_moments.add(dictionary)
            results["encoder"].append(encoder_moments.snr())
            results["dictionary"].append(dict_moments.snr())
    summary = {}
    for part, values in results.items():
        t = torch.tensor(values, dtype=torch.float64)
        summary[f"{part}_snr_mean"] = torch.nanmean(t[:, 0]).item()
        summary[f"{part}_snr_median"] = torch.nanmean(t[:, 1]).item()
    return summary


def run_snr(run: str | Path, passes: int | None = None, batches: int | None = None) -> dict:
    """SNR of a finished linear run folder (its final checkpoint), with ``passes`` stochastic
    passes over ``batches`` validation batches (default: the run's snr settings)."""
    exp, final, config = LinearExperiment.reopen(run)
    passes = config.snr.passes if passes is None else passes
    batches = config.snr.batches if batches is None else batches
    identity = {k: final[k] for k in ("method", "J", "seed", "dataset", "preset")}
    reference = PAPER_SNR.get((final["method"], final["J"]), (None, None))
    base = {**identity, "passes": passes, "batches": batches,
            "reference_encoder_snr": reference[0], "reference_dictionary_snr": reference[1]}
    if exp is None:
        return {**base, "status": final["status"]}
    return {**base, "status": "finished",
            **gradient_snr(exp, passes, batches, config.linear.batch_size,
                           derive_seed("snr", final["seed"]))}
