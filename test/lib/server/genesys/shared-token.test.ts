import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { IssuedToken } from "@/lib/server/genesys/token-source";
import { SharedTokenSource } from "@/lib/server/genesys/shared-token";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { sharedStoreFor } from "@/test/support/shared-store";

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

function source(prefix: string) {
  const { store } = sharedStoreFor(redis.url, { prefix });
  return { store, tokens: new SharedTokenSource(store, { token: `${prefix}token`, lock: `${prefix}lock` }) };
}

function slowLogin(counter: { n: number }, ms = 200, lifetimeMs = 60_000) {
  return async (): Promise<IssuedToken> => {
    counter.n++;
    await new Promise((r) => setTimeout(r, ms));
    return { value: `token-${counter.n}-${Math.random()}`, renewAt: Date.now() + lifetimeMs / 2, expiresAt: Date.now() + lifetimeMs };
  };
}

describe("SharedTokenSource", () => {
  it("instances that need a token at once cause one login and all get its token", async () => {
    const a = source("t1:");
    const b = source("t1:");
    const logins = { n: 0 };
    const got = await Promise.all([a.tokens.obtain(slowLogin(logins)), b.tokens.obtain(slowLogin(logins)), b.tokens.obtain(slowLogin(logins))]);
    expect(logins.n).toBe(1);
    expect(new Set(got.map((t) => t.value)).size).toBe(1);
    // Later callers read the stored token without logging in.
    await a.tokens.obtain(slowLogin(logins));
    expect(logins.n).toBe(1);
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it("stores the token sealed, never in the clear", async () => {
    const a = source("t2:");
    const token = await a.tokens.obtain(slowLogin({ n: 0 }, 0));
    const raw = await a.store.use("t", (r) => r.hgetallBuffer("t2:token"), (): Record<string, Buffer> => ({}));
    const dump = Object.values(raw).map((v) => v.toString("latin1")).join("|");
    expect(dump.length).toBeGreaterThan(0);
    expect(dump).not.toContain(token.value);
    await a.store.close();
  });

  it("a refused token is discarded for everyone, but a newer one is not", async () => {
    const a = source("t3:");
    const b = source("t3:");
    const logins = { n: 0 };
    const first = await a.tokens.obtain(slowLogin(logins, 0));
    await b.tokens.discard(first.value);
    const second = await b.tokens.obtain(slowLogin(logins, 0));
    expect(logins.n).toBe(2);
    expect(second.value).not.toBe(first.value);
    // A late 401 for the first token must not retire the second.
    await a.tokens.discard(first.value);
    expect((await a.tokens.obtain(slowLogin(logins, 0))).value).toBe(second.value);
    expect(logins.n).toBe(2);
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it("renews a token that is due, and logs in on its own while Redis is down", async () => {
    const a = source("t4:");
    const logins = { n: 0 };
    const due = await a.tokens.obtain(slowLogin(logins, 0, 100));
    await new Promise((r) => setTimeout(r, 80));
    expect((await a.tokens.obtain(slowLogin(logins, 0))).value).not.toBe(due.value);
    await redis.kill();
    try {
      await a.tokens.obtain(slowLogin(logins, 0));
      expect(logins.n).toBe(3);
    } finally {
      await redis.restart();
      await a.store.close();
    }
  });
});
