// GET /api/audit/integrity – admins only: recomputes the audit trail's hash chain and says whether it is intact
import { auditIntegrityResponse } from "@/lib/server/audit-trail";
import { route } from "@/lib/server/route";

export const dynamic = "force-dynamic";

export const GET = route((req, _params, ctx) => auditIntegrityResponse(req, ctx));
