"""Linear runs: outputs, determinism, resume, divergence, bad input."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import tiny_config_dict, write_images_mat
from vsc.config import ConfigError, config_from_dict
from vsc.data.images import DataError
from vsc.linear import train_linear
from vsc_bench.cli import main

VOLATILE = {"wall_seconds", "git_commit", "torch_threads"}


def _stable(final):
    return {k: v for k, v in final.items() if k not in VOLATILE}


def test_run_writes_its_folder(tiny_config, tmp_path):
    final = train_linear(tiny_config, "thresholded_laplacian", 2, 0, tmp_path / "run",
                         progress=False)
    files = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"config.json", "metrics.csv", "final.json", "dictionary.npy",
            "checkpoint.pt"} <= files
    for key in ("val_loss", "val_recon", "val_l1", "frac_nonzero", "method", "J", "seed",
                "epochs", "wall_seconds", "dataset"):
        assert key in final
    assert final["status"] == "finished" and final["dataset"] == "bundled-photographs"
    assert final["val_loss"] == pytest.approx(final["val_recon"] + final["val_l1"], rel=1e-5)
    metrics = pd.read_csv(tmp_path / "run" / "metrics.csv")
    assert list(metrics.epoch) == [1, 2] and metrics.iteration.iloc[-1] == 16
    assert np.load(tmp_path / "run" / "dictionary.npy").shape == (256, 16)
    assert 0 < final["frac_nonzero"] < 1  # exact zeros from the threshold


def test_same_seed_same_numbers(tiny_config, tmp_path):
    a = train_linear(tiny_config, "spike_slab", 2, 0, tmp_path / "a", progress=False)
    b = train_linear(tiny_config, "spike_slab", 2, 0, tmp_path / "b", progress=False)
    c = train_linear(tiny_config, "spike_slab", 2, 1, tmp_path / "c", progress=False)
    assert _stable(a) == _stable(b)
    assert a["val_loss"] != c["val_loss"]


@pytest.mark.parametrize("family", ["thresholded_gaussian_gamma", "laplacian"])
def test_resumed_run_equals_uninterrupted(tmp_path, family):
    cfg = config_from_dict(tiny_config_dict(tmp_path, linear__epochs=3))
    full = train_linear(cfg, family, 2, 0, tmp_path / "full", progress=False)
    assert train_linear(cfg, family, 2, 0, tmp_path / "cut", stop_after_epoch=1,
                        progress=False) is None
    assert not (tmp_path / "cut" / "final.json").exists()
    resumed = train_linear(cfg, family, 2, 0, tmp_path / "cut", progress=False)
    assert _stable(resumed) == _stable(full)
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "full" / "metrics.csv").drop(columns="wall_seconds"),
        pd.read_csv(tmp_path / "cut" / "metrics.csv").drop(columns="wall_seconds"))
    np.testing.assert_array_equal(np.load(tmp_path / "full" / "dictionary.npy"),
                                  np.load(tmp_path / "cut" / "dictionary.npy"))


def test_finished_run_is_not_redone(tiny_config, tmp_path):
    first = train_linear(tiny_config, "gaussian", 1, 0, tmp_path / "r", progress=False)
    stamp = (tmp_path / "r" / "final.json").stat().st_mtime_ns
    assert train_linear(tiny_config, "gaussian", 1, 0, tmp_path / "r", progress=False) == first
    assert (tmp_path / "r" / "final.json").stat().st_mtime_ns == stamp
    other = config_from_dict(tiny_config_dict(tmp_path, linear__kl_weight=0.5))
    with pytest.raises(ConfigError, match="different config"):
        train_linear(other, "gaussian", 1, 0, tmp_path / "r", progress=False)


def test_divergence_is_a_result(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path, linear__encoder_lr=1e6,
                                            linear__epochs=3))
    final = train_linear(cfg, "gaussian", 1, 0, tmp_path / "d", progress=False)
    assert final["status"] == "diverged" and final["diverged_at_iteration"] >= 0
    assert final["val_loss"] is None
    saved = json.loads((tmp_path / "d" / "final.json").read_text())
    assert saved["status"] == "diverged"
    assert "method" in pd.read_csv(tmp_path / "d" / "metrics.csv").columns
    assert np.isfinite(np.load(tmp_path / "d" / "dictionary.npy")).all()


@pytest.mark.parametrize("family, samples, error, message", [
    ("cauchy", 1, ValueError, "unknown family"),
    ("gaussian", 0, ValueError, "must be >= 1"),
])
def test_bad_run_arguments_leave_nothing(tiny_config, tmp_path, family, samples, error, message):
    with pytest.raises(error, match=message):
        train_linear(tiny_config, family, samples, 0, tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_bad_data_leaves_nothing(tmp_path):
    write_images_mat(tmp_path / "IMAGES.mat", key="OTHER")
    for path in (tmp_path / "IMAGES.mat", tmp_path / "missing.mat"):
        cfg = config_from_dict(tiny_config_dict(
            tmp_path, data={"source": "images_mat", "path": str(path), "n_train": 100,
                            "n_val": 10, "cache_dir": str(tmp_path / "c")}))
        with pytest.raises(DataError):
            train_linear(cfg, "gaussian", 1, 0, tmp_path / "bad", progress=False)
        assert not (tmp_path / "bad").exists()


def test_cli_reports_errors_with_exit_code_2(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("family: {threshold: {target_sparsity: -0.5}}\n")
    code = main(["linear", "--config", str(cfg), "--family", "gaussian", "-J", "1",
                 "--seed", "0", "--run", str(tmp_path / "r")])
    assert code == 2 and "family.threshold.target_sparsity" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_cli_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["linear", "--help"])
    assert exit_info.value.code == 0 and "--family" in capsys.readouterr().out


def test_torch_is_seeded_per_run_not_globally(tiny_config, tmp_path):
    torch.manual_seed(123)
    a = train_linear(tiny_config, "laplacian", 1, 0, tmp_path / "a", progress=False)
    torch.manual_seed(456)
    b = train_linear(tiny_config, "laplacian", 1, 0, tmp_path / "b", progress=False)
    assert _stable(a) == _stable(b)
