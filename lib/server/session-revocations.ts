import "server-only";

// Sessions are stateless JWTs, so signing out only deletes the browser's cookie; a copy of that cookie
// would keep working until it expires. Signed-out sign-in ids (`sid`) are remembered here until then.
// (In-process: with several instances this belongs in the shared store.)

import { processSingleton } from "./process-singleton";

const revoked = processSingleton("revoked-sessions", () => new Map<string, number>());

export function revokeSession(sid: string | undefined, expiresAtSeconds: number | undefined): void {
  if (!sid) return;
  const now = Date.now();
  for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
  revoked.set(sid, (expiresAtSeconds ?? now / 1000 + 86_400) * 1000);
}

export function isSessionRevoked(sid: string | undefined): boolean {
  if (!sid) return false;
  const until = revoked.get(sid);
  return until !== undefined && until > Date.now();
}
