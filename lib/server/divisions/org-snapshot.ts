import "server-only";

import { appErrorFromUpstream, clientKeyPart, getBffClient, UpstreamError, type ApiUser, type GenesysClient } from "@/lib/server/genesys";
import { getEnv, processSingleton } from "@/lib/server/platform";
import { getSharedStore, type SharedStore } from "@/lib/server/shared-state";

import { readOrgSnapshot, type OrgSnapshot, type OrgSnapshotProgress } from "./org-snapshot-pass";
import { ORG_SNAPSHOT_TIMINGS, SharedOrgSnapshot, type OrgSnapshotTimings, type StoredSnapshot } from "./org-snapshot-shared";

// The whole org's active users by division, read from the live directory in one paged pass
// (org-snapshot-pass.ts) and kept for a TTL: while it is fresh, any division's members cost no call at all.
// One pass at a time per process (single-flight), and with Redis one per deployment (org-snapshot-shared.ts).

export type { OrgSnapshot, OrgSnapshotProgress } from "./org-snapshot-pass";

export interface OrgSnapshotSourceOptions {
  client: GenesysClient;
  /** How long a snapshot is served; 0 reads the org on every get (still one pass for concurrent callers). */
  ttlMs: number;
  shared?: SharedStore;
  /** The Redis key part naming this snapshot (say, per OAuth client: deployments may share one Redis). */
  keyPrefix?: string;
  now?: () => number;
  /** A pass's overall deadline: no retry starts after it. */
  deadlineMs: number;
  /** Lease and polling timings across instances (tests shorten them). */
  timings?: OrgSnapshotTimings;
}

export interface OrgSnapshotGetOptions {
  onProgress?: (p: OrgSnapshotProgress) => void;
  /**
   * Each listing page this process reads from now on, as it arrives (pages read before the caller joined, a
   * cached snapshot and a pass read by another instance are not replayed).
   */
  onPage?: (users: readonly ApiUser[]) => void;
  /** This caller stops waiting; the pass itself stops only when every caller waiting on it has left. */
  signal?: AbortSignal;
  /** Skip the cache (a pass already under way is joined rather than doubled). */
  force?: boolean;
}

/** Everyone waiting on one pass in this process. */
interface Waiting {
  listeners: Set<(p: OrgSnapshotProgress) => void>;
  pageListeners: Set<(users: readonly ApiUser[]) => void>;
  last: OrgSnapshotProgress | null;
  controller: AbortController;
  /** Callers still waiting; one without a signal never leaves, so it is never taken off. */
  waiters: number;
}

interface Flight extends Waiting {
  promise: Promise<OrgSnapshot>;
}

export class OrgSnapshotSource {
  private cached: StoredSnapshot | null = null;
  private flight: Flight | null = null;
  private readonly shared: SharedOrgSnapshot | null;
  private readonly now: () => number;

  constructor(private readonly opts: OrgSnapshotSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.shared = opts.shared?.enabled
      ? // A follower waits out the leader's whole deadline (plus a margin) before it reads the org itself.
        new SharedOrgSnapshot(opts.shared, opts.keyPrefix ?? "org-snapshot", opts.ttlMs, opts.deadlineMs + 30_000, opts.timings ?? ORG_SNAPSHOT_TIMINGS, this.now)
      : null;
  }

  /** The snapshot, from the cache while fresh, else one pass over the org shared by every caller (and instance). */
  get(opts: OrgSnapshotGetOptions = {}): Promise<OrgSnapshot> {
    if (opts.signal?.aborted) return Promise.reject(abortReason(opts.signal));
    if (!opts.force) {
      const fresh = this.peek();
      if (fresh) return Promise.resolve(fresh);
    }
    this.flight ??= this.start(opts.force === true);
    return this.join(this.flight, opts);
  }

  /** Cached and fresh, without any call (the planner asks: is a snapshot free right now?). */
  peek(): OrgSnapshot | null {
    return this.cached && this.now() < this.cached.expiresAt ? this.cached.snapshot : null;
  }

