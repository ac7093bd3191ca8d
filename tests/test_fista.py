import numpy as np
import pytest
import torch
from sklearn.linear_model import Lasso

from vsc.fista import FAITHFUL, duality_gap, fista, fista_batched, lipschitz
from vsc.metrics import sparse_coding_objective


def _problem(n=6, d=20, k=30, seed=0, dtype=torch.float64, atom_norm=3.0):
    gen = torch.Generator().manual_seed(seed)
    atoms = torch.randn(d, k, generator=gen, dtype=dtype)
    atoms *= atom_norm / atoms.norm(dim=0)
    x = torch.randn(n, d, generator=gen, dtype=dtype) * 2
    return x, atoms


def test_matches_sklearn_lasso_objective():
    x, atoms = _problem()
    lam = 1.5
    ours = fista(x, atoms, lam, max_iter=20000, tol=1e-12)
    for i in range(len(x)):
        lasso = Lasso(alpha=lam / x.shape[1], fit_intercept=False, tol=1e-14, max_iter=100000)
        lasso.fit(atoms.numpy(), x[i].numpy())
        theirs = sparse_coding_objective(x[i:i + 1], atoms, torch.from_numpy(lasso.coef_)[None],
                                         lam).total.item()
        assert ours.objective[i].item() == pytest.approx(theirs, rel=1e-5)
        assert ours.objective[i].item() <= theirs * (1 + 1e-9)


def test_batched_equals_one_by_one_and_iterations_are_per_signal():
    x, atoms = _problem(n=8)
    batch = fista(x, atoms, 1.0, tol=1e-6, max_iter=3000)
    singles = [fista(x[i:i + 1], atoms, 1.0, tol=1e-6, max_iter=3000) for i in range(8)]
    torch.testing.assert_close(batch.codes, torch.cat([s.codes for s in singles]),
                               rtol=1e-9, atol=1e-10)
    assert batch.iterations.tolist() == [s.iterations.item() for s in singles]
    assert len(set(batch.iterations.tolist())) > 1  # signals did need different counts


def test_zero_solution_when_lambda_dominates():
    x, atoms = _problem()
    lam = (x @ atoms).abs().max().item()
    result = fista(x, atoms, lam)
    assert (result.codes == 0).all() and (result.iterations == 0).all()
    torch.testing.assert_close(result.objective, 0.5 * x.pow(2).sum(1))


def test_duality_gap_closes_at_the_optimum():
    x, atoms = _problem()
    early = fista(x, atoms, 1.0, max_iter=3, stopping="fixed", compute_gap=True)
    done = fista(x, atoms, 1.0, max_iter=20000, tol=1e-12, compute_gap=True)
    assert (early.gap > 1e-3).all() and (done.gap >= -1e-9).all() and (done.gap < 1e-6).all()
    assert torch.equal(early.iterations, torch.full((6,), 3))


def test_faithful_batch_rule_and_starts():
    x, atoms = _problem()
    faithful = fista(x, atoms, 1.0, **FAITHFUL)
    assert len(set(faithful.iterations.tolist())) == 1 and faithful.iterations[0] <= 500
    from_zero = fista(x, atoms, 1.0, init="zero", tol=1e-10, max_iter=5000)
    warm = fista(x, atoms, 1.0, init=from_zero.codes, tol=1e-10, max_iter=5000)
    assert warm.iterations.max() < from_zero.iterations.min()


def test_float32_and_chunking():
    x, atoms = _problem(n=50, dtype=torch.float32)
    whole = fista(x, atoms, 1.0, tol=1e-5, max_iter=2000)
    chunked = fista_batched(x, atoms, 1.0, batch_size=7, tol=1e-5, max_iter=2000)
    assert whole.codes.dtype == torch.float32
    # the same algorithm; only float32 rounding of different batch shapes differs, and that
    # can move a signal's stopping iteration (seen: by 1 and by 38 on an AMD EPYC), which
    # moves its codes by up to the stopping tolerance's distance to the optimum (seen: 6e-4)
    # while the objective stays the same to float32 precision
    torch.testing.assert_close(whole.objective, chunked.objective, rtol=1e-5, atol=0)
    torch.testing.assert_close(whole.codes, chunked.codes, rtol=1e-2, atol=2e-3)


