import "server-only";

// Sessions are stateless JWTs, so signing out only deletes the browser's cookie; a copy of that cookie
// would keep working until it expires. Signed-out sign-in ids (`sid`) are remembered until then: in this
// process, and in Redis (when configured) so that every instance refuses them. While Redis is unavailable,
// an instance knows only the sign-outs it handled itself.

import { processSingleton } from "@/lib/server/platform";
import { getSharedStore } from "@/lib/server/shared-state";

const revoked = processSingleton("revoked-sessions", () => new Map<string, number>());

export async function revokeSession(sid: string | undefined, expiresAtSeconds: number | undefined): Promise<void> {
  if (!sid) return;
  const now = Date.now();
  for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
  const until = Math.ceil((expiresAtSeconds ?? now / 1000 + 86_400) * 1000);
  revoked.set(sid, until);
  const shared = getSharedStore();
  await shared.use("revocation.write", (redis) => redis.set(shared.key("revoked", sid), "1", "PXAT", until), () => undefined);
}

export async function isSessionRevoked(sid: string | undefined): Promise<boolean> {
  if (!sid) return false;
  const until = revoked.get(sid);
  if (until !== undefined && until > Date.now()) return true;
  const shared = getSharedStore();
  if (!shared.enabled) return false;
  return shared.use("revocation.read", async (redis) => (await redis.exists(shared.key("revoked", sid))) === 1, () => false);
}
