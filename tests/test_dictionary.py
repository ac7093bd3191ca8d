import numpy as np
import torch

from vsc.dictionary import Dictionary


def test_sgd_step_equals_the_formula():
    rng = np.random.default_rng(1)
    a, x, z = rng.normal(size=(4, 3)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    lr, c = 0.5, 1e-4
    expected = a.copy()
    grad = sum(np.outer(x[n] - a @ z[n], z[n]) for n in range(5)) / 5
    expected += lr * (grad - 2 * c * a)
    d = Dictionary(torch.tensor(a))
    d.sgd_step(torch.tensor(x), torch.tensor(z)[:, None, :], None, lr, c)
    np.testing.assert_allclose(d.atoms.numpy(), expected, rtol=1e-12)


def test_weighted_samples_equal_the_selected_code():
    rng = np.random.default_rng(2)
    a, x = torch.tensor(rng.normal(size=(4, 3))), torch.tensor(rng.normal(size=(2, 4)))
    z = torch.tensor(rng.normal(size=(2, 3, 3)))
    weights = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    selected = torch.stack([z[0, 1], z[1, 0]])[:, None]
    d = Dictionary(a)
    torch.testing.assert_close(d.gradient(x, z, weights), d.gradient(x, selected))


def test_unit_norm_init_is_seeded():
    a, b = Dictionary.unit_norm(16, 8, seed=3), Dictionary.unit_norm(16, 8, seed=3)
    torch.testing.assert_close(a.atoms, b.atoms)
    torch.testing.assert_close(a.atom_norms(), torch.ones(8))
