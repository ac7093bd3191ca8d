import re

import pytest

from vsc.config import FAMILY_NAMES, Config, ConfigError, config_from_dict, load_config


def test_presets_load_and_differ():
    quick, paper, test = (load_config(f"config/{n}.yaml") for n in ("config", "paper", "test"))
    assert (quick.preset, paper.preset, test.preset) == ("quick", "paper", "test")
    assert paper.data.source == "images_mat" and paper.data.n_train == 80000
    assert paper.linear.epochs == 300 and paper.linear.samples == [1, 20]
    assert quick.data.source == "bundled"
    assert set(quick.linear.families) == set(FAMILY_NAMES)


def test_defaults_are_the_paper_settings():
    c = Config()
    assert c.linear.kl_weight == 0.01 and c.linear.dict_lr == 0.5
    assert c.family.threshold.gamma_kl_weight == 0.1 and c.family.prior.gaussian_variance == 0.1


@pytest.mark.parametrize("raw, key", [
    ({"linear": {"epoch": 3}}, "linear.epoch"),
    ({"bogus": 1}, "bogus"),
    ({"family": {"threshold": {"target_sparsity": -0.1}}}, "family.threshold.target_sparsity"),
    ({"linear": {"samples": [0]}}, "linear.samples[0]"),
    ({"linear": {"families": ["gaussian", "cauchy"]}}, "linear.families[1]"),
    ({"linear": {"epochs": "ten"}}, "linear.epochs"),
    ({"linear": {"epochs": True}}, "linear.epochs"),
    ({"data": {"split": "random"}}, "data.split"),
])
def test_bad_values_name_the_key(raw, key):
    with pytest.raises(ConfigError, match=re.escape(f"'{key}'")):
        config_from_dict(raw)


def test_load_config_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("linear: {epochs: -1}\n")
    with pytest.raises(ConfigError, match="bad.yaml.*linear.epochs"):
        load_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")


def test_digest_ignores_the_grid_but_not_the_settings():
    base = Config().digest()
    assert config_from_dict({"linear": {"seeds": [0, 1, 2]}}).digest() == base
    assert config_from_dict({"linear": {"kl_weight": 0.02}}).digest() != base
