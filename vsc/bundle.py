"""Training several linear runs at once as one stacked computation (a bundle).

One small MLP at batch 100 leaves a GPU idle and pays Python and kernel-launch overhead per
iteration; M runs stacked along a leading "run" axis pay it once. Each layer of the M
encoders becomes one batched matrix product (``torch.baddbmm`` on weights [M, out, in], which
on the CPU gives every run exactly the numbers of its own ``nn.Linear``), the M dictionaries
one [M, D, K] tensor, and each run keeps its own data order and its own random generator
(vsc.families.noise), so a run ends with the same numbers whether it was trained alone or in
a bundle. A run trained alone is a bundle of one: there is a single training loop.

The runs of a bundle must agree on everything but family and seed (J, data, batch size,
schedules, estimator, network widths), so they take the same number of iterations per epoch.
Runs of one family share one call of the family per iteration; a bundle mixing families makes
one call per family. Nothing in the loop reads a value back to the host: a non-finite loss is
recorded on the device per run and reported when the epoch ends (the run's numbers are then
those of its last finished epoch, as when training stops at once).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from typing import Protocol

import torch
from torch import Tensor, nn

from vsc.config import LinearConfig
from vsc.dictionary import Dictionary, sgd_step
from vsc.estimators import select
from vsc.families import Family
from vsc.families.noise import Noise
from vsc.networks import Encoder
from vsc.objective import training_losses
from vsc.sgd import NesterovSGD
from vsc.training import Diverged


class StackableRun(Protocol):
    """What the bundle needs of a run (vsc.linear.LinearExperiment is one): its settings, its
    state, and the two schedules and the epoch bookkeeping it owns. The bundle never
    imports the linear experiment: the arrow runs from vsc.linear to here."""

    lc: LinearConfig
    family: Family
    samples: int
    seed: int
    device: torch.device
    train_x: Tensor  # [n_train, D], shared by the runs of a bundle
    iters_per_epoch: int
    step: int
    rng: torch.Generator
    encoder: Encoder
    dict: Dictionary
    momentum: dict[str, Tensor] | None
    dict_lr: float

    def data_order(self, epoch: int) -> Tensor: ...

    def encoder_lr_at(self, step: int) -> float: ...

    def end_epoch(self, step: int, train_loss: float) -> dict[str, float]: ...


# what every run of a bundle must share (besides J, data and epoch, checked separately)
_SHARED_SETTINGS = ("batch_size", "encoder_hidden", "latents", "estimator", "kl_weight",
                    "encoder_lr", "encoder_momentum", "schedule", "dict_lr_decay",
                    "dict_weight_decay", "epochs", "tf32")


def check_bundle(runs: Sequence[StackableRun]) -> None:
    """ValueError unless ``runs`` can be trained as one bundle: same J, step, training
    tensor and settings, different (family, seed)."""
    first = runs[0]
    for run in runs[1:]:
        if run.samples != first.samples or run.step != first.step:
            raise ValueError("the runs of a bundle must share J and their iteration count")
        if run.train_x is not first.train_x:
            raise ValueError("the runs of a bundle must share one training tensor")
        for name in _SHARED_SETTINGS:
            if getattr(run.lc, name) != getattr(first.lc, name):
                raise ValueError(f"the runs of a bundle differ in linear.{name}")
    keys = [(run.family.name, run.seed) for run in runs]
    if len(set(keys)) != len(keys):
        raise ValueError("a bundle holds each (family, seed) once")


def _stack_as(key: str, tensors: Sequence[Tensor]) -> Tensor:
    """The runs' tensors of parameter ``key`` stacked along a new leading axis (detached),
    weights [out, in] transposed to [in, out]."""
    if key.endswith("weight"):
        return torch.stack([t.detach().mT for t in tensors])
    return torch.stack([t.detach() for t in tensors])


def _unstack_as(key: str, stacked: Tensor, index: int) -> Tensor:
    """Run ``index``'s tensor of parameter ``key`` in its own layout (inverse of _stack_as)."""
    return stacked[index].mT if key.endswith("weight") else stacked[index]


