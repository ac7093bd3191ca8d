"""Every analysis is a pure function of its run folder and its seed: run twice, in fresh
processes whose memory is laid out differently (another environment size, so other heap
addresses), it writes the same bytes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import tiny_config_dict
from vsc.config import config_from_dict
from vsc.dnn import train_dnn
from vsc.linear import train_linear


def _run_twice(tmp_path, *argv: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The files a `vsc` command writes into its --out-dir, from two fresh processes."""
    outputs = []
    for attempt, padding in enumerate(("", "x" * 50_000)):
        out = tmp_path / f"{argv[0]}_{attempt}"
        env = {**os.environ, "VSC_TEST_PADDING": padding, "OMP_NUM_THREADS": "1"}
        flag = ["--out-dir", str(out)] if argv[0] == "recover" else ["--out", str(out / "a.json")]
        out.mkdir()
        subprocess.run([sys.executable, "-m", "vsc_bench", *argv, *flag], check=True, env=env,
                       capture_output=True, timeout=300)
        outputs.append({f.name: f.read_bytes() for f in sorted(out.iterdir())})
    assert outputs[0], "the command wrote nothing"
    return outputs[0], outputs[1]


@pytest.fixture(scope="module")
def spike_slab_run(tmp_path_factory):
    """A spike-and-slab run at J = 3: its straight-through rounding and the selection among
    samples make it the analysis most sensitive to any stray bit."""
    tmp = tmp_path_factory.mktemp("determinism")
    train_linear(config_from_dict(tiny_config_dict(tmp)), "spike_slab", 3, 0, tmp / "run",
                 progress=False)
    return tmp / "run"


@pytest.mark.parametrize("argv", [("snr", "--passes", "6", "--batches", "1"),
                                  ("consistency", "--inputs", "40")])
def test_linear_analysis_is_bitwise_repeatable(tmp_path, spike_slab_run, argv):
    first, second = _run_twice(tmp_path, argv[0], "--run", str(spike_slab_run), *argv[1:])
    assert first == second


def test_recovery_is_bitwise_repeatable(tmp_path):
    from tests.test_dnn import _cfg as dnn_config

    train_dnn(dnn_config(tmp_path), "thresholded_gaussian_gamma", 2, 0, tmp_path / "dnn",
              progress=False)
    first, second = _run_twice(tmp_path, "recover", "--run", str(tmp_path / "dnn"))
    assert first == second
