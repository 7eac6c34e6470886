#!/usr/bin/env bash
# The one test command (README, CI): dependencies, lint, type-check (src and tests), Python venv
# and one per backend (cached), build, then every jest project. Ends with a plain summary line: "jest: N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Reinstall when node_modules does not match package.json / the lock (npm ls fails), not only when absent.
npm ls --all >/dev/null 2>&1 || npm ci --no-audit --no-fund || exit 1
fail() { echo "$1"; echo "jest: 0 passed, 1 failed"; exit 1; }
npm run --silent lint || fail "lint failed"
npm run --silent typecheck || fail "type-check failed"
# Every backend environment: the backend suites run the real tools (cached by the hash of their pins).
bash scripts/setup-python.sh --backends all >/dev/null || fail "python setup failed"
bash scripts/build.sh || fail "build failed"
mkdir -p .data
results=.data/jest-results.json
rm -f "$results"
npx jest --json --outputFile="$results" "$@"
status=$?
if [ -f "$results" ]; then
  node -e '
    const r = require(process.argv[1]);
    console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  ' "$root/$results"
else
  echo "jest: 0 passed, 1 failed"
fi
exit $status