class StackedRuns:
    """The trainable state of M runs as stacked leaf tensors, in one Nesterov SGD, and the
    way back into each run at the end of an epoch.

    trunk: [(weight [M, in, out], bias [M, out])] per hidden layer; heads: per family group
    (runs of one family, contiguous), {head: (weight [M_g, F, K], bias [M_g, K])};
    atoms [M, D, K]. Weights are stacked transposed (nn.Linear keeps [out, in]): x @ W then
    reads them as they lie, and their gradient x^T g is made in their own layout instead of
    being copied out of a transposed product at every step."""

    def __init__(self, runs: Sequence[StackableRun]) -> None:
        self.runs = list(runs)
        self.groups: list[tuple[slice, StackableRun]] = []
        start = 0
        for _, members in groupby(self.runs, key=lambda run: run.family.name):
            n = len(list(members))
            self.groups.append((slice(start, start + n), self.runs[start]))
            start += n
        first = self.runs[0].encoder
        self.trunk_layers = [i for i, layer in enumerate(first.trunk)
                             if isinstance(layer, nn.Linear)]
        if any(not isinstance(layer, nn.Linear | nn.ReLU) for layer in first.trunk):
            raise ValueError("a bundle stacks encoders of Linear and ReLU layers only")
        # key -> stacked tensor, and key -> (the runs' parameter name, the runs it stacks)
        self.params: dict[str, Tensor] = {}
        self.sources: dict[str, tuple[str, range]] = {}
        everyone = range(len(self.runs))
        for name, _ in first.trunk.named_parameters():
            self._add(f"trunk.{name}", f"trunk.{name}", everyone)
        for group, run in self.groups:
            for head in run.family.heads:
                for kind in ("weight", "bias"):
                    name = f"heads.{head}.{kind}"
                    self._add(f"{group.start}:{name}", name, range(group.start, group.stop))
        self.atoms = torch.stack([run.dict.atoms for run in self.runs])
        buffers = [run.momentum for run in self.runs]
        stacked_buffers = None
        if all(b is not None for b in buffers):  # every run past its first step
            stacked_buffers = [_stack_as(key, [buffers[i][name] for i in members])
                               for key, (name, members) in self.sources.items()]
        self.optimizer = NesterovSGD(list(self.params.values()),
                                     self.runs[0].lc.encoder_momentum, stacked_buffers)

    def _add(self, key: str, name: str, members: range) -> None:
        self.params[key] = _stack_as(key, [_param(self.runs[i], name) for i in members]
                                     ).requires_grad_()
        self.sources[key] = (name, members)

    def heads(self, features: Tensor) -> list[tuple[slice, StackableRun, dict[str, Tensor]]]:
        """Each family group's encoder outputs {head: [M_g * B, K]} for features [M, B, F]."""
        out = []
        for group, run in self.groups:
            f = features[group]
            params = {}
            for head in run.family.heads:
                w = self.params[f"{group.start}:heads.{head}.weight"]
                b = self.params[f"{group.start}:heads.{head}.bias"]
                params[head] = torch.baddbmm(b.unsqueeze(1), f, w).flatten(0, 1)
            out.append((group, run, params))
        return out

    def features(self, x: Tensor) -> Tensor:
        """The stacked trunk: x [M, B, D] -> [M, B, F] (Linear then ReLU per layer)."""
        for i in self.trunk_layers:
            w, b = self.params[f"trunk.{i}.weight"], self.params[f"trunk.{i}.bias"]
            x = torch.relu(torch.baddbmm(b.unsqueeze(1), x, w))
        return x

    def write_back(self) -> None:
        """Each run's encoder, momentum buffers and dictionary from the stacked state."""
        for i, run in enumerate(self.runs):
            momentum = {}
            with torch.no_grad():
                for (key, param), buffer in zip(self.params.items(), self.optimizer.buffers,
                                                strict=True):
                    name, members = self.sources[key]
                    if i not in members:
                        continue
                    _param(run, name).copy_(_unstack_as(key, param, i - members.start))
                    if buffer is not None:
                        momentum[name] = _unstack_as(key, buffer, i - members.start).clone(
                            memory_format=torch.contiguous_format)
            run.momentum = momentum or None
            run.dict.atoms = self.atoms[i].clone()


