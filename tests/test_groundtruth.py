import json
import shlex

import numpy as np
import pytest

from baselines.dictionary_learning import train_fista
from baselines.sklearn_baseline import train_sklearn
from tests.conftest import tiny_config_dict
from vsc.config import (
    ConfigError,
    DataConfig,
    SyntheticConfig,
    as_set_flags,
    config_from_dict,
    groundtruth_config,
    groundtruth_overrides,
)
from vsc.data.patches import load_patches
from vsc.data.synthetic import GroundTruth, make_synthetic, true_dictionary
from vsc.groundtruth import GROUNDTRUTH_KEYS, groundtruth_scores, match_atoms, support_scores
from vsc.linear import train_linear
from vsc_bench.cli import main


def test_scorer_on_permuted_rescaled_and_random_dictionaries():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(300, 20))
    permuted = truth[:, rng.permutation(20)] * rng.uniform(0.5, 3, 20) * rng.choice([-1, 1], 20)
    scores = match_atoms(permuted, truth)
    assert scores["recovered_fraction"] == 1.0
    assert scores["mean_matched_cosine"] == pytest.approx(1.0)
    random = match_atoms(rng.normal(size=(300, 20)), truth)
    assert random["recovered_fraction"] == 0.0 and random["mean_best_cosine"] < 0.3


def test_one_to_one_matching_counts_a_duplicated_atom_once():
    truth = np.eye(4)
    recovered = truth[:, [0, 0, 0, 0]]  # four copies of the first atom
    assert match_atoms(recovered, truth)["recovered_fraction"] == 0.25


def test_support_scores_on_hand_made_codes():
    true_codes = np.array([[1.0, 0, 2, 0], [0, 3, 0, 0]])
    # recovered atom i stands for true atom perm[i]
    rows, cols = np.arange(4), np.array([2, 0, 1, 3])
    codes = np.zeros((2, 4))
    codes[0, 0] = 5  # true atom 2 in sample 0: a hit
    codes[0, 3] = 1  # true atom 3 in sample 0: a false positive
    codes[1, 2] = 1  # true atom 1 in sample 1: a hit
    scores = support_scores(codes, true_codes, rows, cols)
    assert scores["support_precision"] == pytest.approx(2 / 3)
    assert scores["support_recall"] == pytest.approx(2 / 3)
    assert scores["support_f1"] == pytest.approx(2 / 3)


def test_ground_truth_scores_of_the_true_generator_are_perfect():
    rng = np.random.default_rng(0)
    atoms = rng.normal(size=(64, 16))
    codes = rng.laplace(size=(50, 16)) * (rng.random((50, 16)) < 0.2)
    perm = rng.permutation(16)
    scores = groundtruth_scores(-2 * atoms[:, perm], codes[:, perm],
                                 GroundTruth(atoms=atoms, val_codes=codes))
    assert scores["recovered_fraction"] == 1.0
    assert scores["support_precision"] == 1.0 and scores["support_recall"] == 1.0
    dense = groundtruth_scores(atoms, np.ones_like(codes), GroundTruth(atoms, codes))
    assert dense["support_recall"] == 1.0
    assert dense["support_precision"] == pytest.approx((codes != 0).mean())


def _config(**synthetic) -> DataConfig:
    return DataConfig(source="synthetic", n_train=300, n_val=100, seed=3,
                      synthetic=SyntheticConfig(**{"n_atoms": 64, "active": 4, **synthetic}))


