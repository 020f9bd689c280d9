// GET /api/audit.csv – admins only: every audit event matching the filters of /api/audit, as CSV
import { auditCsvResponse } from "@/lib/server/audit";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route((req, _params, ctx) => auditCsvResponse(req, ctx));
