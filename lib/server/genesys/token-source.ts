import "server-only";

import { UpstreamError } from "./upstream-error";

/** Tokens are renewed this long before `expires_in` runs out, so a request never carries a dying token. */
const TOKEN_EARLY_RENEWAL_MS = 60_000;

/** A client-credentials token and when to renew it (epoch ms). */
export interface IssuedToken {
  value: string;
  renewAt: number;
  expiresAt: number;
}

/** Where the BFF's token comes from: this process's own login, or one shared by all instances (shared-token.ts). */
export interface TokenSource {
  /** A live token: a shared one when there is one, else the result of `login`. */
  obtain(login: () => Promise<IssuedToken>): Promise<IssuedToken>;
  /** Genesys refused `value` (401): nobody should use it again. */
  discard(value: string): Promise<void>;
}

export const OWN_TOKENS: TokenSource = { obtain: (login) => login(), discard: async () => undefined };

/** The access token of an SDK login result (any grant); a response without one is malformed. */
export function accessTokenOf(auth: { accessToken?: unknown }): string {
  if (typeof auth.accessToken !== "string" || auth.accessToken === "") {
    throw new UpstreamError({ kind: "malformed", message: "The token response had no access_token", operation: "oauthToken" });
  }
  return auth.accessToken;
}

/** `expiresAt` undefined: Genesys did not say, assume five minutes. */
export function issuedToken(value: string, expiresAt: number | undefined, now: number): IssuedToken {
  const expires = expiresAt ?? now + 300_000;
  const lifetime = expires - now;
  // Renew a minute early, or at 80 % of very short lifetimes (tests use seconds-long tokens).
  return { value, renewAt: now + Math.max(0, Math.min(lifetime - TOKEN_EARLY_RENEWAL_MS, lifetime * 0.8)), expiresAt: expires };
}
