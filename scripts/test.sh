#!/usr/bin/env bash
# The README's test command (and CI's): install, lint, start the services the tests need,
# run pytest. Extra arguments go to pytest.
#
# As root (CI), a throw-away single-node SLURM is installed and started for the cluster-profile
# test and stopped again on exit; elsewhere, or with VSC_NO_SLURM=1, that one test is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"
ruff check .

if [ "$(id -u)" = 0 ] && [ -z "${VSC_NO_SLURM:-}" ]; then
  slurm_dir=$(mktemp -d /tmp/vsc-slurm.XXXXXX)
  trap 'bash scripts/slurm.sh stop "$slurm_dir"; rm -rf "$slurm_dir"' EXIT
  bash scripts/slurm.sh start "$slurm_dir"
  export SLURM_CONF="$slurm_dir/slurm.conf"
fi

set +e
python -m pytest "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$code"
