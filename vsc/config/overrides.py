"""One way to change a preset for one command or one run: dotted-key overrides.

``vsc <command> --set linear.estimator=avg --set dnn.latents=64`` and the workflow's derived
runs (the ground-truth benchmark, the DNN sweep points) all go through :func:`with_overrides`,
so an override is validated like the preset itself and recorded in the run's config.json.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from vsc.config.fields import ConfigError
from vsc.config.sections import Config

# The groundtruth section's keys and the settings they replace for that benchmark's runs.
GROUNDTRUTH_KEYS = {"n_train": "data.n_train", "n_val": "data.n_val",
                    "epochs": "linear.epochs", "encoder_lr": "linear.encoder_lr",
                    "sklearn_epochs": "sklearn.epochs"}


def parse_assignment(text: str) -> tuple[str, Any]:
    """``'linear.epochs=3'`` -> ``('linear.epochs', 3)``; the value is read as YAML, so
    ``[1, 20]``, ``null`` and ``true`` work."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE with a dotted key, e.g. "
                          "--set linear.epochs=3")
    try:
        return key.strip(), yaml.safe_load(value)
    except yaml.YAMLError:
        raise ConfigError(f"--set {text!r}: the value is not valid YAML") from None


def with_overrides(config: Config, overrides: Mapping[str, Any] | Iterable[str]) -> Config:
    """``config`` with the dotted keys replaced, validated like a preset (an unknown key or a
    bad value is a ConfigError naming it). ``overrides`` is a mapping or ``KEY=VALUE`` texts."""
    from vsc.config import config_from_dict

    if not isinstance(overrides, Mapping):
        overrides = dict(parse_assignment(text) for text in overrides)
    if not overrides:
        return config
    raw = config.to_dict()
    for key, value in overrides.items():
        *sections, name = key.split(".")
        node = raw
        for depth, part in enumerate(sections):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: '{'.'.join(sections[:depth + 1])}' is a "
                                  "value, not a section")
        node[name] = value
    try:
        return config_from_dict(raw)
    except ConfigError as err:
        raise ConfigError(f"--set: {err}") from None


def as_set_flags(overrides: Mapping[str, Any]) -> str:
    """The ``--set`` arguments (shell-quoted) that apply ``overrides`` on the command line."""
    return " ".join(f"--set {shlex.quote(f'{key}={json.dumps(value)}')}"
                    for key, value in overrides.items())


def groundtruth_overrides(config: Config) -> dict[str, Any]:
    """The overrides that turn ``config`` into the ground-truth benchmark's: synthetic patches
    from a known dictionary (data.synthetic), and the groundtruth section's non-null keys."""
    overrides: dict[str, Any] = {"data.source": "synthetic"}
    for key, target in GROUNDTRUTH_KEYS.items():
        value = getattr(config.groundtruth, key)
        if value is not None:
            overrides[target] = value
    return overrides


def groundtruth_config(config: Config) -> Config:
    """The config of the ground-truth benchmark's runs (``config`` with its overrides)."""
    return with_overrides(config, groundtruth_overrides(config))


def sweep_point_overrides(config: Config, latents: int, target_sparsity: float) -> dict[str, Any]:
    """The overrides of one DNN sweep point: its code size, and its target sparsity, which sets
    both lambda0's target and the spike-and-slab prior (the paper's "10% target sparsity
    (through lambda0 or the spike prior)")."""
    threshold = config.dnn.family.threshold
    if threshold.lambda0_gaussian or threshold.lambda0_laplacian:
        raise ConfigError("a target-sparsity sweep sets lambda0 through "
                          "dnn.family.threshold.target_sparsity: remove the explicit "
                          "dnn.family.threshold.lambda0_gaussian / lambda0_laplacian")
    return {"dnn.latents": latents,
            "dnn.family.threshold.target_sparsity": target_sparsity,
            "dnn.family.prior.spike_probability": target_sparsity}
