import "server-only";

import fs from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";

import { chainHash, contentOf, GENESIS, likePattern, toEvent, toRow, type AuditEvent, type AuditPage, type AuditQuery, type ChainCheck, type NewRow, type Row, type StoredAuditEvent } from "./rows";

export type { AuditEvent, AuditPage, AuditQuery, ChainCheck, StoredAuditEvent } from "./rows";

// The audit trail: one row per view, export and diagnostics run, in SQLite (better-sqlite3). Append-only
// twice over: triggers refuse UPDATE, and DELETE of anything younger than the retention period, so the app
// itself cannot rewrite history; and each row carries the hash of its content and of the row before it, so
// an edit made around the app (sqlite3 on the file, triggers dropped) shows as a broken chain in `verify`.
// Several processes on one host may share the file (WAL, writes serialised by SQLite's lock).

const DAY_MS = 86_400_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  code TEXT,
  actor_id TEXT,
  actor_email TEXT,
  actor_name TEXT,
  actor_role TEXT,
  division_id TEXT,
  division_name TEXT,
  rows INTEGER,
  isolation TEXT,
  request_id TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (at);
CREATE INDEX IF NOT EXISTS audit_events_division ON audit_events (division_id, id);
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events (actor_email, id);
CREATE TABLE IF NOT EXISTS audit_settings (id INTEGER PRIMARY KEY CHECK (id = 1), retention_days INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_keep_retention BEFORE DELETE ON audit_events
WHEN OLD.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (SELECT retention_days FROM audit_settings WHERE id = 1) || ' days')
BEGIN SELECT RAISE(ABORT, 'audit events are kept for the whole retention period'); END;
`;

/** Adds the columns a store created by an older release lacks (ADD COLUMN keeps every row and its hash). */
function addSubjectColumns(db: Database.Database): void {
  const columns = new Set((db.prepare("PRAGMA table_info(audit_events)").all() as { name: string }[]).map((c) => c.name));
  for (const column of ["subject_id", "subject_name"]) if (!columns.has(column)) db.exec(`ALTER TABLE audit_events ADD COLUMN ${column} TEXT`);
}

export class AuditStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly lastHash: Database.Statement<[], { hash: string }>;
  private readonly appendTx: (rows: NewRow[]) => void;

  constructor(
    file: string,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    addSubjectColumns(this.db);
    this.db.prepare("INSERT INTO audit_settings (id, retention_days) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET retention_days = excluded.retention_days").run(retentionDays);
    this.insert = this.db.prepare(
      `INSERT INTO audit_events (at, action, outcome, code, actor_id, actor_email, actor_name, actor_role, division_id, division_name, rows, isolation, request_id, subject_id, subject_name, prev_hash, hash)
       VALUES (@at, @action, @outcome, @code, @actor_id, @actor_email, @actor_name, @actor_role, @division_id, @division_name, @rows, @isolation, @request_id, @subject_id, @subject_name, @prev_hash, @hash)`,
    );
    this.lastHash = this.db.prepare("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1");
    const tx = this.db.transaction((rows: NewRow[]) => {
      let prev = this.lastHash.get()?.hash ?? GENESIS;
      for (const row of rows) {
        const hash = chainHash(prev, contentOf(row));
        this.insert.run({ ...row, prev_hash: prev, hash });
        prev = hash;
      }
    });
    // IMMEDIATE: another process cannot slip a row in between reading the last hash and inserting.
    this.appendTx = (rows) => tx.immediate(rows);
  }

  append(event: AuditEvent & { at: string }): void {
    this.appendTx([toRow(event)]);
  }

  /** Several events in one transaction, chained in this order: all are stored, or none (it throws). */
  appendMany(events: readonly (AuditEvent & { at: string })[]): void {
    if (events.length > 0) this.appendTx(events.map(toRow));
  }

  /** Newest first, one page. */
  query(q: AuditQuery): AuditPage {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1_000);
    const rows = [...this.select(q, limit + 1)];
    const events = rows.slice(0, limit);
    return { events, nextBefore: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
  }

  /** Every match, newest first, read lazily (for the CSV export). */
  *all(q: Omit<AuditQuery, "limit">): Generator<StoredAuditEvent> {
    yield* this.select(q, undefined);
  }

  /** Deletes events older than the retention period; returns how many. */
  purgeExpired(): number {
    const cutoff = new Date(this.now() - this.retentionDays * DAY_MS).toISOString();
    return this.db.prepare("DELETE FROM audit_events WHERE at < ?").run(cutoff).changes;
  }

  /** Recomputes the hash chain from the oldest remaining row (a purge moves the chain's start, nothing else). */
  verify(): ChainCheck {
    let prev: string | null = null;
    let checked = 0;
    for (const row of this.db.prepare("SELECT * FROM audit_events ORDER BY id").iterate() as IterableIterator<Row>) {
      if ((prev !== null && row.prev_hash !== prev) || chainHash(row.prev_hash, contentOf(row)) !== row.hash) return { ok: false, checked, brokenAt: row.id };
      prev = row.hash;
      checked++;
    }
    return { ok: true, checked };
  }

  close(): void {
    this.db.close();
  }

  private *select(q: Omit<AuditQuery, "limit">, limit: number | undefined): Generator<StoredAuditEvent> {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (q.actor) {
      where.push("(actor_email LIKE @actorLike ESCAPE '\\' OR actor_name LIKE @actorLike ESCAPE '\\' OR actor_id = @actor)");
      params.actorLike = likePattern(q.actor);
      params.actor = q.actor;
    }
    for (const [key, condition] of SIMPLE_FILTERS) {
      const value = q[key];
      if (value === undefined || value === "") continue;
      where.push(condition);
      params[key] = value;
    }
    const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC${limit !== undefined ? ` LIMIT ${limit}` : ""}`;
    for (const row of this.db.prepare(sql).iterate(params) as IterableIterator<Row>) yield toEvent(row);
  }
}

/** Filters that compare one column with the query's value of the same name. */
const SIMPLE_FILTERS: readonly (readonly [Exclude<keyof AuditQuery, "actor" | "limit">, string])[] = [
  ["divisionId", "division_id = @divisionId"],
  ["action", "action = @action"],
  ["outcome", "outcome = @outcome"],
  ["from", "at >= @from"],
  ["to", "at <= @to"],
  ["before", "id < @before"],
];

