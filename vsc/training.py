"""The epoch loop shared by every run (variational, FISTA, scikit-learn, DNN): per-epoch
validation, checkpoint and resume, divergence as a result, final files."""

from __future__ import annotations

import math
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import torch

from vsc.errors import RunFolderError
from vsc.results import PATCH_LOSSES, STALE_REMEDY, ZERO_CODE_KEY, RunFolder, open_finished_run
from vsc.runtime import check_memory, provenance

if TYPE_CHECKING:
    from vsc.config import Config, FamilyConfig


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


def check_request(family: str, family_config: FamilyConfig, samples: int, need_bytes: float,
                  device: torch.device, what: str, remedy: str) -> None:
    """The checks every experiment makes before it reads data or writes a file: the family
    is known and its settings build, J >= 1, and the estimated peak ``need_bytes`` fits the
    device (``what`` names the request in the error, ``remedy`` says what to lower)."""
    from vsc.config import ConfigError
    from vsc.families import build_family

    build_family(family, family_config)
    if samples < 1:
        raise ConfigError(f"--samples (J) must be >= 1, got {samples}")
    check_memory(need_bytes, device, what, remedy)


class Experiment(ABC):
    """What the loop needs from a run: epochs of training, validation, resumable state."""

    device: torch.device
    epochs: int
    snapshot_every: int = 0  # epochs between kept dictionary snapshots (0: first and last)
    # the validation number the loop watches (non-finite: diverged) and prints per epoch
    headline: str = "val_loss"
    kind: ClassVar[str]  # the experiment its run folders record ("linear", "dnn")

    @classmethod
    def reopen(cls, run: str | Path) -> tuple[Self | None, dict, Config]:
        """A finished run rebuilt from its own folder (config.json, checkpoint.pt), with its
        final.json and the config it was made with; the experiment is None when the run
        diverged. Analyses of a trained run start here."""
        folder, final = open_finished_run(run, cls.kind)
        config = folder.config
        if final["status"] != "finished":
            return None, final, config
        exp = cls.rebuild(config, final)
        exp.load_trained(folder.load_checkpoint()["experiment"])
        return exp, final, config

    @classmethod
    def rebuild(cls, config: Config, final: dict) -> Self:
        """A fresh experiment of the run that ``final`` (its final.json) describes."""
        raise NotImplementedError(f"{cls.__name__} cannot be reopened")

    def load_trained(self, state: dict[str, Any]) -> None:
        """What analyses of the trained run need of a checkpoint's experiment state (by
        default all of it)."""
        self.load_state_dict(state)

    @abstractmethod
    def train_epoch(self, epoch: int) -> dict[str, float]:
        """One pass over the training data; summary statistics; raises Diverged."""

    @abstractmethod
    def evaluate(self, epoch: int) -> dict[str, float] | list[dict[str, Any]]:
        """Validation metrics at the end of ``epoch``: must include its ``headline`` at the
        last epoch; an empty mapping on an epoch the experiment does not evaluate. A method that
        codes its dictionary in several ways returns one mapping per way (one metrics row
        each; the first is the run's own)."""

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


def state_misfit(fresh: Any, saved: Any, where: str = "state") -> str | None:
    """Why a checkpoint's experiment state ``saved`` cannot be loaded into an experiment
    whose own state is ``fresh`` (a key it lacks, a tensor of another shape or dtype), or
    None if it fits. None in ``fresh`` (e.g. momentum before the first step) fits anything."""
    if fresh is None:
        return None
    if isinstance(fresh, torch.Tensor):
        if not isinstance(saved, torch.Tensor):
            return f"{where} is not a tensor"
        if saved.shape != fresh.shape or saved.dtype != fresh.dtype:
            return (f"{where} is {tuple(saved.shape)} {saved.dtype}, the run needs "
                    f"{tuple(fresh.shape)} {fresh.dtype}")
        return None
    if isinstance(fresh, dict):
        if not isinstance(saved, dict):
            return f"{where} is not a mapping"
        for key, value in fresh.items():
            if key not in saved:
                return f"{where} lacks {key!r}"
            reason = state_misfit(value, saved[key], f"{where}[{key!r}]")
            if reason:
                return reason
    return None


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
    return run_together([(exp, folder)], _one_at_a_time, stop_after_epoch=stop_after_epoch,
                        progress=progress, replace_stale=replace_stale)[0]


