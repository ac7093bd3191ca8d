"""Run folders: the files every training run writes, and the 'finished' contract.

A run folder holds config.json (resolved config and run identity), metrics.csv (one row per
epoch), dictionary.npy, snapshots.npz (the dictionary at a few iterations), val_losses.npz
(the last validation's Table 1 loss of every validation patch, for intervals), checkpoint.pt
(resumable state) and, written last, final.json. A folder
without final.json is unfinished: rerunning the same command resumes it from checkpoint.pt.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from vsc.config import Config, ConfigError
from vsc.errors import RunFolderError, UserError
from vsc.io import (
    atomic_path,
    check_writable_dir,
    read_json,
    remove_leftover_temporaries,
    write_json,
)

# Snakemake's record of a training job (wall and CPU time, peak memory), written by the
# workflow into the run folder it measured; runs made outside the workflow have none.
BENCHMARK_FILE = "benchmark.tsv"
STALE_REMEDY = "rerun with --replace-stale to delete the run's files and start it over"
PATCH_LOSSES_FILE = "val_losses.npz"
RUN_FILES = ("final.json", "metrics.csv", "dictionary.npy", "snapshots.npz", PATCH_LOSSES_FILE,
             "checkpoint.pt", "config.json")
# An evaluation's per-patch losses travel under this key of its scores (vsc.scoring) and are
# stored in PATCH_LOSSES_FILE as one [n_val] float64 array per method the run scores, plus the
# zero code's under ZERO_CODE_KEY; every method of a preset is scored on the same patches in
# the same order, so tables can resample them jointly.
PATCH_LOSSES = "patch_losses"
ZERO_CODE_KEY = "zero_code"
CHECKPOINT_FILE = "checkpoint.pt"
# what every checkpoint of the epoch loop (vsc.training.RunLoop) holds
CHECKPOINT_KEYS = ("config_digest", "experiment", "rng", "rows", "epoch", "wall")
_NDARRAY = "__ndarray__"  # marks a numpy array stored as a tensor in a checkpoint


def _disk_full(err: BaseException, folder: Path) -> bool:
    """Whether a failed write was for want of space (ENOSPC, EDQUOT), or failed as torch
    reports it ("file write failed") on a disk with less than 64 MiB left."""
    import errno

    if isinstance(err, OSError):
        return err.errno in (errno.ENOSPC, errno.EDQUOT)
    return "write" in str(err) and shutil.disk_usage(folder).free < 64 * 2**20


def plain_state(value: Any) -> Any:
    """``value`` with every numpy array replaced by {_NDARRAY: tensor} and every numpy scalar
    by its Python number, recursively through dicts, lists and tuples: what
    ``torch.load(weights_only=True)`` accepts."""
    import torch

    if isinstance(value, np.ndarray):
        return {_NDARRAY: torch.from_numpy(np.ascontiguousarray(value))}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: plain_state(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain_state(v) for v in value)
    return value


def numpy_state(value: Any) -> Any:
    """The inverse of :func:`plain_state`."""
    if isinstance(value, dict):
        if set(value) == {_NDARRAY}:
            return value[_NDARRAY].numpy()
        return {k: numpy_state(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(numpy_state(v) for v in value)
    return value


def declared_files(dictionary: bool = True, snapshots: bool = True) -> list[str]:
    """The run files a workflow job declares as its outputs: every run file but the
    checkpoint, which Snakemake would delete with the declared outputs of an interrupted job,
    so that the rerun could not resume. A DNN run has no dictionary (and so no per-patch
    Table 1 losses); a run without a training loop (scikit-learn) keeps no snapshots."""
    left_out = {CHECKPOINT_FILE} \
        | ({"dictionary.npy", PATCH_LOSSES_FILE} if not dictionary else set()) \
        | ({"snapshots.npz"} if not snapshots else set())
    return [name for name in RUN_FILES if name not in left_out]


def clean_number(value: Any) -> Any:
    """NaN and infinities become None (JSON null) so final.json stays standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_identity(config: Config, experiment: str, method: str, samples: int, seed: int,
                 dataset: str) -> dict[str, Any]:
    """Identity columns of every tidy row a run writes."""
    return {"experiment": experiment, "method": method, "J": samples, "seed": seed,
            "dataset": dataset, "preset": config.preset}


