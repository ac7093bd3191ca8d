"""What the DNN table's MSE is measured against, as Table 1 has its zero code: the mean
training image (no code at all) and PCA with as many components as the DNN's code has latents
(the best linear code of that size), both scored on the DNN experiment's test images with the
same per-pixel MSE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from vsc.config import Config
    from vsc.dnn import ImageSet

MEAN_IMAGE = "mean_image"
PCA = "pca"
BASELINE_LABELS = {MEAN_IMAGE: "Mean training image (no code)",
                   PCA: "PCA (as many components as latents)"}
BATCH = 250


def _stack(batches) -> np.ndarray:
    """[N, 3 * S * S] float32 from batches of [B, 3, S, S] images."""
    return torch.cat([b.reshape(len(b), -1) for b in batches]).numpy()


def baseline_mses(train: np.ndarray, test: np.ndarray, components: int
                  ) -> dict[str, float | int]:
    """Per-pixel MSE on ``test`` [M, P] of the mean of ``train`` [N, P] and of the
    ``components``-dimensional PCA fitted to ``train`` (randomized SVD, seed 0; capped at
    N - 1 and P components)."""
    from sklearn.decomposition import PCA as SkPCA

    mean = train.mean(0, dtype=np.float64)
    mean_mse = float(np.mean((test - mean) ** 2))
    k = min(components, len(train) - 1, train.shape[1])
    pca = SkPCA(n_components=k, svd_solver="randomized", random_state=0).fit(train)
    recon = pca.inverse_transform(pca.transform(test))
    return {"mean_image_mse": mean_mse, "pca_mse": float(np.mean((test - recon) ** 2)),
            "pca_components": int(k),
            "pca_explained_variance": float(pca.explained_variance_ratio_.sum())}


def image_baselines(config: Config, images: ImageSet) -> dict:
    """The two baselines of a config's DNN experiment on its own images: fitted to the first
    ``dnn.baseline_fit_images`` training images (unflipped), scored on all test images at
    64 x 64. Returns the MSEs with the data, preset and sizes they were computed on."""
    n_fit = min(images.n_train, config.dnn.baseline_fit_images)
    batch = min(BATCH, n_fit)
    train = _stack(images.train_batches(torch.arange(n_fit), batch))
    test = _stack(images.test_batches(BATCH))
    result = baseline_mses(train, test, config.dnn.latents)
    return {"dataset": images.name, "preset": config.preset, "latents": config.dnn.latents,
            "n_fit": len(train), "n_test": len(test), **result}


def baseline_rows(found: dict) -> list[dict]:
    """The DNN table's rows of ``image_baselines``' result: method, label, latents (the PCA's
    components; 0 for the mean image) and MSE, with the data and preset."""
    common = {"target_sparsity": np.nan, "J": np.nan, "n_seeds": np.nan, "n_diverged": 0,
              "dataset": found["dataset"], "preset": found["preset"]}
    return [{"method": MEAN_IMAGE, "label": BASELINE_LABELS[MEAN_IMAGE], "latents": 0,
             "mse_per_pixel_mean": found["mean_image_mse"], "frac_nonzero_mean": 0.0, **common},
            {"method": PCA, "label": BASELINE_LABELS[PCA], "latents": found["pca_components"],
             "mse_per_pixel_mean": found["pca_mse"], "frac_nonzero_mean": 1.0, **common}]