def test_lipschitz_is_the_largest_eigenvalue():
    _, atoms = _problem()
    eig = np.linalg.eigvalsh((atoms.T @ atoms).numpy()).max()
    assert lipschitz(atoms) == pytest.approx(eig, rel=1e-10)


@pytest.mark.parametrize("make, message", [
    (lambda x, a: (x[:, :5], a, 1.0), "must match"),
    (lambda x, a: (x, a, -1.0), "lam must be"),
    (lambda x, a: (x.clone().fill_(float("nan")), a, 1.0), "NaN"),
    (lambda x, a: (x[0], a, 1.0), r"\[N, D\]"),
])
def test_bad_input(make, message):
    x, atoms = _problem()
    with pytest.raises(ValueError, match=message):
        fista(*make(x, atoms))


def test_gap_is_nonnegative_for_any_codes():
    x, atoms = _problem()
    codes = torch.randn(6, 30, dtype=torch.float64)
    assert (duality_gap(x, atoms, codes, 0.7) >= 0).all()


def _coherent_problem(n=40, seed=0):
    """Signals on a coherent dictionary (atoms sharing a common direction), where plain
    FISTA's momentum overshoots and restarting it pays."""
    gen = torch.Generator().manual_seed(seed)
    common = torch.randn(30, 1, generator=gen, dtype=torch.float64)
    atoms = common + 0.4 * torch.randn(30, 60, generator=gen, dtype=torch.float64)
    atoms *= 4.0 / atoms.norm(dim=0)
    codes = torch.randn(n, 60, generator=gen, dtype=torch.float64) * (
        torch.rand(n, 60, generator=gen, dtype=torch.float64) < 0.1)
    return codes @ atoms.T + 0.05 * torch.randn(n, 30, generator=gen, dtype=torch.float64), atoms


@pytest.mark.parametrize("stopping", ["per_signal", "batch"])
def test_restart_reaches_the_same_optimum_in_fewer_iterations(stopping):
    x, atoms = _coherent_problem()
    lam = 0.5
    optimum = fista(x, atoms, lam, max_iter=50000, tol=1e-13).objective
    plain = fista(x, atoms, lam, max_iter=5000, tol=1e-8, stopping=stopping)
    restarted = fista(x, atoms, lam, max_iter=5000, tol=1e-8, stopping=stopping, restart=True,
                      compute_gap=True)
    torch.testing.assert_close(restarted.objective, optimum, rtol=1e-6, atol=0)
    assert (restarted.gap < 1e-4 * optimum).all()
    assert restarted.iterations.float().mean() < 0.7 * plain.iterations.float().mean()


def test_restart_keeps_each_signals_result_when_the_active_set_shrinks():
    """Per-signal stopping with restart equals each signal solved alone (the momentum
    sequences travel with their rows when converged rows are dropped)."""
    x, atoms = _coherent_problem(n=12)
    batch = fista(x, atoms, 0.5, tol=1e-7, max_iter=5000, restart=True)
    singles = [fista(x[i:i + 1], atoms, 0.5, tol=1e-7, max_iter=5000, restart=True)
               for i in range(12)]
    torch.testing.assert_close(batch.codes, torch.cat([s.codes for s in singles]),
                               rtol=1e-9, atol=1e-10)
    assert batch.iterations.tolist() == [s.iterations.item() for s in singles]


def test_zero_start_with_restart_reaches_the_same_optimum():
    """The zero start that bench/fista.py pairs with restart (about half the iterations of
    the A^T x start on natural patches, a benchmark matter) solves the same problem."""
    x, atoms = _coherent_problem()
    lam = 0.5
    optimum = fista(x, atoms, lam, max_iter=50000, tol=1e-13).objective
    from_zero = fista(x, atoms, lam, max_iter=5000, tol=1e-8, restart=True, init="zero",
                      compute_gap=True)
    torch.testing.assert_close(from_zero.objective, optimum, rtol=1e-6, atol=0)
    assert (from_zero.gap < 1e-4 * optimum).all()
