#!/usr/bin/env bash
# The one test command (README, CI): Python venv (cached), build, then every jest project.
# Ends with a plain summary line: "jest: N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/setup-python.sh >/dev/null || exit 1
npx nest build || exit 1
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
