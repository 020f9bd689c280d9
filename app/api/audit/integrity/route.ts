// GET /api/audit/integrity – admins only: recomputes the audit trail's hash chain and says whether it is intact
import { auditIntegrityResponse } from "@/lib/server/audit";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route((req, _params, ctx) => auditIntegrityResponse(req, ctx));
