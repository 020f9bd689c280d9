// GET /api/access/divisions/{divisionId}/viewers.csv – admins only: the access review of one tenant, as CSV
import { accessReviewCsv, divisionViewers } from "@/lib/server/access";
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId } from "@/lib/server/divisions";
import { audited, csvResponse } from "@/lib/server/http";
import { AppError, allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";

export const dynamic = "force-dynamic";

export const GET = audited<{ divisionId: string }>("access.export", async (req, { divisionId }, ctx) => {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  allowOnlyParams(req, []); //                                400
  assertDivisionId(divisionId); //                            400
  const admin = requireAdmin(caller, "explore access"); //    401 / 403
  const body = await divisionViewers(admin, divisionId); //   404
  ctx.about({ divisionId: body.division.id, divisionName: body.division.name });
  // An incomplete review must not look like a complete one: no CSV without the grants.
  if (body.blocked) throw new AppError("upstream_forbidden", body.blocked.message, { details: { permission: body.blocked.permission } });
  // Recorded once the client has read it all (or went away), with the rows it got.
  const csv = accessReviewCsv(body, (rows, how) => ctx.record({ rows, outcome: how === "complete" ? "ok" : "error", ...(how === "cancelled" ? { code: "client_aborted" } : {}) }));
  return csvResponse(csv.stream, csv.fileName);
});
