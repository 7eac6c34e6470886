#!/usr/bin/env bash
# Creates (once) the Python venv with the pinned SDK, lm-eval and MLflow. It lives outside the
# repo, keyed by a hash of the pins, so a second run is instant and a pin change makes a new one.
#   EVALHUB_CACHE_DIR  where venvs are kept (default ~/.cache/evalhub)
# Prints the venv path and records it in .data/python-venv-path for the service and tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${EVALHUB_CACHE_DIR:-$HOME/.cache/evalhub}"
python="${PYTHON:-python3}"
hash="$(cat "$root/python/requirements.txt" "$root/python/constraints.txt" | sha256sum | cut -c1-16)"
venv="$cache/venv-$hash"

if [ ! -f "$venv/.complete" ]; then
  if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
    echo "setup-python: Python 3.10+ is required (found: $("$python" --version 2>&1))" >&2
    exit 1
  fi
  echo "setup-python: creating $venv (a minute or two, once)" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/python/requirements.txt" -c "$root/python/constraints.txt"
  touch "$venv/.complete"
fi
mkdir -p "$root/.data"
echo "$venv" > "$root/.data/python-venv-path"

# A second, small venv for the API fuzzer (schemathesis): its pins have nothing to do with the
# backends', so it lives apart and is made once the same way.
fuzz="$cache/fuzz-$(sha256sum < "$root/python/fuzz-requirements.txt" | cut -c1-16)"
if [ ! -f "$fuzz/.complete" ]; then
  echo "setup-python: creating $fuzz (schemathesis, once)" >&2
  rm -rf "$fuzz"
  "$python" -m venv "$fuzz"
  "$fuzz/bin/pip" install --quiet --disable-pip-version-check -r "$root/python/fuzz-requirements.txt"
  touch "$fuzz/.complete"
fi
echo "$fuzz" > "$root/.data/fuzz-venv-path"
echo "$venv"
