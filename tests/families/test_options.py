"""A family from outside declares its own options; a preset sets them under
family.options.<name>, checked against the declaration, and they enter the runs' digest."""

import pytest
import torch

from tests.families.contract import check_family_contract
from tests.workflow.test_extra_family import example_family_source
from vsc.catalogue import BY_NAME
from vsc.config import ConfigError, config_from_dict, load_config, with_overrides
from vsc.families import FAMILIES, build_family


@pytest.fixture(scope="module")
def hard_concrete(tmp_path_factory):
    """docs/extending.md's family in a file outside the clone (registered by the first config
    that names it; unregistered after this module, so other tests see the built-in ones)."""
    path = tmp_path_factory.mktemp("priors") / "hard_concrete.py"
    path.write_text(example_family_source())
    yield f"{path}:HardConcreteGaussian"
    FAMILIES.pop("hard_concrete_gaussian", None)
    BY_NAME.pop("hard_concrete_gaussian", None)


def test_an_option_reaches_the_family_and_the_digest(hard_concrete):
    base = config_from_dict({"extra_families": [hard_concrete]})
    family = build_family("hard_concrete_gaussian", base.family)
    assert family.option("open_cost") == 1.0 and family.option("low") == -0.1
    changed = with_overrides(base, ["family.options.hard_concrete_gaussian.open_cost=2"])
    family = build_family("hard_concrete_gaussian", changed.family)
    assert family.option("open_cost") == 2.0 and isinstance(family.option("open_cost"), float)
    assert changed.digest("linear") != base.digest("linear")
    assert changed.digest("dnn") == base.digest("dnn")  # the DNN has a family section of its own
    # unset options leave every existing run's digest as it was
    preset = load_config("config/test.yaml")
    assert with_overrides(preset, {"family.options": {}}).digest("linear") == \
        preset.digest("linear")
    check_family_contract(type(family))


def test_the_option_changes_the_numbers(hard_concrete):
    config = config_from_dict({"extra_families": [hard_concrete]})
    costly = with_overrides(config, ["family.options.hard_concrete_gaussian.open_cost=5"])
    params = {h: torch.zeros(4, 3) for h in ("mu", "logvar", "log_alpha")}
    draws = build_family("hard_concrete_gaussian", config.family).draw(params, 2, 0)
    kls = [build_family("hard_concrete_gaussian", c.family).codes(params, draws, 0).kl.sum()
           for c in (config, costly)]
    assert kls[1] > kls[0]


@pytest.mark.parametrize(("options", "message"), [
    ({"hard_concrete_gaussian": {"gate": 1.0}},
     "'family.options.hard_concrete_gaussian.gate': hard_concrete_gaussian has no option "
     "'gate' (its options: temperature, low, high, open_cost)"),
    ({"hard_concrete_gaussian": {"open_cost": "high"}},
     "'family.options.hard_concrete_gaussian.open_cost' must be a number like its default 1.0"),
    ({"gaussian": {"variance": 1.0}}, "gaussian has no option 'variance' (it declares none)"),
    ({"cauchy": {"scale": 1.0}}, "'family.options.cauchy': no family 'cauchy' is registered"),
    ({"hard_concrete_gaussian": 3}, "'family.options.hard_concrete_gaussian' must be a mapping"),
])
def test_a_bad_option_is_one_line_naming_the_key(hard_concrete, options, message):
    with pytest.raises(ConfigError) as err:
        config_from_dict({"extra_families": [hard_concrete], "family": {"options": options}})
    assert message in str(err.value) and "\n" not in str(err.value)
