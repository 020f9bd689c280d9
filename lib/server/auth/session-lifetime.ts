import "server-only";

import { encode, type JWT, type JWTEncodeParams } from "next-auth/jwt";

// A session lasts SESSION_MAX_AGE_SECONDS from sign-in, however often its cookie is re-issued. Left alone,
// next-auth stamps each session token with its own 30-day default expiry (the setting only limited the
// cookie), and every GET /api/auth/session re-issues the token for another full lifetime: a copied cookie
// could be kept alive for ever.

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * When the session ends (epoch seconds): its sign-in plus the lifetime, never after the token's own expiry.
 * A token from before `signedInAt` existed counts from when it was issued, so those 30-day tokens end too.
 */
export function sessionEndsAt(token: JWT, lifetimeSeconds: number): number | undefined {
  const start = typeof token.signedInAt === "number" ? token.signedInAt : typeof token.iat === "number" ? token.iat : undefined;
  const exp = typeof token.exp === "number" ? token.exp : undefined;
  if (start === undefined) return exp;
  return exp === undefined ? start + lifetimeSeconds : Math.min(start + lifetimeSeconds, exp);
}

export function hasSessionEnded(token: JWT, lifetimeSeconds: number): boolean {
  const end = sessionEndsAt(token, lifetimeSeconds);
  return end === undefined || end <= nowSeconds();
}

/**
 * next-auth's encode, except that a session token expires when its session ends. Other tokens it seals (the
 * OAuth state and PKCE cookies) carry no `signedInAt` and keep the maxAge they are given.
 */
export function sessionTokenEncoder(lifetimeSeconds: number): (params: JWTEncodeParams) => Promise<string> {
  return (params) => {
    const start = params.token?.signedInAt;
    if (typeof start !== "number") return encode(params);
    const remaining = Math.max(0, Math.min(lifetimeSeconds, start + lifetimeSeconds - nowSeconds()));
    return encode({ ...params, maxAge: remaining });
  };
}
