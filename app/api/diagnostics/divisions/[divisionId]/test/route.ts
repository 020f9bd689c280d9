// POST /api/diagnostics/divisions/{divisionId}/test – admins only: run the real scoped fetch and report it
import { requireAdmin } from "@/lib/server/access";
import { audit } from "@/lib/server/audit";
import { testDivision } from "@/lib/server/diagnostics";
import { assertDivisionId } from "@/lib/server/division-fetch";
import { actorOf } from "@/lib/server/division-users";
import { allowOnlyParams } from "@/lib/server/request-params";
import { json, route } from "@/lib/server/route";
import { getStaffAccess } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export const POST = route<{ divisionId: string }>(async (req, { divisionId }, ctx) => {
  allowOnlyParams(req, []);
  assertDivisionId(divisionId);
  const staff = requireAdmin(await getStaffAccess());
  const result = await testDivision(divisionId);
  audit({
    action: "diagnostics.test-division",
    actor: actorOf(staff),
    divisionId,
    ...(result.divisionName ? { divisionName: result.divisionName } : {}),
    ...(result.users !== undefined ? { rows: result.users } : {}),
    outcome: result.ok ? "ok" : "error",
    ...(result.failure ? { code: result.failure.code } : {}),
    requestId: ctx.requestId,
  });
  return json(result);
});
