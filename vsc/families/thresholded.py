"""Thresholded families: a Gaussian or Laplacian base passed through the shifted
soft-threshold, with a fixed lambda0 or a Gamma-learned lambda (docs/method.md section 3).

The four registered families differ only in (base, threshold source), so they are four small
declarations over one implementation rather than four modules that would repeat it.
"""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor

from vsc.config import FamilyConfig
from vsc.families.base import Codes, Draws, Family, UnthresholdedFamily
from vsc.families.gaussian import Gaussian
from vsc.families.laplacian import Laplacian
from vsc.families.noise import GLOBAL, Noise
from vsc.families.soft_threshold import GammaThreshold, shifted_soft_threshold


class Thresholded(Family):
    """z = T_lambda(s) with s from the base family; KL = base KL (+ weighted Gamma KL)."""

    base_family: ClassVar[type[UnthresholdedFamily]]
    learned: ClassVar[bool]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.heads = cls.base_family.heads + (GammaThreshold.heads if cls.learned else ())

    def __init__(self, config: FamilyConfig) -> None:
        super().__init__(config)
        self.base = self.base_family.make_base(config)
        self.lambda0 = self.base_family.fixed_lambda0(config)
        self.gamma = GammaThreshold(self.lambda0, config.threshold.gamma_prior_shape,
                                    config.threshold.gamma_sampler)

    def draw(self, params: dict[str, Tensor], n_samples: int, step: int,
             noise: Noise = GLOBAL) -> Draws:
        draws = self.base.draw(params, n_samples, noise)
        if self.learned:
            draws["gamma"] = self.gamma.draw(params, n_samples, noise)
        return draws

    def codes(self, params: dict[str, Tensor], draws: Draws, step: int) -> Codes:
        s = self.base.sample(params, draws, step)
        kl = self.base.kl(params, step)
        if self.learned:
            threshold, threshold_kl = self.gamma.sample(params, draws["gamma"])
            kl = kl + self.config.threshold.gamma_kl_weight * threshold_kl
            z = shifted_soft_threshold(s, params["mu"].unsqueeze(1), threshold,
                                       self.config.threshold.straight_through)
            return Codes(z=z, kl=kl, threshold=threshold)
        # lambda0 as a number: the same float32 comparisons as with a filled tensor, without
        # one; the reported thresholds are a broadcast view
        z = shifted_soft_threshold(s, params["mu"].unsqueeze(1), self.lambda0,
                                   self.config.threshold.straight_through)
        return Codes(z=z, kl=kl, threshold=s.new_tensor(self.lambda0).expand_as(s))

    def schedule(self, step: int) -> dict[str, float]:
        return self.base.schedule(step)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lambda0={self.lambda0:.4g})"


class ThresholdedGaussian(Thresholded):
    name = "thresholded_gaussian"
    base_family = Gaussian
    learned = False


class ThresholdedGaussianGamma(Thresholded):
    name = "thresholded_gaussian_gamma"
    base_family = Gaussian
    learned = True


class ThresholdedLaplacian(Thresholded):
    name = "thresholded_laplacian"
    base_family = Laplacian
    learned = False


class ThresholdedLaplacianGamma(Thresholded):
    name = "thresholded_laplacian_gamma"
    base_family = Laplacian
    learned = True
