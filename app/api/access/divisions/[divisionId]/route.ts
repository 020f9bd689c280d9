// GET /api/access/divisions/{divisionId} – admins only: who can see this tenant (grants of directory:user:view, configured admins)
import { divisionViewers } from "@/lib/server/access";
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId } from "@/lib/server/divisions";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { AccessDivisionViewers } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = audited<{ divisionId: string }>("access.division", async (req, { divisionId }, ctx) => {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  allowOnlyParams(req, []); //                                400
  assertDivisionId(divisionId); //                            400
  const admin = requireAdmin(caller, "explore access"); //    401 / 403
  const body: AccessDivisionViewers = await divisionViewers(admin, divisionId); // 404
  ctx.record({
    divisionId: body.division.id,
    divisionName: body.division.name,
    rows: body.viewers.length + body.admins.length,
    ...(body.blocked ? { outcome: "error", code: "upstream_forbidden" } : {}),
  });
  return json(body);
});
