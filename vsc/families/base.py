"""The protocol every variational family implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Protocol

from torch import Tensor

from vsc.config import FamilyConfig, WarmupConfig
from vsc.families.noise import GLOBAL, Noise


@dataclass
class Codes:
    """Samples of one family for a batch.

    z: [N, J, K] codes (exact zeros where a family switches a latent off).
    kl: [N, K] per-latent KL of q(. | x) to the prior, with any threshold KL already weighted
        and added; it is analytic, hence identical for the J samples.
    threshold: [N, J, K] thresholds used for each sample, or None for unthresholded families.
    """

    z: Tensor
    kl: Tensor
    threshold: Tensor | None = None

    def zero_fraction(self) -> float:
        """Fraction of code entries that are exactly zero."""
        return (self.z == 0).float().mean().item()


class Family(ABC):
    """A variational family q(z | x): encoder heads in, J codes and their KL out.

    ``heads`` names the encoder outputs the family consumes (each [N, K]).
    ``step`` is the training iteration; schedules (noise warm-up, temperature) are pure
    functions of it, so a resumed run samples exactly as an uninterrupted one. ``noise``
    supplies every random draw (the global generator unless a run brings its own).
    """

    name: ClassVar[str]
    heads: ClassVar[tuple[str, ...]]

    def __init__(self, config: FamilyConfig) -> None:
        self.config = config

    @abstractmethod
    def __call__(self, params: dict[str, Tensor], n_samples: int, step: int,
                 noise: Noise = GLOBAL) -> Codes:
        """Draw ``n_samples`` codes per data point: params [N, K] each -> Codes."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BaseDistribution(Protocol):
    """An un-thresholded q(s | x): its reparameterised sampler and its analytic KL."""

    heads: tuple[str, ...]

    def sample(self, params: dict[str, Tensor], n_samples: int, step: int,
               noise: Noise) -> Tensor:
        """[N, K] heads -> [N, J, K] samples s."""

    def kl(self, params: dict[str, Tensor], step: int) -> Tensor:
        """[N, K] heads -> [N, K] KL to the prior."""


class UnthresholdedFamily(Family):
    """A family whose codes are the base samples themselves (Gaussian, Laplacian)."""

    @staticmethod
    @abstractmethod
    def make_base(config: FamilyConfig) -> BaseDistribution:
        """The base distribution with its prior taken from the config."""

    def __init__(self, config: FamilyConfig) -> None:
        super().__init__(config)
        self.base = self.make_base(config)

    def __call__(self, params: dict[str, Tensor], n_samples: int, step: int,
                 noise: Noise = GLOBAL) -> Codes:
        return Codes(z=self.base.sample(params, n_samples, step, noise),
                     kl=self.base.kl(params, step))


def noise_warmup(config: WarmupConfig, step: int) -> float:
    """Noise scale factor w: ``start`` during the hold, then rising linearly to 1."""
    if step < config.hold_iterations:
        return config.start
    return min(1.0, config.start + config.step * (step - config.hold_iterations))
