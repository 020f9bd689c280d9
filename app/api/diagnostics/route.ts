// GET /api/diagnostics – admins only: configuration, token, the client's grants and a per-division matrix
import { getStaffAccess } from "@/lib/server/auth";
import { runDiagnostics } from "@/lib/server/diagnostics";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { Diagnostics } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = audited("diagnostics.run", async (req, _params, ctx) => {
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  allowOnlyParams(req, []); //                                400
  requireAdmin(caller); //                                    401 / 403
  const body: Diagnostics = await runDiagnostics();
  ctx.record();
  return json(body);
});
