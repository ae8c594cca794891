# One image for all five services; SERVICE selects which one runs:
#   docker build --build-arg SERVICE=gateway -t vulnscan-gateway .
#   docker run -e SERVICE=scan-scheduler ...   (the env var overrides the build arg)
# Services: gateway, scan-scheduler, scanner-worker, blob-cache-worker, security-status.
# Migrations: node dist/apps/<service>/src/migrate.js (same image, command overridden).

# ---- build: all dependencies, compile, then drop dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app

# better-sqlite3 (reads rpm's SQLite database) is native: a compiler in case no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, so source changes do not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

# ---- runtime: compiled output and production node_modules only (root-owned, read-only to node) ----
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production

# Blob cache storage (blob-cache-worker); owned by node so a fresh volume mounted here is writable.
RUN mkdir -p /var/lib/vulnscan/blobs && chown node:node /var/lib/vulnscan/blobs

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# Last, so the five per-service builds share every layer above.
ARG SERVICE
ENV SERVICE=${SERVICE}

# uid/gid 1000 in the node images (Kubernetes sets runAsUser: 1000 to match).
USER node

# gateway 8080, scan-scheduler 8081, scanner-worker 8082, security-status 8083, blob-cache-worker 5001
EXPOSE 8080 8081 8082 8083 5001

# exec replaces the shell, so node itself gets SIGTERM and drains (stop consuming, flush, close).
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/$SERVICE/src/main.js"]
