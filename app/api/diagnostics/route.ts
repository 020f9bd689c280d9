// GET /api/diagnostics – admins only: configuration, token, the client's grants and a per-division matrix
import { requireAdmin } from "@/lib/server/access";
import { audit } from "@/lib/server/audit";
import { runDiagnostics } from "@/lib/server/diagnostics";
import { actorOf } from "@/lib/server/division-users";
import { allowOnlyParams } from "@/lib/server/request-params";
import { json, route } from "@/lib/server/route";
import { getStaffAccess } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export const GET = route(async (req, _params, ctx) => {
  allowOnlyParams(req, []);
  const staff = requireAdmin(await getStaffAccess());
  const diagnostics = await runDiagnostics();
  audit({ action: "diagnostics.run", actor: actorOf(staff), outcome: "ok", requestId: ctx.requestId });
  return json(diagnostics);
});
