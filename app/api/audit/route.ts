// GET /api/audit – admins only: one page of the audit trail, newest first (?person, division, action, outcome, from, to, before, limit)
import { AUDIT_PARAMS, AUDIT_PURPOSE, getAuditStore, parseAuditParams } from "@/lib/server/audit";
import { getStaffAccess } from "@/lib/server/auth";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { AuditPageDto } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = audited("audit.view", async (req, _params, ctx) => {
  const caller = ctx.by(await getStaffAccess()); //                who asks (named on any refusal)
  const params = allowOnlyParams(req, AUDIT_PARAMS); //           400
  requireAdmin(caller, AUDIT_PURPOSE); //                         401 / 403
  const { query } = parseAuditParams(params); //               400
  const body: AuditPageDto = await getAuditStore().query(query);
  ctx.record({ rows: body.events.length });
  return json(body);
});
