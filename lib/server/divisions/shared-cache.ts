import "server-only";

import { sleep } from "@/lib/server/genesys";
import { AppError, ERROR_CODES, isAppError, type ErrorCode, type ErrorDetails, getMetrics } from "@/lib/server/platform";
import { releaseLock, renewLock, tryLock, type SharedStore } from "@/lib/server/shared-state";

import type { CacheCoordination, CacheEntry, CacheStore, LocalCoordination, MemoryStore } from "./cache";
import type { DivisionUsers, FetchProgress } from "./fetch";

// The division cache across instances. Entries live in Redis (sealed), with this process's decoded copy
// beside them so that a warm request costs one small HGET, not a 3 MB parse. A cold division is fetched by
// whichever instance takes its lease first; the others follow: they relay the leader's progress to their
// viewers and, when it is done, read the stored result (or fail with the leader's error, without
// re-running a fetch that just failed). Whenever Redis fails, each instance carries on on its own.

export interface CoordinationTimings {
  /** A leader that stops renewing (crashed) frees the division this long after its last renewal. */
  leaseMs: number;
  followPollMs: number;
  /** How often the leader publishes progress for followers. */
  progressEveryMs: number;
  /** How long a finished load's outcome stays readable: far longer than a follower's poll interval. */
  outcomeTtlMs: number;
}

const TIMINGS: CoordinationTimings = { leaseMs: 15_000, followPollMs: 100, progressEveryMs: 200, outcomeTtlMs: 30_000 };

export class SharedCacheStore implements CacheStore<DivisionUsers> {
  constructor(
    private readonly store: SharedStore,
    private readonly keyOf: (divisionId: string) => string,
    private readonly local: MemoryStore<DivisionUsers>,
    /** How long Redis keeps an entry: the cache's TTL plus its stale window. */
    private readonly keepMs: number,
  ) {}

  get(divisionId: string): Promise<CacheEntry<DivisionUsers> | undefined> {
    const key = this.keyOf(divisionId);
    return this.store.use(
      "cache.get",
      async (redis) => {
        const storedAt = await redis.hget(key, "storedAt");
        if (storedAt === null) return undefined;
        const known = await this.local.get(divisionId);
        if (known && String(known.storedAt) === storedAt) return known;
        const sealed = await redis.hgetBuffer(key, "sealed");
        const plain = sealed ? this.store.open(key, sealed) : null;
        if (!plain) return undefined;
        // The sealed copy carries its own storedAt: the hash's field may already belong to a newer write.
        const entry = JSON.parse(plain.toString("utf8")) as CacheEntry<DivisionUsers>;
        await this.local.set(divisionId, entry);
        return entry;
      },
      () => this.local.get(divisionId),
    );
  }

  async set(divisionId: string, entry: CacheEntry<DivisionUsers>): Promise<void> {
    await this.local.set(divisionId, entry);
    const key = this.keyOf(divisionId);
    await this.store.use(
      "cache.set",
      async (redis) => {
        await redis
          .multi()
          .hset(key, { storedAt: String(entry.storedAt), sealed: this.store.seal(key, JSON.stringify(entry)) })
          .pexpire(key, this.keepMs)
          .exec();
      },
      () => undefined,
    );
  }
}

type Outcome = { ok: true } | { ok: false; code: ErrorCode; message: string; details?: ErrorDetails };

type Followed = { kind: "value"; value: DivisionUsers } | { kind: "error"; error: AppError } | { kind: "lead-again" } | { kind: "alone" };

export interface SharedCoordinationKeys {
  lock: (divisionId: string) => string;
  progress: (divisionId: string, leader: string) => string;
  outcome: (divisionId: string, leader: string) => string;
  forced: (divisionId: string) => string;
}

export class SharedCoordination implements CacheCoordination {
  constructor(
    private readonly store: SharedStore,
    private readonly keys: SharedCoordinationKeys,
    /** Stands in while Redis is unavailable. */
    private readonly local: LocalCoordination,
    /** A follower gives up on a leader after this long (the leader's own fetch deadline plus a margin). */
    private readonly maxFollowMs: number,
    private readonly timings: CoordinationTimings = TIMINGS,
    private readonly now: () => number = Date.now,
  ) {}

  claimForcedRefresh(divisionId: string, intervalMs: number): Promise<number> {
    const key = this.keys.forced(divisionId);
    return this.store.use(
      "cache.force",
      async (redis) => {
        if (intervalMs <= 0 || (await redis.set(key, "1", "PX", intervalMs, "NX")) === "OK") return 0;
        return Math.max(1, await redis.pttl(key));
      },
      () => this.local.claimForcedRefresh(divisionId, intervalMs),
    );
  }

