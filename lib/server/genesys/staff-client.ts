import "server-only";

import type { AuthEnv, Env } from "@/lib/server/platform";

import { GenesysClient } from "./client";
import { SlidingWindowBudget } from "./request-limiter";
import { createSdkClient } from "./sdk";
import { accessTokenOf } from "./token-source";
import { withTimeout } from "./upstream-call";
import { toUpstreamError, UpstreamError } from "./upstream-error";

// Genesys as one signed-in staff member sees it: their own token (Code Authorization grant, staff client).

/** A client acting as one signed-in staff member, with their own token and a small budget of its own. */
export function staffGenesysClient(env: Env, userToken: string): GenesysClient {
  return new GenesysClient({
    genesys: env.genesys,
    fetch: { ...env.fetch, concurrency: 4, maxRetries: 2 },
    userToken,
    budget: new SlidingWindowBudget(60),
  });
}

/** Renews a staff member's token with their refresh token. */
export async function refreshStaffToken(env: Env, auth: AuthEnv, refreshToken: string): Promise<{ accessToken: string; refreshToken?: string; accessTokenExpiresAt: number }> {
  const client = createSdkClient(env.genesys, env.fetch.requestTimeoutMs);
  try {
    const data = await withTimeout(
      client.refreshCodeAuthorizationGrant(auth.staffClientId, auth.staffClientSecret, refreshToken),
      env.fetch.requestTimeoutMs + 1_000,
      "oauthToken",
    );
    const accessToken = accessTokenOf(data);
    // The typings omit refreshToken, which the SDK sets after a code or refresh grant.
    const renewed = (data as { refreshToken?: unknown }).refreshToken;
    return {
      accessToken,
      ...(typeof renewed === "string" && renewed !== "" ? { refreshToken: renewed } : {}),
      accessTokenExpiresAt: typeof data.tokenExpiryTime === "number" ? data.tokenExpiryTime : Date.now() + 300_000,
    };
  } catch (raw) {
    // The SDK rejects login calls with a raw AxiosError whose config carries the Basic header.
    throw raw instanceof UpstreamError ? raw : toUpstreamError(raw, "oauthToken");
  }
}
