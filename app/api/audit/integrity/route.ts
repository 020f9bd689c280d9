// GET /api/audit/integrity – admins only: recomputes the audit trail's hash chain and says whether it is intact
import { AUDIT_PURPOSE, getAuditStore } from "@/lib/server/audit";
import { getStaffAccess } from "@/lib/server/auth";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { AuditIntegrity } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = audited("audit.verify", async (req, _params, ctx) => {
  const caller = ctx.by(await getStaffAccess()); //                 who asks (named on any refusal)
  allowOnlyParams(req, []); //                                      400
  requireAdmin(caller, AUDIT_PURPOSE); //                           401 / 403
  const body: AuditIntegrity = await getAuditStore().verify();
  ctx.record({ rows: body.checked, outcome: body.ok ? "ok" : "error", ...(body.ok ? {} : { code: "chain_broken" }) });
  return json(body);
});
