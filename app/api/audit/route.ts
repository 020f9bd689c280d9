// GET /api/audit – admins only: one page of the audit trail, newest first (?person, division, action, outcome, from, to, before, limit)
import { auditJsonResponse } from "@/lib/server/audit";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route((req, _params, ctx) => auditJsonResponse(req, ctx));
