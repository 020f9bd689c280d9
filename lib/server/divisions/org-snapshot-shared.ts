import "server-only";

import { randomUUID } from "node:crypto";

import { z } from "zod";

import { apiUserSchema, sleep, type ApiUser } from "@/lib/server/genesys";
import { AppError, ERROR_CODES, isAppError, type ErrorDetails } from "@/lib/server/platform";
import { releaseLock, renewLock, tryLock, type SharedStore } from "@/lib/server/shared-state";

import type { OrgSnapshot, OrgSnapshotProgress } from "./org-snapshot-pass";

// The org snapshot across instances, the way shared-cache.ts shares a division: the entry lives in Redis,
// sealed (it is the whole directory, several MB), for the snapshot's TTL; the first instance to take the
// lease pages the org, the others relay its progress and then read what it stored, or fail with its error.
// Whenever Redis fails, an instance carries on alone.

export interface OrgSnapshotTimings {
  /** A leader that stops renewing (crashed) frees the lease this long after its last renewal. */
  leaseMs: number;
  followPollMs: number;
  /** How often the leader publishes progress for followers. */
  progressEveryMs: number;
  /** How long a finished pass's outcome stays readable: far longer than a follower's poll interval. */
  outcomeTtlMs: number;
}

export const ORG_SNAPSHOT_TIMINGS: OrgSnapshotTimings = { leaseMs: 15_000, followPollMs: 100, progressEveryMs: 200, outcomeTtlMs: 30_000 };

/**
 * A Redis command that failed (timed out while this process was busy, say) is tried this many times before
 * an instance goes its own way: going alone costs a whole pass over the org, a retry a few milliseconds.
 */
const REDIS_TRIES = 3;

/** A snapshot as this process holds it: `version` names the write (to skip decoding a copy already held). */
export interface StoredSnapshot {
  snapshot: OrgSnapshot;
  version: string;
  /** Epoch ms, on this process's clock, after which the snapshot is no longer served. */
  expiresAt: number;
}

export type OrgSnapshotWork = (onProgress: (p: OrgSnapshotProgress) => void) => Promise<OrgSnapshot>;

// Checked on the way back in: sealing proves we wrote it, not that this release wrote it in this shape.
const wireSchema = z.object({
  format: z.literal(1),
  version: z.string(),
  divisions: z.array(z.tuple([z.string(), z.array(apiUserSchema)])),
  activeTotal: z.number().int().nonnegative(),
  listedTotal: z.number().int().nonnegative(),
  consistent: z.boolean(),
  pages: z.number().int().nonnegative(),
  passes: z.number().int().nonnegative(),
  upstreamCalls: z.number().int().nonnegative(),
  fetchedAt: z.string(),
  durationMs: z.number().nonnegative(),
});

const progressSchema = z.object({ pagesDone: z.number(), pagesTotal: z.number() });

const outcomeSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional() }),
]);
type Outcome = z.infer<typeof outcomeSchema>;

type Followed = { kind: "value"; value: StoredSnapshot } | { kind: "error"; error: AppError } | { kind: "lead-again" } | { kind: "alone" };

export class SharedOrgSnapshot {
  private readonly keys;

  constructor(
    private readonly store: SharedStore,
    keyPrefix: string,
    private readonly ttlMs: number,
    /** A follower gives up on a leader after this long (the leader's own deadline plus a margin). */
    private readonly maxFollowMs: number,
    private readonly timings: OrgSnapshotTimings = ORG_SNAPSHOT_TIMINGS,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = {
      entry: store.key(keyPrefix, "entry"),
      lock: store.key(keyPrefix, "lock"),
      progress: (leader: string) => store.key(keyPrefix, "progress", leader),
      outcome: (leader: string) => store.key(keyPrefix, "outcome", leader),
    };
  }

  /** The stored snapshot while Redis keeps it (its TTL is the snapshot's); `known` is reused when it is that same write. */
  async read(known: StoredSnapshot | null, signal?: AbortSignal): Promise<StoredSnapshot | undefined> {
    for (let tries = 1; ; tries++) {
      const stored = await this.readOnce(known);
      if (stored !== null || tries >= REDIS_TRIES) return stored ?? undefined;
      await sleep(this.timings.followPollMs, signal);
    }
  }

