"""Support consistency on hand-made supports; the estimator override of a run."""

import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict, with_overrides
from vsc.consistency import mean_pairwise_jaccard, support_consistency
from vsc.errors import UserError
from vsc.linear import train_linear


def test_jaccard_on_hand_made_supports():
    s = torch.tensor([
        [[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]],   # identical supports: 1
        [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],   # disjoint: 0
        [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]],   # 1/3, 0, 0 over three pairs
        [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],   # all empty: identical, 1
    ], dtype=torch.bool)
    torch.testing.assert_close(mean_pairwise_jaccard(s),
                               torch.tensor([1.0, 0.0, (1 / 3) / 3, 1.0]))
    with pytest.raises(UserError, match="at least two samples"):
        mean_pairwise_jaccard(s[:, :1])


def test_avg_run_and_its_consistency(tmp_path):
    cfg = with_overrides(config_from_dict(tiny_config_dict(tmp_path)), ["linear.estimator=avg"])
    final = train_linear(cfg, "thresholded_laplacian", 3, 0, tmp_path / "avg", progress=False)
    assert final["estimator"] == "avg"
    result = support_consistency(tmp_path / "avg", inputs=20)
    assert result["estimator"] == "avg" and len(result["jaccard"]) == 20
    assert 0 <= result["jaccard_mean"] <= 1
    with pytest.raises(ValueError, match="linear.estimator"):
        with_overrides(cfg, ["linear.estimator=median"])
