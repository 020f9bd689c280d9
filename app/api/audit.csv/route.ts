// GET /api/audit.csv – admins only: every audit event matching the filters of /api/audit, as CSV
import { AUDIT_EXPORT_PARAMS, AUDIT_PURPOSE, auditCsv, parseAuditParams } from "@/lib/server/audit";
import { getStaffAccess } from "@/lib/server/auth";
import { audited, csvResponse } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";

export const dynamic = "force-dynamic";

export const GET = audited("audit.export", async (req, _params, ctx) => {
  const caller = ctx.by(await getStaffAccess()); //                    who asks (named on any refusal)
  const params = allowOnlyParams(req, AUDIT_EXPORT_PARAMS); //         400
  requireAdmin(caller, AUDIT_PURPOSE); //                              401 / 403
  const { query } = parseAuditParams(params); //                       400
  // Recorded once the client has read it all (or went away), with the rows it got.
  const csv = auditCsv(query, (rows, how) => ctx.record({ rows, outcome: how === "complete" ? "ok" : "error", ...(how === "cancelled" ? { code: "client_aborted" } : {}) }));
  return csvResponse(csv.stream, csv.fileName);
});
