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
from typing import Any

import numpy as np
import sklearn
import torch
from sklearn.decomposition import MiniBatchDictionaryLearning, sparse_encode

from vsc.config import Config
from vsc.data.patches import PatchSet, load_patches
from vsc.dictionary import Dictionary
from vsc.groundtruth import GROUNDTRUTH_KEYS
from vsc.results import RunFolder, run_identity
from vsc.runtime import derive_seed
from vsc.scoring import dictionary_scores, score_codes
from vsc.training import Experiment, run_experiment

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


class SklearnExperiment(Experiment):
    """scikit-learn's dictionary learning as a run of the shared run loop (checkpoint,
    final.json, divergence as a result). Its one loop epoch is the whole fit (sklearn.epochs
    passes over the training patches); validation codes the patches with each configured
    algorithm, one metrics row each, the first being the run's own."""

    def __init__(self, config: Config, seed: int, patches: PatchSet) -> None:
        self.config, self.seed, self.sc = config, seed, config.sklearn
        self.lam = config.fista.lam
        self.alpha = sklearn_alpha(self.lam, self.sc.atom_norm)
        self.device, self.epochs = torch.device("cpu"), 1
        self.train_x, self.val_x, self.truth = patches.train, patches.val, patches.truth
        self.components: np.ndarray | None = None  # scikit-learn's [K, P] atoms, once fitted
        self.transforms: dict[str, dict[str, float]] = {}

    def train_epoch(self, epoch: int) -> dict[str, float]:
        started = time.perf_counter()
        model = MiniBatchDictionaryLearning(
            n_components=self.config.linear.latents, alpha=self.alpha,
            batch_size=self.sc.batch_size, max_iter=self.sc.epochs, fit_algorithm="cd",
            shuffle=True, random_state=derive_seed("sklearn", self.seed) % 2**32)
        model.fit(self.train_x.astype(np.float64))
        self.components = model.components_
        return {"iteration": int(model.n_steps_), "fit_seconds": time.perf_counter() - started}

    def evaluate(self, epoch: int) -> list[dict[str, Any]]:
        val = self.val_x.astype(np.float64)
        atoms = self.dictionary()
        # the dictionary is the same for every coding algorithm: judged once
        judged = dictionary_scores(torch.from_numpy(self.val_x),
                                   Dictionary(torch.from_numpy(atoms.astype(np.float32))),
                                   self.config.linear, epoch, self.epochs)
        rows = []
        for algorithm in self.sc.transform_algorithms:
            started = time.perf_counter()
            codes = encode(val, self.components, algorithm, self.alpha, self.sc.omp_nonzero)
            _, b = to_our_scale(self.components, codes, self.sc.atom_norm)
            extra = {"encode_seconds": time.perf_counter() - started}
            rows.append({"method": f"sklearn_{algorithm}", "transform_algorithm": algorithm,
                         **score_codes(torch.from_numpy(val), torch.from_numpy(atoms),
                                       torch.from_numpy(b), self.lam, lc=self.config.linear,
                                       epoch=epoch, epochs=self.epochs, truth=self.truth,
                                       extra=extra, judged=judged)})
        keys = [k for k in SCORE_KEYS + GROUNDTRUTH_KEYS if k in rows[0]]
        self.transforms = {r["transform_algorithm"]: {k: r[k] for k in keys} for r in rows}
        return rows

    def state_dict(self) -> dict[str, Any]:
        return {"components": self.components, "transforms": self.transforms}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.components, self.transforms = state["components"], state["transforms"]

    def dictionary(self) -> np.ndarray | None:
        """Our [P, K] dictionary at atom norm sklearn.atom_norm (None before the fit)."""
        if self.components is None:
            return None
        return self.sc.atom_norm * self.components.T  # as to_our_scale

    def summary(self) -> dict[str, Any]:
        return {"transforms": self.transforms, "alpha": self.alpha,
                "atom_norm": self.sc.atom_norm, "passes": self.sc.epochs,
                "sklearn_version": sklearn.__version__}


def train_sklearn(config: Config, seed: int, out: str | Path, *,
                  stop_after_epoch: int | None = None, progress: bool = True,
                  replace_stale: bool = False) -> dict | None:
    """Fit the dictionary on the training patches, code the validation patches with each
    configured algorithm, and write the run folder (one metrics row per algorithm); run,
    resumed or skipped like every other run."""
    RunFolder(out, config, {}).check_usable()
    patches = load_patches(config.data)
    folder = RunFolder(out, config, run_identity(config, "linear", "sklearn", 1, seed,
                                                 patches.dataset))
    return run_experiment(SklearnExperiment(config, seed, patches), folder,
                          stop_after_epoch=stop_after_epoch, progress=progress,
                          replace_stale=replace_stale)
