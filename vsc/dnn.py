"""The DNN-generator experiment (docs/method.md section 6): a convolutional encoder and decoder
trained on 64x64 RGB images with the same families and max-ELBO estimator as the linear
experiment. The stand-in image set (known atoms) is the default; CelebA at paper scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from vsc.code_statistics import code_statistics
from vsc.config import Config, ConfigError, DnnConfig
from vsc.estimators import select
from vsc.families import Codes, Family, build_family
from vsc.networks import ConvDecoder, Encoder, conv_encoder
from vsc.results import RunFolder, run_identity
from vsc.runtime import derive_seed, resolve_device, run_device
from vsc.training import Experiment, check_request, is_due, optimiser_step, run_experiment


class ImageSet:
    """Training batches and test images of the DNN experiment, [N, 3, S, S] in [0, 1]."""

    name: str
    n_train: int

    def train_batches(self, order: Tensor, batch_size: int) -> Iterator[Tensor]:
        raise NotImplementedError

    def test_batches(self, batch_size: int, size: int = 64) -> Iterator[Tensor]:
        raise NotImplementedError


class StandinSet(ImageSet):
    """The synthetic stand-in, held in memory."""

    def __init__(self, config: Config) -> None:
        from vsc.data.standin import NAME, make_standin

        self.images = make_standin(config.data.standin)
        self.name, self.n_train = NAME, len(self.images.train)
        self.train = torch.from_numpy(self.images.train)

    def train_batches(self, order: Tensor, batch_size: int) -> Iterator[Tensor]:
        for i in range(len(order) // batch_size):
            yield self.train[order[i * batch_size:(i + 1) * batch_size]]

    def test_batches(self, batch_size: int, size: int = 64) -> Iterator[Tensor]:
        from vsc.data.standin import downsample

        test = self.images.test if size == 64 else downsample(self.images.test, size)
        yield from torch.from_numpy(np.ascontiguousarray(test)).split(batch_size)


class CelebaSet(ImageSet):
    """CelebA's train / test splits (data.celeba.root, in any layout vsc.data.celeba reads),
    decoded in DataLoader workers."""

    def __init__(self, config: Config) -> None:
        from vsc.data.celeba import CelebA, find_celeba

        cc = self.config = config.data.celeba
        self.layout = find_celeba(cc)
        self.name = self.layout.name
        self.train = CelebA(self.layout, "train", cc.image_size, cc.max_train)
        self.n_train = len(self.train)

    def _loader(self, dataset, batch_size: int, sampler=None) -> torch.utils.data.DataLoader:
        return torch.utils.data.DataLoader(dataset, batch_size=batch_size, sampler=sampler,
                                           num_workers=self.config.num_workers, drop_last=False,
                                           persistent_workers=False,
                                           pin_memory=torch.cuda.is_available())

    def train_batches(self, order: Tensor, batch_size: int) -> Iterator[Tensor]:
        usable = order[:len(order) // batch_size * batch_size].tolist()
        yield from self._loader(self.train, batch_size, sampler=usable)

    def test_batches(self, batch_size: int, size: int = 64) -> Iterator[Tensor]:
        from vsc.data.celeba import CelebA

        test = CelebA(self.layout, "test", size, self.config.max_test)
        yield from self._loader(test, batch_size)


def image_set(config: Config) -> ImageSet:
    return StandinSet(config) if config.dnn.dataset == "standin" else CelebaSet(config)


def reconstruction_losses(encoder: Encoder, decoder: ConvDecoder, family: Family, x: Tensor,
                          n_samples: int, step: int, kl_weight: float, amp: bool
                          ) -> tuple[Codes, Tensor, Tensor]:
    """L[n, j] = per-pixel MSE of g(z_nj) + kl_weight sum_k KL_k(n) for x [N, 3, 64, 64].

    Returns (codes, L [N, J], reconstructions [N, J, 3, 64, 64]). Under ``amp`` the networks
    run in bfloat16 autocast while sampling, KL and losses stay in float32."""
    autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if amp and x.is_cuda
                else nullcontext())
    with autocast:
        params = encoder(x)
    codes = family({k: v.float() for k, v in params.items()}, n_samples, step)
    with autocast:
        recon = decoder(codes.z)
    mse = (x.unsqueeze(1) - recon.float()).pow(2).mean(dim=(-3, -2, -1))
    return codes, mse + kl_weight * codes.kl.sum(-1, keepdim=True), recon


class DnnExperiment(Experiment):
    """One (family, J, seed) run of the DNN experiment."""

    headline = "mse_per_pixel"  # per-pixel MSE of the test images (Table 1's loss is linear)
    kind = "dnn"

    def __init__(self, config: Config, family: str, samples: int, seed: int,
                 images: ImageSet) -> None:
        dc = self.dc = config.dnn
        self.config, self.samples, self.seed, self.images = config, samples, seed, images
        self.family = build_family(family, dc.family)
        self.device = run_device(config)
        self.epochs = dc.epochs
        self.iters_per_epoch = images.n_train // dc.batch_size
        if self.iters_per_epoch < 1:
            raise ConfigError(f"{images.n_train} training images are fewer than "
                              f"dnn.batch_size ({dc.batch_size})")
        torch.manual_seed(derive_seed("dnn", family, samples, seed))
        # channels-last convolutions: about 15% faster on CPU (oneDNN), the layout tensor
        # cores prefer on GPU; the numbers are the same convolutions
        layout = {"device": self.device, "memory_format": torch.channels_last}
        self.encoder = conv_encoder(self.family.heads, dc.latents, dc.width).to(**layout)
        self.decoder = ConvDecoder(dc.latents, dc.width).to(**layout)
        self._training: tuple[torch.optim.Optimizer, Any] | None = None
        self.step = 0

    def training_state(self) -> tuple[torch.optim.Optimizer, Any]:
        """The Adam optimiser and its one-cycle schedule, built on first use: an analysis
        that only encodes never builds them (building an optimiser imports torch._dynamo,
        about 1.4 s)."""
        if self._training is None:
            from vsc.schedules import one_cycle

            dc = self.dc
            parameters = [*self.encoder.parameters(), *self.decoder.parameters()]
            optimizer = torch.optim.Adam(parameters, lr=dc.lr, betas=tuple(dc.betas),
                                         weight_decay=dc.weight_decay)
            self._training = optimizer, one_cycle(optimizer, self.epochs * self.iters_per_epoch,
                                                  dc.schedule)
        return self._training

    def _losses(self, x: Tensor, n_samples: int) -> tuple[Codes, Tensor, Tensor]:
        return reconstruction_losses(self.encoder, self.decoder, self.family, x, n_samples,
                                     self.step, self.dc.kl_weight, self.dc.amp)

    def train_epoch(self, epoch: int) -> dict[str, float]:
        self.encoder.train()
        self.decoder.train()
        gen = torch.Generator().manual_seed(derive_seed("dnn-order", self.seed, epoch))
        order = torch.randperm(self.images.n_train, generator=gen)
        total = torch.zeros((), device=self.device)
        optimizer, scheduler = self.training_state()
        for x in self.images.train_batches(order, self.dc.batch_size):
            x = x.to(self.device, non_blocking=True, memory_format=torch.channels_last)
            flip = (torch.rand(len(x), generator=gen) < 0.5).to(self.device)
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)  # random horizontal flip
            _, losses, _ = self._losses(x, self.samples)
            chosen = select(losses, self.dc.estimator)
            optimiser_step(chosen.loss, optimizer, scheduler, self.step)
            total += chosen.loss.detach()
            self.step += 1
        return {"iteration": self.step, "train_loss": (total / self.iters_per_epoch).item(),
                "lr": scheduler.get_last_lr()[0]}

    @torch.no_grad()
    def encode(self, batches: Iterator[Tensor], n_samples: int, seed: int
               ) -> dict[str, Tensor]:
        """Max-ELBO codes [N, K], reconstruction MSE per image [N], KL [N] and per latent
        kl_latent [N, K] of test images, drawn from a private RNG stream (training randomness
        is untouched)."""
        self.encoder.eval()
        self.decoder.eval()
        parts: dict[str, list[Tensor]] = {"codes": [], "mse": [], "kl": [], "kl_latent": []}
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            for x in batches:
                x = x.to(self.device, memory_format=torch.channels_last)
                codes, losses, recon = self._losses(x, n_samples)
                chosen = select(losses, "max")
                best = chosen.pick(recon.float())
                parts["codes"].append(chosen.pick(codes.z).cpu())
                parts["mse"].append((x - best).pow(2).mean(dim=(1, 2, 3)).cpu())
                parts["kl"].append(codes.kl.sum(-1).cpu())
                parts["kl_latent"].append(codes.kl.cpu())
        return {k: torch.cat(v) for k, v in parts.items()}

    def evaluate(self, epoch: int) -> dict[str, float]:
        if not is_due(epoch, self.dc.eval_every, self.epochs):
            return {}  # encoding the test set J times costs about as much as an epoch
        batch = max(1, 2000 // self.dc.eval_samples)
        enc = self.encode(self.images.test_batches(batch), self.dc.eval_samples,
                          derive_seed("dnn-val", self.seed, epoch))
        mse = enc["mse"].mean().item()
        return {"mse_per_pixel": mse, "val_kl": enc["kl"].mean().item(),
                "frac_nonzero": (enc["codes"] != 0).float().mean().item(),
                **code_statistics(enc["codes"].numpy(), enc["kl_latent"].numpy())}

    def state_dict(self) -> dict[str, Any]:
        optimizer, scheduler = self.training_state()
        return {"encoder": self.encoder.state_dict(), "decoder": self.decoder.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "step": self.step}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Everything to continue training (the optimiser and schedule too)."""
        self.load_trained(state)
        optimizer, scheduler = self.training_state()
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])

    @classmethod
    def rebuild(cls, config: Config, final: dict) -> DnnExperiment:
        return build_dnn(config, final["method"], final["J"], final["seed"])

    def load_trained(self, state: dict[str, Any]) -> None:
        """The trained networks and the iteration count of a checkpoint's experiment state:
        all that encoding and decoding need."""
        self.encoder.load_state_dict(state["encoder"])
        self.decoder.load_state_dict(state["decoder"])
        self.step = state["step"]

    def dictionary(self) -> None:
        return None  # a DNN generator has no dictionary; `vsc recover` fits one from codes

    def summary(self) -> dict[str, Any]:
        return {"latents": self.dc.latents, "width": self.dc.width,
                "target_sparsity": self.dc.family.threshold.target_sparsity,
                "lambda0": getattr(self.family, "lambda0", None),
                "eval_samples": self.dc.eval_samples, "iterations_per_epoch": self.iters_per_epoch}


