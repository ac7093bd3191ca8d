"""Variational families, registered by the names used in configs and on the command line."""

from __future__ import annotations

from vsc.config import FAMILY_NAMES, FamilyConfig
from vsc.families.base import Codes, Family
from vsc.families.gaussian import Gaussian
from vsc.families.laplacian import Laplacian
from vsc.families.spike_slab import SpikeSlab
from vsc.families.thresholded import (
    ThresholdedGaussian,
    ThresholdedGaussianGamma,
    ThresholdedLaplacian,
    ThresholdedLaplacianGamma,
)

FAMILIES: dict[str, type[Family]] = {cls.name: cls for cls in (
    Gaussian, Laplacian, SpikeSlab, ThresholdedGaussian, ThresholdedGaussianGamma,
    ThresholdedLaplacian, ThresholdedLaplacianGamma)}
assert tuple(FAMILIES) == FAMILY_NAMES, "registry and vsc.config.FAMILY_NAMES disagree"


def build_family(name: str, config: FamilyConfig | None = None) -> Family:
    """The family registered as ``name``, configured by ``config`` (defaults if None)."""
    if name not in FAMILIES:
        raise ValueError(f"unknown family {name!r}; choose one of: {', '.join(FAMILIES)}")
    return FAMILIES[name](config or FamilyConfig())


__all__ = ["FAMILIES", "Codes", "Family", "build_family"]
