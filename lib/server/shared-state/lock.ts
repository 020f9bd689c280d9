import "server-only";

import { randomUUID } from "node:crypto";

import { sharedScript, type SharedStore } from "./store";

// A lease in Redis: one holder at a time, for `ttlMs` unless renewed, so that a holder that dies frees it by
// itself. Release and renewal check the holder's token (a holder whose lease ran out must not free a
// successor's). Used for "one instance logs in" and "one instance fetches a cold division".

const RELEASE = sharedScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);
const RENEW = sharedScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`);

export type LockAttempt =
  /** This caller holds the lease. */
  | { held: true; token: string }
  /** Someone else does; `holder` is their token (to recognise their outcome), null if it just ended. */
  | { held: false; holder: string | null }
  /** Redis is off or failing: coordinate in-process only. */
  | { held: false; unavailable: true };

export async function tryLock(store: SharedStore, key: string, ttlMs: number): Promise<LockAttempt> {
  const token = randomUUID();
  return store.use(
    "lock",
    async (redis): Promise<LockAttempt> => {
      // SET NX GET (Redis 7): takes the lease, or says who holds it, in one round trip.
      const previous = await redis.set(key, token, "PX", ttlMs, "NX", "GET");
      return previous === null ? { held: true, token } : { held: false, holder: previous };
    },
    (): LockAttempt => ({ held: false, unavailable: true }),
  );
}

export async function renewLock(store: SharedStore, key: string, token: string, ttlMs: number): Promise<boolean> {
  return store.use("lock", async (redis) => (await store.script(redis, RENEW, [key], [token, ttlMs])) === 1, () => false);
}

export async function releaseLock(store: SharedStore, key: string, token: string): Promise<void> {
  await store.use("lock", (redis) => store.script(redis, RELEASE, [key], [token]), () => undefined);
}
