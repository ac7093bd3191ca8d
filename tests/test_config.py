import re

import pytest

from vsc.config import (
    FAMILY_NAMES,
    Config,
    ConfigError,
    config_from_dict,
    load_config,
    study_config,
    with_dnn_point,
)


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


def test_digest_covers_synthetic_patches_only_when_they_are_the_data():
    base = Config()
    changed = config_from_dict({"data": {"synthetic": {"active": 3}}})
    assert changed.digest() == base.digest() and changed.digest("patches") == base.digest(
        "patches")
    gt, gt_changed = study_config(base, "groundtruth"), study_config(changed, "groundtruth")
    assert gt.digest() != gt_changed.digest()
    assert config_from_dict({"data": {"n_val": 5}}).digest("patches") != base.digest("patches")
    assert config_from_dict({"linear": {"kl_weight": 0.5}}).digest("patches") == base.digest(
        "patches")


def test_groundtruth_study_overrides_only_what_it_names():
    cfg = config_from_dict({"linear": {"epochs": 7}, "sklearn": {"epochs": 4},
                            "groundtruth": {"n_train": 300, "epochs": 2, "encoder_lr": 0.5}})
    gt = study_config(cfg, "groundtruth")
    assert gt.data.source == "synthetic" and gt.data.n_train == 300
    assert gt.data.n_val == cfg.data.n_val and gt.sklearn.epochs == 4
    assert gt.linear.epochs == 2 and gt.linear.encoder_lr == 0.5
    assert study_config(cfg, "linear") is cfg
    with pytest.raises(ValueError, match="unknown study"):
        study_config(cfg, "table2")


def test_dnn_point_sets_size_and_both_sparsity_knobs():
    point = with_dnn_point(Config(), latents=64, target_sparsity=0.2)
    assert point.dnn.latents == 64
    assert point.dnn.family.threshold.target_sparsity == 0.2
    assert point.dnn.family.prior.spike_probability == 0.2
    assert with_dnn_point(Config()) == Config()
    explicit = config_from_dict({"dnn": {"family": {"threshold": {"lambda0_gaussian": 1.0}}}})
    with pytest.raises(ConfigError, match="lambda0"):
        with_dnn_point(explicit, target_sparsity=0.2)
    with pytest.raises(ConfigError, match="--target-sparsity"):
        with_dnn_point(Config(), target_sparsity=1.5)