TrainMany = Callable[[list[Experiment], int], list[dict | Diverged]]


def _one_at_a_time(exps: list[Experiment], epoch: int) -> list[dict | Diverged]:
    results: list[dict | Diverged] = []
    for exp in exps:
        try:
            results.append(exp.train_epoch(epoch))
        except Diverged as err:
            results.append(err)
    return results


def run_together(runs: Sequence[tuple[Experiment, RunFolder]], train: TrainMany, *,
                 stop_after_epoch: int | None = None, progress: bool = True,
                 replace_stale: bool = False) -> list[dict | None]:
    """Train several runs whose epochs ``train`` computes together (vsc.bundle), each into
    its own folder, with everything else per run as in :func:`run_experiment`: its own
    checkpoint, resume, divergence and final.json. Finished runs are skipped; runs resumed at
    different epochs are first brought level (the lagging ones train alone). Returns each
    run's final.json content (None where ``stop_after_epoch`` interrupted it)."""
    with ExitStack() as stack:
        for _, folder in runs:
            stack.enter_context(folder.session(replace_stale))
        loops = [RunLoop(exp, folder, EpochLog(folder, exp.epochs, exp.headline, progress),
                         replace_stale)
                 for exp, folder in runs]
        while active := [loop for loop in loops if loop.active]:
            epoch = min(loop.epoch for loop in active)
            level = [loop for loop in active if loop.epoch == epoch]
            started = time.perf_counter()
            results = train([loop.exp for loop in level], epoch)
            seconds = time.perf_counter() - started
            for loop, result in zip(level, results, strict=True):
                loop.end_epoch(result, seconds)
            if stop_after_epoch is not None and epoch + 1 >= stop_after_epoch and all(
                    loop.epoch >= stop_after_epoch for loop in loops if loop.active):
                break
        return [loop.finish() for loop in loops]


