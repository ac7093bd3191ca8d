#!/usr/bin/env bash
# Create .venv (if missing) and install the suite with every dependency at its pinned version.
# Idempotent: a second call only checks that everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
# The pins in requirements.txt are the environment tested on Python 3.11: check before
# installing anything.
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$version" != "3.11" ]; then
  echo "scripts/install.sh: Python 3.11 is needed, but $PYTHON is ${version:-not a working Python}; install python3.11 or set PYTHON=/path/to/python3.11" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24"
# pip byte-compiles one file after another (about 70 s here); compileall does the same work
# on every core. A few files of the dependencies' own tests use newer syntax and fail to
# compile, as they do under pip, so its status is ignored.
.venv/bin/python -m pip install --quiet --no-compile -r requirements.txt
.venv/bin/python -m compileall -q -j 0 .venv/lib/python3*/site-packages >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --no-deps -e .
