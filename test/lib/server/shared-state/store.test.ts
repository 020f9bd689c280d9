import { createServer } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { SharedStore } from "@/lib/server/shared-state/store";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { INFO, sharedStoreFor, WARN } from "@/test/support/shared-store";

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

/** PING through the store until Redis answers (ioredis reconnects by itself) or `ms` pass; "local" if it never did. */
async function answersWithin(store: SharedStore, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await store.use("op", async (r) => r.ping(), () => "local");
    if (answer === "PONG" || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("SharedStore", () => {
  it("without a URL is off and always runs the fallback", async () => {
    const { store, fallbacks } = sharedStoreFor(undefined);
    expect(store.status()).toBe("off");
    expect(await store.use("op", async () => "redis", () => "local")).toBe("local");
    expect(fallbacks).toEqual(["op"]);
  });

  it("does not connect until first used (a build loads the modules and must not reach for Redis)", async () => {
    let connections = 0;
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const address = listener.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const { store } = sharedStoreFor(`redis://127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(store.status()).toBe("down");
    expect(connections).toBe(0);
    expect(await store.use("op", async () => "redis", () => "local")).toBe("local");
    expect(connections).toBeGreaterThan(0);
    await store.close();
    await new Promise((resolve) => listener.close(resolve));
  });

  it("runs operations on Redis once connected (the first use waits for the connection)", async () => {
    const { store, fallbacks } = sharedStoreFor(redis.url);
    expect(await store.use("op", async (r) => r.set(store.key("a"), "1"), () => "local")).toBe("OK");
    expect(await store.use("op", async (r) => r.get("test:a"), () => "local")).toBe("1");
    expect(store.status()).toBe("up");
    expect(fallbacks).toEqual([]);
    await store.close();
  });

  it("seals values so that only this secret and this key open them", () => {
    const { store } = sharedStoreFor(undefined);
    const sealed = store.seal("k1", "secret token");
    expect(sealed.toString("latin1")).not.toContain("secret token");
    expect(store.open("k1", sealed)?.toString()).toBe("secret token");
    // Moved to another key, tampered with, or sealed under another secret: unreadable.
    expect(store.open("k2", sealed)).toBeNull();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(store.open("k1", tampered)).toBeNull();
    expect(sharedStoreFor(undefined, { secret: "another secret" }).store.open("k1", sealed)).toBeNull();
    expect(store.open("k1", Buffer.from("short"))).toBeNull();
  });

  it("runs scripts by hash, loading them again after a Redis restart", async () => {
    const { store } = sharedStoreFor(redis.url);
    const { sharedScript } = await import("@/lib/server/shared-state/store");
    const script = sharedScript("return tonumber(ARGV[1]) + 1");
    expect(await store.use("s", (r) => store.script(r, script, [], [41]), () => null)).toBe(42);
    await store.use("s", (r) => r.script("FLUSH"), () => null);
    expect(await store.use("s", (r) => store.script(r, script, [], [1]), () => null)).toBe(2);
    await store.close();
  });

  it("falls back while Redis is down, warns once, and says when it is back", async () => {
    const { store, logs, fallbacks } = sharedStoreFor(redis.url);
    expect(await store.use("op", async (r) => r.ping(), () => "local")).toBe("PONG");
    await redis.kill();
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await store.use("op", async (r) => r.ping(), () => "local"));
    expect(during).toEqual(["local", "local", "local", "local", "local"]);
    expect(store.status()).toBe("down");
    expect(logs.filter((l) => l.level === WARN && l.msg.includes("falling back")), JSON.stringify(logs)).toHaveLength(1);
    expect(fallbacks.length).toBeGreaterThanOrEqual(5);

    await redis.restart();
    expect(await answersWithin(store, 10_000)).toBe("PONG");
    expect(store.status()).toBe("up");
    expect(logs.filter((l) => l.level === INFO && l.msg.includes("is back")), JSON.stringify(logs)).toHaveLength(1);
    await store.close();
  });

  it("starts without Redis and joins it when it appears", async () => {
    const later = await startRedis();
    await later.kill();
    const { store } = sharedStoreFor(later.url);
    expect(await store.use("op", async (r) => r.ping(), () => "local")).toBe("local");
    await later.restart();
    expect(await answersWithin(store, 10_000)).toBe("PONG");
    await store.close();
    await later.stop();
  });
});
