"""Where a run executes and what produced it: device, derived seeds, provenance."""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import IO

import torch

import vsc
from vsc.config import Config, ConfigError


def resolve_device(name: str) -> torch.device:
    """'auto' -> CUDA when available, else CPU; 'cuda' without a GPU is an error. With
    several GPUs visible, the process takes one no other vsc process holds (claim_gpu)."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("config key 'device' is 'cuda' but no CUDA device is available; "
                           "set it to 'auto' or 'cpu'")
    if name == "cuda" and torch.cuda.device_count() > 1:
        index = claim_gpu(torch.cuda.device_count())
        torch.cuda.set_device(index)  # so that "cuda" without an index means it too
        return torch.device("cuda", index)
    return torch.device(name)


_claimed: tuple[int, IO[str]] | None = None  # this process's GPU and the lock that holds it


def claim_gpu(count: int) -> int:
    """The first of ``count`` GPUs that no other vsc process on this machine holds, held by
    this process until it ends (a lock file per GPU in VSC_GPU_LOCK_DIR, default the temp
    folder): the jobs of a local multi-GPU run spread over the GPUs instead of all landing on
    the first. When every GPU is held, GPUs are shared, chosen by process id. A scheduler
    that gives each job its own GPU (CUDA_VISIBLE_DEVICES) leaves one visible: no lock."""
    global _claimed
    if _claimed is not None:
        return _claimed[0]
    folder = Path(os.environ.get("VSC_GPU_LOCK_DIR", tempfile.gettempdir()))
    for index in range(count):
        try:
            handle = open(folder / f"vsc-gpu-{index}.lock", "a")  # held until the process ends
        except OSError:  # another user's lock file: that GPU is theirs
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _claimed = (index, handle)
        return index
    return os.getpid() % count


def run_device(config: Config) -> torch.device:
    """The device of a run (``config.device``), with deterministic algorithms switched on for
    the process when ``config.deterministic`` asks for them."""
    if config.deterministic:
        # cuBLAS reads this when it creates its first handle; without it deterministic
        # matrix products raise on CUDA >= 10.2
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
    return resolve_device(config.device)


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from a run's identity (not from the order runs happen to start in)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def git_commit() -> str:
    """The suite's git commit (with '+dirty' for local changes), or 'unknown'."""
    root = Path(vsc.__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=5).stdout
        return sha + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(device: torch.device) -> dict[str, str | int | float]:
    """Columns that say which code, library versions and hardware produced a result."""
    if device.type == "cuda":
        name = f"cuda:{torch.cuda.get_device_name(device)}"
    else:
        name = f"cpu:{platform.machine()}, {torch.get_num_threads()} threads"
    facts: dict[str, str | int | float] = {
        "vsc_version": vsc.__version__, "git_commit": git_commit(),
        "torch_version": torch.__version__, "device": name,
        "torch_threads": torch.get_num_threads()}
    if device.type == "cuda":
        facts["peak_gpu_memory_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
    return facts


def memory_available(device: torch.device) -> int:
    """Bytes of memory a run on ``device`` can use at most: the GPU's, or the machine's RAM."""
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).total_memory
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(need_bytes: float, device: torch.device, what: str, remedy: str) -> None:
    """A ConfigError if ``need_bytes`` (an estimate of a run's peak) exceeds what ``device``
    has: an impossible request fails at once instead of in the allocator mid-run."""
    have = memory_available(device)
    if need_bytes > have:
        raise ConfigError(f"{what} needs about {need_bytes / 2**30:,.1f} GiB, more than the "
                          f"{have / 2**30:,.1f} GiB of this {device.type.upper()}; {remedy}")
