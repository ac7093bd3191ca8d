"""The SLURM profile against a real single-node SLURM (started by scripts/test.sh as root)."""

import os
import shutil
import subprocess

import pandas as pd
import pytest

from tests.workflow.helpers import REPO, snakemake
from vsc.summaries import SUMMARIES

pytestmark = [
    pytest.mark.slurm,
    pytest.mark.slow,
    pytest.mark.skipif(not (os.environ.get("SLURM_CONF") and shutil.which("sbatch")),
                       reason="no SLURM here (scripts/test.sh starts one when run as root)"),
]


def test_tiny_preset_through_the_slurm_profile(tmp_path):
    # as a user would run it: the workflow profile (profiles/default) is loaded too
    result = snakemake("--profile", str(REPO / "profiles" / "slurm"), "--configfile",
                       str(REPO / "config" / "test.yaml"), "--slurm-keep-successful-logs",
                       # this test cluster keeps no accounting, so sacct cannot say
                       "--slurm-status-command", "squeue",
                       cwd=tmp_path, timeout=900, workflow_profile=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    results = tmp_path / "results" / "test"
    table = pd.read_csv(results / "table1.csv")
    # families x J, FISTA, two scikit-learn coders, the zero code at each J
    assert len(table) == 7 * 2 + 1 + 2 + 2 and table.val_loss_mean.notna().all()
    for stem in ("dictionaries", "table1", "val_loss"):
        assert (tmp_path / "figures" / "test" / f"{stem}.png").is_file()
    # the training jobs really went through sbatch: SLURM kept a log per job
    slurm_logs = list((tmp_path / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert any("linear" in str(p) for p in slurm_logs), slurm_logs
    # the light rules ran where Snakemake runs, not through sbatch
    lights = [summary.rule for summary in SUMMARIES] + ["reproduction_report", "resolved_config"]
    for light in lights:
        assert not any(f"rule_{light}" in str(p) for p in slurm_logs), light
    assert subprocess.run(["squeue", "-h"], capture_output=True, text=True).stdout.strip() == ""
