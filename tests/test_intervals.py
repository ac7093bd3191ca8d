"""Intervals on Table 1: per-patch losses kept by every run, the paired bootstrap, tau's
interval, and claims that hold only where the intervals separate."""

import math

import numpy as np
import pytest
import torch

from baselines.dictionary_learning import train_fista
from baselines.sklearn_baseline import train_sklearn
from tests.test_aggregate import _run
from vsc.aggregate import read_finals, table1, write_table1
from vsc.errors import RunFolderError
from vsc.intervals import bootstrap_means, ordering_table, percentile_interval
from vsc.linear import train_linear
from vsc.report import build_report, claims
from vsc.results import PATCH_LOSSES_FILE, ZERO_CODE_KEY, read_patch_losses


def test_every_scored_run_keeps_the_losses_its_mean_comes_from(tiny_config, tmp_path):
    final = train_linear(tiny_config, "thresholded_laplacian", 2, 0, tmp_path / "tl",
                         progress=False)
    losses = read_patch_losses(tmp_path / "tl")
    assert set(losses) == {"thresholded_laplacian", ZERO_CODE_KEY}
    assert losses["thresholded_laplacian"].shape == (tiny_config.data.n_val,)
    assert losses["thresholded_laplacian"].mean() == pytest.approx(final["val_loss"], rel=1e-6)
    assert losses[ZERO_CODE_KEY].mean() == pytest.approx(final["zero_code_val_loss"], rel=1e-6)
    fista = train_fista(tiny_config, 0, tmp_path / "fista", progress=False)
    assert read_patch_losses(tmp_path / "fista")["fista"].mean() == pytest.approx(
        fista["val_loss"], rel=1e-6)
    sklearn = train_sklearn(tiny_config, 0, tmp_path / "sk", progress=False)
    stored = read_patch_losses(tmp_path / "sk")
    for algorithm, scores in sklearn["transforms"].items():
        assert stored[f"sklearn_{algorithm}"].mean() == pytest.approx(scores["val_loss"],
                                                                      rel=1e-6)
    # the metrics rows carry no arrays
    assert "patch_losses" not in (tmp_path / "tl" / "metrics.csv").read_text()


def test_a_finished_run_without_them_is_scored_again(tiny_config, tmp_path):
    """Folders made before per-patch losses were kept get them on the next run of the same
    command (as a rerun workflow does), reproducing final.json's validation loss."""
    run = tmp_path / "r"
    first = train_linear(tiny_config, "spike_slab", 2, 0, run, progress=False)
    kept = read_patch_losses(run)
    (run / PATCH_LOSSES_FILE).unlink()
    assert train_linear(tiny_config, "spike_slab", 2, 0, run, progress=False) == first
    again = read_patch_losses(run)
    np.testing.assert_array_equal(again["spike_slab"], kept["spike_slab"])


def test_a_workflow_rerun_of_an_older_run_scores_it_again(tiny_config, tmp_path):
    """Snakemake reruns a job whose declared val_losses.npz is missing after deleting its
    other outputs: the run resumes from a checkpoint older than per-patch losses, after its
    last epoch, and must score its validation again rather than write none."""
    run = tmp_path / "r"
    first = train_linear(tiny_config, "thresholded_gaussian", 2, 0, run, progress=False)
    kept = read_patch_losses(run)
    for name in ("final.json", "metrics.csv", "dictionary.npy", "snapshots.npz",
                 "config.json", PATCH_LOSSES_FILE):
        (run / name).unlink()
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    del state["patch_losses"]
    torch.save(state, run / "checkpoint.pt")
    again = train_linear(tiny_config, "thresholded_gaussian", 2, 0, run, progress=False)
    assert again["val_loss"] == first["val_loss"]
    np.testing.assert_array_equal(read_patch_losses(run)["thresholded_gaussian"],
                                  kept["thresholded_gaussian"])


def test_a_rescore_that_does_not_reproduce_is_refused(tiny_config, tmp_path):
    run = tmp_path / "r"
    train_linear(tiny_config, "gaussian", 1, 0, run, progress=False)
    (run / PATCH_LOSSES_FILE).unlink()
    final = (run / "final.json").read_text().replace('"val_loss": ', '"val_loss": 1')
    (run / "final.json").write_text(final)
    with pytest.raises(RunFolderError, match="not the recorded"):
        train_linear(tiny_config, "gaussian", 1, 0, run, progress=False)
    assert not (run / PATCH_LOSSES_FILE).exists()


def test_bootstrap_interval_matches_the_normal_approximation():
    rng = np.random.default_rng(1)
    losses = rng.exponential(100.0, size=4000)
    replicated = bootstrap_means({("a", 1): losses[None, :]})
    low, high = percentile_interval(replicated[("a", 1)])
    half = 1.96 * losses.std() / math.sqrt(len(losses))
    assert low < losses.mean() < high
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)


