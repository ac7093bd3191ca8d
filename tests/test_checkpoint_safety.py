"""Nothing a run folder holds can run code: checkpoints load with weights_only=True, and one
that holds a pickled object (or is not ours) is one line naming the file."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict
from vsc.errors import RunFolderError
from vsc.linear import train_linear
from vsc.results import numpy_state, plain_state
from vsc.snr import run_snr


class _Payload:
    """Unpickling this creates a file: what a shared run folder must never be able to do."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def _plant(checkpoint, marker) -> None:
    state = torch.load(checkpoint, weights_only=True)
    state["experiment"]["payload"] = _Payload(marker)
    torch.save(state, checkpoint)


def test_a_pickled_payload_is_refused_on_resume(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    run = tmp_path / "run"
    assert train_linear(cfg, "thresholded_laplacian", 2, 0, run, stop_after_epoch=1,
                        progress=False) is None
    marker = tmp_path / "pwned"
    _plant(run / "checkpoint.pt", marker)
    with pytest.raises(RunFolderError, match="checkpoint.pt cannot be read") as err:
        train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False)
    assert "\n" not in str(err.value)
    assert not marker.exists()
    # --replace-stale deletes the unreadable checkpoint and trains the run again
    final = train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False,
                         replace_stale=True)
    assert final["status"] == "finished" and not marker.exists()


def test_a_pickled_payload_is_refused_by_an_analysis(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    run = tmp_path / "run"
    train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False)
    marker = tmp_path / "pwned"
    _plant(run / "checkpoint.pt", marker)
    with pytest.raises(RunFolderError, match="checkpoint.pt cannot be read"):
        run_snr(run, passes=2, batches=1)
    assert not marker.exists()


@pytest.mark.parametrize("content", [torch.zeros(3), {"experiment": {}}])
def test_a_foreign_checkpoint_is_one_line(tmp_path, content):
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    run = tmp_path / "run"
    train_linear(cfg, "thresholded_laplacian", 2, 0, run, stop_after_epoch=1, progress=False)
    torch.save(content, run / "checkpoint.pt")
    with pytest.raises(RunFolderError, match="is not a vsc-bench checkpoint"):
        train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False)


def test_numpy_values_survive_the_round_trip():
    state = {"snapshots": {0: np.arange(6.0).reshape(2, 3)}, "rows": [{"x": np.float64(0.1)}],
             "pair": (np.int64(3), torch.ones(2))}
    back = numpy_state(plain_state(state))
    assert np.array_equal(back["snapshots"][0], state["snapshots"][0])
    assert back["snapshots"][0].dtype == np.float64
    assert type(back["rows"][0]["x"]) is float and back["rows"][0]["x"] == 0.1
    assert back["pair"][0] == 3 and torch.equal(back["pair"][1], torch.ones(2))


def test_a_resumed_run_removes_the_temporaries_of_a_killed_write(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    run = tmp_path / "run"
    train_linear(cfg, "thresholded_laplacian", 2, 0, run, stop_after_epoch=1, progress=False)
    leftover = run / ".checkpoint.pt.k1ll3d.tmp"  # what a kill inside atomic_path leaves
    leftover.write_bytes(b"half a checkpoint")
    train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False)
    assert not leftover.exists() and not list(run.glob(".*.tmp"))


def test_a_checkpoint_that_does_not_fit_is_one_line(tmp_path):
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    run = tmp_path / "run"
    train_linear(cfg, "thresholded_laplacian", 2, 0, run, stop_after_epoch=1, progress=False)
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    state["experiment"]["encoder"]["trunk.0.weight"] = torch.zeros(3, 3)  # wrong shape
    torch.save(state, run / "checkpoint.pt")
    with pytest.raises(RunFolderError, match=r"does not fit this run \(state\['encoder'\]") as err:
        train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False)
    assert "\n" not in str(err.value) and "--replace-stale" in str(err.value)
    final = train_linear(cfg, "thresholded_laplacian", 2, 0, run, progress=False,
                         replace_stale=True)
    assert final["status"] == "finished" and final["epochs_completed"] == 2


def test_a_full_disk_is_one_line_naming_the_file_and_the_free_space(tmp_path, monkeypatch):
    import errno

    cfg = config_from_dict(tiny_config_dict(tmp_path))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", full)
    with pytest.raises(RunFolderError, match=r"checkpoint.pt could not be written \(.* MiB free"):
        train_linear(cfg, "thresholded_laplacian", 2, 0, tmp_path / "run", progress=False)