  async load(
    divisionId: string,
    work: (onProgress: (p: FetchProgress) => void) => Promise<DivisionUsers>,
    onProgress: (p: FetchProgress) => void,
    readStored: () => Promise<CacheEntry<DivisionUsers> | undefined>,
  ): Promise<DivisionUsers> {
    for (;;) {
      const lock = await tryLock(this.store, this.keys.lock(divisionId), this.timings.leaseMs);
      if ("unavailable" in lock) return work(onProgress);
      if (lock.held) return this.lead(divisionId, lock.token, work, onProgress);
      if (lock.holder === null) continue;
      const followed = await this.follow(divisionId, lock.holder, onProgress, readStored);
      if (followed.kind === "value") {
        getMetrics().cacheRequests.inc({ result: "shared_join" });
        return followed.value;
      }
      if (followed.kind === "error") throw followed.error;
      if (followed.kind === "alone") return work(onProgress);
      // The leader vanished without an outcome (crashed): the division is up for grabs again.
    }
  }

  private async lead(divisionId: string, token: string, work: (onProgress: (p: FetchProgress) => void) => Promise<DivisionUsers>, onProgress: (p: FetchProgress) => void): Promise<DivisionUsers> {
    const lockKey = this.keys.lock(divisionId);
    const renewal = setInterval(() => void renewLock(this.store, lockKey, token, this.timings.leaseMs), this.timings.leaseMs / 3);
    renewal.unref();
    const progressKey = this.keys.progress(divisionId, token);
    let published = 0;
    const report = (p: FetchProgress) => {
      onProgress(p);
      if (p.phase !== "done" && this.now() - published < this.timings.progressEveryMs) return;
      published = this.now();
      void this.store.use("cache.progress", (redis) => redis.set(progressKey, JSON.stringify(p), "PX", this.timings.leaseMs), () => undefined);
    };
    try {
      const value = await work(report);
      await this.publish(divisionId, token, { ok: true });
      return value;
    } catch (e) {
      const app = isAppError(e) ? e : new AppError("internal", "The division could not be loaded.");
      await this.publish(divisionId, token, { ok: false, code: app.code, message: app.message, ...(app.details ? { details: { ...app.details } } : {}) });
      throw e;
    } finally {
      clearInterval(renewal);
      await releaseLock(this.store, lockKey, token);
    }
  }

  private async publish(divisionId: string, token: string, outcome: Outcome): Promise<void> {
    const key = this.keys.outcome(divisionId, token);
    await this.store.use("cache.outcome", (redis) => redis.set(key, JSON.stringify(outcome), "PX", this.timings.outcomeTtlMs), () => undefined);
  }

  private async follow(divisionId: string, leader: string, onProgress: (p: FetchProgress) => void, readStored: () => Promise<CacheEntry<DivisionUsers> | undefined>): Promise<Followed> {
    const giveUpAt = this.now() + this.maxFollowMs;
    const outcomeKey = this.keys.outcome(divisionId, leader);
    const progressKey = this.keys.progress(divisionId, leader);
    const lockKey = this.keys.lock(divisionId);
    let lastProgress: string | null = null;
    for (;;) {
      // One atomic read of all three: a leader publishes its outcome before it lets go of the lease, so a
      // lease no longer the leader's with no outcome beside it means the leader died.
      const seen = await this.store.use(
        "cache.follow",
        async (redis) => {
          const [outcome, progress, holder] = await redis.mget(outcomeKey, progressKey, lockKey);
          return { outcome: outcome ?? null, progress: progress ?? null, holder: holder ?? null };
        },
        () => null,
      );
      if (seen === null) return { kind: "alone" };
      if (seen.progress !== null && seen.progress !== lastProgress) {
        lastProgress = seen.progress;
        onProgress(JSON.parse(seen.progress) as FetchProgress);
      }
      if (seen.outcome !== null) {
        const outcome = JSON.parse(seen.outcome) as Outcome;
        if (!outcome.ok) return { kind: "error", error: toAppError(outcome) };
        const entry = await readStored();
        return entry ? { kind: "value", value: entry.value } : { kind: "alone" };
      }
      if (seen.holder !== leader) return { kind: "lead-again" };
      if (this.now() > giveUpAt) return { kind: "alone" };
      await sleep(this.timings.followPollMs);
    }
  }
}

function toAppError(outcome: Extract<Outcome, { ok: false }>): AppError {
  const code = ERROR_CODES.includes(outcome.code) ? outcome.code : "internal";
  return new AppError(code, outcome.message, outcome.details ? { details: outcome.details } : {});
}