def test_the_draw_is_paired_across_cells_and_seeds_widen_it():
    rng = np.random.default_rng(2)
    base = rng.exponential(50.0, size=1000)
    cells = {("a", 1): base[None, :], ("b", 1): (base + 3.0)[None, :],
             ("c", 1): np.stack([base, base + 40.0])}  # two seeds far apart
    replicated = bootstrap_means(cells, replicates=400)
    # one patch draw serves every cell: a constant shift survives every replicate exactly
    np.testing.assert_allclose(replicated[("b", 1)] - replicated[("a", 1)], 3.0)
    width = np.subtract(*percentile_interval(replicated[("a", 1)])[::-1])
    assert np.subtract(*percentile_interval(replicated[("c", 1)])[::-1]) > 2 * width
    assert bootstrap_means(cells, replicates=400)[("c", 1)].tolist() == \
        replicated[("c", 1)].tolist()  # seeded: the same runs give the same intervals


def _runs_with_losses(tmp_path, spread, shift=0.0):
    """Fixture runs whose per-patch losses have the given spread around fixed means."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(500)
    means = {("thresholded_laplacian", 1): 190.0, ("thresholded_laplacian", 20): 185.0,
             ("gaussian", 1): 200.0 + shift, ("gaussian", 20): 199.0 + shift,
             ("laplacian", 1): 600.0, ("laplacian", 20): 580.0, ("fista", 1): 100.0}
    runs = []
    for (method, j), mean in means.items():
        run = _run(tmp_path, f"{method}{j}", method, j, 0, mean, zero_code_val_loss=128.0)
        losses = mean + spread * (noise - noise.mean())
        np.savez(run / PATCH_LOSSES_FILE, **{method: losses,
                                             ZERO_CODE_KEY: np.full(500, 128.0)})
        runs.append(run)
    return runs


def test_table1_has_an_interval_on_every_cell(tmp_path):
    runs = _runs_with_losses(tmp_path, spread=10.0)
    table = write_table1(runs, tmp_path / "out")
    assert table[["val_loss_ci_low", "val_loss_ci_high"]].notna().all().all()
    scored = table[table.method != "zero_code"]  # the fixture's zero code is constant
    assert (scored.val_loss_ci_low < scored.val_loss_mean).all()
    assert (scored.val_loss_mean < scored.val_loss_ci_high).all()
    ordering = (tmp_path / "out" / "ordering.csv").read_text()
    assert ordering.startswith("J,n_methods,kendall_tau,kendall_tau_ci_low")
    assert "[" in (tmp_path / "out" / "table1.md").read_text()


def test_claims_hold_only_where_intervals_separate(tmp_path):
    wide = table1(read_finals(_runs_with_losses(tmp_path / "wide", spread=300.0)))
    narrow = table1(read_finals(_runs_with_losses(tmp_path / "narrow", spread=1.0)))
    lowest = ("J = 1: Thresholded Laplacian has the lowest validation loss of the variational "
              "families")
    assert claims(narrow)[0] == (lowest, "held (lowest: Thresholded Laplacian, 190)")
    assert dict(claims(wide))[lowest].startswith("consistent, not separated")
    fista = "FISTA (exact inference) scores below every amortised variational method"
    assert dict(claims(narrow))[fista] == "held"
    # without per-patch losses the verdict says so instead of claiming separation
    bare = narrow.drop(columns=["val_loss_ci_low", "val_loss_ci_high"])
    assert dict(claims(bare))[fista].startswith("held on the means (no intervals")


def test_a_reversed_claim_did_not_hold(tmp_path):
    table = table1(read_finals(_runs_with_losses(tmp_path, spread=1.0, shift=-50.0)))
    lowest = ("J = 1: Thresholded Laplacian has the lowest validation loss of the variational "
              "families")
    assert dict(claims(table))[lowest].startswith("did not hold (lowest: Gaussian")


def test_tau_interval_in_the_report(tmp_path):
    runs = _runs_with_losses(tmp_path, spread=1.0)
    finals = read_finals(runs)
    table = table1(finals)
    from vsc.aggregate import table1_replicates
    ordering = ordering_table(table, table1_replicates(finals))
    row = ordering[ordering.J == 1].iloc[0]
    assert row.n_methods == 4 and row.kendall_tau_ci_low <= row.kendall_tau \
        <= row.kendall_tau_ci_high
    text = build_report(table, finals, ordering=ordering)
    assert "95% bootstrap interval [" in text and "consistent, not separated" in text
