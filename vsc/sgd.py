"""Nesterov SGD written out, for the linear experiment's stacked encoder.

The update is torch.optim.SGD's with momentum m, ``nesterov=True``, no dampening and no
weight decay, operation for operation (its single-tensor CPU path), so the numbers are the
same bit for bit. Constructing torch's optimiser imports torch._dynamo, about 1.4 s of every
training job's start-up here, and its bookkeeping costs a little on each of the thousands of
steps; this class has neither.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


class NesterovSGD:
    """params: leaf tensors; buffers: their momentum buffers (None before the first step,
    when a buffer starts as a copy of the gradient, as torch's does)."""

    def __init__(self, params: Sequence[Tensor], momentum: float,
                 buffers: Sequence[Tensor | None] | None = None) -> None:
        self.params = list(params)
        self.momentum = momentum
        self.buffers: list[Tensor | None] = (list(buffers) if buffers is not None
                                             else [None] * len(self.params))
        if len(self.buffers) != len(self.params):
            raise ValueError("one momentum buffer (or None) per parameter")

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, lr: float) -> None:
        """buf <- m buf + g; p <- p - lr (g + m buf), per parameter with a gradient."""
        for i, p in enumerate(self.params):
            grad = p.grad
            if grad is None:
                continue
            buf = self.buffers[i]
            if buf is None:
                buf = self.buffers[i] = grad.detach().clone()
            else:
                buf.mul_(self.momentum).add_(grad, alpha=1.0)
            p.add_(grad.add(buf, alpha=self.momentum), alpha=-lr)