  /** null: Redis did not answer. */
  private readOnce(known: StoredSnapshot | null): Promise<StoredSnapshot | undefined | null> {
    const key = this.keys.entry;
    return this.store.use(
      "org-snapshot.get",
      async (redis) => {
        const version = await redis.hget(key, "version");
        if (version === null) return undefined;
        // Redis' own expiry decides freshness, so instances whose clocks differ still agree.
        const ttl = await redis.pttl(key);
        if (ttl <= 0) return undefined;
        if (known?.version === version) return { ...known, expiresAt: this.now() + ttl };
        const sealed = await redis.hgetBuffer(key, "sealed");
        const plain = sealed ? this.store.open(key, sealed) : null;
        return plain ? decode(plain, this.now() + ttl) : undefined;
      },
      () => null,
    );
  }

  /** Lead a pass, or follow the instance already leading one; `force` skips a fresh entry found on taking the lease. */
  async load(known: StoredSnapshot | null, force: boolean, work: OrgSnapshotWork, onProgress: (p: OrgSnapshotProgress) => void, signal?: AbortSignal): Promise<StoredSnapshot> {
    let unavailable = 0;
    for (;;) {
      const lock = await tryLock(this.store, this.keys.lock, this.timings.leaseMs);
      if ("unavailable" in lock) {
        if (++unavailable >= REDIS_TRIES) return this.write(await work(onProgress));
        await sleep(this.timings.followPollMs, signal);
        continue;
      }
      if (lock.held) {
        // Another instance may have stored a pass between our read and the lease.
        const stored = force ? undefined : await this.read(known, signal);
        if (!stored) return this.lead(lock.token, work, onProgress);
        await releaseLock(this.store, this.keys.lock, lock.token);
        return stored;
      }
      if (lock.holder === null) continue;
      const followed = await this.follow(lock.holder, onProgress, known, signal);
      if (followed.kind === "value") return followed.value;
      if (followed.kind === "error") throw followed.error;
      if (followed.kind === "alone") return this.write(await work(onProgress));
      // The leader vanished without an outcome (crashed, or its callers all left): the lease is free again.
    }
  }

  /** Stores a snapshot (sealed, for the TTL) and returns it as this process keeps it. */
  async write(snapshot: OrgSnapshot): Promise<StoredSnapshot> {
    const version = randomUUID();
    const key = this.keys.entry;
    // A TTL of 0 means "never serve from cache": there is nothing to share.
    if (this.ttlMs > 0) {
      await this.store.use(
        "org-snapshot.set",
        async (redis) => {
          await redis
            .multi()
            .hset(key, { version, sealed: this.store.seal(key, JSON.stringify(encode(snapshot, version))) })
            .pexpire(key, this.ttlMs)
            .exec();
        },
        () => undefined,
      );
    }
    return { snapshot, version, expiresAt: this.now() + this.ttlMs };
  }

  private async lead(token: string, work: OrgSnapshotWork, onProgress: (p: OrgSnapshotProgress) => void): Promise<StoredSnapshot> {
    const renewal = setInterval(() => void renewLock(this.store, this.keys.lock, token, this.timings.leaseMs), this.timings.leaseMs / 3);
    renewal.unref();
    const progressKey = this.keys.progress(token);
    let published = 0;
    const report = (p: OrgSnapshotProgress) => {
      onProgress(p);
      if (p.pagesDone < p.pagesTotal && this.now() - published < this.timings.progressEveryMs) return;
      published = this.now();
      void this.store.use("org-snapshot.progress", (redis) => redis.set(progressKey, JSON.stringify(p), "PX", this.timings.leaseMs), () => undefined);
    };
    try {
      const stored = await this.write(await work(report));
      await this.publish(token, { ok: true });
      return stored;
    } catch (e) {
      // Only an upstream verdict is worth handing on. Anything else (every local caller left, a bug) says
      // nothing about the org: followers see the lease go without an outcome and one of them tries itself.
      if (isAppError(e)) await this.publish(token, { ok: false, code: e.code, message: e.message, ...(e.details ? { details: flatDetails(e.details) } : {}) });
      throw e;
    } finally {
      clearInterval(renewal);
      await releaseLock(this.store, this.keys.lock, token);
    }
  }

