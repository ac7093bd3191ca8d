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


def test_real_face_layout_trains_recovers_and_has_baselines(tmp_path):
    """A folder of half-size faces without a partition file: the run names the data with its
    own split, the recovered dictionary has the recovery size, the baselines are sane."""
    from tests.data.test_celeba import write_faces
    from vsc.dnn import image_set
    from vsc.image_baselines import image_baselines

    write_faces(tmp_path / "faces", 60, width=89, height=109)
    cfg = _cfg(tmp_path, dataset="celeba", epochs=1, batch_size=8)
    cfg = config_from_dict({**cfg.to_dict(), "data": {
        **cfg.to_dict()["data"], "celeba": {"root": str(tmp_path / "faces"), "num_workers": 0}}})
    final = train_dnn(cfg, "thresholded_gaussian_gamma", 2, 0, tmp_path / "run", progress=False)
    assert final["status"] == "finished"
    assert final["dataset"] == "celeba-subset (60 images, own split)"
    result = recover(tmp_path / "run", tmp_path / "rec")
    assert np.load(tmp_path / "rec" / "recovered.npy").shape == (3 * 32 * 32, 8)
    assert result["n_images"] == len(image_set(cfg).layout.splits["test"])
    found = image_baselines(cfg, image_set(cfg))
    # the fake faces differ only in the brightness of their left half: one component
    assert found["pca_mse"] < found["mean_image_mse"] / 100 and found["mean_image_mse"] > 1e-4
    assert found["pca_components"] == 8 and found["dataset"] == final["dataset"]


def test_baselines_on_known_data():
    from vsc.image_baselines import baseline_mses

    rng = np.random.default_rng(0)
    basis = rng.normal(size=(3, 20))
    train = (rng.normal(size=(200, 3)) @ basis + 1.0).astype(np.float32)
    test = (rng.normal(size=(50, 3)) @ basis + 1.0).astype(np.float32)
    found = baseline_mses(train, test, components=3)
    assert found["mean_image_mse"] == pytest.approx(np.mean((test - train.mean(0)) ** 2),
                                                    rel=1e-5)
    assert found["pca_mse"] < 1e-8 and found["pca_explained_variance"] == pytest.approx(1.0)
    assert baseline_mses(train, test, components=1)["pca_mse"] > 0.1
