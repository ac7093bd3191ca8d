import numpy as np
import pytest

from vsc.config import StandinConfig
from vsc.data.standin import downsample, make_standin
from vsc.recovery import fit_dictionary


def test_least_squares_recovers_the_generating_matrix():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(48, 10))
    codes = rng.laplace(size=(2000, 10)) * (rng.random((2000, 10)) < 0.3)
    images = codes @ truth.T + 0.01 * rng.normal(size=(2000, 48))
    recovered = fit_dictionary(codes, images)
    np.testing.assert_allclose(recovered, truth, atol=0.02)


def test_standin_is_deterministic_and_sparse():
    cfg = StandinConfig(n_train=10, n_test=5, n_atoms=6, active=2)
    a, b = make_standin(cfg), make_standin(cfg)
    np.testing.assert_array_equal(a.train, b.train)
    assert a.train.shape == (10, 3, 64, 64) and a.atoms.shape == (6, 3, 64, 64)
    assert ((a.test_codes != 0).sum(1) <= 2).all()
    assert 0 <= a.train.min() and a.train.max() <= 1
    assert downsample(a.atoms, 32).shape == (6, 3, 32, 32)
    with pytest.raises(ValueError):
        downsample(a.atoms, 30)
