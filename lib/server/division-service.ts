import "server-only";

import { DivisionCache, MemoryStore, type CachedResult } from "./division-cache";
import { assertDivisionId, fetchDivisionUsers, type DivisionUsers, type FetchProgress } from "./division-fetch";
import { getEnv, type Env } from "./env";
import { GenesysClient } from "./genesys-client";

// Wires configuration, the one Genesys client and the division cache together: what routes, pages and
// the export CLI call. One instance per process (see getDivisionService).

export class DivisionService {
  readonly cache: DivisionCache;

  constructor(
    readonly env: Env,
    readonly client: GenesysClient = new GenesysClient({ genesys: env.genesys, fetch: env.fetch }),
  ) {
    this.cache = new DivisionCache({
      load: (divisionId, onProgress) => this.fetchUncached(divisionId, onProgress),
      store: new MemoryStore<DivisionUsers>(env.cache.maxEntries),
      ttlMs: env.cache.ttlSeconds * 1000,
      staleMs: env.cache.staleSeconds * 1000,
      forceRefreshMinIntervalMs: env.cache.forceRefreshMinIntervalSeconds * 1000,
    });
  }

  /** A division's users through the cache. A malformed id is refused before anything else happens. */
  getUsers(divisionId: string, options: { force?: boolean; onProgress?: (p: FetchProgress) => void } = {}): Promise<CachedResult> {
    assertDivisionId(divisionId);
    return this.cache.get(divisionId, options);
  }

  /** Always fetches from Genesys (the export CLI, the cache's loader). */
  fetchUncached(divisionId: string, onProgress?: (p: FetchProgress) => void, signal?: AbortSignal): Promise<DivisionUsers> {
    return fetchDivisionUsers(this.client, divisionId, {
      mode: this.env.isolation.mode,
      deadlineMs: this.env.fetch.deadlineMs,
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

let service: DivisionService | undefined;

export function getDivisionService(): DivisionService {
  service ??= new DivisionService(getEnv());
  return service;
}
