# Shared by tools/*.sh: where things are and how to reach local Postgres and RabbitMQ.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES=(gateway scan-scheduler scanner-worker blob-cache-worker security-status)
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
# The privileged connection: it creates the database, runs the migrations and manages the roles.
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vulnscan}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"

log() { printf '[vulnscan] %s\n' "$*" >&2; }

ensure_dependencies() {
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

build() {
  log "building (tsc)"
  (cd "$ROOT" && npm run -s build)
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# host and port of a URL like scheme://user:pass@host:port/path
url_host() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; echo "${rest%%:*}"; }
url_port() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; [[ "$rest" == *:* ]] && echo "${rest##*:}" || echo "$2"; }

# Starts local Postgres/RabbitMQ when they are down and this machine has them installed.
ensure_infrastructure() {
  local pg_host pg_port mq_host mq_port
  pg_host=$(url_host "$DATABASE_URL"); pg_port=$(url_port "$DATABASE_URL" 5432)
  mq_host=$(url_host "$AMQP_URL"); mq_port=$(url_port "$AMQP_URL" 5672)
  if ! port_open "$pg_host" "$pg_port" && command -v pg_ctlcluster >/dev/null 2>&1; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if ! port_open "$mq_host" "$mq_port" && command -v rabbitmq-server >/dev/null 2>&1; then
    log "starting RabbitMQ"
    rabbitmq-server -detached || true
    for _ in $(seq 1 60); do port_open "$mq_host" "$mq_port" && break; sleep 1; done
  fi
  for _ in $(seq 1 30); do port_open "$pg_host" "$pg_port" && break; sleep 1; done
  port_open "$pg_host" "$pg_port" || { log "PostgreSQL is not reachable at $pg_host:$pg_port. Start it (docker compose up -d postgres) or set DATABASE_URL."; return 1; }
  port_open "$mq_host" "$mq_port" || { log "RabbitMQ is not reachable at $mq_host:$mq_port. Start it (rabbitmq-server -detached, or docker compose up -d rabbitmq) or set AMQP_URL."; return 1; }
}

# The role a service runs as: vulnscan_<service>, as its migration creates it.
service_role() { echo "vulnscan_${1//-/_}"; }

# The URL a service runs with: <SERVICE>_DATABASE_URL (e.g. SCAN_SCHEDULER_DATABASE_URL) when set,
# else DATABASE_URL's host and database as the service's own role, without a password (a local
# cluster trusting loopback; set the variable to give one).
service_database_url() {
  local own_var rest scheme
  own_var="$(echo "${1//-/_}" | tr '[:lower:]' '[:upper:]')_DATABASE_URL"
  if [ -n "${!own_var:-}" ]; then echo "${!own_var}"; return; fi
  scheme="${DATABASE_URL%%://*}"; rest="${DATABASE_URL#*://}"
  [[ "${rest%%/*}" == *@* ]] && rest="${rest#*@}"
  echo "$scheme://$(service_role "$1")@$rest"
}

# Each service's migrations over DATABASE_URL (privileged); they create its role and its grants.
migrate_all() {
  for service in "${SERVICES[@]}"; do
    DATABASE_MIGRATION_URL="$DATABASE_URL" DATABASE_URL="$(service_database_url "$service")" \
      node "$ROOT/dist/apps/$service/src/migrate.js"
  done
}
