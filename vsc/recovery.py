"""Linear dictionaries recovered from a DNN generator's codes (METHOD.md section 6), and how
well they match known ground-truth atoms.

Encode test images (max sampling, J = 50), load the same images at 32x32, and fit the least
squares map from codes to pixels: A = C_sr pinv(C_rr), C_sr = Y^T Z / N, C_rr = Z^T Z / N.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from vsc.config import Config
from vsc.io import atomic_path, write_json
from vsc.results import open_finished_run
from vsc.runtime import derive_seed

MATCH_THRESHOLD = 0.9


def fit_dictionary(codes: np.ndarray, images: np.ndarray, center: bool = False) -> np.ndarray:
    """Least-squares map from codes Z [N, K] to images Y [N, P]: A [P, K] = C_sr pinv(C_rr).

    ``center`` subtracts the mean image and mean code first (the paper's formula does not)."""
    z, y = codes.astype(np.float64), images.reshape(len(images), -1).astype(np.float64)
    if center:
        z, y = z - z.mean(0), y - y.mean(0)
    n = len(z)
    return (y.T @ z / n) @ np.linalg.pinv(z.T @ z / n)


def match_atoms(recovered: np.ndarray, truth: np.ndarray,
                threshold: float = MATCH_THRESHOLD) -> dict[str, float]:
    """Compare recovered atoms [P, K] with true atoms [P, T] by absolute cosine.

    recovered_fraction: share of true atoms matched one-to-one (Hungarian assignment on
    |cos|) with |cos| above ``threshold``; mean_matched_cosine: mean |cos| of that matching;
    mean_best_cosine: mean over true atoms of the best |cos| of any recovered atom."""
    def unit(a):
        norms = np.linalg.norm(a, axis=0, keepdims=True)
        return a / np.where(norms == 0, 1, norms)

    cos = np.abs(unit(recovered).T @ unit(truth))  # [K, T]
    rows, cols = linear_sum_assignment(-cos)
    matched = np.zeros(truth.shape[1])
    matched[cols] = cos[rows, cols]
    return {"recovered_fraction": float((matched > threshold).mean()),
            "mean_matched_cosine": float(matched.mean()),
            "mean_best_cosine": float(cos.max(axis=0).mean()),
            "n_true_atoms": int(truth.shape[1]), "n_recovered_atoms": int(recovered.shape[1])}


def recover(config: Config, run: str | Path, out: str | Path, center: bool = False) -> dict:
    """Fit the recovered dictionary of a finished DNN run; write recovered.npy and
    recovery.json (with ground-truth scores on the stand-in) into ``out``."""
    from vsc.dnn import build_dnn

    folder, final = open_finished_run(run, config, "dnn")
    if final["status"] != "finished":  # diverged: an empty dictionary, the status says why
        result = {**_identity(final), "status": final["status"]}
        _write(Path(out), np.zeros((0, 0), np.float32), result)
        return result
    exp = build_dnn(config, final["method"], final["samples"], final["seed"])
    exp.load_state_dict(folder.load_checkpoint()["experiment"])
    dc, size = config.dnn, config.data.celeba.recovery_size
    batch = max(1, 2000 // dc.recovery_samples)
    codes = exp.encode(exp.images.test_batches(batch), dc.recovery_samples,
                       derive_seed("recover", final["seed"]))["codes"].numpy()
    images = torch.cat(list(exp.images.test_batches(1000, size=size))).numpy()
    atoms = fit_dictionary(codes, images, center=center)
    result = {**_identity(final), "status": "finished", "center": center,
              "recovery_samples": dc.recovery_samples, "image_size": size,
              "n_images": len(images), "frac_nonzero": float((codes != 0).mean())}
    if config.dnn.dataset == "standin":
        from vsc.data.standin import downsample, make_standin

        truth = downsample(make_standin(config.data.standin).atoms, size)
        truth = truth.reshape(len(truth), -1).T
        result.update(match_atoms(atoms, truth))
        # the other variant's scores too, so both can be read off one run
        other = fit_dictionary(codes, images, center=not center)
        prefix = "uncentered_" if center else "centered_"
        result.update({prefix + k: v for k, v in match_atoms(other, truth).items()
                       if not k.startswith("n_")})
    _write(Path(out), atoms.astype(np.float32), result)
    return result


def _write(out: Path, atoms: np.ndarray, result: dict) -> None:
    with atomic_path(out / "recovered.npy") as tmp, open(tmp, "wb") as fh:
        np.save(fh, atoms)
    write_json(out / "recovery.json", result)


def _identity(final: dict) -> dict:
    return {k: final[k] for k in ("method", "samples", "seed", "dataset", "preset")}
