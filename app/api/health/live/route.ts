// GET /api/health/live – liveness: the process answers HTTP; checks no dependency (a Genesys or Redis outage must not restart it)
import { json, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route(async () => json({ status: "ok" }));
