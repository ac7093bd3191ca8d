"""Learning-rate schedules as pure functions of the iteration (so resume is exact)."""

from __future__ import annotations

import math

import torch

from vsc.config import ScheduleConfig


def one_cycle_factor(step: int, total: int, config: ScheduleConfig) -> float:
    """Multiplier of the peak lr at ``step`` of ``total``: linear warm-up from 1/div over the
    first ``warmup_fraction``, then cosine decay to 1/(div * final_div)."""
    start = 1 / config.div_factor
    end = start / config.final_div_factor
    warm = int(config.warmup_fraction * total)
    if step < warm:
        return start + (1 - start) * step / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    return end + (1 - end) * 0.5 * (1 + math.cos(math.pi * progress))


def one_cycle(optimizer: torch.optim.Optimizer, total: int, config: ScheduleConfig
              ) -> torch.optim.lr_scheduler.LambdaLR:
    """A LambdaLR stepping :func:`one_cycle_factor` once per iteration."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: one_cycle_factor(step, total, config))
