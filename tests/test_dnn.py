"""DNN runs on the stand-in: the loss falls, a resumed run equals an uninterrupted one."""

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict
from vsc.dnn import train_dnn
from vsc.recovery import recover

VOLATILE = {"wall_seconds", "git_commit", "torch_threads"}


def _cfg(tmp_path, **dnn):
    raw = tiny_config_dict(tmp_path)
    raw["data"]["standin"] = {"n_train": 64, "n_test": 16, "n_atoms": 6}
    raw["dnn"] = {"latents": 8, "width": 0.125, "batch_size": 16, "epochs": 3,
                  "eval_samples": 2, "recovery_samples": 2, **dnn}
    return config_from_dict(raw)


def test_training_lowers_the_loss_and_resumes(tmp_path):
    cfg = _cfg(tmp_path, lr=3e-3)
    full = train_dnn(cfg, "thresholded_gaussian_gamma", 2, 0, tmp_path / "full", progress=False)
    metrics = pd.read_csv(tmp_path / "full" / "metrics.csv")
    assert metrics.train_loss.iloc[-1] < metrics.train_loss.iloc[0]
    assert full["status"] == "finished" and full["dataset"].startswith("standin")
    assert train_dnn(cfg, "thresholded_gaussian_gamma", 2, 0, tmp_path / "cut",
                     stop_after_epoch=1, progress=False) is None
    resumed = train_dnn(cfg, "thresholded_gaussian_gamma", 2, 0, tmp_path / "cut",
                        progress=False)
    assert ({k: v for k, v in resumed.items() if k not in VOLATILE}
            == {k: v for k, v in full.items() if k not in VOLATILE})
    result = recover(tmp_path / "full", tmp_path / "rec")
    assert np.load(tmp_path / "rec" / "recovered.npy").shape == (3 * 32 * 32, 8)
    assert 0 <= result["recovered_fraction"] <= 1 and result["n_true_atoms"] == 6


def test_a_sweep_point_is_recovered_from_its_folder_alone(tmp_path):
    """A DNN sweep run (code size and sparsity overridden on the command line) reopens with
    the overrides it was trained with."""
    from vsc.config import sweep_point_overrides, with_overrides
    from vsc.results import RunFolder

    base = _cfg(tmp_path, epochs=1)
    cfg = with_overrides(base, sweep_point_overrides(base, 4, 0.2))
    train_dnn(cfg, "thresholded_gaussian", 2, 0, tmp_path / "sweep", progress=False)
    reopened = RunFolder.load(tmp_path / "sweep")
    assert reopened.config.dnn.latents == 4 and reopened.config == cfg
    recover(tmp_path / "sweep", tmp_path / "rec")
    assert np.load(tmp_path / "rec" / "recovered.npy").shape == (3 * 32 * 32, 4)


@pytest.mark.parametrize("family, samples, message", [("cauchy", 1, "unknown family"),
                                                      ("gaussian", 0, "must be >= 1")])
def test_bad_arguments_leave_nothing(tmp_path, family, samples, message):
    with pytest.raises(ValueError, match=message):
        train_dnn(_cfg(tmp_path), family, samples, 0, tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_celeba_without_root_is_a_clear_error(tmp_path):
    cfg = _cfg(tmp_path, dataset="celeba")
    with pytest.raises(ValueError, match="data.celeba.root"):
        train_dnn(cfg, "gaussian", 1, 0, tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_test_set_is_evaluated_every_n_epochs_and_at_the_last(tmp_path):
    cfg = _cfg(tmp_path, eval_every=2)
    final = train_dnn(cfg, "gaussian", 1, 0, tmp_path / "run", progress=False)
    metrics = pd.read_csv(tmp_path / "run" / "metrics.csv")
    assert metrics.mse_per_pixel.notna().tolist() == [False, True, True]  # epochs 2 and 3
    assert final["mse_per_pixel"] == metrics.mse_per_pixel.iloc[-1]


def test_sweep_point_from_the_command_line(tmp_path):
    import yaml

    from vsc_bench.cli import main

    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(_cfg(tmp_path, epochs=1).to_dict()))
    assert main(["dnn", "--config", str(path), "--family", "thresholded_gaussian",
                 "--samples", "1", "--seed", "0", "--run", str(tmp_path / "run"),
                 "--set", "dnn.latents=5", "--set", "dnn.family.threshold.target_sparsity=0.3",
                 "--no-progress"]) == 0
    final = json.loads((tmp_path / "run" / "final.json").read_text())
    assert final["latents"] == 5 and final["target_sparsity"] == 0.3
