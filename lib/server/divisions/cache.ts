import "server-only";

import { awaitWithoutSlot, AppError, getMetrics } from "@/lib/server/platform";

import type { DivisionUsers, FetchProgress, RowsBatch, UserDto } from "./fetch";

// Per-division cache with a TTL and stale-while-revalidate, single-flight loads (any number of concurrent
// callers for a cold division cause one upstream fetch) and rate-limited forced refreshes. The store and the
// coordination of loads are interfaces: in-process by default, shared by all instances through Redis in
// shared-cache.ts (then a cold division opened on several instances is still fetched once).

export interface CacheEntry<T> {
  value: T;
  storedAt: number;
}

export interface CacheStore<T> {
  get(key: string): Promise<CacheEntry<T> | undefined>;
  set(key: string, entry: CacheEntry<T>): Promise<void>;
}

/** In-memory store bounded to `maxEntries`, evicting the least recently used. */
export class MemoryStore<T> implements CacheStore<T> {
  private readonly map = new Map<string, CacheEntry<T>>();

  constructor(private readonly maxEntries: number) {}

  async get(key: string): Promise<CacheEntry<T> | undefined> {
    const entry = this.map.get(key);
    if (entry) {
      this.map.delete(key);
      this.map.set(key, entry);
    }
    return entry;
  }

  async set(key: string, entry: CacheEntry<T>): Promise<void> {
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}

export type Freshness = "fresh" | "stale" | "loaded";

export interface CachedResult {
  value: DivisionUsers;
  freshness: Freshness;
  ageMs: number;
  /** A background refresh is running (stale-while-revalidate). */
  revalidating: boolean;
  /** The refresh that should have replaced this stale value failed (upstream down): what went wrong. */
  refreshError?: AppError;
}

export interface CacheStats {
  hits: number;
  staleHits: number;
  misses: number;
  joins: number;
  loads: number;
  loadFailures: number;
}

export type Loader = (divisionId: string, onProgress: (p: FetchProgress) => void, onRows: (batch: RowsBatch) => void) => Promise<DivisionUsers>;

/** What a caller of `get` hears while a load runs. */
export interface LoadListeners {
  onProgress?: (p: FetchProgress) => void;
  /** Confirmed rows ahead of the result (fetch-rows.ts); a caller joining a load gets those sent before it, at once. */
  onRows?: (batch: RowsBatch) => void;
}

/** How loads and forced refreshes are coordinated: within this process, or across instances. */
export interface CacheCoordination {
  /**
   * Runs `work` (fetch, then store) for the division, or, when another instance is already doing so, waits
   * for its outcome and returns what it stored (`readStored`), reporting its progress meanwhile.
   */
  load(
    divisionId: string,
    work: (onProgress: (p: FetchProgress) => void) => Promise<DivisionUsers>,
    onProgress: (p: FetchProgress) => void,
    readStored: () => Promise<CacheEntry<DivisionUsers> | undefined>,
  ): Promise<DivisionUsers>;
  /** 0 when the division may be force-refreshed now (and claims it), else the ms until it may. */
  claimForcedRefresh(divisionId: string, intervalMs: number): Promise<number>;
}

export class LocalCoordination implements CacheCoordination {
  private readonly lastForced = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  load(_divisionId: string, work: (onProgress: (p: FetchProgress) => void) => Promise<DivisionUsers>, onProgress: (p: FetchProgress) => void): Promise<DivisionUsers> {
    return work(onProgress);
  }

  async claimForcedRefresh(divisionId: string, intervalMs: number): Promise<number> {
    const wait = (this.lastForced.get(divisionId) ?? -Infinity) + intervalMs - this.now();
    if (wait > 0) return wait;
    this.lastForced.set(divisionId, this.now());
    return 0;
  }
}

interface Flight {
  promise: Promise<DivisionUsers>;
  progress: FetchProgress | null;
  listeners: Set<(p: FetchProgress) => void>;
  /** Rows sent so far by this process's load (a follower of another instance's load hears none). */
  rows: { users: UserDto[]; last: RowsBatch | null };
  rowListeners: Set<(batch: RowsBatch) => void>;
}

export interface DivisionCacheOptions {
  load: Loader;
  store: CacheStore<DivisionUsers>;
  ttlMs: number;
  staleMs: number;
  forceRefreshMinIntervalMs: number;
  coordination?: CacheCoordination;
  now?: () => number;
}

export class DivisionCache {
  private readonly flights = new Map<string, Flight>();
  private readonly coordination: CacheCoordination;
  private readonly now: () => number;
  readonly stats: CacheStats = { hits: 0, staleHits: 0, misses: 0, joins: 0, loads: 0, loadFailures: 0 };

  constructor(private readonly opts: DivisionCacheOptions) {
    this.now = opts.now ?? Date.now;
    this.coordination = opts.coordination ?? new LocalCoordination(this.now);
  }