def test_synthetic_patches_follow_their_generator():
    config = _config(snr_db=20.0)
    train, val, truth = make_synthetic(config)
    assert train.shape == (300, 256) and val.shape == (100, 256)
    assert truth.atoms.shape == (256, 64) and truth.val_codes.shape == (100, 64)
    assert ((truth.val_codes != 0).sum(1) == 4).all()
    np.testing.assert_allclose(np.linalg.norm(truth.atoms, axis=0), 1, rtol=1e-5)
    coherence = np.abs(truth.atoms.T @ truth.atoms) - np.eye(64)
    assert coherence.max() <= 0.5 + 1e-6
    noise = val - truth.val_codes @ truth.atoms.T
    signal = truth.val_codes @ truth.atoms.T
    snr_db = 10 * np.log10((signal**2).mean() / (noise**2).mean())
    assert snr_db == pytest.approx(20.0, abs=0.5)
    again = make_synthetic(config)
    np.testing.assert_array_equal(again[0], train)


def test_synthetic_patch_set_is_not_z_scored_and_names_its_generator():
    patches = load_patches(_config(atoms="random"))
    assert patches.truth is not None
    assert patches.dataset == "synthetic:random64-active4-snr20dB"
    np.testing.assert_array_equal(patches.std, 1)
    assert patches.train.var() == pytest.approx(1.0, rel=0.15)


def test_impossible_coherence_is_a_clear_error():
    with pytest.raises(ValueError, match="max_coherence"):
        true_dictionary(SyntheticConfig(n_atoms=300, max_coherence=0.05), 4)
    with pytest.raises(ValueError, match="active"):
        make_synthetic(_config(active=100))


def _study(tmp_path):
    raw = tiny_config_dict(tmp_path)
    raw["data"]["synthetic"] = {"n_atoms": 16, "active": 2, "atoms": "random"}
    raw["groundtruth"] = {"n_train": 300, "n_val": 60}
    raw["sklearn"] = {"epochs": 1}
    return groundtruth_config(config_from_dict(raw))


@pytest.mark.parametrize("method", ["thresholded_laplacian", "fista", "sklearn"])
def test_every_method_scores_its_dictionary_against_the_truth(tmp_path, method):
    cfg = _study(tmp_path)
    out = tmp_path / method
    if method == "fista":
        final = train_fista(cfg, 0, out, progress=False)
    elif method == "sklearn":
        final = train_sklearn(cfg, 0, out)
    else:
        final = train_linear(cfg, method, 1, 0, out, progress=False)
    assert final["dataset"] == "synthetic:random16-active2-snr20dB"
    for key in GROUNDTRUTH_KEYS:
        value = final[key]
        assert value is None or 0 <= value <= 1  # precision is null when no code is non-zero


def test_stale_checkpoint_is_replaced_even_without_config_json(tmp_path):
    """Snakemake deletes a rerun job's declared outputs but not the checkpoint."""
    cfg = _study(tmp_path)
    out = tmp_path / "run"
    train_linear(cfg, "gaussian", 1, 0, out, stop_after_epoch=1, progress=False)
    (out / "config.json").unlink()
    changed = groundtruth_config(config_from_dict({**tiny_config_dict(tmp_path),
                                                   "groundtruth": {"n_train": 200}}))
    with pytest.raises(ConfigError, match="checkpoint.pt"):
        train_linear(changed, "gaussian", 1, 0, out, progress=False)
    final = train_linear(changed, "gaussian", 1, 0, out, progress=False, replace_stale=True)
    assert final["status"] in ("finished", "diverged") and final["epochs_completed"] >= 0


def test_cli_runs_the_groundtruth_study(tmp_path):
    import yaml

    path = tmp_path / "cfg.yaml"
    raw = tiny_config_dict(tmp_path)
    raw["data"]["synthetic"] = {"n_atoms": 16, "active": 2}
    raw["groundtruth"] = {"n_train": 200, "n_val": 50, "epochs": 1}
    path.write_text(yaml.safe_dump(raw))
    sets = shlex.split(as_set_flags(groundtruth_overrides(config_from_dict(raw))))
    assert main(["fista", "--config", str(path), *sets, "--seed", "0",
                 "--run", str(tmp_path / "run"), "--no-progress"]) == 0
    final = json.loads((tmp_path / "run" / "final.json").read_text())
    assert final["dataset"].startswith("synthetic:gabor16") and final["epochs"] == 1
