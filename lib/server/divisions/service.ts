import "server-only";

import { createHash } from "node:crypto";

import type { AuthorizedDivision } from "./access-gate";
import { DivisionCache, LocalCoordination, MemoryStore, type CachedResult } from "./cache";
import { DivisionDirectory } from "./directory";
import { assertDivisionId, fetchDivisionUsers, type DivisionUsers, type FetchProgress } from "./fetch";
import { getEnv, type Env } from "@/lib/server/platform";
import { GenesysClient } from "@/lib/server/genesys";
import { getMetrics } from "@/lib/server/platform";
import { processSingleton } from "@/lib/server/platform";
import { SlidingWindowBudget } from "@/lib/server/genesys";
import { SharedBudget } from "@/lib/server/genesys";
import { SharedCacheStore, SharedCoordination } from "./shared-cache";
import { getSharedStore, type SharedStore } from "@/lib/server/shared-state";
import { SharedTokenSource } from "@/lib/server/genesys";

// Wires configuration, the one Genesys client and the division cache together: what routes, pages and
// the export CLI call. One instance per process (see getDivisionService). With REDIS_URL, the token, the
// request budget, the cache and its single-flight are shared by every instance (see shared-store.ts).

/** How long the division directory (names, counts, reachability) is trusted before it is re-read. */
const DIRECTORY_TTL_MS = 60_000;

export class DivisionService {
  readonly cache: DivisionCache;
  readonly directory: DivisionDirectory;
  readonly client: GenesysClient;

  constructor(
    readonly env: Env,
    shared?: SharedStore,
  ) {
    const ttlMs = env.cache.ttlSeconds * 1000;
    const staleMs = env.cache.staleSeconds * 1000;
    const memory = new MemoryStore<DivisionUsers>(env.cache.maxEntries);
    const local = new LocalCoordination();
    const keys = shared?.enabled ? sharedKeys(shared, env) : undefined;
    this.client = new GenesysClient({
      genesys: env.genesys,
      fetch: env.fetch,
      ...(shared && keys
        ? {
            budget: new SharedBudget(shared, keys.budget, env.fetch.requestsPerMinute, new SlidingWindowBudget(env.fetch.requestsPerMinute)),
            tokens: new SharedTokenSource(shared, keys.token),
          }
        : {}),
    });
    this.directory = new DivisionDirectory(this.client, DIRECTORY_TTL_MS);
    this.cache = new DivisionCache({
      load: (divisionId, onProgress) => this.fetchUncached(divisionId, onProgress),
      store: shared && keys ? new SharedCacheStore(shared, keys.division, memory, ttlMs + staleMs) : memory,
      coordination: shared && keys ? new SharedCoordination(shared, keys.coordination, local, env.fetch.deadlineMs + 30_000) : local,
      ttlMs,
      staleMs,
      forceRefreshMinIntervalMs: env.cache.forceRefreshMinIntervalSeconds * 1000,
    });
  }

  /** A division's users through the cache; only for a division that passed the access check. */
  getUsers(division: AuthorizedDivision, options: { force?: boolean; onProgress?: (p: FetchProgress) => void } = {}): Promise<CachedResult> {
    assertDivisionId(division.id);
    return this.cache.get(division.id, options);
  }

  /** Always fetches from Genesys (the export CLI, the cache's loader). */
  async fetchUncached(divisionId: string, onProgress?: (p: FetchProgress) => void, signal?: AbortSignal): Promise<DivisionUsers> {
    const timer = getMetrics().fetchDuration.startTimer();
    try {
      const result = await fetchDivisionUsers(this.client, divisionId, {
        mode: this.env.isolation.mode,
        deadlineMs: this.env.fetch.deadlineMs,
        ...(onProgress ? { onProgress } : {}),
        ...(signal ? { signal } : {}),
      });
      timer({ outcome: "ok" });
      for (const d of result.meta.isolation.dropped) getMetrics().isolationDropped.inc({ reason: d.reason });
      return result;
    } catch (e) {
      timer({ outcome: "error" });
      throw e;
    }
  }
}

export function getDivisionService(): DivisionService {
  return processSingleton("division-service", () => new DivisionService(getEnv(), getSharedStore()));
}

/**
 * Redis keys. The BFF client's id is in each (instances of different deployments may share one Redis), and
 * the isolation mode in the cache's (a search-only result must not be served to a verify-mode instance).
 */
function sharedKeys(shared: SharedStore, env: Env) {
  const client = createHash("sha256").update(env.genesys.clientId).digest("hex").slice(0, 16);
  const division = (kind: string, divisionId: string, ...rest: string[]) => shared.key(kind, client, env.isolation.mode, divisionId, ...rest);
  return {
    token: { token: shared.key("token", client), lock: shared.key("token-login", client) },
    budget: { window: shared.key("budget", client), pause: shared.key("budget-pause", client) },
    division: (divisionId: string) => division("division", divisionId),
    coordination: {
      lock: (divisionId: string) => division("division-lock", divisionId),
      progress: (divisionId: string, leader: string) => division("division-progress", divisionId, leader),
      outcome: (divisionId: string, leader: string) => division("division-outcome", divisionId, leader),
      forced: (divisionId: string) => division("division-forced", divisionId),
    },
  };
}
