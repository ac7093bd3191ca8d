import re

import pytest

from vsc.catalogue import FAMILY_NAMES
from vsc.config import (
    Config,
    ConfigError,
    as_set_flags,
    config_from_dict,
    groundtruth_overrides,
    load_config,
    parse_assignment,
    sweep_point_overrides,
    with_overrides,
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
    gt = with_overrides(base, groundtruth_overrides(base))
    gt_changed = with_overrides(changed, groundtruth_overrides(changed))
    assert gt.digest() != gt_changed.digest()
    assert config_from_dict({"data": {"n_val": 5}}).digest("patches") != base.digest("patches")
    assert config_from_dict({"linear": {"kl_weight": 0.5}}).digest("patches") == base.digest(
        "patches")


def test_digest_keeps_each_experiment_to_its_own_settings():
    base = Config()
    dnn_only = config_from_dict({"data": {"celeba": {"max_train": 7}}, "dnn": {"lr": 0.1}})
    assert dnn_only.digest("linear") == base.digest("linear")
    assert dnn_only.digest("dnn") != base.digest("dnn")
    linear_only = config_from_dict({"data": {"n_train": 7}, "family": {"warmup": {"step": 0.1}}})
    assert linear_only.digest("dnn") == base.digest("dnn")
    assert linear_only.digest("linear") != base.digest("linear")
    resources = config_from_dict({"workflow": {"threads": 8}, "preset": "x", "notes": ["n"],
                                  "data": {"cache_dir": "elsewhere"}})
    for experiment in ("linear", "patches", "dnn"):
        assert resources.digest(experiment) == base.digest(experiment)
    with pytest.raises(ValueError, match="unknown experiment"):
        base.digest("table2")


def test_settings_added_later_count_only_once_changed():
    # at their default they are left out, so folders made before they existed stay valid
    base = Config()
    assert with_overrides(base, {"linear.tf32": False}).digest() == base.digest()
    assert with_overrides(base, {"linear.tf32": True}).digest() != base.digest()
    sampler = {"family.threshold.gamma_sampler": "marsaglia_tsang"}
    assert with_overrides(base, sampler).digest() != base.digest()


def test_groundtruth_overrides_only_what_it_names():
    cfg = config_from_dict({"linear": {"epochs": 7}, "sklearn": {"epochs": 4},
                            "groundtruth": {"n_train": 300, "epochs": 2, "encoder_lr": 0.5}})
    assert groundtruth_overrides(cfg) == {"data.source": "synthetic", "data.n_train": 300,
                                          "linear.epochs": 2, "linear.encoder_lr": 0.5}
    gt = with_overrides(cfg, groundtruth_overrides(cfg))
    assert gt.data.source == "synthetic" and gt.data.n_train == 300
    assert gt.data.n_val == cfg.data.n_val and gt.sklearn.epochs == 4
    assert gt.linear.epochs == 2 and gt.linear.encoder_lr == 0.5


def test_sweep_point_sets_size_and_both_sparsity_knobs():
    point = with_overrides(Config(), sweep_point_overrides(Config(), 64, 0.2))
    assert point.dnn.latents == 64
    assert point.dnn.family.threshold.target_sparsity == 0.2
    assert point.dnn.family.prior.spike_probability == 0.2
    explicit = config_from_dict({"dnn": {"family": {"threshold": {"lambda0_gaussian": 1.0}}}})
    with pytest.raises(ConfigError, match="lambda0"):
        sweep_point_overrides(explicit, 64, 0.2)
    with pytest.raises(ConfigError, match="--set: config key .* must be < 1"):
        with_overrides(Config(), sweep_point_overrides(Config(), 64, 1.5))


def test_set_overrides_are_validated_like_a_preset():
    cfg = with_overrides(Config(), ["linear.estimator=avg", "linear.samples=[2, 5]",
                                    "dnn.family.threshold.lambda0_gaussian=null",
                                    "linear.encoder_lr=1e-3"])
    assert cfg.linear.estimator == "avg" and cfg.linear.samples == [2, 5]
    assert cfg.linear.encoder_lr == 1e-3
    assert with_overrides(cfg, []) is cfg
    assert parse_assignment("fista.tol = 0.5") == ("fista.tol", 0.5)
    for bad, message in (("linear.bogus=1", "unknown config key 'linear.bogus'"),
                         ("linear.epochs=two", "'linear.epochs' must be an integer"),
                         ("linear.epochs.x=1", "'linear.epochs' is a value"),
                         ("linear.estimator", "expected KEY=VALUE"),
                         ("linear.samples=[1", "not valid YAML")):
        with pytest.raises(ConfigError, match=re.escape(message)):
            with_overrides(Config(), [bad])


def test_set_flags_round_trip_through_the_command_line_parser():
    import shlex

    overrides = {"data.source": "synthetic", "dnn.family.threshold.target_sparsity": 0.05,
                 "linear.samples": [1, 20], "groundtruth.epochs": None}
    words = shlex.split(as_set_flags(overrides))
    assert words[::2] == ["--set"] * 4
    assert dict(parse_assignment(w) for w in words[1::2]) == overrides
