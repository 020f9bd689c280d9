import "server-only";

import type { AuthorizedDivision } from "./access";
import { DivisionCache, MemoryStore, type CachedResult } from "./division-cache";
import { DivisionDirectory } from "./division-directory";
import { assertDivisionId, fetchDivisionUsers, type DivisionUsers, type FetchProgress } from "./division-fetch";
import { getEnv, type Env } from "./env";
import { GenesysClient } from "./genesys-client";
import { getMetrics } from "./metrics";
import { processSingleton } from "./process-singleton";

// Wires configuration, the one Genesys client and the division cache together: what routes, pages and
// the export CLI call. One instance per process (see getDivisionService).

/** How long the division directory (names, counts, reachability) is trusted before it is re-read. */
const DIRECTORY_TTL_MS = 60_000;

export class DivisionService {
  readonly cache: DivisionCache;
  readonly directory: DivisionDirectory;

  constructor(
    readonly env: Env,
    readonly client: GenesysClient = new GenesysClient({ genesys: env.genesys, fetch: env.fetch }),
  ) {
    this.directory = new DivisionDirectory(client, DIRECTORY_TTL_MS);
    this.cache = new DivisionCache({
      load: (divisionId, onProgress) => this.fetchUncached(divisionId, onProgress),
      store: new MemoryStore<DivisionUsers>(env.cache.maxEntries),
      ttlMs: env.cache.ttlSeconds * 1000,
      staleMs: env.cache.staleSeconds * 1000,
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
  return processSingleton("division-service", () => new DivisionService(getEnv()));
}
