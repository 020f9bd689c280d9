// GET /api/access/people/{userId}/divisions/{divisionId} – admins only: the verdict, the smallest fix, what Tenantscope decides
import { assertUserId, explainAccess } from "@/lib/server/access";
import { getStaffAccess, getStaffResolver } from "@/lib/server/auth";
import { assertDivisionId } from "@/lib/server/divisions";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { AccessExplanation } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = audited<{ userId: string; divisionId: string }>("access.explain", async (req, { userId, divisionId }, ctx) => {
  ctx.about({ subjectId: userId.slice(0, 64), divisionId: divisionId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  allowOnlyParams(req, []); //                                400
  assertUserId(userId); //                                    400
  assertDivisionId(divisionId); //                            400
  const admin = requireAdmin(caller, "explore access"); //    401 / 403
  const body: AccessExplanation = await explainAccess(admin, userId, divisionId, (id) => getStaffResolver().lastRead(id)); // 404
  ctx.record({
    subjectId: body.person.id,
    subjectName: body.person.name,
    divisionId: body.division.id,
    divisionName: body.division.name,
    ...(body.blocked ? { outcome: "error", code: "upstream_forbidden" } : {}),
  });
  return json(body);
});