def _param(run: StackableRun, name: str) -> Tensor:
    return run.encoder.get_parameter(name)


def train_together(runs: Sequence[StackableRun], epoch: int) -> list[dict | Diverged]:
    """One epoch of every run in ``runs``, stacked: per run its epoch statistics (as
    StackableRun.end_epoch reports them) or the Diverged error that ended it."""
    check_bundle(runs)
    order = sorted(range(len(runs)), key=lambda i: runs[i].family.name)  # families contiguous
    if order != list(range(len(runs))):
        by_family = _train_stacked([runs[i] for i in order], epoch)
        results: list[dict | Diverged] = [{}] * len(runs)
        for position, i in enumerate(order):
            results[i] = by_family[position]
        return results
    return _train_stacked(runs, epoch)


def _train_stacked(runs: Sequence[StackableRun], epoch: int) -> list[dict | Diverged]:
    first = runs[0]
    lc, device = first.lc, first.device
    stacked = StackedRuns(runs)
    noises = {group.start: Noise([r.rng for r in runs[group]]) for group, _ in stacked.groups}
    orders = torch.stack([run.data_order(epoch) for run in runs])  # [M, n_train]
    with matmul_precision(lc.tf32 and device.type == "cuda"):
        step, total, first_bad = _iterate(runs, stacked, noises, orders)
    stacked.write_back()
    bad = first_bad.tolist()
    train_loss = (total / first.iters_per_epoch).tolist()
    results: list[dict | Diverged] = []
    for run, at, loss in zip(runs, bad, train_loss, strict=True):
        row = run.end_epoch(step, loss)
        results.append(Diverged(at) if at >= 0 else row)
    return results


def _iterate(runs: Sequence[StackableRun], stacked: StackedRuns, noises: dict[int, Noise],
             orders: Tensor) -> tuple[int, Tensor, Tensor]:
    """The epoch's iterations, reading nothing back to the host: updates the stacked state
    and returns the step after the epoch, each run's summed loss [M] and the first step at
    which its loss was not finite [M] (-1: none)."""
    first = runs[0]
    lc, samples, bs, step = first.lc, first.samples, first.lc.batch_size, first.step
    total = torch.zeros(len(runs), device=first.device)
    first_bad = torch.full((len(runs),), -1, dtype=torch.long, device=first.device)
    for i in range(first.iters_per_epoch):
        x = first.train_x[orders[:, i * bs:(i + 1) * bs]]  # [M, B, D]
        features = stacked.features(x)
        losses, codes = [], []
        for group, run, params in stacked.heads(features):
            z, loss = training_losses(run.family, params, x[group], stacked.atoms[group],
                                      samples, step, lc.kl_weight, lc.estimator,
                                      noises[group.start])
            losses.append(loss)  # [M_g, B, J'] (J' = 1 for max: the selected sample)
            codes.append(z)  # [M_g, B, J', K]
        chosen = select(torch.cat(losses), lc.estimator)  # loss [M]
        finite = torch.isfinite(chosen.loss)
        first_bad = torch.where((first_bad < 0) & ~finite, step, first_bad)
        stacked.optimizer.zero_grad()
        chosen.loss.sum().backward()
        stacked.optimizer.step(first.encoder_lr_at(step))
        # max: one code per point, weight 1; avg / iwae: every sample with its weight
        weights = None if lc.estimator == "max" else chosen.weights
        z = torch.cat(codes)
        sgd_step(stacked.atoms, x, z.detach(), weights, first.dict_lr, lc.dict_weight_decay)
        total += chosen.loss.detach()
        step += 1
    return step, total, first_bad


@contextmanager
def matmul_precision(tf32: bool) -> Iterator[None]:
    """float32 matrix products as TensorFloat-32 inside the block when ``tf32`` (CUDA only;
    the caller decides), restoring the process's setting after."""
    if not tf32:
        yield
        return
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("high")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(previous)
