"""Bundles: several linear runs trained as one stacked computation end with exactly the
numbers of the same runs trained one by one, resume after a kill, and skip finished runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc import bundle
from vsc.config import ConfigError, config_from_dict
from vsc.linear import train_linear, train_linear_bundle

# families of different heads, two seeds of one family, a learned threshold: every code path
RUNS = [("thresholded_laplacian", 0), ("gaussian", 0), ("thresholded_laplacian", 1),
        ("thresholded_gaussian_gamma", 2), ("spike_slab", 0)]
VOLATILE = {"wall_seconds", "peak_gpu_memory_mb", "hostname", "started", "finished"}


def _config(tmp_path, **overrides):
    return config_from_dict(tiny_config_dict(tmp_path, **overrides))  # 2 epochs


def _same_run(a, b):
    """Two run folders with the same numbers: metrics, dictionary, snapshots, final.json."""
    pd.testing.assert_frame_equal(pd.read_csv(a / "metrics.csv").drop(columns="wall_seconds"),
                                  pd.read_csv(b / "metrics.csv").drop(columns="wall_seconds"))
    np.testing.assert_array_equal(np.load(a / "dictionary.npy"), np.load(b / "dictionary.npy"))
    with np.load(a / "snapshots.npz") as sa, np.load(b / "snapshots.npz") as sb:
        assert sorted(sa.files) == sorted(sb.files)
        for name in sa.files:
            np.testing.assert_array_equal(sa[name], sb[name])
    fa, fb = (json.loads((f / "final.json").read_text()) for f in (a, b))
    assert {k: v for k, v in fa.items() if k not in VOLATILE} == \
        {k: v for k, v in fb.items() if k not in VOLATILE}


def _alone(cfg, tmp_path, runs=RUNS, samples=3):
    for family, seed in runs:
        train_linear(cfg, family, samples, seed, tmp_path / "alone" / f"{family}_{seed}",
                     progress=False)


def _spec(tmp_path, name, runs=RUNS):
    return [(family, seed, tmp_path / name / f"{family}_{seed}") for family, seed in runs]


def _check_bundle_equals_alone(cfg, tmp_path, runs):
    """Train ``runs`` one by one and as one bundle; every run's folder must agree."""
    _alone(cfg, tmp_path, runs)
    finals = train_linear_bundle(cfg, 3, _spec(tmp_path, "bundle", runs), progress=False)
    for family, seed in runs:
        _same_run(tmp_path / "alone" / f"{family}_{seed}",
                  tmp_path / "bundle" / f"{family}_{seed}")
    return finals


def test_bundle_equals_runs_trained_alone(tmp_path):
    finals = _check_bundle_equals_alone(_config(tmp_path), tmp_path, RUNS)
    assert all(f["status"] == "finished" for f in finals)


@pytest.mark.parametrize("estimator", ["avg", "iwae"])
def test_bundle_equals_alone_for_every_estimator(tmp_path, estimator):
    _check_bundle_equals_alone(_config(tmp_path, linear__estimator=estimator), tmp_path,
                               [("thresholded_laplacian", 0), ("spike_slab", 1)])


def test_killed_bundle_resumes_to_the_same_numbers(tmp_path):
    cfg = _config(tmp_path)
    _alone(cfg, tmp_path)
    spec = _spec(tmp_path, "bundle")
    assert train_linear_bundle(cfg, 3, spec, stop_after_epoch=1, progress=False) == \
        [None] * len(RUNS)
    assert not any((out / "final.json").exists() for _, _, out in spec)
    train_linear_bundle(cfg, 3, spec, progress=False)
    for family, seed in RUNS:
        _same_run(tmp_path / "alone" / f"{family}_{seed}",
                  tmp_path / "bundle" / f"{family}_{seed}")


