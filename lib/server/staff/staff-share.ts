import "server-only";

import { sleep } from "@/lib/server/genesys";
import { releaseLock, tryLock, type SharedStore } from "@/lib/server/shared-state";

import type { StaffAccess, StaffToken } from "./staff-types";

// A session's staff access across instances. With Redis, each session's record (its access, when it was read,
// and the newest Genesys token of that sign-in) is kept there, sealed, so every instance serves the same
// answer and re-reads it at the same moment (`checkedAt` travels with it); one instance re-reads while the
// others wait for its record (a lease, as the division cache does). Without Redis, or while it fails, each
// instance reads on its own, as before.
//
// Records are per sign-in, never per person: a record is found only by presenting the session's own Genesys
// token (its key is that token's hash) and holds only tokens refreshed from it, so a token signed out or
// revoked in one session is never lent to another session of the same person.

/** What one re-read found: `access` null when the session's Genesys sign-in no longer works. */
export interface StaffRecord {
  checkedAt: number;
  access: StaffAccess | null;
  /** The newest token of this sign-in (a refresh replaces the one in the session cookie); null when dead. */
  token: StaffToken | null;
}

export interface StaffAccessShare {
  /**
   * The session's record: a fresh one another instance stored, or `read(known)` run here, with at most one
   * instance reading a session at a time. `known` is the newest record seen (for its token), if any.
   */
  refresh(key: string, isFresh: (r: StaffRecord) => boolean, read: (known: StaffRecord | undefined) => Promise<StaffRecord>, local: StaffRecord | undefined): Promise<StaffRecord>;
  /** Sign-out: the session's record is gone for every instance. */
  forget(key: string): Promise<void>;
}

/** Each instance on its own (no Redis configured). */
export const localStaffShare: StaffAccessShare = {
  refresh: (_key, _isFresh, read, local) => read(local),
  forget: () => Promise.resolve(),
};

export interface StaffShareTimings {
  /** A reader that dies frees the session after this long. */
  leaseMs: number;
  pollMs: number;
  /** A waiting instance reads on its own after this long. */
  maxWaitMs: number;
}

const TIMINGS: StaffShareTimings = { leaseMs: 15_000, pollMs: 50, maxWaitMs: 20_000 };

interface WireRecord {
  checkedAt: number;
  access: (Omit<StaffAccess, "divisionIds"> & { divisionIds: string[] | "all" }) | null;
  token: StaffToken | null;
}

function toWire(r: StaffRecord): WireRecord {
  const access = r.access ? { ...r.access, divisionIds: r.access.divisionIds === "all" ? ("all" as const) : [...r.access.divisionIds] } : null;
  return { checkedAt: r.checkedAt, access, token: r.token };
}

function fromWire(w: WireRecord): StaffRecord {
  const access = w.access ? { ...w.access, divisionIds: w.access.divisionIds === "all" ? ("all" as const) : new Set(w.access.divisionIds) } : null;
  return { checkedAt: w.checkedAt, access, token: w.token };
}

export class SharedStaffShare implements StaffAccessShare {
  constructor(
    private readonly store: SharedStore,
    /** How long Redis keeps a record: a session cannot outlive it. */
    private readonly keepMs: number,
    private readonly timings: StaffShareTimings = TIMINGS,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(key: string, isFresh: (r: StaffRecord) => boolean, read: (known: StaffRecord | undefined) => Promise<StaffRecord>, local: StaffRecord | undefined): Promise<StaffRecord> {
    const giveUpAt = this.now() + this.timings.maxWaitMs;
    for (;;) {
      const stored = await this.get(key);
      if (stored && isFresh(stored)) return stored;
      const known = newest(stored, local);
      const lock = await tryLock(this.store, this.lockKey(key), this.timings.leaseMs);
      if ("unavailable" in lock) return read(known);
      if (lock.held) return this.lead(key, lock.token, isFresh, read, known);
      if (lock.holder !== null) await this.waitForHolder(key, lock.holder, isFresh, giveUpAt);
      if (this.now() > giveUpAt) return read(known);
    }
  }

  async forget(key: string): Promise<void> {
    await this.store.use("staff.forget", (redis) => redis.del(this.recordKey(key)), () => 0);
  }

  private async lead(key: string, token: string, isFresh: (r: StaffRecord) => boolean, read: (known: StaffRecord | undefined) => Promise<StaffRecord>, known: StaffRecord | undefined): Promise<StaffRecord> {
    try {
      // Another instance may have stored its record between our read and our lease.
      const again = await this.get(key);
      if (again && isFresh(again)) return again;
      const record = await read(newest(again, known));
      await this.put(key, record);
      return record;
    } finally {
      await releaseLock(this.store, this.lockKey(key), token);
    }
  }

  /** Until the holder's record is fresh, its lease is gone, or we give up; the caller then looks again. */
  private async waitForHolder(key: string, holder: string, isFresh: (r: StaffRecord) => boolean, giveUpAt: number): Promise<void> {
    const lockKey = this.lockKey(key);
    while (this.now() <= giveUpAt) {
      await sleep(this.timings.pollMs);
      const seen = await this.get(key);
      if (seen && isFresh(seen)) return;
      const current = await this.store.use("staff.wait", (redis) => redis.get(lockKey), () => null);
      if (current !== holder) return;
    }
  }

  private async get(key: string): Promise<StaffRecord | undefined> {
    const redisKey = this.recordKey(key);
    return this.store.use(
      "staff.get",
      async (redis) => {
        const sealed = await redis.getBuffer(redisKey);
        const plain = sealed ? this.store.open(redisKey, sealed) : null;
        return plain ? fromWire(JSON.parse(plain.toString("utf8")) as WireRecord) : undefined;
      },
      () => undefined,
    );
  }

  private async put(key: string, record: StaffRecord): Promise<void> {
    const redisKey = this.recordKey(key);
    await this.store.use("staff.set", (redis) => redis.set(redisKey, this.store.seal(redisKey, JSON.stringify(toWire(record))), "PX", this.keepMs), () => undefined);
  }

  private recordKey(key: string): string {
    return this.store.key("staff", key);
  }

  private lockKey(key: string): string {
    return this.store.key("staff-lock", key);
  }
}

function newest(a: StaffRecord | undefined, b: StaffRecord | undefined): StaffRecord | undefined {
  if (!a || !b) return a ?? b;
  return a.checkedAt >= b.checkedAt ? a : b;
}
