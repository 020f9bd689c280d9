// GET /api/access/people?q= – admins only: people whose name or email contains q (the access explorer's search)
import { searchPeople } from "@/lib/server/access";
import { getStaffAccess } from "@/lib/server/auth";
import { audited, json } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireAdmin } from "@/lib/server/staff";
import type { AccessPeople } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

// Only refusals are recorded: a search names nobody yet (opening a person is recorded).
export const GET = audited("access.search", async (req, _params, ctx) => {
  const caller = ctx.by(await getStaffAccess()); //           who asks (named on any refusal)
  const params = allowOnlyParams(req, ["q"]); //              400
  requireAdmin(caller, "explore access"); //                  401 / 403
  const body: AccessPeople = await searchPeople(params.get("q") ?? ""); // 400 (q)
  return json(body);
});
