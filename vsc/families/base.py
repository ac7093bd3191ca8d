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


# The random numbers behind J codes per data point, by name, each [N, J, K] and without
# gradient: everything a family's codes need besides the encoder heads.
Draws = dict[str, Tensor]


def pick_draws(draws: Draws, index: Tensor) -> Draws:
    """The draws of one sample per point, index [N] -> each [N, 1, K]."""
    return {name: values.gather(1, index.view(-1, 1, 1).expand(-1, 1, values.shape[2]))
            for name, values in draws.items()}


class Family(ABC):
    """A variational family q(z | x): encoder heads in, J codes and their KL out.

    ``heads`` names the encoder outputs the family consumes (each [N, K]).
    ``step`` is the training iteration; schedules (noise warm-up, temperature) are pure
    functions of it, so a resumed run samples exactly as an uninterrupted one. ``noise``
    supplies every random draw (the global generator unless a run brings its own).

    Sampling is split in two: :meth:`draw` takes the random numbers (no graph) and
    :meth:`codes` turns them into codes, differentiably and sample by sample. So the codes of
    a subset of the samples can be rebuilt with a graph from their draws alone: the max-ELBO
    estimator selects among J samples without autograd, then differentiates the selected one.
    """

    name: ClassVar[str]
    heads: ClassVar[tuple[str, ...]]
    # Declared by a family from outside the repository (the paper's are declared in
    # vsc/catalogue.py, which the workflow reads without torch): its label in tables and
    # figures, whether its codes have exact zeros (a target sparsity applies), and whether
    # the DNN experiment may use it.
    label: ClassVar[str]
    sparse: ClassVar[bool]
    dnn: ClassVar[bool] = False
    # The settings of a family from outside the repository and their defaults: a preset
    # changes them under family.options.<name> (checked against this declaration), and they
    # enter the runs' digest like every family setting. The paper's families have theirs in
    # the config's family section instead.
    options: ClassVar[dict[str, bool | int | float | str]] = {}

    def __init__(self, config: FamilyConfig) -> None:
        self.config = config

    def option(self, key: str) -> bool | int | float | str:
        """This family's option ``key``: the preset's ``family.options.<name>.<key>``, else the
        default the class declares in ``options`` (a number as the default's type)."""
        default = self.options[key]
        value = self.config.options.get(self.name, {}).get(key, default)
        return float(value) if isinstance(default, float) else value

    @abstractmethod
    def draw(self, params: dict[str, Tensor], n_samples: int, step: int,
             noise: Noise = GLOBAL) -> Draws:
        """The random numbers of ``n_samples`` codes per data point (params [N, K] each,
        read without gradient), each [N, J, K]."""

    @abstractmethod
    def codes(self, params: dict[str, Tensor], draws: Draws, step: int) -> Codes:
        """The codes made from ``draws`` (each [N, J, K], any J): differentiable in params
        and computed sample by sample, so picking samples of the draws picks the same
        samples of the codes."""

    def schedule(self, step: int) -> dict[str, float]:
        """The values of this family's own schedules at ``step`` (its noise warm-up, its
        relaxation temperature), recorded with each epoch's metrics; none by default."""
        return {}

    def __call__(self, params: dict[str, Tensor], n_samples: int, step: int,
                 noise: Noise = GLOBAL) -> Codes:
        """Draw ``n_samples`` codes per data point: params [N, K] each -> Codes."""
        return self.codes(params, self.draw(params, n_samples, step, noise), step)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BaseDistribution(Protocol):
    """An un-thresholded q(s | x): its reparameterised sampler and its analytic KL."""

    heads: tuple[str, ...]

    def draw(self, params: dict[str, Tensor], n_samples: int, noise: Noise) -> Draws:
        """The standardised noise of J samples per point, each [N, J, K]."""

    def sample(self, params: dict[str, Tensor], draws: Draws, step: int) -> Tensor:
        """[N, K] heads and their draws -> [N, J, K] samples s."""

    def kl(self, params: dict[str, Tensor], step: int) -> Tensor:
        """[N, K] heads -> [N, K] KL to the prior."""

    def schedule(self, step: int) -> dict[str, float]:
        """Its schedules' values at ``step`` (as Family.schedule)."""


class UnthresholdedFamily(Family):
    """A family whose codes are the base samples themselves (Gaussian, Laplacian)."""

    @staticmethod
    @abstractmethod
    def make_base(config: FamilyConfig) -> BaseDistribution:
        """The base distribution with its prior taken from the config."""

    @staticmethod
    @abstractmethod
    def fixed_lambda0(config: FamilyConfig) -> float:
        """The fixed threshold this base takes when thresholded (docs/method.md section 3.3):
        the explicit value if the config gives one, else the one its target sparsity sets."""

    def __init__(self, config: FamilyConfig) -> None:
        super().__init__(config)
        self.base = self.make_base(config)

    def draw(self, params: dict[str, Tensor], n_samples: int, step: int,
             noise: Noise = GLOBAL) -> Draws:
        return self.base.draw(params, n_samples, noise)

    def codes(self, params: dict[str, Tensor], draws: Draws, step: int) -> Codes:
        return Codes(z=self.base.sample(params, draws, step), kl=self.base.kl(params, step))

    def schedule(self, step: int) -> dict[str, float]:
        return self.base.schedule(step)


def noise_warmup(config: WarmupConfig, step: int) -> float:
    """Noise scale factor w: ``start`` during the hold, then rising linearly to 1."""
    if step < config.hold_iterations:
        return config.start
    return min(1.0, config.start + config.step * (step - config.hold_iterations))
