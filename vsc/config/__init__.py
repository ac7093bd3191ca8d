"""Typed, validated configuration for every vsc command.

- ``fields``: the field engine (help, valid range, digest rule), parsing and the JSON schema;
- ``sections``: one frozen dataclass per section of a preset, and :class:`Config`;
- ``digest``: which settings change a run's numbers, read from the fields' metadata;
- ``overrides``: dotted-key overrides (``--set``), the one way to change a preset per run.

This package must not import torch: Snakemake imports it while building the DAG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vsc.config.fields import ConfigError, build, json_schema
from vsc.config.overrides import (
    as_set_flags,
    groundtruth_config,
    groundtruth_overrides,
    parse_assignment,
    sweep_point_overrides,
    with_overrides,
)
from vsc.config.sections import (
    IMAGES_MAT_CHECKSUM,
    IMAGES_MAT_URL,
    CelebaConfig,
    Config,
    DataConfig,
    DnnConfig,
    DnnSweepConfig,
    FamilyConfig,
    FistaConfig,
    GroundTruthConfig,
    LinearConfig,
    PriorConfig,
    SamplingConfig,
    ScheduleConfig,
    SklearnConfig,
    SnrConfig,
    SpikeSlabConfig,
    StandinConfig,
    SyntheticConfig,
    ThresholdConfig,
    WarmupConfig,
    WorkflowConfig,
)


def config_from_dict(raw: dict[str, Any]) -> Config:
    """Validate a nested mapping and return the typed config (defaults fill missing keys)."""
    if not isinstance(raw, dict):
        raise ConfigError("a config must be a mapping of keys to values")
    register_extra_families(raw.get("extra_families"))
    config = build(Config, raw)
    for where, family in (("family", config.family), ("dnn.family", config.dnn.family)):
        if family.options:
            from vsc.families import check_options  # torch: only for presets that use the key

            check_options(family.options, f"{where}.options")
    return config


def register_extra_families(specs: Any) -> None:
    """Register the families a preset brings from outside the repository, before the rest of
    the config is checked (so their names are valid in it). Imports torch only when there
    are any."""
    if not specs:
        return
    if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
        raise ConfigError("config key 'extra_families' must be a list of 'module:Class' "
                          f"strings, got {specs!r}")
    from vsc.families import register_extra  # torch: only for presets that use the key

    for i, spec in enumerate(specs):
        register_extra(spec, f"extra_families[{i}]")


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML preset; errors name the file and the offending key."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError(f"config file {path} is not valid YAML: {err}") from err
    if not isinstance(raw, dict) or not raw:
        # an empty file (or a list, or false) is a mistake, not a request for the defaults
        raise ConfigError(f"config file {path} holds no settings (it must be a mapping of "
                          "keys to values, such as config/config.yaml)")
    try:
        return config_from_dict(raw)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None


def config_schema() -> dict[str, Any]:
    """The JSON schema of a preset (workflow/schemas/config.schema.json is generated from it)."""
    return json_schema(Config)



__all__ = [
    "IMAGES_MAT_CHECKSUM", "IMAGES_MAT_URL", "CelebaConfig", "Config", "ConfigError",
    "DataConfig", "DnnConfig", "DnnSweepConfig", "FamilyConfig", "FistaConfig",
    "GroundTruthConfig", "LinearConfig", "PriorConfig", "SamplingConfig", "ScheduleConfig",
    "SklearnConfig", "SnrConfig", "SpikeSlabConfig", "StandinConfig", "SyntheticConfig",
    "ThresholdConfig", "WarmupConfig", "WorkflowConfig", "as_set_flags", "config_from_dict",
    "config_schema", "groundtruth_config", "groundtruth_overrides", "load_config",
    "parse_assignment", "register_extra_families", "sweep_point_overrides", "with_overrides",
]