def memory_need(dc: DnnConfig, samples: int) -> float:
    """Rough peak bytes of one training step: J decoded images per input, each with its
    decoder activations and gradients (a few dozen image-sized tensors at width 1), plus the
    family's [B, J, K] tensors. Only meant to catch requests that cannot fit."""
    per_sample = 3 * 64 * 64 * 24 * dc.width + 12 * dc.latents
    return 4.0 * dc.batch_size * max(samples, dc.eval_samples) * per_sample


def check_dnn_run(config: Config, family: str, samples: int) -> None:
    """What can be checked before images are read: family, J, device and memory."""
    check_request(family, config.dnn.family, samples, memory_need(config.dnn, samples),
                  resolve_device(config.device),
                  f"-J {samples} with dnn.batch_size {config.dnn.batch_size}",
                  "lower -J or dnn.batch_size")


def build_dnn(config: Config, family: str, samples: int, seed: int) -> DnnExperiment:
    """The experiment of a run (checked before anything is written)."""
    check_dnn_run(config, family, samples)
    return DnnExperiment(config, family, samples, seed, image_set(config))


def dnn_folder(config: Config, exp: DnnExperiment, family: str, out: str | Path) -> RunFolder:
    return RunFolder(out, config, run_identity(config, "dnn", family, exp.samples, exp.seed,
                                               exp.images.name))


def train_dnn(config: Config, family: str, samples: int, seed: int, out: str | Path, *,
              stop_after_epoch: int | None = None, progress: bool = True,
              replace_stale: bool = False) -> dict | None:
    """Run (or resume, or skip if finished) one DNN run into ``out``."""
    check_dnn_run(config, family, samples)
    RunFolder(out, config, {}).check_usable()  # before any image is read
    exp = DnnExperiment(config, family, samples, seed, image_set(config))
    folder = dnn_folder(config, exp, family, out)
    return run_experiment(exp, folder, stop_after_epoch=stop_after_epoch, progress=progress,
                          replace_stale=replace_stale)
