// GET /api/metrics – Prometheus metrics (upstream calls, retries, 429s, cache, isolation drops, fetch times);
// requires `Authorization: Bearer <METRICS_BEARER_TOKEN>`, and is off (404) when that is not configured
import { timingSafeEqual } from "node:crypto";

import { getEnv } from "@/lib/server/platform";
import { AppError } from "@/lib/server/platform";
import { getMetrics } from "@/lib/server/platform";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const GET = route(async (req) => {
  const expected = getEnv().metrics.bearerToken;
  if (!expected) throw new AppError("not_found", "Metrics are not enabled.");
  const given = /^bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!sameSecret(given, expected)) throw new AppError("unauthenticated", "A valid metrics bearer token is required.");
  const { registry } = getMetrics();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" } });
});
