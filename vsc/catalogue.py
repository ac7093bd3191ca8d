"""The methods the suite knows, in one place: name, label, where a family's code lives, whether
its codes are sparse, and whether it is in the paper's DNN grid. Torch-free (the workflow
imports it while building the DAG).

The paper's families and the baselines are declared here; a family from outside the
repository (a preset's ``extra_families``) declares the same fields on its class and is
added by ``register`` (vsc.families.register_extra). The name lists below are live views of
the registry, so a registered family appears wherever they are read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


BUILT_IN: tuple[Method, ...] = (
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
BY_NAME: dict[str, Method] = {m.name: m for m in BUILT_IN}  # grows with register()

# The paper's seven families: the paper's claims are about these, whatever else is registered.
PAPER_FAMILIES: tuple[str, ...] = tuple(m.name for m in BUILT_IN if m.family)


def register(method: Method) -> None:
    """Add a family from outside the repository. Registering the same declaration again is a
    no-op; another method under a name already taken is an error."""
    known = BY_NAME.get(method.name)
    if known is not None and known != method:
        raise ValueError(f"family name {method.name!r} is already taken by "
                         f"{known.family or 'a baseline'}")
    BY_NAME[method.name] = method


class Names(Sequence[str]):
    """The registered method names that ``keep`` selects, in registration order, read anew at
    every use (so families registered later are included)."""

    def __init__(self, keep: Callable[[Method], bool]) -> None:
        self.keep = keep

    def _names(self) -> tuple[str, ...]:
        return tuple(m.name for m in BY_NAME.values() if self.keep(m))

    def __getitem__(self, index):  # type: ignore[override]
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __repr__(self) -> str:
        return repr(self._names())


FAMILY_NAMES = Names(lambda m: m.family is not None)
METHOD_NAMES = Names(lambda m: True)
DNN_FAMILIES = Names(lambda m: m.dnn)
SPARSITY_FREE_FAMILIES = Names(lambda m: m.family is not None and not m.sparse)


def method_label(name: str) -> str | None:
    """The registered label of ``name`` (None for a name nobody registered)."""
    method = BY_NAME.get(name)
    return method.label if method else None
