#!/usr/bin/env bash
# npm start: dependencies, build, database and migrations, then all five services in the foreground.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_dependencies
build
ensure_infrastructure
migrate_all

# Local secrets, made once and kept beside the build (tmp/ is ignored by git), unless set already:
# local_secret <variable> <file in tmp/> <encoding of 32 random bytes>
local_secret() {
  local var="$1" file="$ROOT/tmp/$2"
  [ -n "${!var:-}" ] && return 0
  mkdir -p "$ROOT/tmp"
  [ -s "$file" ] || node -e "process.stdout.write(require('crypto').randomBytes(32).toString('$3'))" > "$file"
  export "$var=$(cat "$file")"
}
local_secret CREDENTIALS_ENCRYPTION_KEY credentials-encryption.key hex   # registry secrets (scanner-worker)
local_secret WEBHOOK_ENCRYPTION_KEY webhook-encryption.key hex           # webhook signing secrets (security-status)
local_secret CACHE_ENCRYPTION_KEY cache-encryption.key hex               # tenants' upstream passwords (blob-cache-worker)
local_secret CACHE_INTERNAL_TOKEN cache-internal.token base64url         # the worker's reads of the blob cache (both)
local_secret BOOTSTRAP_API_KEY bootstrap-api.key base64url               # the operator's API key (gateway)
export MIGRATE_ON_START=false
declare -A PORTS=([gateway]="${PORT:-8080}" [scan-scheduler]="${SCHEDULER_PORT:-8081}" [scanner-worker]="${WORKER_PORT:-8082}" [blob-cache-worker]="${CACHE_PORT:-5001}" [security-status]="${STATUS_PORT:-8083}")
# the scanner-worker reads cached images from this platform's own blob cache
export CACHE_URL="${CACHE_URL:-http://127.0.0.1:${PORTS[blob-cache-worker]}}"

# Each service runs under its own supervisor (tools/supervise.mjs), as compose's restart: unless-stopped
# would: one that exits is logged and restarted after a backoff (1 s doubling to 30 s, back to 1 s once
# it stayed up a minute). Ctrl-C or TERM stops the supervisors, and each stops its service.
supervisors=()
stop() {
  trap - INT TERM EXIT
  log "stopping"
  kill -TERM "${supervisors[@]}" 2>/dev/null || true
  wait || true
}
trap stop INT TERM EXIT

for service in "${SERVICES[@]}"; do
  # each service connects as its own role, which writes only its own schema
  DATABASE_URL="$(service_database_url "$service")" PORT="${PORTS[$service]}" node "$ROOT/tools/supervise.mjs" --name "$service" -- \
    node --enable-source-maps "$ROOT/dist/apps/$service/src/main.js" &
  supervisors+=("$!")
done
log "gateway on http://127.0.0.1:${PORTS[gateway]} (operator API key: \$(cat tmp/bootstrap-api.key), unless BOOTSTRAP_API_KEY is set); crashed services are restarted; Ctrl-C stops everything"
wait || true
