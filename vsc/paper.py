"""The paper's published numbers, which the suite compares against (never results of the
suite). Fallah & Rozell, "Variational Sparse Coding with Learned Thresholding", ICML 2022;
docs/method.md sections 5 and 6 list them with their settings."""

from __future__ import annotations

# Table 1: validation loss (1/2 ||x - A b||^2 + 20 ||b||_1) of each method at J = 1 and J = 20,
# on IMAGES.mat at the paper's linear settings.
PAPER_TABLE1: dict[tuple[str, int], float] = {
    ("fista", 1): 1.01e2,
    ("gaussian", 1): 1.35e3, ("gaussian", 20): 1.35e3,
    ("laplacian", 1): 5.96e2, ("laplacian", 20): 5.79e2,
    ("spike_slab", 1): 2.52e2, ("spike_slab", 20): 2.39e2,
    ("thresholded_gaussian", 1): 2.32e2, ("thresholded_gaussian", 20): 2.30e2,
    ("thresholded_gaussian_gamma", 1): 2.85e2, ("thresholded_gaussian_gamma", 20): 2.70e2,
    ("thresholded_laplacian", 1): 1.98e2, ("thresholded_laplacian", 20): 1.94e2,
    ("thresholded_laplacian_gamma", 1): 2.23e2, ("thresholded_laplacian_gamma", 20): 2.11e2,
}

# Section 6, CelebA at 512 latents and 10% target sparsity: per-pixel MSE of test
# reconstructions, mean of three runs.
PAPER_DNN_MSE: dict[str, float] = {
    "gaussian": 0.0179, "spike_slab": 0.0219, "thresholded_gaussian": 0.0162,
    "thresholded_gaussian_gamma": 0.0170, "thresholded_laplacian": 0.0207,
    "thresholded_laplacian_gamma": 0.0208,
}

# The paper's gradient signal-to-noise analysis of the linear experiment: (encoder SNR,
# dictionary SNR) per (method, J).
PAPER_SNR: dict[tuple[str, int], tuple[float, float]] = {
    ("gaussian", 1): (0.234, 3.42e4), ("gaussian", 20): (0.192, 3.21e4),
    ("spike_slab", 1): (0.027, 1.79e4), ("spike_slab", 20): (0.047, 2.48e4),
    ("thresholded_laplacian", 1): (0.079, 2.56e4),
    ("thresholded_laplacian", 20): (0.110, 2.53e4),
}
