// GET /api/health – readiness: a Genesys token can be obtained, Redis answers (or is off), not draining; 503 otherwise (no tenant data);
//   with AUDIT_DATABASE_URL also whether PostgreSQL answers (auditStore, informative: "down" is still ready)
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
