"""Table 1 from fixture run folders: means, paper ratios, diverged runs kept and shown."""

import json
import math

import pandas as pd
import pytest

from vsc.aggregate import (
    kendall_tau,
    read_curves,
    read_finals,
    table1,
    table1_latex,
    table1_markdown,
)


def _run(tmp_path, name, method, samples, seed, val_loss, status="finished", **extra):
    run = tmp_path / name
    run.mkdir()
    final = {"method": method, "samples": samples, "seed": seed, "val_loss": val_loss,
             "frac_nonzero": 0.1, "status": status, "dataset": "bundled-photographs",
             "preset": "unit", "experiment": "linear", **extra}
    (run / "final.json").write_text(json.dumps(final))
    rows = [] if status == "diverged" else [{"method": method, "samples": samples, "seed": seed,
                                             "epoch": 1, "val_loss": val_loss,
                                             "dataset": "bundled-photographs", "preset": "unit"}]
    (pd.DataFrame(rows) if rows else pd.DataFrame(columns=["method", "epoch"])).to_csv(
        run / "metrics.csv", index=False)
    return run


def test_table1_means_ratios_and_divergence(tmp_path):
    runs = [_run(tmp_path, "a", "thresholded_laplacian", 20, 0, 190.0),
            _run(tmp_path, "b", "thresholded_laplacian", 20, 1, 210.0),
            _run(tmp_path, "c", "gaussian", 1, 0, None, status="diverged"),
            _run(tmp_path, "d", "fista", 1, 0, 100.0),
            _run(tmp_path, "e", "sklearn", 1, 0, 90.0,
                 transforms={"lasso_cd": {"val_loss": 90.0, "val_recon": 1.0, "val_l1": 2.0,
                                          "frac_nonzero": 0.2},
                             "omp": {"val_loss": 95.0, "val_recon": 1.0, "val_l1": 2.0,
                                     "frac_nonzero": 0.1}})]
    table = table1(read_finals(runs))
    assert list(table.method) == ["fista", "sklearn_lasso_cd", "sklearn_omp", "gaussian",
                                  "thresholded_laplacian"]
    tl = table[table.method == "thresholded_laplacian"].iloc[0]
    assert tl.n_seeds == 2 and tl.val_loss_mean == 200.0
    assert tl.val_loss_std == pytest.approx(14.1421, rel=1e-4)
    assert tl.ratio_to_paper == pytest.approx(200.0 / 194.0)
    gauss = table[table.method == "gaussian"].iloc[0]
    assert gauss.n_diverged == 1 and math.isnan(gauss.val_loss_mean)
    md = table1_markdown(table)
    assert "| Gaussian | diverged | 1.35E+03 |" in md
    assert "| FISTA (baseline) | 1.00E+02 | 1.01E+02 |" in md
    assert "bundled-photographs" in md and "preset: unit" in md
    assert r"\toprule" in table1_latex(table)
    curves = read_curves(runs)
    assert len(curves) == 4  # the diverged run has no epochs


def test_missing_final_is_a_clear_error(tmp_path):
    (tmp_path / "r").mkdir()
    with pytest.raises(FileNotFoundError, match="has not finished"):
        read_finals([tmp_path / "r"])


def test_kendall_tau():
    assert kendall_tau([1, 2, 3], [10, 20, 30]) == 1.0
    assert kendall_tau([1, 2, 3], [30, 20, 10]) == -1.0
