"""Shared fixtures: tiny configs and fake data built on the spot (nothing is downloaded)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io
import torch

from vsc.config import Config, config_from_dict


@pytest.fixture(autouse=True)
def _seed_everything():
    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002 - code under test may use the legacy global RNG


def tiny_config_dict(tmp_path, **overrides) -> dict:
    """A config small enough that a run takes about a second."""
    raw = {
        "preset": "unit",
        "device": "cpu",
        "data": {"n_train": 400, "n_val": 100, "cache_dir": str(tmp_path / "cache")},
        "family": {"warmup": {"hold_iterations": 2, "step": 0.2}},
        "linear": {"epochs": 2, "batch_size": 50, "latents": 16, "encoder_hidden": [32],
                   "fista_eval_every": 0},
    }
    for key, value in overrides.items():
        section, _, name = key.partition("__")
        if name:
            raw.setdefault(section, {})[name] = value
        else:
            raw[section] = value
    return raw


@pytest.fixture
def tiny_config(tmp_path) -> Config:
    return config_from_dict(tiny_config_dict(tmp_path))


def write_sparsenet_tcl(folder, n_images: int = 3, size: int = 40, seed: int = 0) -> None:
    """A fake sparsenet-tcl training set: image0 ... image{n-1}, big-endian float32 squares,
    and the header file the original folder has beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n_images):
        rng.standard_normal((size, size)).astype(">f4").tofile(folder / f"image{i}")
    (folder / "header").write_text(f"\n\n1\n\n{size}\n{size}\n32\n0\n3\n")


def write_images_mat(path, n_images: int = 3, size: int = 40, key: str = "IMAGES",
                     seed: int = 0) -> None:
    """A fake IMAGES.mat: random 'whitened' images, [size, size, n_images]."""
    rng = np.random.default_rng(seed)
    scipy.io.savemat(path, {key: rng.standard_normal((size, size, n_images))})
