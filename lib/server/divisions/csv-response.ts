import "server-only";

import { parseView, viewToParams, applyView } from "@/lib/shared/user-view";

import { actorOf, audit } from "@/lib/server/audit";
import { csvLines, csvStream } from "@/lib/server/platform";
import { authorizeDivisionRequest, isolationOf, loadUsers } from "./users-response";
import { AppError } from "@/lib/server/platform";
import type { RouteContext } from "@/lib/server/http";
import { EXPORT_COLUMNS, fileSlug, userCells } from "./export";

// GET …/users.csv: exactly the rows of the on-screen view (same filter and sort code as the table), streamed
// as RFC 4180 CSV with spreadsheet formulas neutralised, under a file name that says what it holds.

export async function divisionCsvResponse(req: Request, divisionId: string, ctx: RouteContext): Promise<Response> {
  const auth = await authorizeDivisionRequest(req, divisionId, "division.export", ctx, ["q", "state", "sort", "refresh"]);
  const viewParams = new URLSearchParams(auth.params);
  viewParams.delete("refresh");
  const parsed = parseView(viewParams);
  if (!parsed.ok) throw new AppError("bad_request", parsed.message, { details: { field: parsed.field } });
  const result = await loadUsers(auth, "division.export", ctx);
  const rows = applyView(result.value.users, parsed.view);
  audit({
    action: "division.export",
    actor: actorOf(auth.staff),
    divisionId: auth.division.id,
    divisionName: auth.division.name,
    rows: rows.length,
    isolation: isolationOf(result),
    outcome: "ok",
    requestId: ctx.requestId,
  });

  const filtered = viewToParams({ ...parsed.view, sort: "name", desc: false }).toString() !== "";
  const date = result.value.meta.fetchedAt.slice(0, 10);
  const name = `${fileSlug(auth.division.name)}-users${filtered ? "-filtered" : ""}-${date}.csv`;
  const stream = csvStream(csvLines(EXPORT_COLUMNS, rows, userCells, { bom: true }));
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "Cache-Control": "private, no-store",
      "X-Row-Count": String(rows.length),
    },
  });
}
