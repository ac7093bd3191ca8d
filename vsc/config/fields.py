"""The field engine of the config: a dataclass field with its help text, valid range and
digest rule (:func:`param`), the checked conversion of a nested mapping into the dataclasses
(:func:`build`), and the JSON schema derived from the same metadata (:func:`json_schema`), so
validation, documentation and schema cannot drift apart.

This module must not import torch: Snakemake imports the config while building the DAG.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Callable
from dataclasses import field
from typing import Any, Literal

from vsc.errors import UserError


class ConfigError(UserError, ValueError):
    """A configuration value is missing, unknown or out of range; the message names the key."""


# How a field enters the config digest (vsc/config/digest.py): True: always; False: never
# (the grid, resources, output places); UNLESS_DEFAULT: only once changed from its default
# (a setting added after run folders were published, whose default is the behaviour before it
# existed, so those folders stay valid); a callable: when it returns True for the section.
UNLESS_DEFAULT = "unless_default"
DigestRule = bool | str | Callable[[Any], bool]


def param(default: Any = dataclasses.MISSING, *, help: str, ge: float | None = None,
          gt: float | None = None, le: float | None = None, lt: float | None = None,
          min_items: int | None = None, factory: Any = None, digest: DigestRule = True,
          experiments: tuple[str, ...] | None = None, finite: bool = True) -> Any:
    """A dataclass field with a description, an optional valid range and its digest rule;
    ``experiments`` names the digests ('linear', 'patches', 'dnn') the field enters (unset:
    those of the section holding it). A number must be finite (not .inf or .nan) unless
    ``finite`` is False."""
    meta = {"help": help, "ge": ge, "gt": gt, "le": le, "lt": lt, "min_items": min_items,
            "digest": digest, "experiments": experiments, "finite": finite}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


class RegisteredName(str):
    """A config value that must name a registered method (vsc/catalogue.py). Subclasses made
    by :func:`registered` carry the live list ``choices``; it is read when a config is
    checked, so families registered by ``extra_families`` are accepted."""

    choices: typing.ClassVar[typing.Sequence[str]] = ()
    what: typing.ClassVar[str] = "name"


def registered(choices: typing.Sequence[str], what: str) -> type[RegisteredName]:
    """The config type of a name from ``choices`` (a live view of the catalogue)."""
    return type(f"Registered{what.title()}", (RegisteredName,),
                {"choices": choices, "what": what})


# --------------------------------------------------------------------------- parsing


class Scalar:
    """A config type: any YAML scalar (true/false, a finite number or a string); the values
    of a family's own options, whose types its class declares (vsc.families.check_options)."""


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_optional(tp: Any) -> tuple[bool, Any]:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return True, rest[0]
    return False, tp


def _check_range(value: float, meta: dict, key: str) -> None:
    for bound, ok, word in (("ge", lambda v, b: v >= b, ">="), ("gt", lambda v, b: v > b, ">"),
                            ("le", lambda v, b: v <= b, "<="), ("lt", lambda v, b: v < b, "<")):
        b = meta.get(bound)
        if b is not None and not ok(value, b):
            raise ConfigError(f"config key '{key}' must be {word} {b}, got {value}")


