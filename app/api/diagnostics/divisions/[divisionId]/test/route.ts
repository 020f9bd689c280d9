// POST /api/diagnostics/divisions/{divisionId}/test – admins only: run the real scoped fetch and report it
import { getStaffAccess } from "@/lib/server/auth";
import { testDivision } from "@/lib/server/diagnostics";
import { assertDivisionId } from "@/lib/server/divisions";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { DivisionTest } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const POST = audited<{ divisionId: string }>("diagnostics.test-division", async (req, { divisionId }, ctx) => {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  assertDivisionId(divisionId); //                            400
  allowOnlyParams(req, []); //                                400
  requireAdmin(caller); //                                    401 / 403
  const body: DivisionTest = await testDivision(divisionId);
  ctx.record({
    ...(body.divisionName ? { divisionName: body.divisionName } : {}),
    ...(body.users !== undefined ? { rows: body.users } : {}),
    outcome: body.ok ? "ok" : "error",
    ...(body.failure ? { code: body.failure.code } : {}),
  });
  return json(body);
});
