// GET /api/health – liveness and readiness: the app is up and a Genesys token can be obtained (no tenant data)
import { auditStoreStatus } from "@/lib/server/audit";
import { checkHealth } from "@/lib/server/diagnostics";
import { json, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const health = await checkHealth();
  const auditStore = health.checks.config === "ok" ? auditStoreStatus() : undefined;
  if (auditStore) health.checks.auditStore = auditStore;
  return json(health, { status: health.status === "ok" ? 200 : 503 });
});