class EpochLog:
    """One line per epoch on stderr (the rule's log): epoch, iteration, validation loss,
    iterations per second and the time left at this process's pace."""

    def __init__(self, folder: RunFolder, epochs: int, headline: str, enabled: bool) -> None:
        identity = folder.identity
        self.headline = headline
        self.name = f"{identity.get('method')} J={identity.get('J')} " \
                    f"seed={identity.get('seed')}"
        self.epochs, self.enabled = epochs, enabled
        self.seconds, self.done = 0.0, 0  # this process's epochs, for the pace

    def epoch(self, epoch: int, iterations: int, seconds: float, stats: dict[str, Any],
              iteration: int | None) -> None:
        self.seconds, self.done = self.seconds + seconds, self.done + 1
        if not self.enabled:
            return
        left = (self.epochs - epoch - 1) * self.seconds / self.done
        val = stats.get(self.headline)
        print(f"{self.name}: epoch {epoch + 1}/{self.epochs}"
              f" iteration {iteration if iteration is not None else '-'}"
              f" {self.headline} {'-' if val is None else f'{val:.4g}'}"
              f" {iterations / max(seconds, 1e-9):.1f} it/s"
              f" time left {_clock(left)}", file=sys.stderr, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def take_patch_losses(val_rows: list[dict[str, Any]], method: str) -> dict[str, np.ndarray]:
    """Remove the per-patch losses from an evaluation's rows (they are no table columns) and
    return them by key, as a run folder stores them (vsc.results.PATCH_LOSSES_FILE): each
    row's under its method (``method``, the run's own, where the row names none), the zero
    code's under ZERO_CODE_KEY."""
    losses: dict[str, np.ndarray] = {}
    for row in val_rows:
        per_patch = row.pop(PATCH_LOSSES, None)
        if per_patch is not None:
            losses[row.get("method", method)] = per_patch["val_loss"]
            losses[ZERO_CODE_KEY] = per_patch[ZERO_CODE_KEY]
    return losses


class RunLoop:
    """One run's side of the epoch loop: resume from its folder, then after each trained
    epoch validate, record the row, keep snapshots and checkpoint; at the end write the
    dictionary, the per-patch losses and final.json. A finished run is left as it is (a
    finished run from before per-patch losses were kept is scored again to write them)."""

    def __init__(self, exp: Experiment, folder: RunFolder, log: EpochLog,
                 replace_stale: bool = False) -> None:
        self.exp, self.folder, self.log = exp, folder, log
        self.final = folder.finished()
        # a run is finished only when final.json says so; until then it may diverge
        self.diverged, self.diverged_at = False, None
        self.rows: list[dict] = []
        self.epoch, self.wall = 0, 0.0
        self.patch_losses: dict[str, np.ndarray] = {}  # of the latest validation
        if self.final is not None:
            self._backfill_patch_losses()
            return
        # read, checked and applied before start() writes: a bad checkpoint changes nothing
        checkpoint = folder.load_checkpoint()
        misfit = None if checkpoint is None else state_misfit(exp.state_dict(),
                                                             checkpoint["experiment"])
        if misfit is not None and replace_stale:
            folder.discard()  # --replace-stale: a checkpoint that cannot resume this run goes
            checkpoint, misfit = None, None
        if misfit is not None:
            raise RunFolderError(f"{folder.checkpoint_path} does not fit this run ({misfit}); "
                                 f"{STALE_REMEDY}")
        if checkpoint is not None:
            exp.load_state_dict(checkpoint["experiment"])
            _set_rng_state(checkpoint["rng"])
            self.rows, self.epoch, self.wall = (checkpoint["rows"], checkpoint["epoch"],
                                                checkpoint["wall"])
            self.patch_losses = checkpoint.get("patch_losses", {})
        folder.start()
        if checkpoint is not None:
            print(f"resuming {folder.path} from its checkpoint at epoch {self.epoch}",
                  file=sys.stderr, flush=True)
        self.last_good = _copy(exp.dictionary())
        # dictionary snapshots by iteration, kept in the checkpoint so a resumed run keeps them
        self.snapshots: dict[int, np.ndarray] = (checkpoint or {}).get("snapshots", {})
        if checkpoint is None and self.last_good is not None:
            self.snapshots[0] = self.last_good
        self.iteration = int(self.rows[-1].get("iteration", 0)) if self.rows else 0

    def _backfill_patch_losses(self) -> None:
        """Give a finished run made before per-patch losses were kept its val_losses.npz,
        scored again from its checkpoint (see _score_again)."""
        folder, final = self.folder, self.final
        if folder.patch_losses_path.is_file() or not folder.dictionary_path.is_file():
            return  # already there, or a run without a dictionary (DNN): nothing to score
        if final.get("status") != "finished":
            folder.write_patch_losses({})
            return
        checkpoint = folder.load_checkpoint()
        if checkpoint is None:
            raise RunFolderError(f"{folder.path} has no checkpoint to score its per-patch "
                                 f"losses from; {STALE_REMEDY}")
        self.exp.load_state_dict(checkpoint["experiment"])
        folder.write_patch_losses(self._score_again(final.get("val_loss")))

    def _score_again(self, recorded: float | None) -> dict[str, np.ndarray]:
        """The per-patch losses of the last validation, computed again from the experiment's
        final state (a checkpoint written before they were kept). Validation draws from a
        seed of its own, so it must reproduce the recorded ``val_loss``, which is checked."""
        print(f"scoring {self.folder.path} again for its per-patch validation losses",
              file=sys.stderr, flush=True)
        rows = self.exp.evaluate(self.exp.epochs - 1)
        rows = rows if isinstance(rows, list) else [rows]
        losses = take_patch_losses(rows, self.folder.identity.get("method"))
        again = rows[0].get("val_loss")
        if recorded is None or again is None or not math.isclose(again, recorded,
                                                                   rel_tol=1e-5):
            raise RunFolderError(f"{self.folder.path}: scored again, its validation loss is "
                                 f"{again}, not the recorded {recorded}; {STALE_REMEDY}")
        return losses

    @property
    def active(self) -> bool:
        """Whether the run still has epochs to train."""
        return self.final is None and not self.diverged and self.epoch < self.exp.epochs

    def end_epoch(self, trained: dict | Diverged, train_seconds: float) -> None:
        """Validate and record the epoch ``trained`` (its statistics, or how it diverged)."""
        exp, epoch = self.exp, self.epoch
        started = time.perf_counter()
        try:
            if isinstance(trained, Diverged):
                raise trained
            val_rows = exp.evaluate(epoch)
            val_rows = val_rows if isinstance(val_rows, list) else [val_rows]
            patch_losses = take_patch_losses(val_rows, self.folder.identity.get("method"))
            if not all(math.isfinite(v.get(exp.headline, 0.0)) for v in val_rows):
                raise Diverged(trained.get("iteration", -1))
        except Diverged as err:
            self.diverged, self.diverged_at = True, err.iteration
            return
        seconds = train_seconds + time.perf_counter() - started
        self.wall += seconds
        self.patch_losses = patch_losses or self.patch_losses  # epochs without validation
        self.rows += [{**self.folder.identity, "epoch": epoch + 1, **trained, **val_stats,
                       "wall_seconds": self.wall} for val_stats in val_rows]
        self.last_good = _copy(exp.dictionary())
        if self.last_good is not None and is_due(epoch, exp.snapshot_every, exp.epochs):
            self.snapshots[int(trained["iteration"])] = self.last_good
        self.epoch = epoch + 1
        self.folder.save_checkpoint({"experiment": exp.state_dict(), "rng": _rng_state(),
                                     "rows": self.rows, "epoch": self.epoch, "wall": self.wall,
                                     "snapshots": self.snapshots,
                                     "patch_losses": self.patch_losses})
        self.folder.write_metrics(self.rows)
        previous, self.iteration = self.iteration, trained.get("iteration")
        self.log.epoch(epoch, (self.iteration or 0) - (previous or 0), seconds, val_rows[0],
                       self.iteration)

    def finish(self) -> dict | None:
        """final.json's content; None for a run interrupted before its last epoch."""
        if self.final is not None:
            return self.final
        if self.active:
            return None
        exp, folder, rows = self.exp, self.folder, self.rows
        # the run's own row of its last epoch (the first, when it has several)
        last = (next(r for r in rows if r["epoch"] == rows[-1]["epoch"])
                if rows and not self.diverged else {})
        if self.last_good is not None:
            if not self.diverged and not self.patch_losses:
                # resumed after its last epoch from a checkpoint older than per-patch losses
                self.patch_losses = self._score_again(last.get("val_loss"))
            folder.write_dictionary(self.last_good)
            folder.write_snapshots(self.snapshots)
            folder.write_patch_losses({} if self.diverged else self.patch_losses)
        folder.write_metrics(rows)
        final = {**folder.identity, **exp.summary(),
                 **{k: v for k, v in last.items() if k not in folder.identity},
                 "status": "diverged" if self.diverged else "finished",
                 "diverged_at_iteration": self.diverged_at,
                 "epochs": exp.epochs, "epochs_completed": len(rows), "wall_seconds": self.wall,
                 **provenance(exp.device)}
        final.setdefault(exp.headline, float("nan"))
        self.final = folder.finish(final)
        return self.final
