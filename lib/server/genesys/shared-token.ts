import "server-only";

import { createHash } from "node:crypto";

import { releaseLock, tryLock, sharedScript, type SharedStore } from "@/lib/server/shared-state";

import { sleep } from "./request-limiter";
import type { IssuedToken, TokenSource } from "./token-source";

// One client-credentials token for all instances: whoever finds none (or one due for renewal) logs in under
// a lease while the others wait for its token, so N instances starting together cost one login. The token
// is sealed in Redis; a fingerprint beside it lets a 401 retire exactly the token it refused (Lua cannot
// read the sealed value), not a newer one another instance already put there.

/** How long one instance may hold the login lease. */
const LOGIN_LEASE_MS = 15_000;
/** How long the others wait for that login before logging in themselves. */
const MAX_WAIT_MS = 10_000;
const POLL_MS = 100;

const DISCARD = sharedScript(`if redis.call('HGET', KEYS[1], 'fp') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

function fingerprint(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

export class SharedTokenSource implements TokenSource {
  constructor(
    private readonly store: SharedStore,
    private readonly keys: { token: string; lock: string },
    private readonly now: () => number = Date.now,
  ) {}

  async obtain(login: () => Promise<IssuedToken>): Promise<IssuedToken> {
    const started = this.now();
    for (;;) {
      const shared = await this.read();
      if (shared === "unavailable") return login();
      if (shared && this.now() < shared.renewAt) return shared;
      const lock = await tryLock(this.store, this.keys.lock, LOGIN_LEASE_MS);
      if ("unavailable" in lock) return login();
      if (lock.held) {
        try {
          // Another instance may have stored one between our read and our lease.
          const again = await this.read();
          if (again !== "unavailable" && again && this.now() < again.renewAt) return again;
          const fresh = await login();
          await this.write(fresh);
          return fresh;
        } finally {
          await releaseLock(this.store, this.keys.lock, lock.token);
        }
      }
      if (this.now() - started > MAX_WAIT_MS) return login();
      await sleep(POLL_MS);
    }
  }

  async discard(value: string): Promise<void> {
    await this.store.use("token.discard", (redis) => this.store.script(redis, DISCARD, [this.keys.token], [fingerprint(value)]), () => undefined);
  }

  private read(): Promise<IssuedToken | null | "unavailable"> {
    return this.store.use<IssuedToken | null | "unavailable">(
      "token.read",
      async (redis) => {
        const sealed = await redis.hgetBuffer(this.keys.token, "sealed");
        const plain = sealed ? this.store.open(this.keys.token, sealed) : null;
        if (!plain) return null;
        const token = JSON.parse(plain.toString("utf8")) as IssuedToken;
        return typeof token.value === "string" && typeof token.renewAt === "number" && typeof token.expiresAt === "number" ? token : null;
      },
      () => "unavailable" as const,
    );
  }

  private async write(token: IssuedToken): Promise<void> {
    const ttl = Math.max(1, token.expiresAt - this.now());
    await this.store.use(
      "token.write",
      async (redis) => {
        await redis
          .multi()
          .hset(this.keys.token, { sealed: this.store.seal(this.keys.token, JSON.stringify(token)), fp: fingerprint(token.value) })
          .pexpire(this.keys.token, ttl)
          .exec();
      },
      () => undefined,
    );
  }
}
