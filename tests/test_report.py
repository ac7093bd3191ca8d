"""The reproduction report from fixture run records."""

import pandas as pd

from tests.test_aggregate import _run
from vsc.aggregate import read_finals, table1
from vsc.report import build_report, claims


def _table(tmp_path, tl=(190.0, 185.0), gauss=(1300.0, 1290.0)):
    runs = [_run(tmp_path, "tl1", "thresholded_laplacian", 1, 0, tl[0]),
            _run(tmp_path, "tl20", "thresholded_laplacian", 20, 0, tl[1]),
            _run(tmp_path, "g1", "gaussian", 1, 0, gauss[0]),
            _run(tmp_path, "g20", "gaussian", 20, 0, gauss[1]),
            _run(tmp_path, "ss", "spike_slab", 1, 0, None, status="diverged"),
            _run(tmp_path, "f", "fista", 1, 0, 95.0, vsc_version="0.1.0", git_commit="abc")]
    finals = read_finals(runs)
    return table1(finals), finals


def test_report_lists_numbers_orderings_and_claims(tmp_path):
    table, finals = _table(tmp_path)
    dnn = pd.DataFrame([{"method": "gaussian", "label": "Gaussian", "latents": 32, "J": 4,
                         "n_seeds": 1, "mse_per_pixel_mean": 0.01,
                         "mse_per_pixel_std": float("nan"),
                         "paper_mse_celeba_512": 0.0179, "frac_nonzero_mean": 1.0,
                         "recovered_fraction_mean": 0.5, "dataset": "standin"}])
    text = build_report(table, finals, {"dnn_metrics": dnn}, "results/config.yaml")
    assert "| Thresholded Laplacian | 20 | 1 | - | 185 | - | 194 | 0.95 |" in text
    assert "Kendall's tau" in text and "diverged" in text
    assert "Spike-and-slab, J = 1: 1 of 1 run(s) diverged" in text
    assert ("FISTA (exact inference) scores below every amortised variational method: **held "
            "on the means (no intervals: runs without per-patch losses) "
            "(judged without Spike-and-slab J = 1, which diverged)**") in text
    assert "results/config.yaml" in text and "bundled-photographs" in text
    assert "| Gaussian | 32 | 4 | 1 | 0.0100 | 0.0179 | 100.0% | 50% |" in text


def test_claims_can_fail(tmp_path):
    table, _ = _table(tmp_path, tl=(190.0, 200.0), gauss=(150.0, 140.0))
    verdicts = dict(claims(table))
    assert verdicts["J = 20 is no worse than J = 1 for every family"].startswith("did not hold")
    lowest = ("J = 1: Thresholded Laplacian has the lowest validation loss of the variational "
              "families")
    assert verdicts[lowest].startswith("did not hold (lowest: Gaussian")


