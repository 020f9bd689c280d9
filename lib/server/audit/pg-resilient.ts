import "server-only";

import { randomUUID } from "node:crypto";

import pg from "pg";

import { AppError } from "@/lib/server/platform";

import type { AuditBackend, AuditStoreStatus, StampedEvent } from "./backend";
import type { DiskBuffer } from "./disk-buffer";
import type { PgAuditStore, UidEvent } from "./pg-store";
import type { AuditPage, AuditQuery, ChainCheck, StoredAuditEvent } from "./rows";

// The PostgreSQL trail as the app uses it: views go on when PostgreSQL does not answer (at start-up or
// mid-run). Writes of this instance run one at a time, in order. While PostgreSQL is up and nothing waits
// on disk, a batch goes straight to PostgreSQL; otherwise (an outage, or a backlog still being flushed) it is
// appended to the local disk buffer, fsynced: either way it is durable when the promise resolves. A retry
// every `retryMs` applies the migrations and flushes the buffer into PostgreSQL in order, chained like any
// batch, a chunk per turn so that new events are not held behind a long backlog; once it is empty, writes go
// to PostgreSQL again. One warning per outage, one info line when it ends. Reading the trail needs
// PostgreSQL: while it is down, /audit answers 503 (audit_unavailable).

/** Events per transaction when the buffer is flushed. */
const FLUSH_CHUNK = 256;

export interface ResilienceLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** Told whenever reachability or the buffer's size changes (the metrics gauges in record.ts). */
  state?(reachable: boolean, buffered: number): void;
}

/** Whether an error means PostgreSQL could not be reached (rather than refusing what we sent). */
export function isOutage(e: unknown): boolean {
  if (!(e instanceof pg.DatabaseError)) return true; // socket, DNS, timeout, "Connection terminated"
  const code = e.code ?? "";
  // connection exceptions, operator intervention (shutdown, starting up), too many connections
  return code.startsWith("08") || code.startsWith("57P") || code === "53300";
}

function message(e: unknown): string {
  return e instanceof Error ? e.message || e.constructor.name : String(e);
}

export class ResilientAuditStore implements AuditBackend {
  readonly kind = "postgres";
  private reachable = false;
  /** Writes go straight to PostgreSQL (reachable, migrated, nothing waiting on disk). */
  private direct = false;
  private migrated = false;
  private warned = false;
  private lane: Promise<unknown> = Promise.resolve();
  private recovering: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The first attempt to reach PostgreSQL: writes wait for it, so a healthy start does not go through disk. */
  private readonly started: Promise<void>;

  constructor(
    private readonly pg: PgAuditStore,
    private readonly buffer: DiskBuffer,
    private readonly log: ResilienceLog,
    private readonly retryMs = 1_000,
  ) {
    // Held events from before a restart count from the start, before PostgreSQL has answered.
    this.report();
    this.started = this.recover();
  }

  status(): AuditStoreStatus {
    return this.reachable ? "ok" : "down";
  }

  /** Events waiting on local disk. */
  get buffered(): number {
    return this.buffer.size;
  }

  async appendMany(events: readonly StampedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const withIds: UidEvent[] = events.map((e) => ({ ...e, uid: randomUUID() }));
    await this.started;
    return this.serial(() => this.write(withIds));
  }

  query(q: AuditQuery): Promise<AuditPage> {
    return this.reading(() => this.pg.query(q));
  }

  async *all(q: Omit<AuditQuery, "limit">): AsyncIterable<StoredAuditEvent> {
    const rows = this.pg.all(q);
    for (;;) {
      const next = await this.reading(() => rows.next());
      if (next.done) return;
      yield next.value;
    }
  }

  purgeExpired(): Promise<number> {
    return this.reading(() => this.pg.purgeExpired());
  }

  verify(): Promise<ChainCheck> {
    return this.reading(() => this.pg.verify());
  }

  /** Ends the retries, lets queued writes finish, closes the pool and the buffer file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.started;
    await this.serial(async () => undefined);
    await this.recovering;
    await this.pg.close();
    this.buffer.close();
  }

  /** Runs `step` after every write queued before it (one at a time, in order). */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.lane.then(step);
    this.lane = run.catch(() => undefined);
    return run;
  }

  private async write(events: readonly UidEvent[]): Promise<void> {
    if (this.direct) {
      try {
        await this.pg.appendMany(events);
        return;
      } catch (e) {
        if (!isOutage(e)) throw e;
        // Maybe stored, its answer lost: the uid keeps a later flush from storing it twice.
        this.wentDown(e);
      }
    }
    this.buffer.append(events);
    this.report();
  }

  private async reading<T>(read: () => Promise<T>): Promise<T> {
    await this.started; // the schema may not exist before the first migration
    try {
      const value = await read();
      return value;
    } catch (e) {
      if (!isOutage(e)) throw e;
      this.wentDown(e);
      throw new AppError("audit_unavailable", "The audit trail's database cannot be reached right now. Views are still recorded; please try again later.", { cause: e });
    }
  }

  private report(): void {
    this.log.state?.(this.reachable, this.buffer.size);
  }

  private wentDown(e: unknown): void {
    this.reachable = false;
    this.direct = false;
    this.report();
    if (!this.warned) {
      this.warned = true;
      this.log.warn({ audit: { store: "postgres", error: message(e), buffered: this.buffer.size } }, "audit store unreachable: events are buffered on local disk until it returns");
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.recover();
    }, this.retryMs);
    this.timer.unref();
  }

  /** Migrates (once), then flushes the buffer chunk by chunk; on success, writes go straight to PostgreSQL. */
  private recover(): Promise<void> {
    this.recovering ??= this.flushAll().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }

  private async flushAll(): Promise<void> {
    try {
      if (!this.migrated) {
        const applied = await this.pg.migrate();
        this.migrated = true;
        if (applied.length > 0) this.log.info({ audit: { migrations: applied } }, "audit store migrations applied");
      } else await this.pg.ping();
      this.reachable = true;
      this.report();
      const backlog = this.buffer.size;
      // One chunk per turn of the lane: writes queued meanwhile go to the end of the buffer, behind the backlog.
      let offset: number | null = 0;
      while (offset !== null) {
        const from: number = offset;
        offset = await this.serial((): Promise<number | null> => this.flushChunk(from));
      }
      if (this.warned || backlog > 0) this.log.info({ audit: { store: "postgres", flushed: backlog } }, "audit store reachable: buffered events stored");
      this.warned = false;
    } catch (e) {
      if (!isOutage(e)) this.log.error({ audit: { store: "postgres", error: message(e) } }, "audit store: the buffer could not be flushed");
      this.wentDown(e);
    }
  }

  /** Stores the chunk at `offset` and returns the next; null once the buffer is empty (cleared: writes go direct). */
  private async flushChunk(offset: number): Promise<number | null> {
    const { events, next } = this.buffer.read(offset, FLUSH_CHUNK);
    if (events.length === 0) {
      this.buffer.clear();
      this.direct = true;
      this.report();
      return null;
    }
    await this.pg.appendMany(events);
    return next;
  }
}