  private async publish(token: string, outcome: Outcome): Promise<void> {
    const key = this.keys.outcome(token);
    await this.store.use("org-snapshot.outcome", (redis) => redis.set(key, JSON.stringify(outcome), "PX", this.timings.outcomeTtlMs), () => undefined);
  }

  private async follow(leader: string, onProgress: (p: OrgSnapshotProgress) => void, known: StoredSnapshot | null, signal: AbortSignal | undefined): Promise<Followed> {
    const giveUpAt = this.now() + this.maxFollowMs;
    const outcomeKey = this.keys.outcome(leader);
    const progressKey = this.keys.progress(leader);
    const lockKey = this.keys.lock;
    let lastProgress: string | null = null;
    let failures = 0;
    for (;;) {
      // One atomic read of all three: a leader publishes its outcome before it lets go of the lease, so a
      // lease no longer the leader's with no outcome beside it means the leader is gone.
      const seen = await this.store.use(
        "org-snapshot.follow",
        async (redis) => {
          const [outcome, progress, holder] = await redis.mget(outcomeKey, progressKey, lockKey);
          return { outcome: outcome ?? null, progress: progress ?? null, holder: holder ?? null };
        },
        () => null,
      );
      if (seen === null) {
        if (++failures >= REDIS_TRIES) return { kind: "alone" };
        await sleep(this.timings.followPollMs, signal);
        continue;
      }
      failures = 0;
      if (seen.progress !== null && seen.progress !== lastProgress) {
        lastProgress = seen.progress;
        const progress = progressSchema.safeParse(parseJson(seen.progress));
        if (progress.success) onProgress(progress.data);
      }
      if (seen.outcome !== null) {
        const outcome = outcomeSchema.safeParse(parseJson(seen.outcome));
        if (!outcome.success) return { kind: "alone" };
        if (!outcome.data.ok) return { kind: "error", error: toAppError(outcome.data) };
        const stored = await this.read(known, signal);
        return stored ? { kind: "value", value: stored } : { kind: "alone" };
      }
      if (seen.holder !== leader) return { kind: "lead-again" };
      if (this.now() > giveUpAt) return { kind: "alone" };
      await sleep(this.timings.followPollMs, signal);
    }
  }
}

function encode(snapshot: OrgSnapshot, version: string): z.input<typeof wireSchema> {
  return {
    format: 1,
    version,
    divisions: [...snapshot.byDivision].map(([divisionId, users]) => [divisionId, [...users]]),
    activeTotal: snapshot.activeTotal,
    listedTotal: snapshot.listedTotal,
    consistent: snapshot.consistent,
    pages: snapshot.pages,
    passes: snapshot.passes,
    upstreamCalls: snapshot.upstreamCalls,
    fetchedAt: snapshot.fetchedAt,
    durationMs: snapshot.durationMs,
  };
}

/** The stored snapshot, or undefined when it is not in this release's shape (another release wrote it). */
function decode(plain: Buffer, expiresAt: number): StoredSnapshot | undefined {
  const wire = wireSchema.safeParse(parseJson(plain.toString("utf8")));
  if (!wire.success) return undefined;
  const { format: _format, version, divisions, ...rest } = wire.data;
  const byDivision = new Map<string, readonly ApiUser[]>(divisions);
  return { snapshot: { byDivision, ...rest }, version, expiresAt };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The details that survive the trip through Redis (the app's details are flat values in practice). */
function flatDetails(details: Readonly<ErrorDetails>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(details)) if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
  return out;
}

function toAppError(outcome: Extract<Outcome, { ok: false }>): AppError {
  const code = ERROR_CODES.find((c) => c === outcome.code) ?? "internal";
  const details: ErrorDetails = {};
  for (const [key, value] of Object.entries(outcome.details ?? {})) if (key !== "code" && key !== "message") details[key] = value;
  return new AppError(code, outcome.message, outcome.details ? { details } : {});
}
