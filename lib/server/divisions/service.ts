import "server-only";

import { clientKeyPart, DIRECTORY_USER_VIEW, divisionsWithPermission, getBffClient, getCapabilities, type GenesysClient } from "@/lib/server/genesys";
import { getEnv, getMetrics, hasProcessSingleton, processSingleton, type Env } from "@/lib/server/platform";
import { getSharedStore, type SharedStore } from "@/lib/server/shared-state";

import type { AuthorizedDivision } from "./authorized";
import { DivisionCache, LocalCoordination, MemoryStore, type CachedResult, type LoadListeners } from "./cache";
import { DivisionDirectory } from "./directory";
import { fetchDivisionUsers, type DivisionUsers, type FetchOptions, type FetchProgress, type RowsBatch } from "./fetch";
import { getOrgSnapshotSource } from "./org-snapshot";
import { SharedCacheStore, SharedCoordination } from "./shared-cache";

// Wires configuration, the BFF's Genesys client and the division cache together. One instance per process
// (getDivisionService). With REDIS_URL, the cache and its single-flight are shared by every instance.

/** How long the division directory (names, counts, reachability) is trusted before it is re-read. */
const DIRECTORY_TTL_MS = 60_000;

export class DivisionService {
  readonly cache: DivisionCache;
  readonly directory: DivisionDirectory;

  constructor(
    readonly env: Env,
    private readonly client: GenesysClient,
    shared?: SharedStore,
    /** Shared with the doctor and diagnostics (what the org supports), and by every division (the org pass). */
    private readonly org: Pick<FetchOptions, "capabilities" | "snapshot"> = {},
  ) {
    const ttlMs = env.cache.ttlSeconds * 1000;
    const staleMs = env.cache.staleSeconds * 1000;
    const memory = new MemoryStore<DivisionUsers>(env.cache.maxEntries);
    const local = new LocalCoordination();
    const keys = shared?.enabled ? sharedKeys(shared, env) : undefined;
    this.directory = new DivisionDirectory(this.client, DIRECTORY_TTL_MS);
    this.cache = new DivisionCache({
      load: (divisionId, onProgress, onRows) => this.fetch(divisionId, onProgress, undefined, onRows),
      store: shared && keys ? new SharedCacheStore(shared, keys.division, memory, ttlMs + staleMs) : memory,
      coordination: shared && keys ? new SharedCoordination(shared, keys.coordination, local, env.fetch.deadlineMs + 30_000) : local,
      ttlMs,
      staleMs,
      forceRefreshMinIntervalMs: env.cache.forceRefreshMinIntervalSeconds * 1000,
    });
  }

  /** A division's users through the cache (optionally forced past it). */
  getUsers(division: AuthorizedDivision, options: LoadListeners & { force?: boolean } = {}): Promise<CachedResult> {
    return this.cache.get(division.id, options);
  }

  /** A fresh read from Genesys that shares any load of the division in flight, and is cached (admin diagnostics). */
  refresh(division: AuthorizedDivision, onProgress?: (p: FetchProgress) => void): Promise<DivisionUsers> {
    return this.cache.refresh(division.id, onProgress);
  }

  /** Always fetches from Genesys, bypassing the cache (the export CLI, in a process of its own). */
  fetchUncached(division: AuthorizedDivision, onProgress?: (p: FetchProgress) => void, signal?: AbortSignal): Promise<DivisionUsers> {
    return this.fetch(division.id, onProgress, signal);
  }

  /** The divisions the BFF may read, shared by fetches for as long as the directory trusts its own reading. */
  private readonly permitted = sharedFor(DIRECTORY_TTL_MS, () => divisionsWithPermission(this.client, DIRECTORY_USER_VIEW));

  /** The org's size as its divisions count it (an estimate for the planner; unknown when the directory fails). */
  private async orgUsers(): Promise<number | null> {
    try {
      const { divisions } = await this.directory.get();
      let total = 0;
      for (const d of divisions.values()) total += d.userCount ?? 0;
      return total;
    } catch {
      return null;
    }
  }

  private async fetch(divisionId: string, onProgress?: (p: FetchProgress) => void, signal?: AbortSignal, onRows?: (batch: RowsBatch) => void): Promise<DivisionUsers> {
    const timer = getMetrics().fetchDuration.startTimer();
    try {
      const result = await fetchDivisionUsers(this.client, divisionId, {
        mode: this.env.isolation.mode,
        deadlineMs: this.env.fetch.deadlineMs,
        ...this.org,
        permitted: this.permitted,
        orgUsers: await this.orgUsers(),
        ...(onProgress ? { onProgress } : {}),
        ...(onRows ? { onRows } : {}),
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

const DIVISION_SERVICE = "division-service";

export function getDivisionService(): DivisionService {
  return processSingleton(DIVISION_SERVICE, () => new DivisionService(getEnv(), getBffClient(), getSharedStore(), { capabilities: getCapabilities(), snapshot: getOrgSnapshotSource() }));
}

/** Whether this process has made its division service yet (read by the proxy, `auth/page-access.ts`). */
export function hasDivisionService(): boolean {
  return hasProcessSingleton(DIVISION_SERVICE);
}

/** Redis keys; the isolation mode is in each (a search-only result must not be served to a verify-mode instance). */
function sharedKeys(shared: SharedStore, env: Env) {
  const division = (kind: string, divisionId: string, ...rest: string[]) => shared.key(kind, clientKeyPart(env), env.isolation.mode, divisionId, ...rest);
  return {
    division: (divisionId: string) => division("division", divisionId),
    coordination: {
      lock: (divisionId: string) => division("division-lock", divisionId),
      progress: (divisionId: string, leader: string) => division("division-progress", divisionId, leader),
      outcome: (divisionId: string, leader: string) => division("division-outcome", divisionId, leader),
      forced: (divisionId: string) => division("division-forced", divisionId),
    },
  };
}

/** A division's users through the process's cache. */
export function getDivisionUsers(division: AuthorizedDivision, options: LoadListeners & { force?: boolean } = {}): Promise<CachedResult> {
  return getDivisionService().getUsers(division, options);
}

/** A division's users read afresh, sharing a load in flight (admin diagnostics). */
export function refreshDivisionUsers(division: AuthorizedDivision): Promise<DivisionUsers> {
  return getDivisionService().refresh(division);
}

/** A division's users straight from Genesys (the export CLI). */
export function fetchDivisionUncached(division: AuthorizedDivision, onProgress?: (p: FetchProgress) => void): Promise<DivisionUsers> {
  return getDivisionService().fetchUncached(division, onProgress);
}

/** `load`'s answer, reused for `ttlMs` after it settles (a failure is not kept); concurrent callers share one call. */
export function sharedFor<T>(ttlMs: number, load: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let kept: { value: Promise<T>; until: number } | null = null;
  return () => {
    if (kept && kept.until > now()) return kept.value;
    const value = load();
    const entry = { value, until: Number.POSITIVE_INFINITY };
    kept = entry;
    value.then(
      () => (entry.until = now() + ttlMs),
      () => (kept = kept === entry ? null : kept),
    );
    return value;
  };
}
