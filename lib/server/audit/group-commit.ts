import "server-only";

import type { StampedEvent } from "./backend";

// Group commit for the audit trail. One SQLite transaction per event cost ~0.35 ms of the event loop per
// warm view (profile under `npm run load`, issue 13), most of it the commit itself: a batch of 4 costs a
// third per event, of 16 a sixth. Events recorded while the loop is busy with other requests are committed
// together once it turns (setImmediate), and each caller's promise settles only after its own batch's
// commit: a response that waits for it is never sent for a view the trail could still lose. A commit may be
// asynchronous (PostgreSQL): while one is in flight, what is recorded meanwhile waits and goes in the next
// batch, so batches stay in order and grow with the round trip instead of queueing up one per turn.

export type { StampedEvent } from "./backend";

/** What a batch's outcome is reported to (metrics and logs in record.ts). */
export interface CommitReport {
  stored(events: readonly StampedEvent[]): void;
  failed(events: readonly StampedEvent[], error: unknown): void;
  /** The error to reject a failed batch's callers with (the request is then refused), or undefined to settle them. */
  refusal?(error: unknown): Error | undefined;
}

/** Larger batches are split: one transaction holds SQLite's write lock, and other processes wait for it. */
const MAX_BATCH = 256;

type Waiting = { event: StampedEvent; done: (refusal?: Error) => void };

export class GroupCommit {
  private queue: Waiting[] = [];
  private scheduled = false;
  private inFlight = false;

  constructor(
    private readonly commit: (events: readonly StampedEvent[]) => void | Promise<void>,
    private readonly report: CommitReport,
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  /** Resolves once the event is committed or its failure reported; rejects only when `failed` says so. */
  add(event: StampedEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, done: (refusal) => (refusal ? reject(refusal) : resolve()) });
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  /** Commits everything queued so far, in order (after the commit in flight, if any). */
  flush(): void {
    this.scheduled = false;
    if (this.inFlight) return; // the commit in flight takes the queue when it ends
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let result: void | Promise<void>;
      try {
        result = this.commit(batch.map((b) => b.event));
      } catch (e) {
        this.settle(batch, { error: e });
        continue;
      }
      if (result instanceof Promise) {
        this.inFlight = true;
        result
          .then(
            () => this.settle(batch),
            (e: unknown) => this.settle(batch, { error: e }),
          )
          .finally(() => {
            this.inFlight = false;
            this.flush();
          });
        return;
      }
      this.settle(batch);
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  private settle(batch: readonly Waiting[], failure?: { error: unknown }): void {
    const events = batch.map((b) => b.event);
    let refusal: Error | undefined;
    if (failure) {
      this.report.failed(events, failure.error);
      refusal = this.report.refusal?.(failure.error);
    } else this.report.stored(events);
    for (const b of batch) b.done(refusal);
  }
}