class RunFolder:
    """The files of one run (identity: experiment, method, J, seed, dataset, preset)."""

    def __init__(self, path: str | Path, config: Config, identity: dict[str, Any]) -> None:
        self.path = Path(path)
        self.config = config
        self.identity = identity
        self.digest = config.digest(identity.get("experiment", "linear"))

    config_path = property(lambda self: self.path / "config.json")
    metrics_path = property(lambda self: self.path / "metrics.csv")
    final_path = property(lambda self: self.path / "final.json")
    dictionary_path = property(lambda self: self.path / "dictionary.npy")
    checkpoint_path = property(lambda self: self.path / CHECKPOINT_FILE)
    snapshots_path = property(lambda self: self.path / "snapshots.npz")

    @classmethod
    def load(cls, path: str | Path) -> RunFolder:
        """Reopen a run folder from its own config.json: the Config it was made with (every
        default filled in, overrides such as --estimator or --latents included) and its
        identity, so it can be analysed without the preset it came from."""
        from vsc.config import config_from_dict

        path = Path(path)
        record = read_json(path / "config.json", STALE_REMEDY)
        try:
            config = config_from_dict(record["config"])
        except (ConfigError, KeyError) as err:
            raise RunFolderError(f"{path / 'config.json'} does not describe a run ({err}); "
                                 f"{STALE_REMEDY}") from None
        return cls(path, config, record.get("identity", {}))

    def _check_same_config(self, recorded: str | None, what: str) -> None:
        if recorded is not None and recorded != self.digest:
            raise ConfigError(f"{what} in {self.path} was made with a different config; "
                              "choose another --run, delete the folder, or rerun with "
                              "--replace-stale to start the run over")

    RUN_FILES = RUN_FILES

    def recorded_digest(self) -> str | None:
        """The config digest this folder was started with, if any."""
        return self._recorded()[0]

    def _recorded(self) -> tuple[str | None, str]:
        """(digest, file it was read from): config.json, else the checkpoint, since
        Snakemake deletes a rerun job's declared outputs (config.json among them) but not
        the undeclared checkpoint."""
        if self.config_path.is_file():
            return read_json(self.config_path, STALE_REMEDY).get("config_digest"), "config.json"
        if self.checkpoint_path.is_file():
            return self._read_checkpoint().get("config_digest"), "checkpoint.pt"
        return None, ""

    def discard_if_stale(self) -> bool:
        """Delete this folder's run files if they were made with a different config, or if
        one of them cannot be read (the workflow's choice: a changed setting means the run
        must be redone, and a damaged file must not block it for good). True if it did."""
        try:
            recorded = self.recorded_digest()
            if self.final_path.is_file():
                read_json(self.final_path)
            if self.checkpoint_path.is_file():
                recorded = self._read_checkpoint().get("config_digest", recorded)
        except UserError:
            recorded = "unreadable"
        if recorded is None or recorded == self.digest:
            return False
        self.discard()
        return True

    def discard(self) -> None:
        """Delete the folder's run files (the run starts over)."""
        for name in self.RUN_FILES:
            (self.path / name).unlink(missing_ok=True)

    def finished(self) -> dict | None:
        """final.json of a finished run with this config, else None."""
        if not self.final_path.is_file():
            return None
        final = read_json(self.final_path, STALE_REMEDY)
        self._check_same_config(final.get("config_digest"), "final.json")
        return final

    def start(self) -> None:
        """Create the folder and record the resolved config (kept if it already matches)."""
        self._check_same_config(*self._recorded())  # before anything is written
        self.path.mkdir(parents=True, exist_ok=True)
        write_json(self.config_path, {"config_digest": self.digest, "identity": self.identity,
                                      "config": self.config.to_dict()})

    def check_usable(self) -> None:
        """Fail now (before data are loaded) if the folder cannot be created or written."""
        check_writable_dir(self.path, "--run")

    LOCK_NAME = ".lock"

    @contextmanager
    def session(self, replace_stale: bool = False) -> Iterator[None]:
        """Hold the folder for one training process: a second process that tries while this
        one trains stops with an error (the lock is the OS's, so it is released when the
        process dies, however it dies). With ``replace_stale``, stale or unreadable run
        files are deleted first. If the body fails before anything resumable was written,
        everything this session created is removed again, folders included."""
        self.check_usable()
        created = next((p for p in reversed((self.path, *self.path.parents))
                        if not p.exists()), None)
        self.path.mkdir(parents=True, exist_ok=True)
        lock = self._lock()
        try:
            remove_leftover_temporaries(self.path)  # of a killed write: never resumable
            if replace_stale:
                self.discard_if_stale()
            had_files = [n for n in self.RUN_FILES if (self.path / n).exists()]
            try:
                yield
            except BaseException:
                if not had_files and not self.checkpoint_path.exists():
                    self._remove_partial(created)
                raise
        finally:
            (self.path / self.LOCK_NAME).unlink(missing_ok=True)
            lock.close()

    def _lock(self):
        """Take the folder's lock file (an exclusive flock). The file is removed when the
        session ends, so a lock taken on a file that was meanwhile removed is retried."""
        import fcntl

        path = self.path / self.LOCK_NAME
        while True:
            handle = open(path, "a+")  # held for the session
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                owner = handle.read().strip() or "another process"
                handle.close()
                raise RunFolderError(f"{self.path} is in use by {owner}; wait for it to "
                                     "finish or stop it, then rerun") from None
            try:
                same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                handle.seek(0)
                handle.truncate()
                handle.write(f"process {os.getpid()} on {os.uname().nodename}\n")
                handle.flush()
                return handle
            handle.close()  # its holder removed it as we opened it: take the new one

    def _remove_partial(self, created: Path | None) -> None:
        """Undo a session that wrote nothing resumable: its run files, and the folders it
        created (``created``: the topmost one)."""
        for name in self.RUN_FILES:
            (self.path / name).unlink(missing_ok=True)
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)

    def save_checkpoint(self, state: dict) -> None:
        """Write the checkpoint: tensors and plain containers only (numpy arrays stored as
        tensors, numpy scalars as Python numbers), so it loads without unpickling code."""
        import torch

        try:
            with atomic_path(self.checkpoint_path) as tmp:
                torch.save(plain_state({"config_digest": self.digest, **state}), tmp)
        except (OSError, RuntimeError) as err:  # torch reports a failed write as RuntimeError
            if not _disk_full(err, self.path):
                raise
            free = shutil.disk_usage(self.path).free
            raise RunFolderError(f"{self.checkpoint_path} could not be written ({free / 2**20:,.0f}"
                                 " MiB free on its disk); free some space and rerun: the run "
                                 "resumes from its last checkpoint") from None

    def _read_checkpoint(self) -> dict:
        """The checkpoint's content, loaded with ``weights_only=True``: a file that holds
        anything but tensors and plain containers (a pickled object, whose loading could run
        code) is refused, as is one that is not a vsc-bench checkpoint."""
        import torch

        try:
            state = torch.load(self.checkpoint_path, map_location="cpu", weights_only=True)
        except Exception as err:  # torch raises many types
            reason = str(err).strip().splitlines()[0].split(". ")[0]  # what failed, first
            raise RunFolderError(f"{self.checkpoint_path} cannot be read ({type(err).__name__}:"
                                 f" {reason}); {STALE_REMEDY}") from err
        missing = ([] if not isinstance(state, dict) else
                   [key for key in CHECKPOINT_KEYS if key not in state])
        if not isinstance(state, dict) or missing:
            raise RunFolderError(f"{self.checkpoint_path} is not a vsc-bench checkpoint (" + (
                f"no {', '.join(missing)}" if isinstance(state, dict) else
                f"it holds a {type(state).__name__}") + f"); {STALE_REMEDY}")
        return numpy_state(state)

    def load_checkpoint(self) -> dict | None:
        if not self.checkpoint_path.is_file():
            return None
        state = self._read_checkpoint()
        self._check_same_config(state.get("config_digest"), "checkpoint.pt")
        return state

    def write_metrics(self, rows: list[dict]) -> None:
        """One row per epoch; a run that diverged before its first epoch gets the identity
        columns as a header, so every metrics.csv can be read."""
        import pandas as pd  # 0.3 s of start-up that the analyses, which only read, skip

        frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=[*self.identity, "epoch"])
        with atomic_path(self.metrics_path) as tmp:
            frame.to_csv(tmp, index=False)

    def write_dictionary(self, atoms: np.ndarray) -> None:
        with atomic_path(self.dictionary_path) as tmp, open(tmp, "wb") as fh:
            np.save(fh, atoms)

    patch_losses_path = property(lambda self: self.path / PATCH_LOSSES_FILE)

    def write_patch_losses(self, losses: dict[str, np.ndarray]) -> None:
        """The last validation's per-patch losses, one [n_val] array per key (a method, or
        ZERO_CODE_KEY); none for a run that diverged."""
        with atomic_path(self.patch_losses_path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **losses)

    def write_snapshots(self, snapshots: dict[int, np.ndarray]) -> None:
        """Dictionaries [D, K] taken during training, stored under 'iteration_<N>'."""
        with atomic_path(self.snapshots_path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **{f"iteration_{i}": a for i, a in sorted(snapshots.items())})

    def finish(self, final: dict) -> dict:
        """Write final.json last: from here on the run counts as finished. Returns what was
        written (non-finite numbers as None)."""
        record = {k: clean_number(v) for k, v in {**final, "config_digest": self.digest}.items()}
        write_json(self.final_path, record)
        return record


def read_patch_losses(run: str | Path) -> dict[str, np.ndarray] | None:
    """A run folder's per-patch validation losses by key (see PATCH_LOSSES_FILE), or None
    for a folder written before they were kept."""
    path = Path(run) / PATCH_LOSSES_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, ValueError) as err:
        raise RunFolderError(f"{path} cannot be read ({err}); rerun the run's command to "
                             "score it again") from None


def open_finished_run(path: str | Path, experiment: str) -> tuple[RunFolder, dict]:
    """A finished run's folder, reopened from its own config.json, and its final.json;
    analyses of a trained run start here. ``experiment`` ('linear' or 'dnn') is the kind the
    caller needs. A UserError names the folder when it is not a finished run of that kind."""
    path = Path(path)
    if not (path / "final.json").is_file():
        raise RunFolderError(f"{path} holds no finished run (final.json missing); give the "
                             "folder of a finished run")
    folder = RunFolder.load(path)
    kind = folder.identity.get("experiment")
    if kind != experiment:
        raise RunFolderError(f"{path} holds a {kind} run; this analysis needs a {experiment} "
                             "run")
    return folder, folder.finished()
