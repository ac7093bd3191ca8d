"""Dictionary learning with FISTA codes (the paper's baseline), on the same data, dictionary
initialisation, SGD rule, epochs and validation metric as the variational runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from vsc.config import Config
from vsc.data.patches import PatchSet, load_patches
from vsc.dictionary import Dictionary
from vsc.fista import fista, fista_batched
from vsc.linear import data_order, patch_tensors
from vsc.results import RunFolder, run_identity
from vsc.runtime import derive_seed, resolve_device
from vsc.scoring import score_codes
from vsc.training import Diverged, Experiment, run_experiment


class FistaExperiment(Experiment):
    """Alternate FISTA codes at a warming-up lambda and one dictionary SGD step per batch."""

    def __init__(self, config: Config, seed: int, patches: PatchSet) -> None:
        self.config, self.seed = config, seed
        self.lc, self.fc = config.linear, config.fista
        self.device = resolve_device(config.device)
        self.epochs = self.lc.epochs
        self.train_x, self.val_x, self.iters_per_epoch = patch_tensors(
            patches, self.lc.batch_size, self.device)
        self.truth = patches.truth
        self.dict = Dictionary.unit_norm(self.train_x.shape[1], self.lc.latents,
                                         derive_seed("dictionary", seed), self.device)
        self.dict_lr, self.step = self.lc.dict_lr, 0
        self.snapshot_every = self.lc.snapshot_every
        self.solver = {"max_iter": self.fc.max_iter, "tol": self.fc.tol,
                       "stopping": self.fc.stopping, "restart": self.fc.restart}

    def lam(self, step: int) -> float:
        """lam x min(1, start + step_fraction x step): the reference's warm-up."""
        return self.fc.lam * min(1.0, self.fc.lam_start_fraction + self.fc.lam_step_fraction * step)

    def train_epoch(self, epoch: int) -> dict[str, float]:
        order = data_order(len(self.train_x), self.seed, epoch, self.device)
        bs, iters, objective = self.lc.batch_size, 0.0, 0.0
        for i in range(self.iters_per_epoch):
            x = self.train_x[order[i * bs:(i + 1) * bs]]
            result = fista(x, self.dict.atoms, self.lam(self.step), **self.solver)
            if not torch.isfinite(result.objective).all():
                raise Diverged(self.step)
            self.dict.sgd_step(x, result.codes.unsqueeze(1), None, self.dict_lr,
                               self.lc.dict_weight_decay)
            iters += result.iterations.float().mean().item()
            objective += result.objective.mean().item()
            self.step += 1
        self.dict_lr *= self.lc.dict_lr_decay
        n = self.iters_per_epoch
        return {"iteration": self.step, "train_loss": objective / n, "lam": self.lam(self.step),
                "fista_iterations": iters / n, "dict_lr": self.dict_lr}

    def evaluate(self, epoch: int) -> dict[str, float]:
        result = fista_batched(self.val_x, self.dict.atoms, self.fc.lam,
                               batch_size=self.lc.val_batch_size, **self.solver)
        extra = {"val_fista_iterations": result.iterations.float().mean().item()}
        return score_codes(self.val_x, self.dict.atoms, result.codes, self.fc.lam, lc=self.lc,
                           epoch=epoch, epochs=self.epochs, truth=self.truth, extra=extra)

    def state_dict(self) -> dict[str, Any]:
        return {"atoms": self.dict.atoms.cpu(), "dict_lr": self.dict_lr, "step": self.step}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.dict.atoms = state["atoms"].to(self.device)
        self.dict_lr, self.step = state["dict_lr"], state["step"]

    def dictionary(self) -> np.ndarray:
        return self.dict.atoms.cpu().numpy()

    def summary(self) -> dict[str, Any]:
        return {"stopping": self.fc.stopping, "restart": self.fc.restart,
                "iterations_per_epoch": self.iters_per_epoch}


def train_fista(config: Config, seed: int, out: str | Path, *,
                stop_after_epoch: int | None = None, progress: bool = True,
                replace_stale: bool = False) -> dict | None:
    """Run (or resume, or skip if finished) one FISTA dictionary-learning run into ``out``."""
    RunFolder(out, config, {}).check_usable()
    patches = load_patches(config.data)
    exp = FistaExperiment(config, seed, patches)
    folder = RunFolder(out, config, run_identity(config, "linear", "fista", 1, seed,
                                                 patches.dataset))
    return run_experiment(exp, folder, stop_after_epoch=stop_after_epoch, progress=progress,
                          replace_stale=replace_stale)
