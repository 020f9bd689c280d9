import "server-only";

import fs from "node:fs";
import path from "node:path";

import { AppError } from "@/lib/server/platform";

import type { UidEvent } from "./pg-store";

// Where an instance keeps audit events while PostgreSQL cannot be reached: one NDJSON line per event,
// appended and fsynced before the append returns, so an event acknowledged from here survives a crash of
// the process or the host. Bounded: past `maxEvents` an append is refused (AppError audit_unavailable) and
// nothing of it is written. A line torn by a crash mid-write was never acknowledged: it is cut off on open.
// One file per instance: two processes must not share it.

export class DiskBuffer {
  private readonly fd: number;
  private count = 0;
  private bytes = 0;

  constructor(
    readonly file: string,
    readonly maxEvents: number,
  ) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = fs.openSync(file, "a+", 0o600);
    const text = fs.readFileSync(file, "utf8");
    const whole = text.lastIndexOf("\n") + 1;
    if (whole < text.length) {
      fs.ftruncateSync(this.fd, Buffer.byteLength(text.slice(0, whole)));
      fs.fsyncSync(this.fd);
    }
    this.bytes = Buffer.byteLength(text.slice(0, whole));
    this.count = text.slice(0, whole).split("\n").filter((line) => line !== "").length;
  }

  /** Events waiting in the file. */
  get size(): number {
    return this.count;
  }

  /** Appends the events, durably (fsync), or throws audit_unavailable when they would not fit. */
  append(events: readonly UidEvent[]): void {
    if (this.count + events.length > this.maxEvents) {
      throw new AppError("audit_unavailable", "The audit trail cannot record this request right now. Please try again later.");
    }
    const text = events.map((e) => JSON.stringify(e) + "\n").join("");
    fs.writeSync(this.fd, text);
    fs.fsyncSync(this.fd);
    this.count += events.length;
    this.bytes += Buffer.byteLength(text);
  }

  /** Up to `max` events from byte `offset` on, and the offset after them (read in file order). */
  read(offset: number, max: number): { events: UidEvent[]; next: number } {
    const events: UidEvent[] = [];
    let next = offset;
    while (events.length < max && next < this.bytes) {
      const chunk = Buffer.alloc(Math.min(1 << 20, this.bytes - next));
      const got = fs.readSync(this.fd, chunk, 0, chunk.length, next);
      const text = chunk.subarray(0, got).toString("utf8");
      const end = text.lastIndexOf("\n");
      if (end < 0) throw new Error(`audit buffer ${this.file}: a line longer than 1 MiB at byte ${next}`);
      let start = 0;
      while (events.length < max && start <= end) {
        const stop = text.indexOf("\n", start);
        const line = text.slice(start, stop);
        if (line !== "") events.push(JSON.parse(line) as UidEvent);
        next += Buffer.byteLength(line) + 1;
        start = stop + 1;
      }
    }
    return { events, next };
  }

  /** Empties the file once everything in it is stored elsewhere. */
  clear(): void {
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.count = 0;
    this.bytes = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
