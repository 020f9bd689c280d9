// GET /api/metrics – Prometheus metrics (upstream calls, retries, 429s, cache, isolation drops, fetch times);
// requires `Authorization: Bearer <METRICS_BEARER_TOKEN>`, and is off (404) when that is not configured
import { requireBearer } from "@/lib/server/auth";
import { route } from "@/lib/server/http";
import { AppError, getEnv, getMetrics } from "@/lib/server/platform";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const expected = getEnv().metrics.bearerToken;
  if (!expected) throw new AppError("not_found", "Metrics are not enabled."); //   404
  requireBearer(req, expected, "metrics"); //                                       401
  const { registry } = getMetrics();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" } });
});
