// POST /api/diagnostics/divisions/{divisionId}/test – admins only: run the real scoped fetch and report it
import { authorizeAdminRequest } from "@/lib/server/auth";
import { actorOf, audit } from "@/lib/server/audit";
import { testDivision } from "@/lib/server/diagnostics";
import { assertDivisionId } from "@/lib/server/divisions";
import { json, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const POST = route<{ divisionId: string }>(async (req, { divisionId }, ctx) => {
  assertDivisionId(divisionId);
  const { staff } = await authorizeAdminRequest(req, "diagnostics.test-division", ctx, []);
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
