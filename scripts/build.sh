#!/usr/bin/env bash
# The one build: the service (nest build, which empties dist/ first) and then the dashboard bundle,
# one line per step with its duration (nest build itself prints nothing while it works).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
echo "build: [1/2] compiling the service (nest build) and the SDK's type declarations ..." >&2
npx nest build
npx tsc -p tsconfig.sdk.json
echo "build: [1/2] service compiled in $((SECONDS - t0)) s" >&2
t1=$SECONDS
echo "build: [2/2] bundling the dashboard (esbuild) ..." >&2
node scripts/build-dashboard.js
echo "build: [2/2] dashboard bundled in $((SECONDS - t1)) s; build done in $((SECONDS - t0)) s" >&2
