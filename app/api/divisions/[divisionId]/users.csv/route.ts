// GET /api/divisions/{divisionId}/users.csv?q=&state=&sort= – CSV of exactly the filtered, sorted view
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId, divisionCsv, getDivisionUsers, isolationOf, readExportView, requireDivisionAccess } from "@/lib/server/divisions";
import { audited, csvResponse } from "@/lib/server/http";
import { allowOnlyParams, readFlag } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";

export const dynamic = "force-dynamic";

export const GET = audited<{ divisionId: string }>("division.export", async (req, { divisionId }, ctx) => {
  ctx.about({ divisionId: divisionId.slice(0, 64) });
  const params = allowOnlyParams(req, ["q", "state", "sort", "refresh"]); //   400
  const force = readFlag(params, "refresh");
  assertDivisionId(divisionId); //                                             400
  const staff = requireStaff(ctx.by(await getStaffAccess())); //                401
  const division = await requireDivisionAccess(staff, divisionId); //           404 / 403
  params.delete("refresh");
  const view = readExportView(params); //                                       400
  const result = await getDivisionUsers(division, { force });
  const csv = divisionCsv(division, result, view);
  ctx.record({ divisionName: division.name, rows: csv.rows, isolation: isolationOf(result) });
  return csvResponse(csv.stream, csv.fileName, { "X-Row-Count": String(csv.rows) });
});
