"""Linear dictionaries recovered from a DNN generator's codes (docs/method.md section 6), and how
well they match known ground-truth atoms.

Encode test images (max sampling, J = 50), load the same images at 32x32, and fit the least
squares map from codes to pixels: A = C_sr pinv(C_rr), C_sr = Y^T Z / N, C_rr = Z^T Z / N.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vsc.groundtruth import match_atoms
from vsc.io import atomic_path, write_json
from vsc.runtime import derive_seed


def fit_dictionary(codes: np.ndarray, images: np.ndarray, center: bool = False) -> np.ndarray:
    """Least-squares map from codes Z [N, K] to images Y [N, P]: A [P, K] = C_sr pinv(C_rr).

    ``center`` subtracts the mean image and mean code first (the paper's formula does not)."""
    z, y = codes.astype(np.float64), images.reshape(len(images), -1).astype(np.float64)
    if center:
        z, y = z - z.mean(0), y - y.mean(0)
    n = len(z)
    return (y.T @ z / n) @ np.linalg.pinv(z.T @ z / n)


def recover(run: str | Path, out: str | Path, center: bool = False) -> dict:
    """Fit the recovered dictionary of a finished DNN run (reopened from its folder); write
    recovered.npy and recovered.json (with ground-truth scores on the stand-in) into ``out``."""
    from vsc.dnn import DnnExperiment

    exp, final, config = DnnExperiment.reopen(run)
    if exp is None:  # diverged: an empty dictionary, the status says why
        result = {**_identity(final), "status": final["status"]}
        _write(Path(out), np.zeros((0, 0), np.float32), result)
        return result
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
    write_json(out / "recovered.json", result)


def _identity(final: dict) -> dict:
    return {k: final[k] for k in ("method", "J", "seed", "dataset", "preset")}


def recovered_panels(folders: list[str | Path]) -> tuple[dict[str, np.ndarray], str]:
    """The recovered dictionaries written by ``recover`` into ``folders``, titled by method
    and J (and the share of true atoms recovered, on the stand-in), with the provenance line
    that names their data and preset."""
    from vsc.aggregate import label
    from vsc.io import read_json

    panels, meta = {}, []
    for folder in map(Path, folders):
        info = read_json(folder / "recovered.json")
        meta.append(info)
        score = info.get("recovered_fraction")
        name = f"{label(info['method'])}, J={info['J']}"
        if score is not None:
            name += f" (recovered {score:.0%} of true atoms)"
        panels[name] = np.load(folder / "recovered.npy")
    provenance = (f"data: {', '.join(sorted({m['dataset'] for m in meta}))} | preset: "
                  f"{', '.join(sorted({m['preset'] for m in meta}))}")
    return panels, provenance
