// GET /api/access/people/{userId} – admins only: every division, whether the person may view it and through which grant
import { assertUserId, describePerson } from "@/lib/server/access";
import { getStaffAccess, getStaffResolver } from "@/lib/server/auth";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { AccessPersonDetail } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = audited<{ userId: string }>("access.person", async (req, { userId }, ctx) => {
  ctx.about({ subjectId: userId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  allowOnlyParams(req, []); //                                400
  assertUserId(userId); //                                    400
  const admin = requireAdmin(caller, "explore access"); //    401 / 403
  const body: AccessPersonDetail = await describePerson(admin, userId, (id) => getStaffResolver().lastRead(id)); // 404
  ctx.record({ subjectId: body.person.id, subjectName: body.person.name, ...(body.blocked ? { outcome: "error", code: "upstream_forbidden" } : {}) });
  return json(body);
});
