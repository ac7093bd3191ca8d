"""The `deterministic` option: recorded in the run's config, in the digest only when set, and
(on the CPU, deterministic anyway) giving the same numbers as a plain run."""

import json

import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict
from vsc.linear import train_linear

VOLATILE = {"wall_seconds", "git_commit", "torch_threads", "config_digest"}


@pytest.fixture
def restore_determinism():
    before = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(before)


def test_deterministic_runs_are_recorded_and_give_the_same_numbers(tmp_path,
                                                                  restore_determinism):
    plain = config_from_dict(tiny_config_dict(tmp_path))
    strict = config_from_dict(tiny_config_dict(tmp_path, deterministic=True))
    assert plain.digest("linear") == config_from_dict(
        tiny_config_dict(tmp_path, deterministic=False)).digest("linear")
    assert strict.digest("linear") != plain.digest("linear")
    a = train_linear(plain, "thresholded_laplacian", 2, 0, tmp_path / "a", progress=False)
    assert not torch.are_deterministic_algorithms_enabled()
    b = train_linear(strict, "thresholded_laplacian", 2, 0, tmp_path / "b", progress=False)
    assert torch.are_deterministic_algorithms_enabled()
    assert json.loads((tmp_path / "b" / "config.json").read_text())["config"]["deterministic"]
    assert ({k: v for k, v in a.items() if k not in VOLATILE}
            == {k: v for k, v in b.items() if k not in VOLATILE})
