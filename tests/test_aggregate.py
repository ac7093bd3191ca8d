"""Table 1 from fixture run folders: means, paper ratios, diverged runs kept and shown."""

import json
import math

import pandas as pd
import pytest

from vsc.aggregate import (
    dnn_sweep_table,
    groundtruth_table,
    read_curves,
    read_finals,
    table1,
    table1_latex,
    table1_markdown,
)
from vsc.intervals import kendall_tau


def _run(tmp_path, name, method, samples, seed, val_loss, status="finished", **extra):
    run = tmp_path / name
    run.mkdir()
    final = {"method": method, "J": samples, "seed": seed, "val_loss": val_loss,
             "frac_nonzero": 0.1, "status": status, "dataset": "bundled-photographs",
             "preset": "unit", "experiment": "linear", **extra}
    (run / "final.json").write_text(json.dumps(final))
    rows = [] if status == "diverged" else [{"method": method, "J": samples, "seed": seed,
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
    assert "| Gaussian | - | diverged | 1.35E+03 |" in md
    assert "| FISTA (baseline) | - | 1.00E+02 | 1.01E+02 |" in md
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


def test_recovery_table_is_tidy_and_ordered(tmp_path):
    runs = [_run(tmp_path, "tl", "thresholded_laplacian", 1, 0, 130.0, recovered_fraction=0.0,
                 support_precision=None, support_recall=0.0),
            _run(tmp_path, "f", "fista", 1, 0, 72.0, recovered_fraction=0.34,
                 support_precision=0.28, support_recall=0.34)]
    table = groundtruth_table(read_finals(runs))
    assert table.method.tolist() == ["fista", "thresholded_laplacian"]
    assert table.label.tolist() == ["FISTA (baseline)", "Thresholded Laplacian"]
    assert table.recovered_fraction.tolist() == [0.34, 0.0]
    assert math.isnan(table.support_precision.iloc[1])


def _dnn_run(tmp_path, method, latents, sparsity, seed, mse, mi):
    return _run(tmp_path, f"{method}{latents}{sparsity}{seed}", method, 4, seed, mse,
                experiment="dnn", mse_per_pixel=mse, latents=latents,
                target_sparsity=sparsity, multi_information_bits=mi, dataset="standin")


def test_dnn_sweep_table_puts_the_main_setting_in_both_sweeps(tmp_path):
    runs = [_dnn_run(tmp_path, "gaussian", 32, 0.1, 0, 0.02, 10.0),
            _dnn_run(tmp_path, "gaussian", 64, 0.1, 0, 0.01, 20.0),
            _dnn_run(tmp_path, "thresholded_gaussian", 32, 0.1, 0, 0.03, 5.0),
            _dnn_run(tmp_path, "thresholded_gaussian", 32, 0.1, 1, 0.05, 7.0),
            _dnn_run(tmp_path, "thresholded_gaussian", 32, 0.2, 0, 0.04, 6.0),
            _dnn_run(tmp_path, "thresholded_gaussian", 512, 0.1, 0, 0.016, 9.0)]
    table = dnn_sweep_table(read_finals(runs), main_latents=32, main_sparsity=0.1)
    by = {(r.sweep, r.method, r.latents, r.target_sparsity): r for r in table.itertuples()}
    assert set(by) == {("latents", "gaussian", 32, 0.1), ("latents", "gaussian", 64, 0.1),
                       ("latents", "thresholded_gaussian", 32, 0.1),
                       ("latents", "thresholded_gaussian", 512, 0.1),
                       ("sparsity", "thresholded_gaussian", 32, 0.1),
                       ("sparsity", "thresholded_gaussian", 32, 0.2)}  # no dense family
    main = by[("sparsity", "thresholded_gaussian", 32, 0.1)]
    assert main.n_seeds == 2 and main.mse_per_pixel_mean == pytest.approx(0.04)
    assert main.multi_information_bits_std == pytest.approx(math.sqrt(2))
    assert by[("latents", "thresholded_gaussian", 512, 0.1)].paper_mse_per_pixel == 0.0162
    assert math.isnan(main.paper_mse_per_pixel)
