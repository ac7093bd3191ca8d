"""Local multi-GPU runs: each vsc process takes a GPU no other one holds (lock files), so
parallel jobs spread over the GPUs; with one GPU nothing changes."""

import fcntl
import subprocess
import sys

import pytest
import torch

from vsc import runtime


@pytest.fixture
def four_gpus(tmp_path, monkeypatch):
    monkeypatch.setenv("VSC_GPU_LOCK_DIR", str(tmp_path))
    monkeypatch.setattr(runtime, "_claimed", None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    chosen = []
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    return chosen


def _hold(tmp_path, index):
    """Another process holding GPU ``index`` (a second open file description)."""
    handle = open(tmp_path / f"vsc-gpu-{index}.lock", "a")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def test_a_process_takes_the_first_free_gpu_and_keeps_it(tmp_path, four_gpus):
    held = [_hold(tmp_path, 0), _hold(tmp_path, 1)]
    assert runtime.resolve_device("auto") == torch.device("cuda", 2)
    assert four_gpus == [2]
    held.append(_hold(tmp_path, 3))
    assert runtime.resolve_device("cuda") == torch.device("cuda", 2)  # its own, again
    for handle in held:
        handle.close()


def test_every_gpu_held_means_sharing(tmp_path, four_gpus):
    held = [_hold(tmp_path, i) for i in range(4)]
    assert runtime.claim_gpu(4) in range(4)
    for handle in held:
        handle.close()


def test_processes_get_different_gpus(tmp_path):
    """Two real processes, each holding its claim while the other asks."""
    code = ("import sys, time; from vsc import runtime; print(runtime.claim_gpu(4), flush=True);"
            " sys.stdin.read()")
    env = {"VSC_GPU_LOCK_DIR": str(tmp_path), "PATH": ""}
    first = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    a = first.stdout.readline().strip()
    second = subprocess.run([sys.executable, "-c", code], input="", capture_output=True,
                            text=True, env=env)
    first.communicate("")
    assert (a, second.stdout.strip()) == ("0", "1")
