import "server-only";

import { createHash } from "node:crypto";

import { getEnv, processSingleton, type Env } from "@/lib/server/platform";
import { getSharedStore, type SharedStore } from "@/lib/server/shared-state";

import { GenesysClient } from "./client";
import { SlidingWindowBudget } from "./request-limiter";
import { SharedBudget } from "./shared-budget";
import { SharedTokenSource } from "./shared-token";

// The BFF's own Genesys identity (client credentials): one client per process, so one token and one request
// budget for every caller. With REDIS_URL the token and the per-minute budget are shared by all instances.

/**
 * A Redis key part that names this deployment's OAuth client (instances of different deployments may share
 * one Redis) without putting the client id itself in Redis.
 */
export function clientKeyPart(env: Env): string {
  return createHash("sha256").update(env.genesys.clientId).digest("hex").slice(0, 16);
}

export function createBffClient(env: Env, shared?: SharedStore): GenesysClient {
  if (!shared?.enabled) return new GenesysClient({ genesys: env.genesys, fetch: env.fetch });
  const client = clientKeyPart(env);
  const perMinute = env.fetch.requestsPerMinute;
  return new GenesysClient({
    genesys: env.genesys,
    fetch: env.fetch,
    // In flight at most: the transport's own timeout around each request (transport.ts), and a margin.
    budget: new SharedBudget(shared, { window: shared.key("budget", client), pause: shared.key("budget-pause", client) }, perMinute, new SlidingWindowBudget(perMinute), env.fetch.requestTimeoutMs + 5_000),
    tokens: new SharedTokenSource(shared, { token: shared.key("token", client), lock: shared.key("token-login", client) }),
  });
}

export function getBffClient(): GenesysClient {
  return processSingleton("bff-client", () => createBffClient(getEnv(), getSharedStore()));
}
