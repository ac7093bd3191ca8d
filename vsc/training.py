"""The epoch loop shared by every dictionary-learning run (variational and FISTA):
per-epoch validation, checkpoint and resume, divergence as a result, final files."""

from __future__ import annotations

import math
import sys
import time
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import torch

from vsc.results import RunFolder
from vsc.runtime import provenance


class Diverged(Exception):
    """The training loss became non-finite at ``iteration``."""

    def __init__(self, iteration: int) -> None:
        super().__init__(f"training loss became non-finite at iteration {iteration}")
        self.iteration = iteration


def optimiser_step(loss: torch.Tensor, optimizer: torch.optim.Optimizer,
                   scheduler: torch.optim.lr_scheduler.LRScheduler, step: int) -> None:
    """One gradient step on ``loss`` and one schedule step; a non-finite loss raises
    Diverged(step) before any parameter is touched."""
    if not torch.isfinite(loss):
        raise Diverged(step)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    scheduler.step()


def is_due(epoch: int, every: int, epochs: int) -> bool:
    """Whether a periodic evaluation runs after ``epoch`` (0-based): every ``every`` epochs
    and always after the last (``every`` 0: only after the last)."""
    return epoch + 1 == epochs or bool(every and (epoch + 1) % every == 0)


class Experiment(ABC):
    """What the loop needs from a run: epochs of training, validation, resumable state."""

    device: torch.device
    epochs: int
    snapshot_every: int = 0  # epochs between kept dictionary snapshots (0: first and last)

    @abstractmethod
    def train_epoch(self, epoch: int) -> dict[str, float]:
        """One pass over the training data; summary statistics; raises Diverged."""

    @abstractmethod
    def evaluate(self, epoch: int) -> dict[str, float]:
        """Validation metrics at the end of ``epoch``: must include 'val_loss' at the last
        epoch; an empty mapping on an epoch the experiment does not evaluate."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly (models, optimisers, schedules)."""

    @abstractmethod
    def load_state_dict(self, state: dict[str, Any]) -> None: ...

    @abstractmethod
    def dictionary(self) -> np.ndarray | None:
        """The current [D, K] dictionary (None for a generator without one)."""

    def summary(self) -> dict[str, Any]:
        """Run-level facts for final.json (e.g. lambda0)."""
        return {}


def _copy(atoms: np.ndarray | None) -> np.ndarray | None:
    return None if atoms is None else atoms.copy()


def _rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def run_experiment(exp: Experiment, folder: RunFolder, *, stop_after_epoch: int | None = None,
                   progress: bool = True, replace_stale: bool = False) -> dict | None:
    """Train ``exp`` into ``folder``, resuming from its checkpoint if there is one.

    Returns final.json's content, or None when ``stop_after_epoch`` interrupted the run (as a
    kill would: checkpoint written, no final.json). A non-finite loss ends the run with status
    'diverged', the last good dictionary and the iteration it happened at. The folder is held
    for this process only (see RunFolder.session); ``progress`` prints one line per epoch.
    """
    with folder.session(replace_stale):
        return _train_in(exp, folder, stop_after_epoch, EpochLog(folder, exp.epochs, progress))


class EpochLog:
    """One line per epoch on stderr (the rule's log): epoch, iteration, validation loss,
    iterations per second and the time left at this process's pace."""

    def __init__(self, folder: RunFolder, epochs: int, enabled: bool) -> None:
        identity = folder.identity
        self.name = f"{identity.get('method')} J={identity.get('samples')} " \
                    f"seed={identity.get('seed')}"
        self.epochs, self.enabled = epochs, enabled
        self.seconds, self.done = 0.0, 0  # this process's epochs, for the pace

    def epoch(self, epoch: int, iterations: int, seconds: float, stats: dict[str, Any],
              iteration: int | None) -> None:
        self.seconds, self.done = self.seconds + seconds, self.done + 1
        if not self.enabled:
            return
        left = (self.epochs - epoch - 1) * self.seconds / self.done
        val = stats.get("val_loss")
        print(f"{self.name}: epoch {epoch + 1}/{self.epochs}"
              f" iteration {iteration if iteration is not None else '-'}"
              f" val_loss {'-' if val is None else f'{val:.4g}'}"
              f" {iterations / max(seconds, 1e-9):.1f} it/s"
              f" time left {_clock(left)}", file=sys.stderr, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _train_in(exp: Experiment, folder: RunFolder, stop_after_epoch: int | None,
              log: EpochLog) -> dict | None:
    done = folder.finished()
    if done is not None:
        return done
    checkpoint = folder.load_checkpoint()  # before start() writes: a bad one changes nothing
    folder.start()
    rows: list[dict] = []
    first_epoch, wall = 0, 0.0
    if checkpoint is not None:
        exp.load_state_dict(checkpoint["experiment"])
        _set_rng_state(checkpoint["rng"])
        rows, first_epoch, wall = checkpoint["rows"], checkpoint["epoch"], checkpoint["wall"]
        print(f"resuming {folder.path} from its checkpoint at epoch {first_epoch}",
              file=sys.stderr, flush=True)
    last_good = _copy(exp.dictionary())
    # dictionary snapshots by iteration, kept in the checkpoint so a resumed run keeps them
    snapshots: dict[int, np.ndarray] = (checkpoint or {}).get("snapshots", {})
    if checkpoint is None and last_good is not None:
        snapshots[0] = last_good
    status, diverged_at = "finished", None
    iteration = int(rows[-1].get("iteration", 0)) if rows else 0

    for epoch in range(first_epoch, exp.epochs):
        started = time.perf_counter()
        try:
            train_stats = exp.train_epoch(epoch)
            val_stats = exp.evaluate(epoch)
            if not math.isfinite(val_stats.get("val_loss", 0.0)):
                raise Diverged(train_stats.get("iteration", -1))
        except Diverged as err:
            status, diverged_at = "diverged", err.iteration
            break
        seconds = time.perf_counter() - started
        wall += seconds
        rows.append({**folder.identity, "epoch": epoch + 1, **train_stats, **val_stats,
                     "wall_seconds": wall})
        last_good = _copy(exp.dictionary())
        if last_good is not None and is_due(epoch, exp.snapshot_every, exp.epochs):
            snapshots[int(train_stats["iteration"])] = last_good
        folder.save_checkpoint({"experiment": exp.state_dict(), "rng": _rng_state(),
                                "rows": rows, "epoch": epoch + 1, "wall": wall,
                                "snapshots": snapshots})
        folder.write_metrics(rows)
        previous, iteration = iteration, train_stats.get("iteration")
        log.epoch(epoch, (iteration or 0) - (previous or 0), seconds, val_stats, iteration)
        if stop_after_epoch is not None and epoch + 1 >= stop_after_epoch < exp.epochs:
            return None

    if last_good is not None:
        folder.write_dictionary(last_good)
        folder.write_snapshots(snapshots)
    folder.write_metrics(rows)
    last = rows[-1] if rows and status == "finished" else {}
    final = {**folder.identity, **exp.summary(),
             **{k: v for k, v in last.items() if k not in folder.identity},
             "status": status, "diverged_at_iteration": diverged_at,
             "epochs": exp.epochs, "epochs_completed": len(rows), "wall_seconds": wall,
             **provenance(exp.device)}
    final.setdefault("val_loss", float("nan"))
    return folder.finish(final)
