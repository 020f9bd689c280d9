# syntax=docker/dockerfile:1
# Tenantscope: `npm start` (server/index.mjs, the admission gate and graceful shutdown in front of Next).
#   docker build -t tenantscope .            (the app; docs/deploy.md runs two of them behind a proxy)
#   docker build --target emulator -t tenantscope-emulator .   (the local Genesys emulator, demo only)
# better-sqlite3 is a native addon: it is compiled in the stages that have a toolchain, never in the runtime.

# ---- deps: every dependency (the build needs the dev ones: TypeScript, Next's compiler) ----------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- build: next build -----------------------------------------------------------------------------------
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npm run build && rm -rf .next/cache

# ---- prod-deps: npm ci --omit=dev, compiled for the runtime's Node and libc -----------------------------
FROM deps AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: no compiler, no dev dependency, no source but what `npm start` loads -----------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    AUDIT_DB_PATH=/app/data/audit.sqlite \
    SESSION_DB_PATH=/app/data/sessions.sqlite
WORKDIR /app
# The image's "node" user (uid 1000) owns only the data directory; the code stays read-only to it.
RUN mkdir -p /app/data && chown node:node /app/data
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json /app/next.config.js ./
COPY --from=build /app/.next ./.next
COPY --from=build /app/server ./server
COPY --from=build /app/lib/config ./lib/config
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Liveness only: a Genesys or Redis outage must not get the container restarted (readiness is /api/health).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# server/index.mjs drains on SIGTERM: no new connections, requests in progress finish, exit within 10 s.
STOPSIGNAL SIGTERM
CMD ["node", "server/index.mjs"]

# ---- emulator: the local Genesys Cloud of the demo and the tests (docker compose --profile demo) --------
FROM build AS emulator
USER node
EXPOSE 4010
CMD ["node", "--import", "tsx", "emulator/cli.ts", "--host", "0.0.0.0", "--port", "4010"]
