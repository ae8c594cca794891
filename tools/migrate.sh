#!/usr/bin/env bash
# npm run migrate [-- <service>...]: run services' migrations (all by default).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ -d dist/apps ] || build
if [ "$#" -gt 0 ]; then SERVICES=("$@"); fi
migrate_all
