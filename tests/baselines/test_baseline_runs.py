import json

import numpy as np
import pytest
import torch
from sklearn.decomposition import sparse_encode

from baselines.dictionary_learning import FistaExperiment, train_fista
from baselines.sklearn_baseline import sklearn_alpha, to_our_scale, train_sklearn
from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict
from vsc.data.patches import load_patches
from vsc.fista import fista
from vsc.metrics import sparse_coding_objective


def test_sklearn_mapping_optimises_our_objective():
    """sparse_encode at alpha = lam / s on unit atoms, rescaled by s, is our lam optimum."""
    rng = np.random.default_rng(0)
    d = rng.normal(size=(12, 8))
    d /= np.linalg.norm(d, axis=1, keepdims=True)  # scikit-learn's [K, P] unit-norm rows
    x = rng.normal(size=(5, 8)) * 3
    lam, s = 20.0, 10.0
    codes = sparse_encode(x, d, algorithm="lasso_cd", alpha=sklearn_alpha(lam, s),
                          max_iter=100000)
    atoms, b = to_our_scale(d, codes, s)
    ours = sparse_coding_objective(torch.tensor(x), torch.tensor(atoms), torch.tensor(b), lam)
    best = fista(torch.tensor(x), torch.tensor(atoms), lam, tol=1e-12, max_iter=50000)
    np.testing.assert_allclose(ours.total.numpy(), best.objective.numpy(), rtol=1e-5)


def test_fista_lambda_warmup(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path, fista={"lam_step_fraction": 1e-4}))
    exp = FistaExperiment(cfg, 0, load_patches(cfg.data))
    assert exp.lam(0) == pytest.approx(2.0)
    assert exp.lam(1000) == pytest.approx(20 * 0.2)
    assert exp.lam(10**6) == 20.0


def test_fista_run_resumes_and_matches(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path, linear__epochs=3,
                                            fista={"lam_step_fraction": 0.01}))
    full = train_fista(cfg, 0, tmp_path / "full", progress=False)
    assert train_fista(cfg, 0, tmp_path / "cut", stop_after_epoch=2, progress=False) is None
    resumed = train_fista(cfg, 0, tmp_path / "cut", progress=False)
    for key in ("val_loss", "frac_nonzero", "atom_norm_mean"):
        assert resumed[key] == full[key]
    assert full["method"] == "fista" and full["status"] == "finished"
    assert np.load(tmp_path / "full" / "dictionary.npy").shape == (256, 16)


def test_sklearn_run_records_version_and_each_algorithm(tmp_path):
    cfg = config_from_dict(tiny_config_dict(
        tmp_path, sklearn={"epochs": 1, "transform_algorithms": ["lasso_cd", "omp"]}))
    final = train_sklearn(cfg, 0, tmp_path / "sk")
    saved = json.loads((tmp_path / "sk" / "final.json").read_text())
    assert saved["sklearn_version"] and set(saved["transforms"]) == {"lasso_cd", "omp"}
    assert final["val_loss"] == saved["transforms"]["lasso_cd"]["val_loss"]
    assert 0 < saved["transforms"]["omp"]["frac_nonzero"] <= 1.0


def test_sklearn_run_goes_through_the_shared_run_loop(tmp_path, monkeypatch):
    """Scored by the one scoring function (code statistics included), one metrics row per
    coding algorithm, and resumable: a run killed after its fit finishes from its checkpoint
    without fitting again; a finished run is left alone."""
    import pandas as pd
    from sklearn.decomposition import MiniBatchDictionaryLearning

    cfg = config_from_dict(tiny_config_dict(
        tmp_path, sklearn={"epochs": 1, "transform_algorithms": ["lasso_cd", "omp"]}))
    final = train_sklearn(cfg, 0, tmp_path / "sk", progress=False)
    assert final["status"] == "finished" and final["method"] == "sklearn"
    assert {"multi_information_bits", "atoms_used", "zero_code_val_loss"} <= set(final)
    metrics = pd.read_csv(tmp_path / "sk" / "metrics.csv")
    assert metrics.method.tolist() == ["sklearn_lasso_cd", "sklearn_omp"]
    assert (tmp_path / "sk" / "checkpoint.pt").is_file()

    def no_fit(*args, **kwargs):
        raise AssertionError("fitted again")

    monkeypatch.setattr(MiniBatchDictionaryLearning, "fit", no_fit)
    assert train_sklearn(cfg, 0, tmp_path / "sk", progress=False) == final  # finished
    (tmp_path / "sk" / "final.json").unlink()  # killed between checkpoint and final.json
    resumed = train_sklearn(cfg, 0, tmp_path / "sk", progress=False)
    assert {k: v for k, v in resumed.items() if k != "wall_seconds"} == {
        k: v for k, v in final.items() if k != "wall_seconds"}


def test_fista_baseline_with_restart_learns_as_well_in_fewer_iterations(tmp_path):
    plain = train_fista(config_from_dict(tiny_config_dict(tmp_path)), 0, tmp_path / "plain",
                        progress=False)
    restarted = train_fista(config_from_dict(tiny_config_dict(tmp_path, fista={"restart": True})),
                            0, tmp_path / "restart", progress=False)
    assert restarted["restart"] is True and plain["restart"] is False
    assert restarted["fista_iterations"] < plain["fista_iterations"]
    assert abs(restarted["val_loss"] - plain["val_loss"]) < 0.01 * plain["val_loss"]