FLOAT_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _convert(value: Any, tp: Any, meta: dict, key: str) -> Any:
    optional, tp = _is_optional(tp)
    if value is None:
        if optional:
            return None
        raise ConfigError(f"config key '{key}' must not be empty (null)")
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{key}' must be a mapping, got {value!r}")
        return build(tp, value, key + ".")
    if isinstance(tp, type) and issubclass(tp, RegisteredName):
        if value not in tp.choices:
            raise ConfigError(f"config key '{key}' must be a registered {tp.what}, one of "
                              f"{list(tp.choices)}, got {value!r} (a family of your own is "
                              "added with extra_families)")
        return value
    if origin is Literal:
        choices = typing.get_args(tp)
        if value not in choices:
            raise ConfigError(f"config key '{key}' must be one of {list(choices)}, got {value!r}")
        return value
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ConfigError(f"config key '{key}' must be a mapping of names to values, got "
                              f"{value!r}")
        _, value_tp = typing.get_args(tp)
        return {k: _convert(v, value_tp, {}, f"{key}.{k}") for k, v in value.items()}
    if tp is Scalar:
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"config key '{key}' must be a finite number, got {value}")
        if not isinstance(value, (bool, int, float, str)):
            raise ConfigError(f"config key '{key}' must be true/false, a number or a string, "
                              f"got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"config key '{key}' must be a list, got {value!r}")
        if meta.get("min_items") and len(value) < meta["min_items"]:
            raise ConfigError(f"config key '{key}' needs at least {meta['min_items']} item(s)")
        (item_tp,) = typing.get_args(tp)
        item_meta = {k: v for k, v in meta.items() if k != "min_items"}
        return [_convert(v, item_tp, item_meta, f"{key}[{i}]") for i, v in enumerate(value)]
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config key '{key}' must be true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config key '{key}' must be an integer, got {value!r}")
        _check_range(value, meta, key)
        return value
    if tp is float:
        if isinstance(value, str) and FLOAT_TEXT.fullmatch(value.strip()):
            value = float(value)  # PyYAML (YAML 1.1) reads 1e-3 as text; YAML 1.2 a number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config key '{key}' must be a number, got {value!r}")
        if meta.get("finite", True) and not math.isfinite(value):
            raise ConfigError(f"config key '{key}' must be a finite number, got {value}")
        _check_range(float(value), meta, key)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"config key '{key}' must be a string, got {value!r}")
        return value
    raise TypeError(f"unsupported config type {tp} for {key}")  # a bug in this module


def build(cls: type, raw: dict[str, Any], prefix: str = "") -> Any:
    """The dataclass ``cls`` from a nested mapping, checked key by key (defaults fill the
    rest); an error names the dotted key after ``prefix``."""
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"unknown config key '{prefix}{unknown[0]}' (valid keys here: "
                          f"{', '.join(sorted(fields))})")
    kwargs = {name: _convert(raw[name], hints[name], dict(fields[name].metadata),
                             prefix + name) for name in raw}
    return cls(**kwargs)


# --------------------------------------------------------------------------- schema


def _schema_for(tp: Any, meta: dict) -> dict[str, Any]:
    optional, tp = _is_optional(tp)
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        schema = json_schema(tp, top_level=False)
    elif isinstance(tp, type) and issubclass(tp, RegisteredName):
        schema = {"type": "string", "examples": list(tp.choices)}  # extra_families add more
    elif origin is Literal:
        schema = {"enum": list(typing.get_args(tp))}
    elif origin is dict:
        schema = {"type": "object", "additionalProperties": _schema_for(typing.get_args(tp)[1], {})}
    elif tp is Scalar:
        schema = {"type": ["boolean", "number", "string"]}
    elif origin is list:
        (item_tp,) = typing.get_args(tp)
        item_meta = {k: v for k, v in meta.items() if k != "min_items"}
        schema = {"type": "array", "items": _schema_for(item_tp, item_meta)}
        if meta.get("min_items"):
            schema["minItems"] = meta["min_items"]
    else:
        schema = {"type": {bool: "boolean", int: "integer", float: "number", str: "string"}[tp]}
        for ours, theirs in (("ge", "minimum"), ("gt", "exclusiveMinimum"),
                             ("le", "maximum"), ("lt", "exclusiveMaximum")):
            if meta.get(ours) is not None:
                schema[theirs] = meta[ours]
    if optional:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if meta.get("help"):
        schema["description"] = meta["help"]
    return schema


def json_schema(cls: type, top_level: bool = True) -> dict[str, Any]:
    """JSON schema (draft 2020-12) equivalent to the dataclass validation of ``cls``."""
    hints = _hints(cls)
    props = {f.name: _schema_for(hints[f.name], dict(f.metadata)) for f in dataclasses.fields(cls)}
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": props}
    if top_level:
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "description": "vsc-bench preset (generated by `vsc schema`; do not edit)",
                  **schema}
    return schema
