import "server-only";

import type { AuditEvent } from "./store";

// Group commit for the audit trail. One SQLite transaction per event cost ~0.35 ms of the event loop per
// warm view (profile under `npm run load`, issue 13), most of it the commit itself: a batch of 4 costs a
// third per event, of 16 a sixth. Events recorded while the loop is busy with other requests are committed
// together once it turns (setImmediate), and each caller's promise settles only after its own batch's
// commit: a response that waits for it is never sent for a view the trail could still lose.

export type StampedEvent = AuditEvent & { at: string };

/** What a batch's outcome is reported to (metrics and logs in record.ts). */
export interface CommitReport {
  stored(events: readonly StampedEvent[]): void;
  failed(events: readonly StampedEvent[], error: unknown): void;
}

/** Larger batches are split: one transaction holds SQLite's write lock, and other processes wait for it. */
const MAX_BATCH = 256;

export class GroupCommit {
  private queue: { event: StampedEvent; done: () => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly commit: (events: readonly StampedEvent[]) => void,
    private readonly report: CommitReport,
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  /** Resolves once the event is committed, or its failure reported (it never rejects: see record.ts). */
  add(event: StampedEvent): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ event, done: resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  /** Commits everything queued so far, in order. */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const events = batch.map((b) => b.event);
      try {
        this.commit(events);
        this.report.stored(events);
      } catch (e) {
        this.report.failed(events, e);
      }
      for (const b of batch) b.done();
    }
  }

  get pending(): number {
    return this.queue.length;
  }
}
