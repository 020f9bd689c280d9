import "server-only";

import { getBffClient, toUpstreamError, UpstreamError } from "@/lib/server/genesys";
import { ConfigError, isAppError } from "@/lib/server/platform";
import { getSharedStore, type SharedStatus } from "@/lib/server/shared-state";

// Readiness says only what an operator's probe needs: whether config loads and a token can be had. It names
// no tenant, user, client id or secret.

export interface Health {
  status: "ok" | "degraded";
  /**
   * sharedStore "down" does not make the instance unhealthy: it runs on in-process state meanwhile. Nor does
   * auditStore "down" (PostgreSQL unreachable: events go to the disk buffer); it is set by the route, as
   * diagnostics may not import audit, and only with AUDIT_DATABASE_URL.
   */
  checks: { config: "ok" | "failed"; upstreamToken: "ok" | "failed" | "skipped"; sharedStore?: SharedStatus; auditStore?: "ok" | "down" };
  upstream?: { code: string; status: number };
}

export async function checkHealth(): Promise<Health> {
  let client;
  try {
    client = getBffClient();
  } catch (e) {
    if (e instanceof ConfigError || isAppError(e)) return { status: "degraded", checks: { config: "failed", upstreamToken: "skipped" } };
    throw e;
  }
  try {
    await client.checkToken();
    return { status: "ok", checks: { config: "ok", upstreamToken: "ok", sharedStore: getSharedStore().status() } };
  } catch (e) {
    const u = e instanceof UpstreamError ? e : toUpstreamError(e);
    return { status: "degraded", checks: { config: "ok", upstreamToken: "failed", sharedStore: getSharedStore().status() }, upstream: { code: u.genesysCode ?? u.kind, status: u.status } };
  }
}