def test_rerun_trains_only_unfinished_runs(tmp_path, monkeypatch):
    """One run finished, one stopped after its first epoch, one never started: the rerun
    leaves the finished one alone, brings the others level, and ends as runs trained alone."""
    cfg = _config(tmp_path)
    runs = RUNS[:3]
    _alone(cfg, tmp_path, runs)
    spec = _spec(tmp_path, "bundle", runs)
    (done_family, done_seed, done), (cut_family, cut_seed, cut), _ = spec
    train_linear(cfg, done_family, 3, done_seed, done, progress=False)
    train_linear(cfg, cut_family, 3, cut_seed, cut, stop_after_epoch=1, progress=False)
    stamp = (done / "final.json").stat().st_mtime_ns

    trained = []
    real = bundle.train_together

    def spy(exps, epoch):
        trained.append((epoch, sorted((e.family.name, e.seed) for e in exps)))
        return real(exps, epoch)

    monkeypatch.setattr("vsc.linear.train_together", spy)
    train_linear_bundle(cfg, 3, spec, progress=False)
    assert (done / "final.json").stat().st_mtime_ns == stamp
    fresh = sorted([(cut_family, cut_seed), (runs[2][0], runs[2][1])])
    assert trained == [(0, [(runs[2][0], runs[2][1])]), (1, fresh)]
    for family, seed in runs:
        _same_run(tmp_path / "alone" / f"{family}_{seed}",
                  tmp_path / "bundle" / f"{family}_{seed}")
    trained.clear()
    train_linear_bundle(cfg, 3, spec, progress=False)  # all finished: nothing to train
    assert trained == []


def test_one_diverging_run_leaves_the_others_alone(tmp_path):
    """A run whose loss becomes non-finite ends as 'diverged' in its own folder; the run
    beside it trains on exactly as it would alone."""
    cfg = _config(tmp_path, linear__encoder_lr=1e6)
    runs = [("gaussian", 0), ("thresholded_laplacian", 0)]
    _alone(cfg, tmp_path, runs, samples=1)
    finals = train_linear_bundle(cfg, 1, _spec(tmp_path, "bundle", runs), progress=False)
    alone = {f: json.loads((tmp_path / "alone" / f"{f}_0" / "final.json").read_text())
             for f, _ in runs}
    assert alone["gaussian"]["status"] == "diverged"
    for final in finals:
        expected = alone[final["method"]]
        assert final["status"] == expected["status"]
        assert final["diverged_at_iteration"] == expected["diverged_at_iteration"]
        assert final["val_loss"] == expected["val_loss"]


def test_bad_bundles_are_refused(tmp_path):
    cfg = _config(tmp_path)
    with pytest.raises(ConfigError, match="same run folder"):
        train_linear_bundle(cfg, 1, [("gaussian", 0, tmp_path / "a"),
                                     ("gaussian", 1, tmp_path / "a")])
    with pytest.raises(ConfigError, match="once"):
        train_linear_bundle(cfg, 1, [("gaussian", 0, tmp_path / "a"),
                                     ("gaussian", 0, tmp_path / "b")])
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_bundle_equals_alone_with_the_fast_gamma_sampler(tmp_path):
    cfg = config_from_dict(tiny_config_dict(
        tmp_path, linear__epochs=2,
        family={"warmup": {"hold_iterations": 2, "step": 0.2},
                "threshold": {"gamma_sampler": "marsaglia_tsang"}}))
    _check_bundle_equals_alone(cfg, tmp_path, [("thresholded_laplacian_gamma", 0),
                                               ("thresholded_gaussian_gamma", 1),
                                               ("thresholded_laplacian_gamma", 2)])


def test_tf32_is_scoped_to_the_training_iterations_and_to_cuda(tmp_path):
    """matmul_precision restores the process's setting; on a CPU linear.tf32 changes
    nothing (it applies to CUDA matrix products only)."""
    before = torch.get_float32_matmul_precision()
    with bundle.matmul_precision(True):
        assert torch.get_float32_matmul_precision() == "high"
    assert torch.get_float32_matmul_precision() == before
    plain = _config(tmp_path)
    fast = config_from_dict(tiny_config_dict(tmp_path, linear__tf32=True))
    assert plain.digest() != fast.digest()  # recorded: a run knows how it was trained
    train_linear(plain, "gaussian", 2, 0, tmp_path / "plain", progress=False)
    train_linear(fast, "gaussian", 2, 0, tmp_path / "tf32", progress=False)
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "plain" / "metrics.csv").drop(columns="wall_seconds"),
        pd.read_csv(tmp_path / "tf32" / "metrics.csv").drop(columns="wall_seconds"))
