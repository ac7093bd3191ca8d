"""A run folder's life: damaged files, one trainer at a time, permissions, progress, cost."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from tests.conftest import tiny_config_dict
from vsc.aggregate import cost_table, read_costs
from vsc.config import config_from_dict
from vsc.linear import train_linear
from vsc.report import build_report
from vsc_bench.cli import main


@pytest.fixture
def config_file(tmp_path):
    import yaml

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(tiny_config_dict(tmp_path)))
    return path


def _linear_argv(config_file, out, *extra):
    return ["linear", "--config", str(config_file), "--family", "thresholded_laplacian", "-J",
            "2", "--seed", "0", "--run", str(out), *extra]


def test_replace_stale_clears_a_corrupt_checkpoint(config_file, tmp_path, capsys):
    fresh, damaged = tmp_path / "fresh", tmp_path / "damaged"
    assert main(_linear_argv(config_file, fresh, "--no-progress")) == 0
    cfg = config_from_dict(tiny_config_dict(tmp_path))
    # a run killed while its checkpoint was being copied elsewhere: final.json gone, the
    # checkpoint truncated
    train_linear(cfg, "thresholded_laplacian", 2, 0, damaged, stop_after_epoch=1,
                 progress=False)
    checkpoint = damaged / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:64])
    assert main(_linear_argv(config_file, damaged)) == 2
    assert "checkpoint.pt" in capsys.readouterr().err
    assert main(_linear_argv(config_file, damaged, "--replace-stale", "--no-progress")) == 0
    ours = json.loads((damaged / "final.json").read_text())
    reference = json.loads((fresh / "final.json").read_text())
    assert ours["val_loss"] == reference["val_loss"]  # started over, same numbers


def test_outputs_follow_the_umask(config_file, tmp_path):
    old = os.umask(0o022)
    try:
        assert main(_linear_argv(config_file, tmp_path / "run", "--no-progress")) == 0
        assert main(["summary", "table1", "--input", "runs", str(tmp_path / "run"),
                     "--out-dir", str(tmp_path / "out"), "--figure-dir",
                     str(tmp_path / "out")]) == 0
    finally:
        os.umask(old)
    files = [*(tmp_path / "run").iterdir(), *(tmp_path / "out").iterdir()]
    assert len(files) >= 8
    for path in files:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o644, f"{path.name}: {oct(mode)}"


def test_a_second_trainer_on_a_folder_in_use_stops(config_file, tmp_path, capsys):
    run = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from vsc.config import load_config
        from vsc.results import RunFolder
        with RunFolder({str(run)!r}, load_config({str(config_file)!r}), {{}}).session():
            print("holding", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert main(_linear_argv(config_file, run, "--no-progress")) == 2
        err = capsys.readouterr().err
        assert "in use by process" in err and str(holder.pid) in err
        assert not (run / "config.json").exists()
    finally:
        holder.kill()
        holder.wait()
    # the OS released the lock with the process: the run can start now
    assert main(_linear_argv(config_file, run, "--no-progress")) == 0
    assert not (run / ".lock").exists()


def test_one_progress_line_per_epoch(config_file, tmp_path, capsys):
    assert main(_linear_argv(config_file, tmp_path / "run")) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "epoch" in line]
    assert len(lines) == 2
    assert lines[0].startswith("thresholded_laplacian J=2 seed=0: epoch 1/2 iteration 8 ")
    for line in lines:
        assert "val_loss" in line and "it/s" in line and "time left" in line
    assert lines[1].endswith("time left 0:00:00")


def test_costs_are_read_from_benchmark_files_and_reported(config_file, tmp_path):
    run = tmp_path / "run"
    assert main(_linear_argv(config_file, run, "--no-progress")) == 0
    (run / "benchmark.tsv").write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        "12.5\t0:00:12\t345.6\t1\t1\t1\t0\t0\t90\t11.0\n")
    costs = read_costs([run])
    table = cost_table(costs)
    assert table.job_seconds.item() == 12.5 and table.peak_rss_mb.item() == 345.6
    assert table.cpu_seconds.item() == 11.0 and table.runs.item() == 1
    assert pd.isna(table.peak_gpu_memory_mb.item())  # a CPU run
    finals = pd.DataFrame([json.loads((run / "final.json").read_text())])
    from vsc.aggregate import table1

    report = build_report(table1(finals), finals, costs=costs)
    assert "## What the runs cost" in report and "| 12 | 11 | 346 |" in report


def test_a_failure_before_the_first_checkpoint_leaves_nothing(config_file, tmp_path,
                                                             monkeypatch, capsys):
    """Input that fails only once training has started (a damaged image deep in a data set)
    removes the folder this command created."""
    from vsc.data.images import DataError

    def fail(runs, epoch):
        raise DataError("image 123 of the training set cannot be decoded")

    monkeypatch.setattr("vsc.linear.train_together", fail)
    out = tmp_path / "new" / "run"
    assert main(_linear_argv(config_file, out, "--no-progress")) == 2
    assert "image 123" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
