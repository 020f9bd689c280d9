import "server-only";

import { createHash } from "node:crypto";

import { decode, type JWT, type JWTDecodeParams } from "next-auth/jwt";

import { processSingleton } from "@/lib/server/platform";

// next-auth opens the session cookie anew on every request: a key derivation from the secret (HKDF, a crypto
// job) and a JWE decryption; a page pays it twice (proxy.ts, then the page). Profiled under `npm run load`
// that was 10-13 % of a warm request's CPU (issue 13). A cookie's value is authenticated ciphertext: the same
// value under the same secret always opens to the same claims, so what it opened to is kept, per process
// (proxy and app share it: processSingleton), until the token expires. Only the decoding is kept: whether the
// session was signed out or outlived its lifetime is still checked on every request (session.ts).

/** Sessions kept; the oldest are dropped past this (each entry is a few hundred bytes). */
const MAX_ENTRIES = 20_000;
/** next-auth's own tolerance on `exp` (jwt/index.js), so a kept token lapses when a fresh decode would fail. */
const CLOCK_TOLERANCE_MS = 15_000;

interface Entry {
  claims: JWT;
  expiresAtMs: number;
}

export class SessionDecodeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly open: (params: JWTDecodeParams) => Promise<JWT | null> = decode,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** next-auth's `decode`, for getToken's `decode` option. Failures are not kept: they decode again. */
  async decode(params: JWTDecodeParams): Promise<JWT | null> {
    if (!params.token) return null;
    const key = keyOf(params);
    const kept = this.entries.get(key);
    if (kept) {
      if (kept.expiresAtMs + CLOCK_TOLERANCE_MS > this.now()) return kept.claims;
      this.entries.delete(key);
    }
    const claims = await this.open(params);
    // A token without an expiry is never kept: nothing would tell when to stop believing it.
    if (!claims || typeof claims.exp !== "number") return claims;
    // Shared by every request with this cookie, so frozen: a caller changing it would throw, not leak.
    deepFreeze(claims);
    this.entries.set(key, { claims, expiresAtMs: claims.exp * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return claims;
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

/** The secret is part of the key: a token is believed only under the secret it was opened with. */
function keyOf({ token, secret, salt }: JWTDecodeParams): string {
  return createHash("sha256")
    .update(typeof secret === "string" ? secret : secret.toString("base64"))
    .update("\0")
    .update(salt ?? "")
    .update("\0")
    .update(token ?? "")
    .digest("base64url");
}

/** The process's decoder: pass as getToken's `decode`. */
export function decodeSessionToken(params: JWTDecodeParams): Promise<JWT | null> {
  return processSingleton("session-decodes", () => new SessionDecodeCache()).decode(params);
}
