import "server-only";

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { processSingleton } from "./process-singleton";

// Prometheus metrics for /api/metrics. One registry per process, created on first use (a build must not
// start collectors).

export interface Metrics {
  registry: Registry;
  upstreamRequests: Counter<"operation" | "status">;
  upstreamRetries: Counter<"operation">;
  upstreamRateLimited: Counter<"operation">;
  cacheRequests: Counter<"result">;
  isolationDropped: Counter<"reason">;
  fetchDuration: Histogram<"outcome">;
  sharedStoreFallbacks: Counter<"operation">;
  auditEvents: Counter<"result">;
}

export function getMetrics(): Metrics {
  return processSingleton("metrics", createMetrics);
}

// Gauges of something only some deployments configure (Redis, PostgreSQL). prom-client exports a gauge without
// labels as 0 from the moment it exists, which would read as "down" where there is nothing to be down: these
// are created on first use, by the code that runs only when their subject is configured.
const OPTIONAL_GAUGES = {
  tenantscope_shared_store_up: "1 while Redis (REDIS_URL) answers, 0 while this instance runs on in-process state; absent without REDIS_URL.",
  tenantscope_audit_store_up: "1 while the audit trail's PostgreSQL (AUDIT_DATABASE_URL) answers, 0 while events go to the local disk buffer (and at start-up, until it has answered); absent with SQLite.",
  tenantscope_audit_buffered_events:
    "Audit events held in this instance's disk buffer for PostgreSQL, until a flush has stored them all; past AUDIT_BUFFER_MAX_EVENTS views are refused with 503. Absent with SQLite.",
} as const;

export type OptionalGaugeName = keyof typeof OPTIONAL_GAUGES;

export function optionalGauge(name: OptionalGaugeName): Gauge {
  const { registry } = getMetrics();
  return processSingleton(`metrics.${name}`, () => new Gauge({ name, help: OPTIONAL_GAUGES[name], registers: [registry] }));
}

/** What server/index.mjs's admission gate reports (it lives outside the app's bundles, on globalThis). */
interface GateStats {
  active: number;
  queued: number;
  suspended: number;
  admitted: number;
  shedByReason: Record<string, number>;
  waitedMsTotal: number;
}

function gateStats(): GateStats | undefined {
  const gate = (globalThis as Record<symbol, { stats(): GateStats } | undefined>)[Symbol.for("tenantscope.admission-gate")];
  return gate?.stats();
}

function registerGateMetrics(registry: Registry): void {
  new Gauge({
    name: "tenantscope_http_requests_active",
    help: "Requests being handled now (admitted by the admission gate).",
    registers: [registry],
    collect() {
      this.set(gateStats()?.active ?? 0);
    },
  });
  new Gauge({
    name: "tenantscope_http_requests_queued",
    help: "Requests waiting for a slot in the admission gate.",
    registers: [registry],
    collect() {
      this.set(gateStats()?.queued ?? 0);
    },
  });
  new Gauge({
    name: "tenantscope_http_requests_waiting_upstream",
    help: "Admitted requests that gave their slot back while they wait on Genesys.",
    registers: [registry],
    collect() {
      this.set(gateStats()?.suspended ?? 0);
    },
  });
  new Counter({
    name: "tenantscope_http_requests_admitted_total",
    help: "Requests admitted by the admission gate.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(gateStats()?.admitted ?? 0);
    },
  });
  new Counter({
    name: "tenantscope_http_queue_wait_seconds_total",
    help: "Summed time admitted requests waited for a slot.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc((gateStats()?.waitedMsTotal ?? 0) / 1000);
    },
  });
  new Counter({
    name: "tenantscope_http_requests_shed_total",
    help: "Requests refused with 503 because the server was saturated, by reason.",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(gateStats()?.shedByReason ?? {})) this.inc({ reason }, n);
    },
  });
}

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tenantscope_" });
  registerGateMetrics(registry);
  return {
    registry,
    upstreamRequests: new Counter({
      name: "tenantscope_upstream_requests_total",
      help: "Requests to Genesys Cloud by SDK operation and HTTP status (0 = no response).",
      labelNames: ["operation", "status"],
      registers: [registry],
    }),
    upstreamRetries: new Counter({ name: "tenantscope_upstream_retries_total", help: "Retried Genesys requests.", labelNames: ["operation"], registers: [registry] }),
    upstreamRateLimited: new Counter({ name: "tenantscope_upstream_rate_limited_total", help: "Genesys 429 answers.", labelNames: ["operation"], registers: [registry] }),
    cacheRequests: new Counter({
      name: "tenantscope_division_cache_requests_total",
      help: "Division cache lookups: hit, stale (served while revalidating), miss, join (joined this process's load in flight), shared_join (waited for another instance's load).",
      labelNames: ["result"],
      registers: [registry],
    }),
    isolationDropped: new Counter({ name: "tenantscope_isolation_dropped_rows_total", help: "Rows dropped by the isolation checks, by reason.", labelNames: ["reason"], registers: [registry] }),
    fetchDuration: new Histogram({
      name: "tenantscope_division_fetch_duration_seconds",
      help: "Duration of division fetches from Genesys.",
      labelNames: ["outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    sharedStoreFallbacks: new Counter({
      name: "tenantscope_shared_store_fallbacks_total",
      help: "Operations that used in-process state because Redis was unavailable, by operation.",
      labelNames: ["operation"],
      registers: [registry],
    }),
    auditEvents: new Counter({ name: "tenantscope_audit_events_total", help: "Audit events by result: stored in the audit trail, failed to store, or signed_out (a refusal of a signed-out visitor: logged, not stored).", labelNames: ["result"], registers: [registry] }),
  };
}
