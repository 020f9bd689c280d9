// GET /api/health – readiness: a Genesys token can be obtained, Redis answers (or is off), not draining; 503 otherwise (no tenant data)
import { checkHealth } from "@/lib/server/diagnostics";
import { json, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const health = await checkHealth();
  return json(health, { status: health.status === "ok" ? 200 : 503 });
});
