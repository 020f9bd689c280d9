import { randomBytes } from "node:crypto";

import { decode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";

import { hasSessionEnded, sessionEndsAt, sessionTokenEncoder } from "@/lib/server/auth/session-lifetime";

const LIFETIME = 300;
const secret = randomBytes(32).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

describe("sessionEndsAt", () => {
  it("counts from sign-in, not from when the token was last sealed", () => {
    expect(sessionEndsAt({ signedInAt: 1_000, iat: 1_200, exp: 9_999_999 }, LIFETIME)).toBe(1_300);
  });

  it("counts a token from before signedInAt existed from when it was issued, and never past its own expiry", () => {
    expect(sessionEndsAt({ iat: 1_000, exp: 1_000 + 30 * 86_400 }, LIFETIME)).toBe(1_300);
    expect(sessionEndsAt({ signedInAt: 1_000, exp: 1_100 }, LIFETIME)).toBe(1_100);
    expect(sessionEndsAt({}, LIFETIME)).toBeUndefined();
  });

  it("hasSessionEnded: at the end, and when nothing says when it ends", () => {
    expect(hasSessionEnded({ signedInAt: now() - LIFETIME }, LIFETIME)).toBe(true);
    expect(hasSessionEnded({ signedInAt: now() - LIFETIME + 5 }, LIFETIME)).toBe(false);
    expect(hasSessionEnded({}, LIFETIME)).toBe(true);
  });
});

describe("sessionTokenEncoder", () => {
  const encode = sessionTokenEncoder(LIFETIME);

  it("seals a session token to expire when the session ends, however late it is re-sealed", async () => {
    const signedInAt = now() - 100;
    const token = await decode({ token: await encode({ token: { signedInAt }, secret, maxAge: 30 * 86_400 }), secret });
    expect(token?.exp).toBeGreaterThanOrEqual(signedInAt + LIFETIME);
    expect(token?.exp).toBeLessThanOrEqual(signedInAt + LIFETIME + 1);
  });

  it("leaves other tokens (OAuth state, PKCE) with the maxAge they are given", async () => {
    const token = await decode({ token: await encode({ token: { value: "state" }, secret, maxAge: 900 }), secret });
    expect(Number(token?.exp) - Number(token?.iat)).toBe(900);
  });
});
