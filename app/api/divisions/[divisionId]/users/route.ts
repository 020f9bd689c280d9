// GET  /api/divisions/{divisionId}/users – the division's users and fetch metadata (JSON, brotli or gzip, with
//      an ETag; or NDJSON with progress lines first when the request accepts application/x-ndjson and the
//      division must be fetched)
// POST /api/divisions/{divisionId}/users – the same, forcing a refetch from Genesys (state-changing, so not a
//      GET, and same-origin only: see lib/server/http/same-origin.ts)
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId, getDivisionUsers, isolationOf, payloadJson, payloadVariant, requireDivisionAccess, rowsLine, toPayload, type CachedResult, type FetchProgress } from "@/lib/server/divisions";
import { acceptsNdjson, audited, batchedRows, EncodedBodies, encodedResponse, ndjsonResponse, throttled, type AuditedContext } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";

export const dynamic = "force-dynamic";

async function divisionUsers(req: Request, divisionId: string, ctx: AuditedContext, force: boolean): Promise<Response> {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //                           who asks (named on any refusal)
  allowOnlyParams(req, []); //                                                 400
  assertDivisionId(divisionId); //                                             400
  const staff = requireStaff(caller); //                                       401
  const division = await requireDivisionAccess(staff, divisionId); //          403 / 404
  // Recorded as viewed, then shaped for the caller's role: the same bytes, serialised and compressed once,
  // for everyone of that role while the cached result lasts (an ETag lets the browser's copy be revalidated).
  const shown = (result: CachedResult) => ({
    recorded: ctx.record({ divisionName: division.name, rows: result.value.users.length, isolation: isolationOf(result) }),
    parts: toPayload(division, result, staff),
  });
  const respond = (result: CachedResult) => {
    const { parts } = shown(result);
    return encodedResponse(req, bodies.get(result.value, payloadVariant(parts), () => payloadJson(parts)), staff.userId);
  };

  if (!acceptsNdjson(req)) return respond(await getDivisionUsers(division, { force }));
  // NDJSON: progress lines and confirmed rows while a cold fetch runs, then the result line, which replaces the
  // rows; a warm division is answered as plain JSON at once. The bare "starting" line is held back, so that a
  // fetch failing at its first call answers with its real status rather than 200 and an error line.
  return ndjsonResponse(
    async (send) => {
      const report = throttled((p) => send({ type: "progress", ...p }));
      const onProgress = (p: FetchProgress) => (p.phase === "starting" && !p.waiting ? undefined : report(p));
      const rows = batchedRows((batch) => send(rowsLine(batch)));
      try {
        return await getDivisionUsers(division, { force, onProgress, onRows: rows.add });
      } finally {
        rows.stop();
      }
    },
    {
      // The result line is sent once its view is on the trail (committed, or buffered on disk).
      line: async (result) => {
        const { parts, recorded } = shown(result);
        await recorded;
        return payloadJson(parts, { type: "result" });
      },
      alone: respond,
    },
    ctx.refused,
  );
}

const bodies = new EncodedBodies<object>();

export const GET = audited<{ divisionId: string }>("division.view", (req, { divisionId }, ctx) => divisionUsers(req, divisionId, ctx, false));

export const POST = audited<{ divisionId: string }>("division.view", (req, { divisionId }, ctx) => divisionUsers(req, divisionId, ctx, true));