  async get(divisionId: string, options: LoadListeners & { force?: boolean } = {}): Promise<CachedResult> {
    const entry = await this.opts.store.get(divisionId);
    const age = entry ? this.now() - entry.storedAt : Infinity;

    if (options.force) {
      const wait = await this.coordination.claimForcedRefresh(divisionId, this.opts.forceRefreshMinIntervalMs);
      if (wait > 0) {
        throw new AppError("rate_limited", "This division was refreshed moments ago. Please wait before refreshing again.", {
          details: { divisionId, retryAfterSeconds: Math.ceil(wait / 1000) },
        });
      }
      return this.loadOrServeStale(divisionId, entry, options);
    }

    // A result whose pages or count did not add up is never fresh: the next request gets it at once, labelled
    // stale, and starts a refetch. Its rows were each confirmed when it was fetched, so serving it is safe; only
    // its completeness is in doubt, which a fresh label would hide for the whole TTL, while a refetch before
    // answering would make every viewer of a division whose directory keeps changing wait a full fetch.
    const freshForMs = entry?.value.meta.consistent === false ? 0 : this.opts.ttlMs;
    if (entry && age < freshForMs) {
      this.stats.hits++;
      getMetrics().cacheRequests.inc({ result: "hit" });
      return { value: entry.value, freshness: "fresh", ageMs: age, revalidating: this.flights.has(divisionId) };
    }
    if (entry && age < this.opts.ttlMs + this.opts.staleMs) {
      this.stats.staleHits++;
      getMetrics().cacheRequests.inc({ result: "stale" });
      // Serve at once; refresh in the background (errors are kept for the next caller, not thrown here).
      this.flight(divisionId).promise.catch(() => undefined);
      return { value: entry.value, freshness: "stale", ageMs: age, revalidating: true };
    }
    this.stats.misses++;
    getMetrics().cacheRequests.inc({ result: "miss" });
    return this.loadOrServeStale(divisionId, entry, options);
  }

  /**
   * A fresh read for admin diagnostics: joins the division's load in flight (a test never doubles a fetch
   * already running), else starts one, stored like any other. No minimum interval (diagnostics limits its
   * own tests) and no stale answer on failure: the admin wants Genesys' own answer.
   */
  async refresh(divisionId: string, onProgress?: (p: FetchProgress) => void): Promise<DivisionUsers> {
    return (await this.loadOrServeStale(divisionId, undefined, onProgress ? { onProgress } : {})).value;
  }

  /** Progress of a load in flight for this division, or null when none is running. */
  progress(divisionId: string): FetchProgress | null {
    return this.flights.get(divisionId)?.progress ?? null;
  }

  /** Subscribes to a running load's progress; returns an unsubscribe function (no-op when idle). */
  subscribe(divisionId: string, listener: (p: FetchProgress) => void): () => void {
    const f = this.flights.get(divisionId);
    if (!f) return () => undefined;
    f.listeners.add(listener);
    return () => f.listeners.delete(listener);
  }

  private async loadOrServeStale(divisionId: string, entry: CacheEntry<DivisionUsers> | undefined, { onProgress, onRows }: LoadListeners): Promise<CachedResult> {
    const flight = this.flight(divisionId);
    if (onProgress) {
      flight.listeners.add(onProgress);
      if (flight.progress) onProgress(flight.progress);
    }
    if (onRows) {
      flight.rowListeners.add(onRows);
      const { users, last } = flight.rows;
      if (last) onRows({ ...last, users: [...users] });
    }
    try {
      // A load takes seconds of mostly waiting on Genesys: the request lets others use its admission slot.
      const value = await awaitWithoutSlot(flight.promise);
      return { value, freshness: "loaded", ageMs: 0, revalidating: false };
    } catch (e) {
      // The upstream failed but we still hold an older answer: serve it, labelled, instead of an error.
      if (entry && e instanceof AppError && isTransient(e)) {
        return { value: entry.value, freshness: "stale", ageMs: this.now() - entry.storedAt, revalidating: false, refreshError: e };
      }
      throw e;
    } finally {
      if (onProgress) flight.listeners.delete(onProgress);
      if (onRows) flight.rowListeners.delete(onRows);
    }
  }

  private flight(divisionId: string): Flight {
    const existing = this.flights.get(divisionId);
    if (existing) {
      this.stats.joins++;
      getMetrics().cacheRequests.inc({ result: "join" });
      return existing;
    }
    this.stats.loads++;
    const flight: Flight = { promise: Promise.resolve(null as never), progress: null, listeners: new Set(), rows: { users: [], last: null }, rowListeners: new Set() };
    const report = (p: FetchProgress) => {
      flight.progress = p;
      for (const l of flight.listeners) l(p);
    };
    const rows = (batch: RowsBatch) => {
      flight.rows.users.push(...batch.users);
      flight.rows.last = batch;
      for (const l of flight.rowListeners) l(batch);
    };
    // Stored before the load counts as done: other instances waiting on this one read it from the store.
    // Rows go to this process's viewers only: a follower on another instance relays progress, not rows.
    const work = async (onProgress: (p: FetchProgress) => void) => {
      const value = await this.opts.load(divisionId, onProgress, rows);
      await this.opts.store.set(divisionId, { value, storedAt: this.now() });
      return value;
    };
    flight.promise = this.coordination
      .load(divisionId, work, report, () => this.opts.store.get(divisionId))
      .catch((e: unknown) => {
        this.stats.loadFailures++;
        throw e;
      })
      .finally(() => this.flights.delete(divisionId));
    this.flights.set(divisionId, flight);
    return flight;
  }
}

/** Failures worth papering over with stale data: the upstream is down or slow, not "you may not see this". */
function isTransient(e: AppError): boolean {
  return ["upstream_unavailable", "upstream_timeout", "upstream_rate_limited", "upstream_bad_response", "upstream_unauthorized"].includes(e.code);
}
