"""Variational families, found by the names used in configs and on the command line: the
catalogue (vsc/catalogue.py) says which class implements each. A family from outside the
repository is registered with :func:`register_extra` (a preset's ``extra_families``)."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

from vsc.catalogue import BY_NAME, FAMILY_NAMES, Method, register
from vsc.config import ConfigError, FamilyConfig
from vsc.families.base import Codes, Family

# 'package.module:Class' or 'path/to/file.py:Class'
SPEC = re.compile(r"(?P<source>[^:]+):(?P<cls>[A-Za-z_]\w*)")
NAME = re.compile(r"[a-z][a-z0-9_]*")


def _import(source: str, where: str):
    """The module a spec names: a dotted module on the path, or a .py file."""
    if source.endswith(".py"):
        path = Path(source).resolve()
        if not path.is_file():
            raise ConfigError(f"{where}: {source} is not a file")
        name = f"vsc_extra_families.{path.stem}"
        if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    if not re.fullmatch(r"[A-Za-z_][\w.]*", source):
        raise ConfigError(f"{where}: {source!r} is neither a module name nor a .py file")
    return importlib.import_module(source)


def load_class(spec: str, where: str = "family") -> type[Family]:
    """The Family subclass a 'module:Class' or 'file.py:Class' spec names, its declaration
    checked; errors are one line naming ``where`` and the spec."""
    match = SPEC.fullmatch(spec)
    if not match:
        raise ConfigError(f"{where}: {spec!r} must be 'package.module:Class' or "
                          "'path/to/file.py:Class'")
    try:
        module = _import(match["source"], where)
    except ConfigError:
        raise
    except Exception as err:
        raise ConfigError(f"{where}: importing {match['source']} failed: "
                          f"{type(err).__name__}: {err}") from None
    cls = getattr(module, match["cls"], None)
    if not (isinstance(cls, type) and issubclass(cls, Family)):
        raise ConfigError(f"{where}: {spec} is not a subclass of vsc.families.Family")
    for attribute, kind in (("name", str), ("label", str), ("sparse", bool), ("heads", tuple),
                            ("options", dict)):
        if not isinstance(getattr(cls, attribute, None), kind):
            raise ConfigError(f"{where}: {spec} must declare {attribute} "
                              f"({kind.__name__}) as a class attribute")
    if not NAME.fullmatch(cls.name):
        raise ConfigError(f"{where}: {spec} declares name {cls.name!r}: use lower case "
                          "letters, digits and underscores")
    return cls


def _paper_family(method: Method) -> type[Family]:
    """The class of one of the paper's families, given the declaration the catalogue holds
    for it (so every registered class answers name, label, sparse and dnn alike)."""
    module, _, name = method.family.partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert cls.name == method.name, "catalogue and classes disagree"
    cls.label, cls.sparse, cls.dnn = method.label, method.sparse, method.dnn
    return cls


FAMILIES: dict[str, type[Family]] = {name: _paper_family(BY_NAME[name]) for name in FAMILY_NAMES}


def register_extra(spec: str, where: str = "extra_families") -> type[Family]:
    """Load the family a spec names and register it under its declared name, so configs,
    the workflow, tables and figures know it."""
    cls = load_class(spec, where)
    try:
        register(Method(cls.name, cls.label, spec, sparse=cls.sparse, dnn=cls.dnn))
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from None
    FAMILIES[cls.name] = cls
    return cls


def _kind(value: object) -> str:
    return ("true or false" if isinstance(value, bool) else
            "a number" if isinstance(value, int | float) else "a string")


def check_options(options: dict[str, dict], where: str) -> None:
    """A ConfigError (naming the key) unless every family that ``options`` names is registered
    and declares each option given, with a value of its default's kind."""
    for name, values in options.items():
        if name not in FAMILIES:
            raise ConfigError(f"config key '{where}.{name}': no family {name!r} is registered "
                              f"({', '.join(FAMILIES)}; a family of your own is added with "
                              "extra_families)")
        declared = FAMILIES[name].options
        for key, value in values.items():
            if key not in declared:
                offer = (f"its options: {', '.join(declared)}" if declared else
                         "it declares none")
                raise ConfigError(f"config key '{where}.{name}.{key}': {name} has no option "
                                  f"{key!r} ({offer})")
            if _kind(value) != _kind(declared[key]):
                raise ConfigError(f"config key '{where}.{name}.{key}' must be "
                                  f"{_kind(declared[key])} like its default "
                                  f"{declared[key]!r}, got {value!r}")


def build_family(name: str, config: FamilyConfig | None = None) -> Family:
    """The family registered as ``name``, configured by ``config`` (defaults if None)."""
    if name not in FAMILIES:
        raise ConfigError(f"unknown family {name!r}; choose one of: {', '.join(FAMILIES)}")
    return FAMILIES[name](config or FamilyConfig())


__all__ = ["FAMILIES", "Codes", "Family", "build_family", "check_options", "load_class",
           "register_extra"]
