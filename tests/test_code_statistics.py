import numpy as np
import pytest

from vsc.code_statistics import code_statistics, collapse_percent, digitise, multi_information


def test_independent_codes_have_about_zero_multi_information():
    rng = np.random.default_rng(0)
    codes = rng.normal(scale=0.7, size=(200_000, 2))
    assert abs(multi_information(codes)) < 0.01


def test_duplicated_codes_have_the_entropy():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=0.7, size=50_000)
    z[rng.random(50_000) < 0.5] = 0.0
    counts = np.bincount(digitise(z[:, None])[:, 0])
    p = counts[counts > 0] / counts.sum()
    entropy = -(p * np.log2(p)).sum()
    assert multi_information(np.stack([z, z], axis=1)) == pytest.approx(entropy, rel=1e-9)


def test_exact_zeros_get_their_own_bin():
    bins = digitise(np.array([[0.0, 1e-9, -1e-9, 0.0]]))[0]
    assert bins[0] == bins[3] and len({bins[0], bins[1], bins[2]}) == 3


def test_collapse_and_usage():
    codes = np.zeros((100, 3))
    codes[:, 1] = 1.0
    codes[:3, 2] = 1.0  # active on 3% of points: still collapsed, but used
    assert collapse_percent(codes) == pytest.approx(200 / 3)
    stats = code_statistics(codes, kl=np.ones((100, 3)))
    assert stats["atoms_used"] == 2 and stats["posterior_collapse_percent"] == 0.0
