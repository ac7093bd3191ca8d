"""Learning-rate schedules as pure functions of the iteration (so resume is exact)."""

from __future__ import annotations

import math

import torch

from vsc.config import ConfigError, ScheduleConfig


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


def horizon(run_iterations: int, config: ScheduleConfig) -> int:
    """The iterations the schedule spans: the run's ``run_iterations`` or, when set, the
    longer ``config.horizon_iterations`` (the run then follows the first part of it)."""
    total = config.horizon_iterations or run_iterations
    if total < run_iterations:
        raise ConfigError(f"config key 'schedule.horizon_iterations' ({total}) is shorter than "
                          f"the run ({run_iterations} iterations): raise it or leave it null")
    return total


def one_cycle(optimizer: torch.optim.Optimizer, run_iterations: int, config: ScheduleConfig
              ) -> torch.optim.lr_scheduler.LambdaLR:
    """A LambdaLR stepping :func:`one_cycle_factor` once per iteration over
    :func:`horizon` iterations."""
    total = horizon(run_iterations, config)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: one_cycle_factor(step, total, config))
