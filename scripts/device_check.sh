#!/usr/bin/env bash
# The GPU check, one command: the GPU-marked tests, then one table (bench/device_check.py) of
# linear iterations/s alone and in bundles of 8, 21 and 45 (J = 1 and 20), what TF32 changes,
# FISTA on the GPU against the host's solvers, DNN images/s in bf16 and float32, and the
# projected wall time of the paper's linear and CelebA grids. Sized for at most 5 minutes on
# one H100/H200-class GPU (not yet run on one).
#
#   bash scripts/device_check.sh            # on a CUDA machine
#   bash scripts/device_check.sh --reduced  # anywhere, small sizes (CI runs this on a CPU)
#
# Uses .venv/bin/python when there is one, else python3 (a machine with torch and the
# suite's numerical libraries: nothing is installed). Output also goes to $OUT if it is set.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
log=${OUT:-/tmp}/device_check.log
{
  "$PYTHON" - <<'PY'
import torch
print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}"
      + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ""))
PY
  if [ "${1:-}" != "--reduced" ]; then
    "$PYTHON" -m pytest -q -p no:cacheprovider -m gpu tests/test_gpu.py || status=1
  fi
  "$PYTHON" bench/device_check.py ${1:+"$1"} || status=1
  exit "${status:-0}"
} 2>&1 | tee "$log"
