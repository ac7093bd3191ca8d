"""Batched FISTA (Beck & Teboulle 2009) for min_b 1/2 ||x - A b||^2 + lam ||b||_1, in torch.

All signals of a batch are solved at once with the Gram matrix G = A^T A, so one iteration is
one [n, K] x [K, K] matmul. With per-signal stopping, converged signals leave the active set,
so the batch costs what its slowest signal needs and no more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from vsc.metrics import sparse_coding_objective

Stopping = Literal["per_signal", "batch", "fixed"]
# The reference's solver: start at A^T x, stop when the whole batch's relative change < 1e-3,
# at most 500 iterations. Use as fista(x, A, lam, **FAITHFUL).
FAITHFUL: dict = {"max_iter": 500, "tol": 1e-3, "stopping": "batch", "init": "atx"}


@dataclass
class FistaResult:
    """codes [N, K]; iterations [N] used per signal; objective [N] at the codes;
    gap [N] duality gap (None unless asked)."""

    codes: Tensor
    iterations: Tensor
    objective: Tensor
    gap: Tensor | None = None


def lipschitz(atoms: Tensor) -> float:
    """Largest eigenvalue of A^T A (the gradient's Lipschitz constant), in float64."""
    return torch.linalg.matrix_norm(atoms.double(), ord=2).item() ** 2


def _check(x: Tensor, atoms: Tensor, lam: float) -> None:
    if atoms.dim() != 2 or x.dim() != 2:
        raise ValueError(f"FISTA needs signals [N, D] and a dictionary [D, K]; got "
                         f"{tuple(x.shape)} and {tuple(atoms.shape)}")
    if x.shape[1] != atoms.shape[0]:
        raise ValueError(f"signals have {x.shape[1]} pixels but dictionary atoms have "
                         f"{atoms.shape[0]}; they must match")
    if not lam >= 0 or not math.isfinite(lam):
        raise ValueError(f"lam must be a finite number >= 0, got {lam}")
    if not (torch.isfinite(x).all() and torch.isfinite(atoms).all()):
        raise ValueError("signals or dictionary contain NaN or infinite values")


def duality_gap(x: Tensor, atoms: Tensor, codes: Tensor, lam: float) -> Tensor:
    """Primal minus dual objective per signal (>= 0; 0 at the optimum). [N]."""
    residual = x - codes @ atoms.T
    corr = (residual @ atoms).abs().amax(dim=1)
    scale = torch.where(corr > lam, lam / corr.clamp_min(1e-30), torch.ones_like(corr))
    nu = residual * scale[:, None]  # dual-feasible: ||A^T nu||_inf <= lam
    dual = 0.5 * x.pow(2).sum(1) - 0.5 * (x - nu).pow(2).sum(1)
    return sparse_coding_objective(x, atoms, codes, lam).total - dual


def fista(x: Tensor, atoms: Tensor, lam: float, *, max_iter: int = 500, tol: float = 1e-4,
          stopping: Stopping = "per_signal", init: Literal["atx", "zero"] | Tensor = "atx",
          step_size: float | None = None, compute_gap: bool = False,
          restart: bool = False) -> FistaResult:
    """Solve the lasso for every row of x [N, D] on atoms [D, K] (same dtype and device).

    stopping: per_signal: each signal stops when ||b_t - b_{t-1}|| / ||b_t|| < tol (signals
        whose optimum is 0, i.e. ||A^T x||_inf <= lam, are answered at once);
      batch: the reference's rule on the whole batch's Frobenius norms;
      fixed: exactly max_iter iterations.
    init: 'atx' (A^T x, the reference's start), 'zero', or a warm start [N, K].
    step_size: 1/L by default, L = ||A||_2^2.
    restart: adaptive restart (O'Donoghue and Candes 2015, gradient scheme), per signal: when
        the proximal step b_{t+1} - y opposes the momentum b_{t+1} - b_t, the momentum of
        that signal starts again. The same optimum in about half the iterations on coherent
        dictionaries (bench/fista.py); off by default, which is the reference's solver.
    """
    _check(x, atoms, lam)
    n, k = x.shape[0], atoms.shape[1]
    gram = atoms.T @ atoms
    corr = x @ atoms  # A^T x, [N, K]
    step = step_size if step_size is not None else 1.0 / lipschitz(atoms)
    if isinstance(init, Tensor):
        if init.shape != (n, k):
            raise ValueError(f"warm start must be [{n}, {k}], got {tuple(init.shape)}")
        start = init.to(corr)
    elif init == "atx":
        start = corr.clone()
    elif init == "zero":
        start = torch.zeros_like(corr)
    else:
        raise ValueError(f"unknown init {init!r}: use 'atx', 'zero' or a tensor")
    if stopping not in ("per_signal", "batch", "fixed"):
        raise ValueError(f"unknown stopping rule {stopping!r}")

    codes = start.clone()
    iterations = torch.full((n,), max_iter, dtype=torch.long, device=x.device)
    active = torch.arange(n, device=x.device)
    if stopping == "per_signal":
        trivially_zero = corr.abs().amax(dim=1) <= lam
        codes[trivially_zero] = 0
        iterations[trivially_zero] = 0
        active = active[~trivially_zero]

    # One fused matmul per iteration: y - step (y G - A^T x) = y M + step A^T x, M = I - step G.
    descent = torch.eye(k, dtype=x.dtype, device=x.device) - step * gram
    offset = step * corr[active]
    b, y = codes[active], codes[active].clone()
    running = torch.ones(len(active), dtype=torch.bool, device=x.device)  # not yet converged
    t, threshold = 1.0, lam * step
    # with restart, each signal has its own momentum sequence t [n_active, 1]
    t_rows = torch.ones(len(active), 1, dtype=x.dtype, device=x.device) if restart else None
    for it in range(1, max_iter + 1):
        if b.shape[0] == 0:
            break
        # soft threshold: one pass, bitwise v - clamp(v, -threshold, threshold)
        b_next = torch.nn.functional.softshrink(torch.addmm(offset, y, descent), threshold)
        if restart:
            delta = b_next - b
            # restart where the proximal step opposes the momentum: (y - b_next) . delta > 0
            # (y is not used again, so it is overwritten)
            again = torch.linalg.vecdot(y.sub_(b_next), delta).unsqueeze(1) > 0
            t_rows.masked_fill_(again, 1.0)
            t_next_rows = (1 + torch.sqrt(1 + 4 * t_rows * t_rows)) / 2
            beta = ((t_rows - 1) / t_next_rows).masked_fill_(again, 0.0)
            y, t_rows = torch.addcmul(b_next, delta, beta), t_next_rows
        else:
            t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
            y = torch.lerp(b, b_next, 1 + (t - 1) / t_next)  # b_next + beta (b_next - b)
            t = t_next
            delta = None if stopping == "fixed" else b_next - b
        b = b_next
        if stopping == "fixed":
            continue
        if stopping == "batch":
            if (delta.norm() / b.norm().clamp_min(1e-12)).item() < tol:
                iterations[active] = it
                break
            continue
        change = torch.linalg.vector_norm(delta, dim=1) / torch.linalg.vector_norm(
            b, dim=1).clamp_min(1e-12)
        done = running & (change < tol)  # a zero row has change 0 / 1e-12 = 0
        if done.any():
            codes[active[done]] = b[done]
            iterations[active[done]] = it
            running &= ~done
            # Converged rows stay in the batch (their result is already saved) until enough
            # have finished that dropping them pays for the copy.
            if (~running).sum() * 10 >= len(running):
                active, b, y, offset = active[running], b[running], y[running], offset[running]
                if restart:
                    t_rows = t_rows[running]
                running = running[running]
    if b.shape[0]:
        codes[active[running]] = b[running]
    objective = sparse_coding_objective(x, atoms, codes, lam).total
    gap = duality_gap(x, atoms, codes, lam) if compute_gap else None
    return FistaResult(codes=codes, iterations=iterations, objective=objective, gap=gap)


def fista_batched(x: Tensor, atoms: Tensor, lam: float, batch_size: int = 4096,
                  **options) -> FistaResult:
    """:func:`fista` over chunks of ``batch_size`` signals (bounded memory), concatenated.

    With the 'batch' stopping rule the result depends on the chunking, as in the reference."""
    parts = [fista(x[i:i + batch_size], atoms, lam, **options)
             for i in range(0, x.shape[0], batch_size)]
    gaps = [p.gap for p in parts]
    return FistaResult(codes=torch.cat([p.codes for p in parts]),
                       iterations=torch.cat([p.iterations for p in parts]),
                       objective=torch.cat([p.objective for p in parts]),
                       gap=None if gaps[0] is None else torch.cat(gaps))
