"""Where a family's random draws come from.

A family never calls the global random generator itself: it asks a :class:`Noise` for
normals, uniforms or unit-rate Gamma variates of a given shape. ``Noise()`` draws from
torch's global generator (analyses, the DNN experiment); ``Noise([g])`` from one run's own
generator; and ``Noise([g_1, ..., g_M])`` serves a bundle of M runs stacked along the
leading (row) axis: rows ``m * n .. (m + 1) * n`` are drawn from ``g_m`` exactly as run m
would draw them alone, so a run trained in a bundle sees the same random numbers as when
trained by itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from vsc.families.gamma import marsaglia_tsang


class Noise:
    """Random draws for ``len(generators)`` runs stacked along the row axis (or the global
    generator when ``generators`` is None)."""

    def __init__(self, generators: Sequence[torch.Generator] | None = None) -> None:
        self.generators = list(generators) if generators is not None else [None]

    def _per_run(self, rows: int, axis: int, draw) -> Tensor:
        """draw(n, generator, first_row) for each run's n rows, joined along ``axis``."""
        runs = len(self.generators)
        if runs == 1:
            return draw(rows, self.generators[0], 0)
        if rows % runs:
            raise ValueError(f"{rows} rows cannot be split between {runs} stacked runs")
        n = rows // runs
        return torch.cat([draw(n, g, i * n) for i, g in enumerate(self.generators)], dim=axis)

    def normal(self, rows: int, samples: int, width: int, like: Tensor) -> Tensor:
        """Standard normals [rows, samples, width] with ``like``'s device and dtype."""
        return self._per_run(rows, 0, lambda n, g, _: torch.randn(
            n, samples, width, generator=g, device=like.device, dtype=like.dtype))

    def uniform(self, rows: int, samples: int, width: int, like: Tensor) -> Tensor:
        """Uniforms on [0, 1) [rows, samples, width] with ``like``'s device and dtype."""
        return self._per_run(rows, 0, lambda n, g, _: torch.rand(
            n, samples, width, generator=g, device=like.device, dtype=like.dtype))

    def gamma_variates(self, shape: Tensor, samples: int, sampler: str = "torch") -> Tensor:
        """Gamma(shape, 1) variates [rows, samples, width] for shape [rows, width], without
        gradient. sampler 'torch': torch's, drawn sample-major as
        ``torch.distributions.Gamma(shape, rate).rsample((samples,))`` draws them (returned
        as a transposed view); 'marsaglia_tsang': vsc.families.gamma's, drawn row-major."""
        rows, width = shape.shape
        shape = shape.detach()
        if sampler == "torch":
            return self._per_run(rows, 1, lambda n, g, first: torch._standard_gamma(
                shape[first:first + n].expand(samples, n, width), generator=g)).transpose(0, 1)
        if sampler == "marsaglia_tsang":
            return self._per_run(rows, 0, lambda n, g, first: marsaglia_tsang(
                shape[first:first + n], samples, g))
        raise ValueError(f"unknown Gamma sampler {sampler!r}: use 'torch' or 'marsaglia_tsang'")


GLOBAL = Noise()


def fork_generator(device: torch.device) -> torch.Generator:
    """A generator on ``device`` that continues torch's global stream for that device from
    where it stands now (so a run that switches to its own generator draws what it would
    have drawn from the global one)."""
    generator = torch.Generator(device=device)
    if device.type == "cuda":
        generator.set_state(torch.cuda.get_rng_state(device))
    else:
        generator.set_state(torch.get_rng_state())
    return generator
