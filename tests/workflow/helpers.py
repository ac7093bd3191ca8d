"""Running the real Snakefile in a scratch working directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def snakemake_command(*args: str, workflow_profile: bool = False) -> list[str]:
    """The command line of the real Snakefile; without ``workflow_profile`` the repository's
    profiles/default is not applied (as a user passing --workflow-profile none)."""
    profile = [] if workflow_profile else ["--workflow-profile", "none"]
    return [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), *profile, *args]


def snakemake(*args: str, cwd: Path, timeout: int = 600, env: dict | None = None,
              workflow_profile: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(snakemake_command(*args, workflow_profile=workflow_profile),
                          cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def job_count(output: str) -> int:
    match = re.search(r"^total\s+(\d+)", output, re.MULTILINE)
    assert match, output[-2000:]
    return int(match.group(1))
