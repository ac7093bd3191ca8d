"""The linear-generator experiment (docs/method.md section 5): an amortised encoder and a
dictionary trained together on whitened natural-image patches.

Each iteration: encode a batch, draw J codes per patch from the family, take the max-ELBO
(or avg / iwae) loss, step the encoder, then step the dictionary with the selected codes by
the hand-written SGD rule. Each epoch ends with the Table 1 metric on validation patches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from vsc import objective
from vsc.bundle import train_together
from vsc.config import Config, ConfigError, LinearConfig
from vsc.data.patches import PatchSet, load_patches
from vsc.dictionary import Dictionary
from vsc.errors import RunFolderError
from vsc.estimators import select
from vsc.families import Codes, Family, build_family
from vsc.families.noise import fork_generator
from vsc.networks import Encoder, mlp_encoder
from vsc.results import RunFolder, run_identity
from vsc.runtime import derive_seed, resolve_device, run_device
from vsc.schedules import horizon, one_cycle_factor
from vsc.scoring import score_codes
from vsc.training import Diverged, Experiment, check_request, run_together


def sample_losses(encoder: Encoder, family: Family, dictionary: Dictionary, x: Tensor,
                  n_samples: int, step: int, kl_weight: float) -> tuple[Codes, Tensor]:
    """The family's J codes of x [N, D] and each sample's loss L [N, J] (vsc.objective),
    drawn from the global random stream."""
    params = encoder(x)
    draws = family.draw(params, n_samples, step)
    codes, _, losses = objective.sample_losses(family, params, draws, step, x,
                                               dictionary.atoms, kl_weight)
    return codes, losses


def data_order(n: int, seed: int, epoch: int, device: torch.device) -> Tensor:
    """The order [n] in which a run of ``seed`` visits its n training patches in ``epoch``:
    the same for every method, so they all see the same batches."""
    gen = torch.Generator().manual_seed(derive_seed("order", seed, epoch))
    return torch.randperm(n, generator=gen).to(device)


def patch_tensors(patches: PatchSet, batch_size: int, device: torch.device
                  ) -> tuple[Tensor, Tensor, int]:
    """Training [n_train, D] and validation [n_val, D] patches on ``device``, and the
    iterations per epoch (a training set smaller than one batch is an error)."""
    iters_per_epoch = len(patches.train) // batch_size
    if iters_per_epoch < 1:
        raise ConfigError(f"data.n_train ({len(patches.train)}) is smaller than "
                         f"linear.batch_size ({batch_size})")
    return (torch.from_numpy(patches.train).to(device), torch.from_numpy(patches.val).to(device),
            iters_per_epoch)


class LinearExperiment(Experiment):
    """One (family, J, seed) run of the linear experiment. Its training goes through
    vsc.bundle (a run alone is a bundle of one); ``tensors`` (training patches, validation
    patches, iterations per epoch) lets the runs of a bundle share one copy on the device."""

    kind = "linear"

    def __init__(self, config: Config, family: str, samples: int, seed: int,
                 patches: PatchSet, tensors: tuple[Tensor, Tensor, int] | None = None) -> None:
        lc = self.lc = config.linear
        self.config, self.samples, self.seed = config, samples, seed
        self.family = build_family(family, config.family)
        self.device = run_device(config)
        self.epochs = lc.epochs
        self.eval_samples = lc.eval_samples or samples
        self.train_x, self.val_x, self.iters_per_epoch = (
            tensors or patch_tensors(patches, lc.batch_size, self.device))
        self.truth = patches.truth

        torch.manual_seed(derive_seed("linear", family, samples, seed))
        n_pixels = self.train_x.shape[1]
        self.encoder = mlp_encoder(n_pixels, lc.encoder_hidden, self.family.heads,
                                   lc.latents).to(self.device)
        # The initial dictionary depends on the seed only: every family starts from the same A.
        self.dict = Dictionary.unit_norm(n_pixels, lc.latents, derive_seed("dictionary", seed),
                                         self.device)
        # The run's own random stream, continuing the seeded global one: the same draws
        # whether the run trains alone or in a bundle.
        self.rng = fork_generator(self.device)
        # Nesterov SGD momentum per encoder parameter name (None before the first step) and
        # the one-cycle schedule of its learning rate, a pure function of the iteration.
        self.momentum: dict[str, Tensor] | None = None
        self.schedule_horizon = horizon(self.epochs * self.iters_per_epoch, lc.schedule)
        self.dict_lr = lc.dict_lr
        self.step = 0
        self.snapshot_every = lc.snapshot_every

    # ------------------------------------------------------------------ training
    def data_order(self, epoch: int) -> Tensor:
        """The order [n_train] in which ``epoch`` visits the training patches."""
        return data_order(len(self.train_x), self.seed, epoch, self.device)

    def encoder_lr_at(self, step: int) -> float:
        """The encoder's learning rate at iteration ``step``."""
        return self.lc.encoder_lr * one_cycle_factor(step, self.schedule_horizon,
                                                     self.lc.schedule)

    def set_position(self, step: int, iterations_per_epoch: int | None = None) -> None:
        """Place the run at iteration ``step`` (past the warm-ups when large), with epochs of
        ``iterations_per_epoch``: benchmarks time a run in the middle of its training."""
        self.step = step
        if iterations_per_epoch is not None:
            self.iters_per_epoch = iterations_per_epoch

    def end_epoch(self, step: int, train_loss: float) -> dict[str, float]:
        """Close an epoch that ended before iteration ``step`` with mean loss ``train_loss``:
        the run's position and dictionary learning rate move on; its row of metrics.csv
        (the family's own schedules included)."""
        self.step = step
        self.dict_lr *= self.lc.dict_lr_decay
        return {"iteration": step, "train_loss": train_loss,
                "encoder_lr": self.encoder_lr_at(step), "dict_lr": self.dict_lr,
                **self.family.schedule(step)}

    def train_epoch(self, epoch: int) -> dict[str, float]:
        result = train_together([self], epoch)[0]
        if isinstance(result, Diverged):
            raise result
        return result

    # ------------------------------------------------------------------ analyses
    @classmethod
    def rebuild(cls, config: Config, final: dict) -> LinearExperiment:
        return cls(config, final["method"], final["J"], final["seed"], load_patches(config.data))

    def validation_patches(self) -> Tensor:
        """The validation patches [n_val, D] on the run's device."""
        return self.val_x

    @torch.no_grad()
    def sample_codes(self, x: Tensor) -> Tensor:
        """The run's J codes [N, J, K] of x [N, D], drawn from the global random stream."""
        self.encoder.eval()
        return self.family(self.encoder(x), self.samples, self.step).z

    def gradient_sample(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """One stochastic evaluation of the training loss on x [B, D] (fresh noise, the run's
        estimator): the encoder's gradient, flattened [n_parameters], and the dictionary's
        update direction, flattened [D * K]."""
        self.encoder.train()
        lc = self.lc
        z, losses = objective.training_losses(self.family, self.encoder(x), x, self.dict.atoms,
                                              self.samples, self.step, lc.kl_weight,
                                              lc.estimator)
        chosen = select(losses, lc.estimator)
        self.encoder.zero_grad(set_to_none=True)
        chosen.loss.backward()
        encoder = torch.cat([p.grad.reshape(-1) for p in self.encoder.parameters()])
        weights = None if lc.estimator == "max" else chosen.weights
        return encoder, -self.dict.gradient(x, z.detach(), weights).reshape(-1)

    # ------------------------------------------------------------------ validation
    @torch.no_grad()
    def encode(self, x: Tensor, n_samples: int, seed: int) -> dict[str, Tensor]:
        """Max-ELBO codes of x [N, D] with their statistics, from a private RNG stream.

        Returns codes [N, K], loss [N] (the selected L), kl [N] and per latent kl_latent
        [N, K], threshold [N, K] or None."""
        self.encoder.eval()
        with torch.random.fork_rng(devices=[self.device] if self.device.type == "cuda" else []):
            torch.manual_seed(seed)
            parts = []
            for chunk in x.split(self.lc.val_batch_size):
                codes, losses = sample_losses(self.encoder, self.family, self.dict, chunk,
                                              n_samples, self.step, self.lc.kl_weight)
                chosen = select(losses, "max")
                threshold = codes.threshold
                parts.append({"codes": chosen.pick(codes.z),
                              "loss": chosen.pick(losses.unsqueeze(-1)).squeeze(-1),
                              "kl": codes.kl.sum(-1), "kl_latent": codes.kl,
                              "threshold": None if threshold is None else chosen.pick(threshold)})
        return {k: None if parts[0][k] is None else torch.cat([p[k] for p in parts])
                for k in parts[0]}

    def evaluate(self, epoch: int) -> dict[str, float]:
        enc = self.encode(self.val_x, self.eval_samples, derive_seed("val", self.seed, epoch))
        extra = {"val_kl": enc["kl"].mean().item(),
                 "val_elbo_loss": enc["loss"].mean().item(),
                 "mean_threshold": (math.nan if enc["threshold"] is None
                                    else enc["threshold"].mean().item())}
        return score_codes(self.val_x, self.dict.atoms, enc["codes"], self.lc.eval_lambda,
                           lc=self.lc, epoch=epoch, epochs=self.epochs, truth=self.truth,
                           extra=extra, kl_latent=enc["kl_latent"].cpu().numpy())

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        return {"encoder": self.encoder.state_dict(), "momentum": self.momentum,
                "atoms": self.dict.atoms.cpu(), "dict_lr": self.dict_lr, "step": self.step,
                "rng": self.rng.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "rng" not in state:
            raise RunFolderError("the checkpoint was written by an older vsc-bench (before "
                                 "runs had their own random stream); delete the run folder "
                                 "to train it again")
        self.encoder.load_state_dict(state["encoder"])
        self.momentum = None if state["momentum"] is None else {
            name: buf.to(self.device) for name, buf in state["momentum"].items()}
        self.dict.atoms = state["atoms"].to(self.device)
        self.dict_lr, self.step = state["dict_lr"], state["step"]
        self.rng.set_state(state["rng"])

    def dictionary(self) -> np.ndarray:
        return self.dict.atoms.cpu().numpy()

    def summary(self) -> dict[str, Any]:
        return {"lambda0": getattr(self.family, "lambda0", None),
                "estimator": self.lc.estimator, "eval_samples": self.eval_samples,
                "iterations_per_epoch": self.iters_per_epoch}


def memory_need(lc: LinearConfig, samples: int, n_pixels: int) -> float:
    """Rough peak bytes of one step: a training batch's [B, J, K] family tensors (heads,
    noise, codes, KL and their gradients, about a dozen) and [B, J, D] reconstructions, or a
    validation chunk's (no gradients), whichever is larger. Only meant to catch requests
    that cannot fit, such as J = 10^8."""
    eval_samples = lc.eval_samples or samples
    train = lc.batch_size * samples * (12 * lc.latents + 4 * n_pixels)
    val = lc.val_batch_size * eval_samples * (6 * lc.latents + 2 * n_pixels)
    return 4.0 * max(train, val)


def check_linear_run(config: Config, family: str, samples: int, runs: int = 1) -> None:
    """What can be checked before the patches are extracted: family, J, device, the memory
    J and the batch sizes ask for (times ``runs`` trained together in a bundle), and the
    batch size against the training set."""
    lc, data = config.linear, config.data
    bundle = f" for a bundle of {runs} runs" if runs > 1 else ""
    check_request(family, config.family, samples,
                  runs * memory_need(lc, samples, data.patch_size**2),
                  resolve_device(config.device),
                  f"-J {samples} with linear.batch_size {lc.batch_size}, linear.val_batch_size "
                  f"{lc.val_batch_size} and linear.latents {lc.latents}{bundle}",
                  "lower -J or the batch sizes" + (" or the bundle size" if runs > 1 else ""))
    if lc.batch_size > data.n_train:
        raise ConfigError(f"config key 'linear.batch_size' ({lc.batch_size}) is larger than "
                          f"'data.n_train' ({data.n_train}); lower it or use more patches")


def train_linear(config: Config, family: str, samples: int, seed: int, out: str | Path, *,
                 stop_after_epoch: int | None = None, progress: bool = True,
                 replace_stale: bool = False) -> dict | None:
    """Run (or resume, or skip if finished) one linear run into ``out``; final.json's content.

    Inputs are checked (cheap checks first) and data loaded before the folder is created, so
    bad input leaves nothing behind."""
    return train_linear_bundle(config, samples, [(family, seed, out)],
                               stop_after_epoch=stop_after_epoch, progress=progress,
                               replace_stale=replace_stale)[0]


def train_linear_bundle(config: Config, samples: int, runs: Sequence[tuple[str, int, str | Path]],
                        *, stop_after_epoch: int | None = None, progress: bool = True,
                        replace_stale: bool = False) -> list[dict | None]:
    """Train the (family, seed, run folder) ``runs`` at one J together as a bundle
    (vsc.bundle): each run writes, resumes and finishes in its own folder exactly as
    :func:`train_linear` would, finished runs are skipped, and the unfinished ones share each
    iteration's stacked computation. Returns each run's final.json content."""
    if not runs:
        raise ConfigError("a bundle needs at least one run")
    outs = [Path(out).resolve() for _, _, out in runs]
    if len(set(outs)) != len(outs):
        raise ConfigError("two runs of the bundle write to the same run folder")
    if len({(family, seed) for family, seed, _ in runs}) != len(runs):
        raise ConfigError("a bundle holds each (family, seed) once")
    for family, _, out in runs:
        check_linear_run(config, family, samples, len(runs))
        RunFolder(out, config, {}).check_usable()
    patches = load_patches(config.data)
    exps = bundle_experiments(config, samples, [(family, seed) for family, seed, _ in runs],
                              patches)
    pairs = [(exp, RunFolder(out, config, run_identity(config, "linear", family, samples, seed,
                                                       patches.dataset)))
             for exp, (family, seed, out) in zip(exps, runs, strict=True)]
    return run_together(pairs, train_together, stop_after_epoch=stop_after_epoch,
                        progress=progress, replace_stale=replace_stale)


def bundle_experiments(config: Config, samples: int, members: Sequence[tuple[str, int]],
                       patches: PatchSet) -> list[LinearExperiment]:
    """The experiments of a bundle, one per (family, seed) of ``members``, sharing one copy
    of the patch tensors on the device (vsc.bundle.train_together trains them together)."""
    exps, tensors = [], None
    for family, seed in members:
        exp = LinearExperiment(config, family, samples, seed, patches, tensors)
        tensors = (exp.train_x, exp.val_x, exp.iters_per_epoch)
        exps.append(exp)
    return exps
