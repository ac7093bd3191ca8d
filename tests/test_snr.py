"""Gradient SNR on a toy whose gradient mean and variance are known."""

import math

import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict
from vsc.errors import RunFolderError
from vsc.linear import train_linear
from vsc.snr import RunningMoments, run_snr


def test_running_moments_give_the_known_snr():
    gen = torch.Generator().manual_seed(0)
    moments = RunningMoments()
    mean = torch.tensor([1.0, -2.0, 0.5, 3.0])
    std = torch.tensor([2.0, 1.0, 0.5, 0.0])  # the last element never varies: excluded
    for _ in range(20000):
        moments.add(mean + std * torch.randn(4, generator=gen))
    snr_mean, snr_median = moments.snr()
    expected = [0.5, 2.0, 1.0]
    assert snr_mean == pytest.approx(sum(expected) / 3, rel=0.03)
    assert snr_median == pytest.approx(1.0, rel=0.03)


def test_constant_gradients_have_no_snr():
    moments = RunningMoments()
    for _ in range(5):
        moments.add(torch.ones(3))
    assert all(math.isnan(v) for v in moments.snr())


def test_snr_of_a_trained_run(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    train_linear(cfg, "thresholded_laplacian", 2, 0, tmp_path / "run", progress=False)
    result = run_snr(tmp_path / "run", passes=8, batches=1)
    assert result["status"] == "finished" and result["reference_encoder_snr"] is None
    assert 0 < result["encoder_snr_mean"] < 100 and result["dictionary_snr_mean"] > 0
    with pytest.raises(RunFolderError, match="no finished run"):
        run_snr(tmp_path / "nothing", passes=2, batches=1)


def test_snr_of_a_ground_truth_run_from_its_folder_alone(tmp_path):
    """A run of the ground-truth study (synthetic patches, its own overrides) is analysed
    from its folder: no preset is needed, and none could be checked against it."""
    from vsc.config import groundtruth_config

    raw = tiny_config_dict(tmp_path)
    raw["groundtruth"] = {"n_train": 300, "n_val": 60, "epochs": 1}
    raw["data"]["synthetic"] = {"n_atoms": 16, "active": 2}
    cfg = groundtruth_config(config_from_dict(raw))
    train_linear(cfg, "thresholded_laplacian", 2, 0, tmp_path / "gt", progress=False)
    result = run_snr(tmp_path / "gt", passes=4, batches=1)
    assert result["status"] == "finished" and result["dataset"].startswith("synthetic")
