#!/usr/bin/env bash
# Creates (once) the Python environments EvalHub runs: the core one (SDK, lm-eval, MLflow, deploy
# checks), the API fuzzer's, and on request one per extra backend (their pins conflict). Each
# lives outside the repo, keyed by a hash of its pins, so a second run is instant and a pin
# change makes a new one. They are built with uv, which links packages from one shared cache:
# torch (~2.5 GB, needed by guidellm, garak and lighteval) is downloaded once.
#
#   bash scripts/setup-python.sh [--backends guidellm,garak,lighteval,ragas,nemo-evaluator|all]
#   EVALHUB_CACHE_DIR  where environments are kept (default ~/.cache/evalhub; /var/cache/evalhub for root)
#
# One progress line per step on stderr; prints the core venv path on stdout and records it in
# .data/python-venv-path for the service and tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# Root's home is private, and a root worker runs benchmarks as an unprivileged user who must be
# able to read the environments: root keeps them in /var/cache/evalhub (the service agrees).
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/evalhub; else default_cache="$HOME/.cache/evalhub"; fi
cache="${EVALHUB_CACHE_DIR:-$default_cache}"
python="${PYTHON:-python3}"
# A root worker's run user (nobody) must be able to execute the environments' interpreter; one
# under root's home (pyenv, asdf) is out of its reach, so root prefers the system Python.
if [ -z "${PYTHON:-}" ] && [ "$(id -u)" = 0 ] && [ -x /usr/bin/python3 ] \
   && /usr/bin/python3 -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  python=/usr/bin/python3
fi
UV_VERSION=0.13.9
ALL_BACKENDS=(guidellm garak lighteval ragas nemo-evaluator)

backends=()
list=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backends) list="${2:-}"; shift;;
    --backends=*) list="${1#--backends=}";;
    *) echo "setup: unknown argument '$1' (use --backends $(IFS=,; echo "${ALL_BACKENDS[*]}")|all)" >&2; exit 2;;
  esac
  shift
done
if [ "$list" = all ]; then backends=("${ALL_BACKENDS[@]}"); elif [ -n "$list" ]; then IFS=, read -r -a backends <<< "$list"; fi
for b in "${backends[@]}"; do
  [ -f "$root/python/backends/$b/lock.txt" ] || { echo "setup: unknown backend '$b' (known: ${ALL_BACKENDS[*]})" >&2; exit 2; }
done

steps=$((4 + ${#backends[@]}))
step=0
built=()
say() { echo "setup: [$step/$steps] $*" >&2; }
size() { du -sh "$1" 2>/dev/null | cut -f1; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "setup: Python 3.10+ is required (found: $("$python" --version 2>&1))" >&2
  exit 1
fi
mkdir -p "$cache" "$root/.data"
chmod 755 "$cache"

# 1. uv itself, from PyPI, in a small venv of its own.
step=1
uvenv="$cache/uv-$UV_VERSION"
uv="$uvenv/bin/uv"
if [ ! -f "$uvenv/.complete" ]; then
  say "installing uv $UV_VERSION"
  t0=$SECONDS
  rm -rf "$uvenv"
  "$python" -m venv "$uvenv"
  "$uvenv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  touch "$uvenv/.complete"
  say "uv ready in $((SECONDS - t0)) s"
fi

# make_env NAME DIR REQUIREMENTS... : a venv at DIR with exactly those pins, built once.
make_env() {
  local name="$1" dir="$2"
  shift 2
  if [ -f "$dir/.complete" ]; then
    say "$name environment present ($dir)"
    return
  fi
  local n t0
  n=$(cat "$@" | grep -cEv '^\s*(#|-|$)' || true)
  say "$name environment: installing $n pinned packages into $dir"
  t0=$SECONDS
  rm -rf "$dir"
  "$uv" venv --quiet --seed --python "$python" "$dir"
  local args=()
  for f in "$@"; do args+=(-r "$f"); done
  VIRTUAL_ENV="$dir" "$uv" pip install --quiet --python "$dir/bin/python" "${args[@]}"
  if [ -x "$root/python/backends/$name/post-install.sh" ]; then "$root/python/backends/$name/post-install.sh" "$dir"; fi
  touch "$dir/.complete"
  say "$name environment ready in $((SECONDS - t0)) s ($(size "$dir"))"
}

# 2. The core environment. requirements.txt names what we use; constraints.txt pins the rest.
step=2
venv="$cache/venv-$(hash_of "$root/python/requirements.txt" "$root/python/constraints.txt")"
if [ ! -f "$venv/.complete" ]; then
  say "core environment: installing the SDK, lm-eval and MLflow into $venv"
  t0=$SECONDS
  rm -rf "$venv"
  "$uv" venv --quiet --seed --python "$python" "$venv"
  VIRTUAL_ENV="$venv" "$uv" pip install --quiet --python "$venv/bin/python" -r "$root/python/requirements.txt" -c "$root/python/constraints.txt"
  touch "$venv/.complete"
  say "core environment ready in $((SECONDS - t0)) s ($(size "$venv"))"
else
  say "core environment present ($venv)"
fi
echo "$venv" > "$root/.data/python-venv-path"

# 3. The API fuzzer (schemathesis): its pins have nothing to do with the backends'.
step=3
fuzz="$cache/fuzz-$(hash_of "$root/python/fuzz-requirements.txt")"
make_env fuzz "$fuzz" "$root/python/fuzz-requirements.txt"
echo "$fuzz" > "$root/.data/fuzz-venv-path"

# 4. The kfp SDK, for the fake Kubeflow Pipelines server of the tests (it checks pipeline specs
#    against kfp-pipeline-spec) and for driving it with the official client.
step=4
kfp="$cache/kfp-$(hash_of "$root/python/kfp-requirements.txt")"
make_env kfp "$kfp" "$root/python/kfp-requirements.txt"
echo "$kfp" > "$root/.data/kfp-venv-path"

# 5… One environment per requested backend, pinned by its lock file (same hash as the service uses).
for b in "${backends[@]}"; do
  step=$((step + 1))
  lock="$root/python/backends/$b/lock.txt"
  make_env "$b" "$cache/backend-$b-$(sha256sum < "$lock" | cut -c1-16)" "$lock"
  built+=("$b $cache/backend-$b-$(sha256sum < "$lock" | cut -c1-16)")
done

# What is where, and what to do next.
{
  echo "setup: done in $SECONDS s. Installed:"
  echo "setup:   core (lm-eval, MLflow, SDK)  $(size "$venv")  $venv"
  echo "setup:   fuzz (API fuzzer)            $(size "$fuzz")  $fuzz"
  echo "setup:   kfp (fake KFP server, tests) $(size "$kfp")  $kfp"
  for e in "${built[@]}"; do printf 'setup:   %-28s %s  %s\n' "${e%% *}" "$(size "${e#* }")" "${e#* }"; done
  [ ${#backends[@]} -eq 0 ] && echo "setup:   (other backends: bash scripts/setup-python.sh --backends guidellm,garak,lighteval,ragas,nemo-evaluator or all)"
  echo "setup: next: npm start   (API, worker, Redis and MLflow; then open http://127.0.0.1:8080/)"
} >&2
echo "$venv"
