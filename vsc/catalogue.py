"""The methods the suite knows, in one place: name, label, where a family's code lives, whether
its codes are sparse, and whether it is in the paper's DNN grid. Torch-free (the workflow
imports it while building the DAG).

A new variational family is a new module in vsc/families/ and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One method of Table 1. ``family`` is "module:Class" for a variational family (None for
    a baseline); ``sparse``: its codes have exact zeros, so a target sparsity applies;
    ``dnn``: it is one of the paper's DNN-generator families (section 6 has no Laplacian)."""

    name: str
    label: str
    family: str | None
    sparse: bool
    dnn: bool = False


METHODS: tuple[Method, ...] = (
    Method("gaussian", "Gaussian", "vsc.families.gaussian:Gaussian", sparse=False, dnn=True),
    Method("laplacian", "Laplacian", "vsc.families.laplacian:Laplacian", sparse=False),
    Method("spike_slab", "Spike-and-slab", "vsc.families.spike_slab:SpikeSlab", sparse=True,
           dnn=True),
    Method("thresholded_gaussian", "Thresholded Gaussian",
           "vsc.families.thresholded:ThresholdedGaussian", sparse=True, dnn=True),
    Method("thresholded_gaussian_gamma", "Thresholded Gaussian+Gamma",
           "vsc.families.thresholded:ThresholdedGaussianGamma", sparse=True, dnn=True),
    Method("thresholded_laplacian", "Thresholded Laplacian",
           "vsc.families.thresholded:ThresholdedLaplacian", sparse=True, dnn=True),
    Method("thresholded_laplacian_gamma", "Thresholded Laplacian+Gamma",
           "vsc.families.thresholded:ThresholdedLaplacianGamma", sparse=True, dnn=True),
    Method("fista", "FISTA (baseline)", None, sparse=True),
    Method("sklearn", "scikit-learn", None, sparse=True),
)
BY_NAME = {m.name: m for m in METHODS}

FAMILY_NAMES: tuple[str, ...] = tuple(m.name for m in METHODS if m.family)
METHOD_NAMES: tuple[str, ...] = tuple(m.name for m in METHODS)
DNN_FAMILIES: tuple[str, ...] = tuple(m.name for m in METHODS if m.dnn)
SPARSITY_FREE_FAMILIES: tuple[str, ...] = tuple(m.name for m in METHODS
                                                if m.family and not m.sparse)
LABELS: dict[str, str] = {m.name: m.label for m in METHODS}
