import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { localStaffShare, SharedStaffShare, type StaffRecord } from "@/lib/server/staff/staff-share";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { sharedStoreFor } from "@/test/support/shared-store";

// Two "instances" (own Redis connection each) sharing one session's staff access: one re-read between them,
// the same refresh moment, sealed records, sign-out for both, and each on its own without Redis.

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

const TIMINGS = { leaseMs: 1_000, pollMs: 10, maxWaitMs: 3_000 };
const WINDOW_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function record(tag: string, checkedAt = Date.now()): StaffRecord {
  const token = { userId: "u1", email: "ben@example.com", name: "Ben", accessToken: `access-${tag}`, refreshToken: `refresh-${tag}`, accessTokenExpiresAt: checkedAt + 3_600_000 };
  return { checkedAt, access: { userId: "u1", email: token.email, name: "Ben", isAdmin: false, divisionIds: new Set(["d1", tag]), checkedAt }, token };
}

const isFresh = (r: StaffRecord) => Date.now() - r.checkedAt < WINDOW_MS;

function instances(prefix: string, n = 2) {
  return Array.from({ length: n }, () => {
    const { store } = sharedStoreFor(redis.url, { prefix });
    let reads = 0;
    const share = new SharedStaffShare(store, 60_000, TIMINGS);
    return {
      share,
      store,
      reads: () => reads,
      refresh: (key: string, tag: string, delayMs = 0, local?: StaffRecord) =>
        share.refresh(key, isFresh, async () => {
          reads++;
          await sleep(delayMs);
          return record(tag);
        }, local),
    };
  });
}

describe("staff access shared through Redis", () => {
  it("two instances asking at once cost one read, and both get its record", async () => {
    const [a, b] = instances("s1:");
    const [fromA, fromB] = await Promise.all([a!.refresh("k", "a", 100), sleep(10).then(() => b!.refresh("k", "b", 100))]);
    expect(a!.reads() + b!.reads()).toBe(1);
    expect(fromB.checkedAt).toBe(fromA.checkedAt);
    expect([...(fromB.access?.divisionIds as Set<string>)]).toEqual([...(fromA.access?.divisionIds as Set<string>)]);
    expect(fromB.token).toEqual(fromA.token);
    await Promise.all([a!.store.close(), b!.store.close()]);
  });

  it("the refresh moment is the one stored: fresh on every instance until it, then re-read once", async () => {
    const [a, b] = instances("s2:");
    const first = await a!.refresh("k", "first");
    // Another instance serves the stored record without a read of its own, with the same checkedAt.
    expect((await b!.refresh("k", "b")).checkedAt).toBe(first.checkedAt);
    expect(b!.reads()).toBe(0);
    await sleep(WINDOW_MS + 20);
    const again = await Promise.all([a!.refresh("k", "a2", 50, first), b!.refresh("k", "b2", 50, first)]);
    expect(a!.reads() + b!.reads()).toBe(2);
    expect(again[0].checkedAt).toBe(again[1].checkedAt);
    expect(again[0].checkedAt).toBeGreaterThan(first.checkedAt);
    await Promise.all([a!.store.close(), b!.store.close()]);
  });

  it("records are per session key: another key never gets this one's record or token", async () => {
    const [a, b] = instances("s3:");
    await a!.refresh("session-1", "one");
    const other = await b!.refresh("session-2", "two");
    expect(b!.reads()).toBe(1);
    expect(other.token?.accessToken).toBe("access-two");
    await Promise.all([a!.store.close(), b!.store.close()]);
  });

  it("is sealed: Redis holds no token or division in clear, and a record moved to another key is not read", async () => {
    const [a, b] = instances("s4:");
    await a!.refresh("k1", "secret");
    const raw = new Redis(redis.url);
    const value = await raw.getBuffer("s4:staff:k1");
    expect(value).not.toBeNull();
    expect(value!.toString("latin1")).not.toMatch(/access-secret|refresh-secret|ben@example\.com/);
    await raw.set("s4:staff:k2", value!);
    await b!.refresh("k2", "own");
    expect(b!.reads()).toBe(1);
    raw.disconnect();
    await Promise.all([a!.store.close(), b!.store.close()]);
  });

  it("sign-out on one instance removes the record for every instance", async () => {
    const [a, b] = instances("s5:");
    await a!.refresh("k", "before");
    await a!.share.forget("k");
    const after = await b!.refresh("k", "after");
    expect(b!.reads()).toBe(1);
    expect(after.token?.accessToken).toBe("access-after");
    await Promise.all([a!.store.close(), b!.store.close()]);
  });

  it("a reader that fails leaves the session to the next asker, who reads it itself", async () => {
    const [a, b] = instances("s6:");
    const failing = a!.share.refresh("k", isFresh, async () => {
      await sleep(80);
      throw new Error("Genesys is down");
    }, undefined);
    const waiting = sleep(10).then(() => b!.refresh("k", "b"));
    await expect(failing).rejects.toThrow("Genesys is down");
    expect((await waiting).token?.accessToken).toBe("access-b");
    expect(b!.reads()).toBe(1);
    await Promise.all([a!.store.close(), b!.store.close()]);
  });

  it("without Redis each instance reads on its own, as before", async () => {
    const { store } = sharedStoreFor(undefined);
    const share = new SharedStaffShare(store, 60_000, TIMINGS);
    let reads = 0;
    const read = async () => {
      reads++;
      return record("alone");
    };
    await Promise.all([share.refresh("k", isFresh, read, undefined), share.refresh("k", isFresh, read, undefined)]);
    expect(reads).toBe(2);
    const known = record("known");
    expect(await localStaffShare.refresh("k", isFresh, async (k) => k ?? record("none"), known)).toBe(known);
  });

  it("with Redis killed, each instance reads on its own (no error), and they share again once it is back", async () => {
    const [a, b] = instances("s7:");
    await a!.refresh("k", "before");
    await redis.kill();
    const during = await Promise.all([a!.refresh("k", "a-alone", 0), b!.refresh("k", "b-alone", 0)]);
    expect(during.map((r) => r.token?.accessToken)).toEqual(["access-a-alone", "access-b-alone"]);
    expect(a!.reads() + b!.reads()).toBe(3);
    await redis.restart();
    const deadline = Date.now() + 10_000;
    while (a!.store.status() !== "up" || b!.store.status() !== "up") {
      if (Date.now() > deadline) throw new Error("the stores did not reconnect");
      await a!.refresh("probe-a", "p").catch(() => undefined);
      await b!.refresh("probe-b", "p").catch(() => undefined);
      await sleep(100);
    }
    const readsBefore = a!.reads() + b!.reads();
    await a!.refresh("k2", "after");
    expect((await b!.refresh("k2", "never")).token?.accessToken).toBe("access-after");
    expect(a!.reads() + b!.reads()).toBe(readsBefore + 1);
    await Promise.all([a!.store.close(), b!.store.close()]);
  });
});
