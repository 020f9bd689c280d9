import "server-only";

import fs from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";

// Signed-out sessions on disk (SQLite, better-sqlite3), so that a sign-out outlives the process that handled
// it: a restart must not bring a copied cookie back to life. One row per sign-in id until the session would
// have ended anyway; later rows are purged. Processes on one host may share the file (WAL, SQLite's lock).

const SCHEMA = `
CREATE TABLE IF NOT EXISTS revoked_sessions (
  sid TEXT PRIMARY KEY,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revoked_sessions_expiry ON revoked_sessions (expires_at_ms);
`;

export class RevocationStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement<[string, number]>;
  private readonly lookup: Database.Statement<[string, number], { found: number }>;
  private readonly purge: Database.Statement<[number]>;

  constructor(
    file: string,
    private readonly now: () => number = Date.now,
  ) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    // A sign-out is a promise to the person: it must be on disk when the answer goes out, hence FULL.
    this.db.pragma("synchronous = FULL");
    this.upsert = this.db.prepare(
      "INSERT INTO revoked_sessions (sid, expires_at_ms) VALUES (?, ?) ON CONFLICT (sid) DO UPDATE SET expires_at_ms = max(expires_at_ms, excluded.expires_at_ms)",
    );
    this.lookup = this.db.prepare("SELECT 1 AS found FROM revoked_sessions WHERE sid = ? AND expires_at_ms > ?");
    this.purge = this.db.prepare("DELETE FROM revoked_sessions WHERE expires_at_ms <= ?");
  }

  /** Remembers a signed-out sign-in id until `expiresAtMs` (a later date wins if it is revoked twice). */
  add(sid: string, expiresAtMs: number): void {
    this.upsert.run(sid, expiresAtMs);
  }

  has(sid: string): boolean {
    return this.lookup.get(sid, this.now()) !== undefined;
  }

  /** Deletes entries whose session has ended anyway; returns how many. */
  purgeExpired(): number {
    return this.purge.run(this.now()).changes;
  }

  close(): void {
    this.db.close();
  }
}
