import "server-only";

import type { AuditEvent, AuditPage, AuditQuery, ChainCheck, StoredAuditEvent } from "./rows";
import type { AuditStore } from "./store";

// What record.ts, trail.ts and the routes use, whichever store keeps the trail: the embedded SQLite file
// (store.ts, synchronous) or PostgreSQL shared by every instance (pg-resilient.ts over pg-store.ts). The
// SQLite adapter does its work inside the call, before the promise is returned, so it behaves exactly as
// the synchronous store did: an event is committed when `append` returns.

export type StampedEvent = AuditEvent & { at: string };

/** "ok", or "down": PostgreSQL could not be reached at the last attempt (events go to the disk buffer). */
export type AuditStoreStatus = "ok" | "down";

export interface AuditBackend {
  /** "embedded" (SQLite) or "postgres". */
  readonly kind: "embedded" | "postgres";
  /** Several events in one transaction, chained in this order; resolves once they are durable. */
  appendMany(events: readonly StampedEvent[]): Promise<void>;
  /** Newest first, one page. */
  query(q: AuditQuery): Promise<AuditPage>;
  /** Every match, newest first, read lazily (for the CSV export). */
  all(q: Omit<AuditQuery, "limit">): AsyncIterable<StoredAuditEvent>;
  /** Deletes events older than the retention period; returns how many. */
  purgeExpired(): Promise<number>;
  /** Recomputes the hash chain from the oldest remaining row. */
  verify(): Promise<ChainCheck>;
  status(): AuditStoreStatus;
  close(): Promise<void>;
}

export function sqliteBackend(store: AuditStore): AuditBackend {
  return {
    kind: "embedded",
    // Not `async`: a throw must reach the caller as a rejection, and the work is done before returning.
    appendMany: (events) => settle(() => store.appendMany(events)),
    query: (q) => settle(() => store.query(q)),
    async *all(q) {
      yield* store.all(q);
    },
    purgeExpired: () => settle(() => store.purgeExpired()),
    verify: () => settle(() => store.verify()),
    status: () => "ok",
    close: () => settle(() => store.close()),
  };
}

function settle<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
