"""Running the real Snakefile in a scratch working directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def snakemake_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"),
            "--workflow-profile", "none", *args]


def snakemake(*args: str, cwd: Path, timeout: int = 600,
              env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(snakemake_command(*args), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def job_count(output: str) -> int:
    match = re.search(r"^total\s+(\d+)", output, re.MULTILINE)
    assert match, output[-2000:]
    return int(match.group(1))
