"""The config digest: a short hash of the settings that change a run's numbers.

A run folder records the digest of the config it was made with; a different digest means the
folder is stale. Which settings count is read from each field's metadata (``param(digest=...,
experiments=...)`` in vsc/config/sections.py), so adding a setting is one line in one place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from vsc.config.fields import UNLESS_DEFAULT

EXPERIMENTS = ("linear", "patches", "dnn")
# Raised whenever run folders made by an earlier version can no longer be used as they are, so
# that they count as stale: the code changed the numbers a run computes from the same settings
# (2: the spike-and-slab KL on the raw encoder heads) or what a run records (3: J is recorded
# as "J", no longer as "samples"). The patch set alone does not carry it.
RUN_FOLDER_VERSION = 3


def _counts(f: dataclasses.Field, section: Any) -> bool:
    rule = f.metadata.get("digest", True)
    if rule == UNLESS_DEFAULT:
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        return getattr(section, f.name) != default
    if callable(rule):
        return bool(rule(section))
    return bool(rule)


def _settings(section: Any, experiment: str, inherited: tuple[str, ...]) -> dict[str, Any]:
    """The part of ``section`` (a config dataclass) that counts for ``experiment``. A field
    enters the experiments its metadata names, or else those of its section; a section outside
    the experiment is still searched for fields that name it (data.celeba counts for 'dnn')."""
    chosen: dict[str, Any] = {}
    for f in dataclasses.fields(section):
        if not _counts(f, section):
            continue
        experiments = f.metadata.get("experiments") or inherited
        value = getattr(section, f.name)
        if dataclasses.is_dataclass(value):
            part = _settings(value, experiment, experiments)
            if part or experiment in experiments:
                chosen[f.name] = part
        elif experiment in experiments:
            chosen[f.name] = value
    return chosen


def config_digest(config: Any, experiment: str = "linear") -> str:
    """16 hex digits naming the settings of ``config`` (a Config) that change the numbers of
    an ``experiment``'s runs: 'linear', 'dnn', or 'patches' (the linear patch set alone). The
    grid (which families, J and seeds exist), resources, output places and the other
    experiment's settings are left out, so growing the grid or tuning one experiment keeps
    the other's finished runs valid."""
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r} (one of {', '.join(EXPERIMENTS)})")
    chosen = _settings(config, experiment, ())
    if experiment != "patches":
        chosen["run_folder_version"] = RUN_FOLDER_VERSION
    text = json.dumps(chosen, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
