"""scripts/device_check.sh in its reduced mode: the GPU check script runs end to end on a
CPU in seconds, so it cannot rot between the sessions that have a GPU."""

import subprocess

from tests.workflow.helpers import REPO


def test_device_check_runs_in_reduced_mode(tmp_path):
    result = subprocess.run(["bash", str(REPO / "scripts" / "device_check.sh"), "--reduced"],
                            capture_output=True, text=True, timeout=600,
                            env={"OUT": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = result.stdout[result.stdout.index("Device check on"):]
    for row in ("linear J=1  one run", "linear J=20 bundle of 8", "per run vs 8 separate",
                "J=20 / thresholded Laplacian", "from TF32 / from a change of seed",
                "FISTA on cpu", "lasso_cd on the host",
                "DNN thresholded Gaussian+Gamma", "paper linear grid", "paper CelebA grid"):
        assert row in table, row
    assert "FAILED" not in table
    assert (tmp_path / "device_check.log").read_text().endswith(table)
