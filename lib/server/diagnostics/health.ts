import "server-only";

import { getBffClient, toUpstreamError, UpstreamError } from "@/lib/server/genesys";
import { ConfigError, isAppError, isDraining } from "@/lib/server/platform";
import { getSharedStore, type SharedStatus } from "@/lib/server/shared-state";

// Readiness says only what an operator's probe (or a load balancer) needs: whether config loads, a token can
// be had, which shared dependencies answer, and whether the instance is shutting down. It names no tenant,
// user, client id or secret. Liveness (`/api/health/live`) checks nothing but the process itself.
//
// A dependency is added as one more field of `checks` and, if the instance cannot serve without it, one more
// line in `isReady`.

export interface HealthChecks {
  config: "ok" | "failed";
  upstreamToken: "ok" | "failed" | "skipped";
  /** "down" does not make the instance unready: it runs on in-process state meanwhile. "off": no REDIS_URL. */
  sharedStore?: SharedStatus;
  /**
   * The PostgreSQL audit trail (only with AUDIT_DATABASE_URL). "down" does not make the instance unready: its
   * events wait in the local disk buffer meanwhile. Set by the route: diagnostics may not import audit.
   */
  auditStore?: "ok" | "down";
}

export interface Health {
  /** "draining": shutting down, finishing the requests it has; take it out of rotation. */
  status: "ok" | "degraded" | "draining";
  checks: HealthChecks;
  upstream?: { code: string; status: number };
}

function isReady(checks: HealthChecks): boolean {
  return checks.config === "ok" && checks.upstreamToken === "ok";
}

export async function checkHealth(): Promise<Health> {
  let client;
  try {
    client = getBffClient();
  } catch (e) {
    if (e instanceof ConfigError || isAppError(e)) return { status: isDraining() ? "draining" : "degraded", checks: { config: "failed", upstreamToken: "skipped" } };
    throw e;
  }
  let checks: HealthChecks;
  let upstream: Health["upstream"];
  try {
    await client.checkToken();
    checks = { config: "ok", upstreamToken: "ok", sharedStore: getSharedStore().status() };
  } catch (e) {
    const u = e instanceof UpstreamError ? e : toUpstreamError(e);
    checks = { config: "ok", upstreamToken: "failed", sharedStore: getSharedStore().status() };
    upstream = { code: u.genesysCode ?? u.kind, status: u.status };
  }
  const status = isDraining() ? "draining" : isReady(checks) ? "ok" : "degraded";
  return { status, checks, ...(upstream ? { upstream } : {}) };
}
