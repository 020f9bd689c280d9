// GET /api/diagnostics – admins only: configuration, token, the client's grants and a per-division matrix
import { authorizeAdminRequest } from "@/lib/server/auth";
import { actorOf, audit } from "@/lib/server/audit";
import { runDiagnostics } from "@/lib/server/diagnostics";
import { json, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route(async (req, _params, ctx) => {
  const { staff } = await authorizeAdminRequest(req, "diagnostics.run", ctx, []);
  const diagnostics = await runDiagnostics();
  audit({ action: "diagnostics.run", actor: actorOf(staff), outcome: "ok", requestId: ctx.requestId });
  return json(diagnostics);
});
