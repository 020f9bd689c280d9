import "server-only";

import type { JWT } from "next-auth/jwt";

import { requireDivisionAccess } from "@/lib/server/divisions";
import { withRequestContext } from "@/lib/server/platform";

import { getStaffResolver, liveStaffToken } from "./session";

/**
 * For the proxy: whether the session in `token` may open this division's page, decided by the same session
 * checks and the same gate as the page's own (`app/(dashboard)/divisions/[divisionId]`). Only a "yes" is
 * acted on: the proxy then serves the prerendered shell, which holds nothing of any person or division.
 * Everything else — signed out elsewhere, refused, unknown, or Genesys could not say — is `false`, and the
 * page rendered per request decides and answers with its status (307, 403, 404), recording a refusal once.
 */
export async function mayOpenDivisionPage(token: JWT | null, divisionId: string, requestId: string): Promise<boolean> {
  return withRequestContext({ requestId }, async () => {
    try {
      const staffToken = await liveStaffToken(token);
      const staff = staffToken ? await getStaffResolver().resolve(staffToken) : null;
      if (!staff) return false;
      await requireDivisionAccess(staff, divisionId);
      return true;
    } catch {
      return false;
    }
  });
}
