"""What only a CUDA device can show (skipped without one; scripts/device_check.sh runs them):
training and bundles on the GPU, no host synchronisation inside the training loop, FISTA and
the DNN's bfloat16 path."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc.bundle import train_together
from vsc.config import config_from_dict
from vsc.data.patches import load_patches
from vsc.fista import fista
from vsc.linear import bundle_experiments, train_linear, train_linear_bundle

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]


def _cuda_config(tmp_path, **overrides):
    return config_from_dict({**tiny_config_dict(tmp_path, **overrides), "device": "cuda"})


def test_linear_run_on_the_gpu(tmp_path):
    final = train_linear(_cuda_config(tmp_path), "thresholded_laplacian_gamma", 3, 0,
                         tmp_path / "run", progress=False)
    assert final["status"] == "finished" and final["device"].startswith("cuda")
    assert final["peak_gpu_memory_mb"] > 0


def test_bundle_on_the_gpu_matches_runs_trained_alone(tmp_path):
    """On the GPU a bundle's batched products may round differently from one run's: the
    numbers agree to float32 rounding over a few epochs, not bitwise (stated tolerance)."""
    cfg = _cuda_config(tmp_path)
    runs = [("thresholded_laplacian", 0), ("gaussian", 1), ("thresholded_gaussian_gamma", 2)]
    for family, seed in runs:
        train_linear(cfg, family, 3, seed, tmp_path / "alone" / family, progress=False)
    train_linear_bundle(cfg, 3, [(f, s, tmp_path / "bundle" / f) for f, s in runs],
                        progress=False)
    for family, _ in runs:
        alone, bundled = (pd.read_csv(tmp_path / kind / family / "metrics.csv")
                          for kind in ("alone", "bundle"))
        np.testing.assert_allclose(bundled.val_loss, alone.val_loss, rtol=1e-3)
        np.testing.assert_allclose(np.load(tmp_path / "bundle" / family / "dictionary.npy"),
                                   np.load(tmp_path / "alone" / family / "dictionary.npy"),
                                   rtol=1e-3, atol=1e-4)
        final = json.loads((tmp_path / "bundle" / family / "final.json").read_text())
        assert final["status"] == "finished"


def test_training_loop_never_waits_for_the_gpu(tmp_path):
    """The iterations of an epoch queue work without reading anything back: the number of
    host synchronisations per epoch does not grow with its iterations."""
    cfg = _cuda_config(tmp_path)
    patches = load_patches(cfg.data)

    def syncs(iterations: int) -> int:
        runs = bundle_experiments(cfg, 3, [("thresholded_laplacian_gamma", 0),
                                           ("spike_slab", 1)], patches)
        for run in runs:
            run.set_position(0, iterations)
        train_together(runs, 0)  # warm-up
        torch.cuda.set_sync_debug_mode("warn")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                train_together(runs, 1)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        return len(caught)

    assert syncs(2) == syncs(8)


def test_fista_on_the_gpu_matches_the_cpu():
    gen = torch.Generator().manual_seed(0)
    atoms = torch.randn(64, 96, generator=gen)
    atoms /= atoms.norm(dim=0)
    x = torch.randn(200, 64, generator=gen)
    cpu = fista(x, atoms, 0.2, max_iter=500, tol=1e-6)
    gpu = fista(x.cuda(), atoms.cuda(), 0.2, max_iter=500, tol=1e-6)
    torch.testing.assert_close(gpu.codes.cpu(), cpu.codes, rtol=1e-3, atol=1e-4)


def test_dnn_bfloat16_run_on_the_gpu(tmp_path):
    from vsc.dnn import train_dnn

    cfg = config_from_dict({**tiny_config_dict(tmp_path), "device": "cuda",
                            "dnn": {"dataset": "standin", "latents": 8, "width": 0.125,
                                    "batch_size": 16, "epochs": 1, "amp": True,
                                    "eval_samples": 2, "recovery_samples": 2},
                            })
    final = train_dnn(cfg, "thresholded_gaussian_gamma", 2, 0, tmp_path / "dnn",
                      progress=False)
    assert final["status"] == "finished" and np.isfinite(final["val_loss"])


def test_deterministic_gpu_runs_repeat_bitwise(tmp_path):
    """`deterministic: true`: two runs of the same settings on the GPU give the same numbers
    (the process keeps deterministic algorithms on afterwards, so this is reset here)."""
    cfg = config_from_dict({**tiny_config_dict(tmp_path, deterministic=True), "device": "cuda"})
    try:
        a = train_linear(cfg, "thresholded_laplacian", 3, 0, tmp_path / "a", progress=False)
        b = train_linear(cfg, "thresholded_laplacian", 3, 0, tmp_path / "b", progress=False)
    finally:
        torch.use_deterministic_algorithms(False)
    assert a["val_loss"] == b["val_loss"] and a["frac_nonzero"] == b["frac_nonzero"]
