// GET /api/divisions/{divisionId}/users.csv?q=&state=&sort= – CSV of exactly the filtered, sorted view
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId, divisionCsv, getDivisionUsers, isolationOf, readExportView, requireDivisionAccess } from "@/lib/server/divisions";
import { audited, csvResponse } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";

export const dynamic = "force-dynamic";

export const GET = audited<{ divisionId: string }>("division.export", async (req, { divisionId }, ctx) => {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const caller = ctx.by(await getStaffAccess()); //                             who asks (named on any refusal)
  const params = allowOnlyParams(req, ["q", "state", "sort"]); //               400
  assertDivisionId(divisionId); //                                             400
  const staff = requireStaff(caller); //                                        401
  const division = await requireDivisionAccess(staff, divisionId); //           403 / 404
  const view = readExportView(params); //                                       400
  // The cached result, as the page shows it (a forced refetch is the page's Refresh, a POST).
  const result = await getDivisionUsers(division);
  const csv = divisionCsv(division, result, view);
  ctx.record({ divisionName: division.name, rows: csv.rows, isolation: isolationOf(result) });
  return csvResponse(csv.stream, csv.fileName, { "X-Row-Count": String(csv.rows) });
});
