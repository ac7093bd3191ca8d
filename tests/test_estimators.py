import math

import pytest
import torch

from vsc.estimators import select


def test_max_picks_the_per_point_argmin():
    losses = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 0.7]], requires_grad=True)
    sel = select(losses, "max")
    assert sel.index.tolist() == [1, 0]
    assert sel.loss.item() == pytest.approx((1.0 + 0.5) / 2)
    sel.loss.backward()
    torch.testing.assert_close(losses.grad, torch.tensor([[0, 0.5, 0], [0.5, 0, 0]]))
    torch.testing.assert_close(sel.pick(torch.arange(6.0).view(2, 3)), torch.tensor([1.0, 3.0]))


def test_avg_and_iwae():
    losses = torch.tensor([[1.0, 2.0], [3.0, 3.0]])
    assert select(losses, "avg").loss.item() == pytest.approx(2.25)
    iw = select(losses, "iwae")
    expected = -(math.log((math.exp(-1) + math.exp(-2)) / 2) + math.log(math.exp(-3)))/ 2
    assert iw.loss.item() == pytest.approx(expected)
    torch.testing.assert_close(iw.weights.sum(1), torch.ones(2))
    assert iw.weights[0, 0] > iw.weights[0, 1]


def test_bad_estimator_input():
    with pytest.raises(ValueError, match="unknown estimator"):
        select(torch.zeros(2, 2), "median")
    with pytest.raises(ValueError, match=r"\[\.\.\., N, J\]"):
        select(torch.zeros(2), "max")
