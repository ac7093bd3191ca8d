"""scikit-learn's MiniBatchDictionaryLearning, scored with the Table 1 metric.

scikit-learn minimises 1/2 ||x - c D||^2 + alpha ||c||_1 per sample with atoms of norm <= 1
(checked in scikit-learn 1.9: its Lasso alpha is divided by n_features to match), while our
atoms grow freely. For any atom scale s, A = s D^T and b = c / s give
    1/2 ||x - A b||^2 + lam ||b||_1 = 1/2 ||x - c D||^2 + (lam / s) ||c||_1,
so training at alpha = lam / s and rescaling scores exactly our objective for a dictionary
whose atoms have norm s (``sklearn.atom_norm``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.decomposition import MiniBatchDictionaryLearning, sparse_encode

from vsc.config import Config
from vsc.data.patches import PatchSet, load_patches
from vsc.dictionary import Dictionary
from vsc.groundtruth import GROUNDTRUTH_KEYS, groundtruth_scores
from vsc.linear import dictionary_scores
from vsc.metrics import sparse_coding_objective
from vsc.results import RunFolder, run_identity
from vsc.runtime import derive_seed, provenance

SCORE_KEYS = ("val_loss", "val_recon", "val_l1", "frac_nonzero")


def to_our_scale(atoms_rows: np.ndarray, codes: np.ndarray, atom_norm: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's (D [K, P], c [N, K]) -> our (A [P, K], b [N, K]) at atom norm s."""
    return atom_norm * atoms_rows.T, codes / atom_norm


def sklearn_alpha(lam: float, atom_norm: float) -> float:
    """The alpha at which scikit-learn optimises our objective at ``lam`` (see module doc)."""
    return lam / atom_norm


def encode(x: np.ndarray, atoms_rows: np.ndarray, algorithm: str, alpha: float,
           n_nonzero: int) -> np.ndarray:
    """Codes [N, K] for signals x [N, P] by scikit-learn's sparse_encode (omp: at most
    ``n_nonzero`` atoms, capped at the dictionary size)."""
    if algorithm == "omp":
        return sparse_encode(x, atoms_rows, algorithm="omp",
                             n_nonzero_coefs=min(n_nonzero, atoms_rows.shape[0]))
    return sparse_encode(x, atoms_rows, algorithm=algorithm, alpha=alpha, max_iter=2000)


def train_sklearn(config: Config, seed: int, out: str | Path, *,
                  replace_stale: bool = False) -> dict:
    """Fit the dictionary on the training patches, code the validation patches with each
    configured algorithm, and write the run folder (one metrics row per algorithm)."""
    RunFolder(out, config, {}).check_usable()
    patches = load_patches(config.data)
    folder = RunFolder(out, config, run_identity(config, "linear", "sklearn", 1, seed,
                                                 patches.dataset))
    with folder.session(replace_stale):
        done = folder.finished()
        if done is not None:
            return done
        folder.start()
        return _fit_and_score(config, patches, folder, seed)


def _fit_and_score(config: Config, patches: PatchSet, folder: RunFolder, seed: int) -> dict:
    """The body of train_sklearn, inside the folder's session."""
    sc, lam = config.sklearn, config.fista.lam
    alpha = sklearn_alpha(lam, sc.atom_norm)
    started = time.perf_counter()
    model = MiniBatchDictionaryLearning(
        n_components=config.linear.latents, alpha=alpha, batch_size=sc.batch_size,
        max_iter=sc.epochs, fit_algorithm="cd", shuffle=True,
        random_state=derive_seed("sklearn", seed) % 2**32)
    model.fit(patches.train.astype(np.float64))
    fit_seconds = time.perf_counter() - started

    rows = []
    for algorithm in sc.transform_algorithms:
        t0 = time.perf_counter()
        codes = encode(patches.val.astype(np.float64), model.components_, algorithm, alpha,
                       sc.omp_nonzero)
        atoms, b = to_our_scale(model.components_, codes, sc.atom_norm)
        score = sparse_coding_objective(torch.from_numpy(patches.val.astype(np.float64)),
                                        torch.from_numpy(atoms), torch.from_numpy(b), lam)
        rows.append({**folder.identity, "method": f"sklearn_{algorithm}",
                     "transform_algorithm": algorithm, "val_loss": score.total.mean().item(),
                     "val_recon": score.recon.mean().item(), "val_l1": score.l1.mean().item(),
                     "frac_nonzero": float((b != 0).mean()),
                     "encode_seconds": time.perf_counter() - t0,
                     **({} if patches.truth is None else
                        groundtruth_scores(atoms, b, patches.truth))})
    # the dictionary is the same for every coding algorithm: scored once, as at a last epoch
    judged = dictionary_scores(torch.from_numpy(patches.val),
                               Dictionary(torch.from_numpy(atoms.astype(np.float32))),
                               config.linear, epoch=0, epochs=1)
    rows = [{**row, **judged} for row in rows]
    folder.write_metrics(rows)
    folder.write_dictionary(atoms)
    first, keys = rows[0], [k for k in SCORE_KEYS + GROUNDTRUTH_KEYS if k in rows[0]]
    return folder.finish({
        **folder.identity, **{k: first[k] for k in keys}, **judged,
        "transform_algorithm": first["transform_algorithm"], "status": "finished",
        "transforms": {r["transform_algorithm"]: {k: r[k] for k in keys} for r in rows},
        "alpha": alpha, "atom_norm": sc.atom_norm, "epochs": sc.epochs,
        "fit_seconds": fit_seconds, "wall_seconds": time.perf_counter() - started,
        "sklearn_version": sklearn.__version__, **provenance(torch.device("cpu"))})