def test_report_sections_of_the_analyses(tmp_path):
    table, finals = _table(tmp_path)
    snr = pd.DataFrame([{"method": "gaussian", "J": 1, "status": "finished",
                         "encoder_snr_mean": 0.468, "dictionary_snr_mean": 0.2,
                         "reference_encoder_snr": 0.234, "dataset": "bundled"},
                        {"method": "thresholded_laplacian", "J": 1, "status": "finished",
                         "encoder_snr_mean": 0.1, "dictionary_snr_mean": 0.1,
                         "reference_encoder_snr": 0.079, "dataset": "bundled"}])
    sampling = pd.DataFrame([{"method": "thresholded_laplacian", "J": 20,
                              "estimator": "avg", "status": "finished", "val_loss": 186.0,
                              "multi_information_bits": 300.0, "jaccard_mean": 0.054,
                              "dataset": "bundled"}])
    sweep = pd.DataFrame([{"sweep": "latents", "method": "gaussian", "label": "Gaussian",
                           "latents": 512, "target_sparsity": 0.1, "n_seeds": 1,
                           "n_diverged": 0, "mse_per_pixel_mean": 0.018,
                           "mse_per_pixel_std": float("nan"), "paper_mse_per_pixel": 0.0179,
                           "multi_information_bits_mean": 12.0, "frac_nonzero_mean": 1.0,
                           "dataset": "celeba"}])
    recovery = pd.DataFrame([
        {"method": m, "J": j, "status": "finished", "recovered_fraction": f,
         "mean_matched_cosine": 0.9, "support_precision": 0.5, "support_recall": 0.4,
         "support_f1": 0.44, "val_loss": 60.0, "dataset": "synthetic:gabor256"}
        for m, j, f in (("sklearn_lasso_cd", 1, 0.89), ("fista", 1, 0.34),
                        ("thresholded_laplacian", 1, 0.25))])
    text = build_report(table, finals, {"snr": snr, "sampling": sampling, "dnn_sweep": sweep,
                                        "groundtruth": recovery})
    assert "| Gaussian | 1 | 0.468 | 0.234 | 2.0 | 0.2 |" in text
    assert "Kendall's tau of the encoder-SNR ordering over 2 (family, J) pairs" in text
    assert "| Thresholded Laplacian | 20 | avg | 186 | 300 | 0.054 |" in text
    assert "| latents | Gaussian | 512 | 0.1 | 0.0180 | 0.0179 | 12 | 100.0% |" in text
    assert ("| scikit-learn (lasso_cd) | 1 | 1 | 89% | 0.90 | 0.50 | 0.40 | 0.44 | - | - | 60 |"
            in text)
    assert ("most true atoms recovered by scikit-learn (lasso_cd), 89%; best variational "
            "family Thresholded Laplacian (J = 1), 25%") in text
    recovery.loc[recovery.method == "thresholded_laplacian", "recovered_fraction"] = 0.0
    text = build_report(table, finals, {"groundtruth": recovery})
    assert ("no variational family recovered an atom (closest: Thresholded Laplacian (J = 1), "
            "mean matched absolute cosine 0.90)") in text


def test_one_family_alone_gets_only_the_claims_it_can_be_judged_on(tmp_path):
    """A paper-length cell of one family: no 'lowest of the families' claim, the J claim
    judged on its two runs."""
    runs = [_run(tmp_path, "tl1", "thresholded_laplacian", 1, 0, 194.0),
            _run(tmp_path, "tl20", "thresholded_laplacian", 20, 0, 186.0)]
    table = table1(read_finals(runs))
    verdicts = dict(claims(table))
    assert not any("lowest" in claim for claim in verdicts)
    assert verdicts["J = 20 is no worse than J = 1 for every family"].startswith("held")
    assert "Thresholded Laplacian" in build_report(table, read_finals(runs))


def test_dnn_report_names_the_baselines(tmp_path):
    from vsc.image_baselines import baseline_rows
    from vsc.report import build_dnn_report

    finals = read_finals([_run(tmp_path, "g", "gaussian", 4, 0, 1.0)])
    found = {"dataset": "celeba-subset (9 images, own split)", "preset": "test",
             "mean_image_mse": 0.06, "pca_mse": 0.008, "pca_components": 8}
    dnn = pd.DataFrame([{"method": "gaussian", "label": "Gaussian", "latents": 8, "J": 4,
                         "n_seeds": 1, "mse_per_pixel_mean": 0.02,
                         "mse_per_pixel_std": float("nan"), "paper_mse_celeba_512": 0.0179,
                         "frac_nonzero_mean": 1.0, "dataset": found["dataset"]},
                        *baseline_rows(found)])
    text = build_dnn_report(dnn, finals, notes=["reduced size"])
    assert "| Mean training image (no code) | 0 | - | - | 0.0600 |" in text
    assert "every family is below it, the worst by a factor 3.0" in text
    assert "0 of 1 families reconstruct better" in text and "reduced size" in text
