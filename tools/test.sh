#!/usr/bin/env bash
# npm test: dependencies, build (type check), lint, formatting, then every unit and integration test against
# real PostgreSQL, RabbitMQ and docker-registry. Ends with "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

extra_failed=0
ensure_dependencies || exit 1
ensure_infrastructure || { echo "0 passed, 1 failed"; exit 1; }
for tool in docker-registry skopeo go; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool is missing: apt-get install docker-registry skopeo golang-go"; echo "0 passed, 1 failed"; exit 1; }
done
if ! build; then log "build failed"; extra_failed=$((extra_failed + 1)); fi
# the build leaves specs out; this checks them (and the benchmarks) too
if ! npm run -s typecheck; then log "type check of specs failed"; extra_failed=$((extra_failed + 1)); fi
if ! npm run -s lint; then log "lint failed"; extra_failed=$((extra_failed + 1)); fi
if ! npm run -s format:check; then log "formatting differs: npm run format"; extra_failed=$((extra_failed + 1)); fi

mkdir -p tmp
rm -f tmp/jest-results.json
npx jest --json --outputFile=tmp/jest-results.json "$@"
jest_status=$?
node -e '
  const fs = require("fs");
  const extra = Number(process.argv[1]);
  let passed = 0, failed = extra;
  try {
    const r = JSON.parse(fs.readFileSync("tmp/jest-results.json", "utf8"));
    passed = r.numPassedTests;
    // a suite that cannot even load counts as a failed test
    failed += r.numFailedTests + r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  } catch { failed += 1; }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
' "$extra_failed"
summary_status=$?
[ "$jest_status" -eq 0 ] && [ "$summary_status" -eq 0 ]
