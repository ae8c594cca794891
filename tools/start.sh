#!/usr/bin/env bash
# npm start: dependencies, build, database and migrations, then all five services in the foreground.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_dependencies
build
ensure_infrastructure
migrate_all

export BOOTSTRAP_API_KEY="${BOOTSTRAP_API_KEY:-vulnscan-local-admin-key}"
# A local key for registry secrets at rest, made once and kept beside the build (tmp/ is ignored by git).
if [ -z "${CREDENTIALS_ENCRYPTION_KEY:-}" ]; then
  mkdir -p "$ROOT/tmp"
  [ -s "$ROOT/tmp/credentials-encryption.key" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > "$ROOT/tmp/credentials-encryption.key"
  export CREDENTIALS_ENCRYPTION_KEY="$(cat "$ROOT/tmp/credentials-encryption.key")"
fi
# The same for webhook signing secrets (security-status).
if [ -z "${WEBHOOK_ENCRYPTION_KEY:-}" ]; then
  mkdir -p "$ROOT/tmp"
  [ -s "$ROOT/tmp/webhook-encryption.key" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > "$ROOT/tmp/webhook-encryption.key"
  export WEBHOOK_ENCRYPTION_KEY="$(cat "$ROOT/tmp/webhook-encryption.key")"
fi
# The same for the passwords of tenants' cache upstreams (blob-cache-worker).
if [ -z "${CACHE_ENCRYPTION_KEY:-}" ]; then
  mkdir -p "$ROOT/tmp"
  [ -s "$ROOT/tmp/cache-encryption.key" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > "$ROOT/tmp/cache-encryption.key"
  export CACHE_ENCRYPTION_KEY="$(cat "$ROOT/tmp/cache-encryption.key")"
fi
# The token the scanner-worker presents to the blob cache to read tenants' cached images (set on both).
if [ -z "${CACHE_INTERNAL_TOKEN:-}" ]; then
  mkdir -p "$ROOT/tmp"
  [ -s "$ROOT/tmp/cache-internal.token" ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' > "$ROOT/tmp/cache-internal.token"
  export CACHE_INTERNAL_TOKEN="$(cat "$ROOT/tmp/cache-internal.token")"
fi
export MIGRATE_ON_START=false
declare -A PORTS=([gateway]="${PORT:-8080}" [scan-scheduler]="${SCHEDULER_PORT:-8081}" [scanner-worker]="${WORKER_PORT:-8082}" [blob-cache-worker]="${CACHE_PORT:-5001}" [security-status]="${STATUS_PORT:-8083}")
# the scanner-worker reads cached images from this platform's own blob cache
export CACHE_URL="${CACHE_URL:-http://127.0.0.1:${PORTS[blob-cache-worker]}}"

pids=()
stop() {
  trap - INT TERM EXIT
  log "stopping"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop INT TERM EXIT

for service in "${SERVICES[@]}"; do
  PORT="${PORTS[$service]}" node --enable-source-maps "$ROOT/dist/apps/$service/src/main.js" &
  pids+=("$!")
done
log "gateway on http://127.0.0.1:${PORTS[gateway]} (API key: \$BOOTSTRAP_API_KEY); Ctrl-C stops everything"
wait -n "${pids[@]}" || true
log "a service exited; stopping the others"
