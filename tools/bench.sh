#!/usr/bin/env bash
# npm run bench: build the services and the benchmarks, then measure on this machine.
# Results: bench/results/<name>.json
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_dependencies
build
ensure_infrastructure
log "building benchmarks"
npx tsc -p bench/tsconfig.json && npx tsc-alias -p bench/tsconfig.json
# npm run bench            → every benchmark
# npm run bench -- analysis → only bench/analysis.bench.ts (likewise api, vulndb, proxy-cache, retention, bulk)
for name in ${1:-api analysis vulndb proxy-cache retention bulk}; do
  log "benchmark: $name"
  node dist-bench/bench/$name.bench.js
done
