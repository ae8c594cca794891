#!/usr/bin/env bash
# npm run bench: build the services and the benchmarks, then measure on this machine.
# Results: bench/results/*.json
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_dependencies
build
ensure_infrastructure
log "building benchmarks"
npx tsc -p bench/tsconfig.json && npx tsc-alias -p bench/tsconfig.json
node dist-bench/bench/api.bench.js
