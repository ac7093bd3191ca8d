"""Variational families, found by the names used in configs and on the command line: the
catalogue (vsc/catalogue.py) says which class implements each."""

from __future__ import annotations

import importlib

from vsc.catalogue import BY_NAME, FAMILY_NAMES
from vsc.config import ConfigError, FamilyConfig
from vsc.families.base import Codes, Family


def family_class(name: str) -> type[Family]:
    """The class the catalogue names for family ``name``."""
    module, _, cls = BY_NAME[name].family.partition(":")
    return getattr(importlib.import_module(module), cls)


FAMILIES: dict[str, type[Family]] = {name: family_class(name) for name in FAMILY_NAMES}
assert all(cls.name == name for name, cls in FAMILIES.items()), "catalogue and classes disagree"


def build_family(name: str, config: FamilyConfig | None = None) -> Family:
    """The family registered as ``name``, configured by ``config`` (defaults if None)."""
    if name not in FAMILIES:
        raise ConfigError(f"unknown family {name!r}; choose one of: {', '.join(FAMILIES)}")
    return FAMILIES[name](config or FamilyConfig())


__all__ = ["FAMILIES", "Codes", "Family", "build_family", "family_class"]
