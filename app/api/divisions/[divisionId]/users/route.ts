// GET /api/divisions/{divisionId}/users – the division's users and fetch metadata (JSON, or NDJSON with
// progress lines first when the request accepts application/x-ndjson); ?refresh=1 forces a refetch
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId, getDivisionUsers, isolationOf, payloadJson, requireDivisionAccess, toPayload, type CachedResult } from "@/lib/server/divisions";
import { acceptsNdjson, audited, jsonText, ndjsonResponse, throttled } from "@/lib/server/http";
import { allowOnlyParams, readFlag } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";

export const dynamic = "force-dynamic";

export const GET = audited<{ divisionId: string }>("division.view", async (req, { divisionId }, ctx) => {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const force = readFlag(allowOnlyParams(req, ["refresh"]), "refresh"); //   400
  assertDivisionId(divisionId); //                                             400
  const staff = requireStaff(ctx.by(await getStaffAccess())); //               401
  const division = await requireDivisionAccess(staff, divisionId); //          404 / 403
  // Recorded as viewed, then shaped for the caller's role.
  const shown = (result: CachedResult) => {
    ctx.record({ divisionName: division.name, rows: result.value.users.length, isolation: isolationOf(result) });
    return toPayload(division, result, staff);
  };

  if (!acceptsNdjson(req)) return jsonText(payloadJson(shown(await getDivisionUsers(division, { force }))));
  // NDJSON: progress lines while a cold fetch runs, then the result line; a warm division sends the result at once.
  return ndjsonResponse(async (send) => {
    const onProgress = throttled((p) => send({ type: "progress", ...p }));
    return payloadJson(shown(await getDivisionUsers(division, { force, onProgress })), { type: "result" });
  }, ctx.refused);
});
