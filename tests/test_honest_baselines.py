"""The levels every Table 1 value is read against: the zero code and exact inference on a
method's own dictionary (computed, checked in closed form), their place in Table 1 and the
report, and the schedule and snapshots that show when a dictionary forms."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc.aggregate import read_finals, table1, table1_latex, table1_markdown
from vsc.config import ConfigError, ScheduleConfig, config_from_dict
from vsc.dictionary import Dictionary
from vsc.errors import UserError
from vsc.linear import train_linear
from vsc.report import claims, zero_code_findings
from vsc.schedules import one_cycle, one_cycle_factor
from vsc.scoring import dictionary_scores


def test_zero_code_and_exact_inference_match_the_closed_form(tmp_path):
    """On A = s I the lasso decouples: b = soft(x / s, lam / s^2) per entry."""
    s, lam = 3.0, 2.0
    x = torch.randn(64, 8, dtype=torch.float64) * 4
    cfg = config_from_dict(tiny_config_dict(tmp_path, linear__eval_lambda=lam,
                                            linear__fista_eval_every=1)).linear
    scores = dictionary_scores(x.float(), Dictionary(s * torch.eye(8)), cfg, epoch=0, epochs=1)
    b = torch.sign(x) * torch.clamp(x.abs() / s - lam / s**2, min=0)
    optimum = (0.5 * (x - s * b).pow(2).sum(-1) + lam * b.abs().sum(-1)).mean().item()
    assert scores["zero_code_val_loss"] == pytest.approx(0.5 * x.pow(2).sum(-1).mean().item(),
                                                         rel=1e-6)
    assert scores["fista_val_loss"] == pytest.approx(optimum, rel=1e-4)
    assert scores["fista_frac_nonzero"] == pytest.approx((b != 0).double().mean().item())
    assert scores["atom_norm_mean"] == pytest.approx(s)
    assert scores["zero_code_val_loss"] > scores["fista_val_loss"]


def _run(tmp_path, name, method, samples, val_loss, recon, status="finished", **extra):
    run = tmp_path / name
    run.mkdir()
    final = {"method": method, "J": samples, "seed": 0, "val_loss": val_loss,
             "val_recon": recon, "frac_nonzero": 0.1, "status": status,
             "dataset": "bundled-photographs", "preset": "unit", "experiment": "linear",
             "zero_code_val_loss": 128.0, "fista_val_loss": 110.0, "atom_norm_mean": 2.5,
             "iteration": 1500, **extra}
    (run / "final.json").write_text(json.dumps(final))
    return run


def _table(folder, recon=120.0):
    """Table 1 of four runs in a new ``folder``: FISTA, a thresholded Laplacian whose own
    codes reconstruct with error ``recon`` (zero code: 128), a Gaussian and a diverged run."""
    folder.mkdir()
    runs = [_run(folder, "f", "fista", 1, 60.0, 40.0),
            _run(folder, "tl", "thresholded_laplacian", 1, 170.0, recon, lambda0=0.25),
            _run(folder, "g", "gaussian", 1, 1300.0, 127.0),
            _run(folder, "ss", "spike_slab", 1, None, None, status="diverged")]
    return table1(read_finals(runs))


def test_table1_has_a_computed_zero_code_row_and_marks_cells_above_it(tmp_path):
    table = _table(tmp_path / "runs")
    assert list(table.method)[:2] == ["zero_code", "fista"]
    zero = table[table.method == "zero_code"].iloc[0]
    assert zero.val_loss_mean == 128.0 and zero.frac_nonzero_mean == 0.0
    above = dict(zip(table.method, table.above_zero_code, strict=True))
    assert above["thresholded_laplacian"] and above["gaussian"] and not above["fista"]
    tl = table[table.method == "thresholded_laplacian"].iloc[0]
    assert tl.lambda0 == 0.25 and tl.fista_val_loss_mean == 110.0
    assert tl.atom_norm_mean_mean == 2.5
    markdown = table1_markdown(table)
    assert "| Zero code (b = 0) | - | 1.28E+02 |" in markdown
    assert "1.70E+02 †" in markdown and "FISTA on own dict." in markdown
    assert "| Thresholded Laplacian | 0.25 |" in markdown
    assert r"$^\dagger$" in table1_latex(table)


def test_runs_scored_on_different_patches_are_not_mixed(tmp_path):
    runs = [_run(tmp_path, "a", "gaussian", 1, 1300.0, 127.0),
            _run(tmp_path, "b", "laplacian", 1, 600.0, 120.0, zero_code_val_loss=90.0)]
    with pytest.raises(UserError, match="different validation patches"):
        table1(read_finals(runs))


def test_report_states_the_zero_code_level_and_what_a_claim_left_out(tmp_path):
    lines = "\n".join(zero_code_findings(_table(tmp_path / "early", recon=120.0)))
    assert "scores **128**" in lines
    assert "**2 of 3** scored cells are *above* the zero code" in lines
    assert "Below the zero code: FISTA (baseline)." in lines
    assert "leave 94% to 99% of the zero code's reconstruction error after 1,500" in lines
    verdicts = dict(claims(_table(tmp_path / "claims")))
    best = verdicts["J = 1: Thresholded Laplacian has the lowest validation loss of the "
                    "variational families"]
    assert "judged without Spike-and-slab J = 1, which diverged" in best


def test_preset_notes_reach_the_report(tmp_path):
    from vsc.report import build_report

    table = _table(tmp_path / "runs")
    text = build_report(table, read_finals(sorted((tmp_path / "runs").iterdir())),
                        notes=["the dictionaries have not formed yet"])
    assert "- **Note:** the dictionaries have not formed yet" in text


def test_schedule_horizon_follows_the_first_part_of_the_longer_schedule():
    config = ScheduleConfig(horizon_iterations=240_000)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = one_cycle(optimizer, 9_600, config)
    for _ in range(600):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr()[0] == pytest.approx(one_cycle_factor(600, 240_000, config))
    assert scheduler.get_last_lr()[0] < 0.1  # still warming up, as the paper's run would be
    with pytest.raises(ConfigError, match="horizon_iterations"):
        one_cycle(optimizer, 9_600, ScheduleConfig(horizon_iterations=1_000))


def test_snapshots_keep_the_start_and_every_due_epoch_and_survive_a_resume(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path, linear__epochs=3,
                                            linear__snapshot_every=2))
    train_linear(cfg, "thresholded_laplacian", 1, 0, tmp_path / "full", progress=False)
    assert train_linear(cfg, "thresholded_laplacian", 1, 0, tmp_path / "cut",
                        stop_after_epoch=2, progress=False) is None
    train_linear(cfg, "thresholded_laplacian", 1, 0, tmp_path / "cut", progress=False)
    with np.load(tmp_path / "full" / "snapshots.npz") as full, \
            np.load(tmp_path / "cut" / "snapshots.npz") as cut:
        assert full.files == ["iteration_0", "iteration_16", "iteration_24"]
        assert cut.files == full.files
        for key in full.files:
            np.testing.assert_array_equal(full[key], cut[key])
        np.testing.assert_array_equal(full["iteration_24"],
                                      np.load(tmp_path / "full" / "dictionary.npy"))
        assert not np.array_equal(full["iteration_0"], full["iteration_24"])
    assert math.isfinite(pd.read_csv(tmp_path / "full" / "metrics.csv")
                         .zero_code_val_loss.iloc[-1])


def test_an_absurd_loss_is_marked_in_the_table_and_the_report(tmp_path):
    """A run that 'finished' at more than 100 times the zero code's loss (here 1.09e30, as a
    run on one image with two training patches did) says so instead of passing as a number."""
    from vsc.report import build_report

    folder = tmp_path / "runs"
    folder.mkdir()
    runs = [_run(folder, "f", "fista", 1, 60.0, 40.0),
            _run(folder, "tl", "thresholded_laplacian", 1, 1.09e30, 1e30)]
    table = table1(read_finals(runs))
    absurd = dict(zip(table.method, table.absurd_loss, strict=True))
    assert absurd == {"zero_code": False, "fista": False, "thresholded_laplacian": True}
    assert "1.09E+30 † ‡" in table1_markdown(table)
    report = build_report(table, read_finals(runs))
    assert "1.09e+30 † ‡" in report and "more than 100 times the zero code" in report
