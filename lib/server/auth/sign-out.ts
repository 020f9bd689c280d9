import "server-only";

import type { JWT } from "next-auth/jwt";

import { staffGenesysClient } from "@/lib/server/genesys";
import { getAuthEnv, getEnv, getLogger } from "@/lib/server/platform";
import type { StaffToken } from "@/lib/server/staff";

import { getStaffResolver } from "./session";
import { sessionEndsAt } from "./session-lifetime";
import { revokeSession } from "./session-revocations";

// Signing out ends the sign-in everywhere it could still be used: our session id is refused from now on
// (session-revocations.ts), and the Genesys token it carried is revoked at Genesys, so that a copy of it
// (in a copied cookie, a log, a memory dump) stops working there too.

/** Sign-out must answer promptly even when Genesys does not: no retry of the revocation starts after this. */
const GENESYS_REVOCATION_DEADLINE_MS = 5_000;

/** next-auth's signOut event: `token` is the session being signed out (absent when the cookie was unreadable). */
export async function endSession(token: JWT | null | undefined): Promise<void> {
  if (!token) return;
  const staff = token.genesys;
  await Promise.all([revokeSession(token.sid, sessionEndsAt(token, getAuthEnv().sessionMaxAgeSeconds)), staff ? revokeGenesysToken(staff) : undefined]);
  // This sign-in's record (its access and newest Genesys token) goes, here and in Redis. Records are per
  // sign-in, so no other session, of this person or anyone, ever held or used this session's token.
  if (staff) await getStaffResolver().forget(staff);
}

/** DELETE /api/v2/tokens/me with the staff member's own token; a failure is logged, never thrown. */
async function revokeGenesysToken(staff: StaffToken): Promise<void> {
  // An expired token is refused by Genesys anyway: nothing to revoke.
  if (staff.accessTokenExpiresAt <= Date.now()) return;
  try {
    await staffGenesysClient(getEnv(), staff.accessToken).revokeOwnToken({ deadlineAt: Date.now() + GENESYS_REVOCATION_DEADLINE_MS });
  } catch (e) {
    getLogger().warn({ userId: staff.userId, err: e instanceof Error ? e.message : String(e) }, "sign-out: Genesys did not revoke the staff token; it stays valid until it expires");
  }
}