  private start(force: boolean): Flight {
    const waiting: Waiting = { listeners: new Set(), pageListeners: new Set(), last: null, controller: new AbortController(), waiters: 0 };
    const report = (p: OrgSnapshotProgress) => {
      waiting.last = p;
      for (const listener of waiting.listeners) listener(p);
    };
    const page = (users: readonly ApiUser[]) => {
      for (const listener of waiting.pageListeners) listener(users);
    };
    const promise: Promise<OrgSnapshot> = this.load(force, waiting.controller.signal, report, page)
      .then((stored) => {
        this.cached = stored;
        return stored.snapshot;
      })
      .finally(() => {
        if (this.flight?.promise === promise) this.flight = null;
      });
    // Each caller observes the outcome through join(); this copy must not count as unhandled.
    promise.catch(() => undefined);
    return Object.assign(waiting, { promise });
  }

  private async load(force: boolean, signal: AbortSignal, report: (p: OrgSnapshotProgress) => void, page: (users: readonly ApiUser[]) => void): Promise<StoredSnapshot> {
    const work = (onProgress: (p: OrgSnapshotProgress) => void) => this.pass(signal, onProgress, page);
    if (!this.shared) return { snapshot: await work(report), version: "local", expiresAt: this.now() + this.opts.ttlMs };
    if (!force) {
      const stored = await this.shared.read(this.cached, signal);
      if (stored) return stored;
    }
    return this.shared.load(this.cached, force, work, report, signal);
  }

  private async pass(signal: AbortSignal, onProgress: (p: OrgSnapshotProgress) => void, onPage: (users: readonly ApiUser[]) => void): Promise<OrgSnapshot> {
    try {
      return await readOrgSnapshot(this.opts.client, { deadlineMs: this.opts.deadlineMs, signal, onProgress, onPage, now: this.now });
    } catch (e) {
      throw e instanceof UpstreamError ? appErrorFromUpstream(e) : e;
    }
  }

  private join(flight: Flight, opts: OrgSnapshotGetOptions): Promise<OrgSnapshot> {
    const { onProgress, onPage, signal } = opts;
    if (onProgress) {
      flight.listeners.add(onProgress);
      if (flight.last) onProgress(flight.last);
    }
    if (onPage) flight.pageListeners.add(onPage);
    flight.waiters++;
    const leave = () => {
      if (onProgress) flight.listeners.delete(onProgress);
      if (onPage) flight.pageListeners.delete(onPage);
    };
    if (!signal) return flight.promise.finally(leave);
    return new Promise<OrgSnapshot>((resolve, reject) => {
      const onAbort = () => {
        leave();
        reject(abortReason(signal));
        // The last caller gone: stop paging, and let the next get start afresh rather than join a dying pass.
        if (--flight.waiters === 0) {
          if (this.flight === flight) this.flight = null;
          flight.controller.abort(abortReason(signal));
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      flight.promise.then(
        (snapshot) => {
          signal.removeEventListener("abort", onAbort);
          leave();
          resolve(snapshot);
        },
        (e: unknown) => {
          signal.removeEventListener("abort", onAbort);
          leave();
          reject(e);
        },
      );
    });
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("aborted");
}

/** The process's org snapshot: the BFF's client, the division cache's TTL, Redis when configured. */
export function getOrgSnapshotSource(): OrgSnapshotSource {
  return processSingleton("org-snapshot-source", () => {
    const env = getEnv();
    return new OrgSnapshotSource({
      client: getBffClient(),
      ttlMs: env.cache.ttlSeconds * 1000,
      shared: getSharedStore(),
      // Per OAuth client: deployments of different clients may share one Redis and see different users.
      keyPrefix: `org-snapshot:${clientKeyPart(env)}`,
      deadlineMs: env.fetch.deadlineMs,
    });
  });
}
