import "server-only";

import type { JWT } from "next-auth/jwt";

import { hasDivisionService, isAccessRefusal, requireDivisionAccess } from "@/lib/server/divisions";
import { getLogger, withRequestContext } from "@/lib/server/platform";

import { getStaffResolver, hasStaffResolver, liveStaffToken } from "./session";

/**
 * For the proxy: whether the session in `token` may open this division's page, decided by the same session
 * checks and the same gate as the page's own (`app/(dashboard)/divisions/[divisionId]`). Only a "yes" is
 * acted on: the proxy then serves the prerendered shell, which holds nothing of any person or division.
 * Everything else — signed out elsewhere, refused, unknown, or Genesys could not say — is `false`, and the
 * page rendered per request decides and answers with its status (307, 403, 404), recording a refusal once.
 */
export async function mayOpenDivisionPage(token: JWT | null, divisionId: string, requestId: string): Promise<boolean> {
  // The proxy is bundled apart from the app, with its own copies of the classes. State it made would be the
  // app's too (process singletons), and an error that state threw would be no AppError to a route (a 500
  // instead of its status). So it decides only with what the app has already made: the first division page
  // after a start is rendered per request.
  if (!hasStaffResolver() || !hasDivisionService()) return false;
  return withRequestContext({ requestId }, async () => {
    try {
      const staffToken = await liveStaffToken(token);
      const staff = staffToken ? await getStaffResolver().resolve(staffToken) : null;
      if (!staff) return false;
      await requireDivisionAccess(staff, divisionId);
      return true;
    } catch (e) {
      if (!isAccessRefusal((e as { code?: unknown } | null)?.code)) getLogger().warn({ err: e instanceof Error ? { name: e.name, message: e.message } : String(e) }, "division shell: no decision, the page decides");
      return false;
    }
  });
}
