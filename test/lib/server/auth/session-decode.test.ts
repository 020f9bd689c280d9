import { decode, encode, type JWT, type JWTDecodeParams } from "next-auth/jwt";
import { describe, expect, it } from "vitest";

import { SessionDecodeCache } from "@/lib/server/auth/session-decode";

// The kept decodings of session cookies: the same value under the same secret opens once; anything else
// (another secret, a changed byte, an expired token) goes to next-auth's own decode, which refuses it.

const SECRET = "a-secret-of-at-least-thirty-two-characters";
const OTHER_SECRET = "another-secret-of-at-least-thirty-two-chars";

function counting(now: () => number = Date.now) {
  const calls: JWTDecodeParams[] = [];
  const cache = new SessionDecodeCache(
    async (params) => {
      calls.push(params);
      return decode(params);
    },
    now,
  );
  return { cache, calls };
}

const claims: JWT = { sub: "u1", sid: "s1", genesys: { userId: "u1", email: "a@example.com", name: "A", accessToken: "at", accessTokenExpiresAt: 1 } };

describe("SessionDecodeCache", () => {
  it("opens a cookie value once, then answers from what it opened to", async () => {
    const token = await encode({ token: claims, secret: SECRET, maxAge: 3600 });
    const { cache, calls } = counting();
    const first = await cache.decode({ token, secret: SECRET });
    const second = await cache.decode({ token, secret: SECRET });
    expect(first).toMatchObject(claims);
    expect(second).toEqual(first);
    expect(calls).toHaveLength(1);
  });

  it("never believes a token under a secret other than the one it was opened with", async () => {
    const token = await encode({ token: claims, secret: SECRET, maxAge: 3600 });
    const { cache, calls } = counting();
    await cache.decode({ token, secret: SECRET });
    await expect(cache.decode({ token, secret: OTHER_SECRET })).rejects.toThrow();
    expect(calls).toHaveLength(2);
  });

  it("does not keep failures: a changed byte is refused every time", async () => {
    const token = await encode({ token: claims, secret: SECRET, maxAge: 3600 });
    const tampered = `${token.slice(0, -3)}${token.at(-3) === "A" ? "B" : "A"}${token.slice(-2)}`;
    const { cache, calls } = counting();
    await cache.decode({ token, secret: SECRET });
    await expect(cache.decode({ token: tampered, secret: SECRET })).rejects.toThrow();
    await expect(cache.decode({ token: tampered, secret: SECRET })).rejects.toThrow();
    expect(calls).toHaveLength(3);
    expect(cache.size).toBe(1);
  });

  it("stops answering for a token once it has expired (with next-auth's 15 s tolerance)", async () => {
    let now = Date.now();
    const token = await encode({ token: claims, secret: SECRET, maxAge: 60 });
    const { cache, calls } = counting(() => now);
    const opened = await cache.decode({ token, secret: SECRET });
    now = ((opened?.exp as number) * 1000) + 14_000;
    await cache.decode({ token, secret: SECRET });
    expect(calls).toHaveLength(1);
    now += 2_000;
    // Past the tolerance the kept entry goes and the token is decoded afresh (here by a real decode, which
    // checks the real clock, so it still opens: what matters is that the cache asked again).
    await cache.decode({ token, secret: SECRET });
    expect(calls).toHaveLength(2);
  });

  it("hands out frozen claims: a caller cannot change them for the next", async () => {
    const token = await encode({ token: claims, secret: SECRET, maxAge: 3600 });
    const { cache } = counting();
    const first = await cache.decode({ token, secret: SECRET });
    expect(() => {
      if (first) first.sub = "someone-else";
    }).toThrow(TypeError);
    expect(() => {
      if (first?.genesys) first.genesys.email = "someone@else.example";
    }).toThrow(TypeError);
    expect((await cache.decode({ token, secret: SECRET }))?.genesys).toMatchObject({ email: "a@example.com" });
  });

  it("keeps at most its limit, dropping the oldest", async () => {
    const calls: string[] = [];
    const cache = new SessionDecodeCache(
      async ({ token }) => {
        calls.push(token ?? "");
        return { sub: token, exp: Math.floor(Date.now() / 1000) + 3600 };
      },
      Date.now,
      2,
    );
    for (const token of ["a", "b", "c"]) await cache.decode({ token, secret: SECRET });
    expect(cache.size).toBe(2);
    await cache.decode({ token: "c", secret: SECRET });
    await cache.decode({ token: "a", secret: SECRET });
    expect(calls).toEqual(["a", "b", "c", "a"]);
  });

  it("keeps nothing without an expiry, and nothing for an empty cookie", async () => {
    const calls: string[] = [];
    const cache = new SessionDecodeCache(async ({ token }) => {
      calls.push(token ?? "");
      return { sub: token };
    });
    await cache.decode({ token: "x", secret: SECRET });
    await cache.decode({ token: "x", secret: SECRET });
    expect(await cache.decode({ token: "", secret: SECRET })).toBeNull();
    expect(calls).toEqual(["x", "x"]);
  });
});
