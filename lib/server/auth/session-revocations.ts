import "server-only";

// Sessions are stateless JWTs, so signing out only deletes the browser's cookie; a copy of that cookie
// would keep working until it expires. Signed-out sign-in ids (`sid`) are remembered until then, in three
// places: this process (a fallback should the file fail), SQLite (`SESSION_DB_PATH`: every process on this
// host, across restarts) and Redis when configured (every instance). While Redis is unavailable, an instance
// knows only the sign-outs of its own host.

import { getAuthEnv, getLogger, processSingleton } from "@/lib/server/platform";
import { getSharedStore } from "@/lib/server/shared-state";

import { RevocationStore } from "./revocation-store";

/** How often ended sessions are purged from the file (also once when it opens). */
const PURGE_EVERY_MS = 3_600_000;

const revoked = processSingleton("revoked-sessions", () => new Map<string, number>());

/** The file, opened on first use (a build must not create it). */
function revocationStore(): RevocationStore {
  return processSingleton("revoked-sessions-store", () => {
    const store = new RevocationStore(getAuthEnv().sessionDbPath);
    const purge = () => {
      try {
        const removed = store.purgeExpired();
        if (removed > 0) getLogger().info({ sessions: { removed } }, "ended sign-outs purged");
      } catch (e) {
        getLogger().error({ err: String(e) }, "sign-out purge failed");
      }
    };
    purge();
    setInterval(purge, PURGE_EVERY_MS).unref();
    return store;
  });
}

/** `expiresAtSeconds`: when the session would have ended anyway (nothing to remember after that). */
export async function revokeSession(sid: string | undefined, expiresAtSeconds: number | undefined): Promise<void> {
  if (!sid) return;
  const now = Date.now();
  for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
  const until = Math.ceil((expiresAtSeconds ?? now / 1000 + 86_400) * 1000);
  revoked.set(sid, until);
  try {
    revocationStore().add(sid, until);
  } catch (e) {
    getLogger().error({ err: String(e) }, "sign-out could not be stored: only this process and Redis (if any) know of it");
  }
  const shared = getSharedStore();
  await shared.use("revocation.write", (redis) => redis.set(shared.key("revoked", sid), "1", "PXAT", until), () => undefined);
}

export async function isSessionRevoked(sid: string | undefined): Promise<boolean> {
  if (!sid) return false;
  const until = revoked.get(sid);
  if (until !== undefined && until > Date.now()) return true;
  try {
    if (revocationStore().has(sid)) return true;
  } catch (e) {
    getLogger().error({ err: String(e) }, "sign-outs could not be read from the file");
  }
  const shared = getSharedStore();
  if (!shared.enabled) return false;
  return shared.use("revocation.read", async (redis) => (await redis.exists(shared.key("revoked", sid))) === 1, () => false);
}
