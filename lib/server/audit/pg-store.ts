import "server-only";

import pg from "pg";

import type { StampedEvent } from "./backend";
import { migrate } from "./pg-migrate";
import { chainHash, contentOf, GENESIS, likePattern, toEvent, toRow, type AuditPage, type AuditQuery, type ChainCheck, type Row, type StoredAuditEvent } from "./rows";

// The audit trail in PostgreSQL, shared by every instance (pg, a pool, parameterised queries only). The hash
// chain stays one chain under writers on several hosts: each batch takes a transaction-scoped advisory lock
// before it reads the chain's head (the newest row's hash), so batches are chained one after another, and a
// batch commits or fails whole. Each event carries its own `uid`: one already stored (a flush retried after
// a commit whose answer was lost) is skipped, never stored twice. Outages are handled in pg-resilient.ts.

/** An event with the id that keeps it from being stored twice. */
export type UidEvent = StampedEvent & { uid: string };

/** "tschain" in ASCII: the key every writer of the chain locks. */
const CHAIN_LOCK = "32777968088607086";
/** Rows per read of `all` and `verify`: bounded memory however long the trail. */
const PAGE = 2_000;

const COLUMNS = ["uid", "at", "action", "outcome", "code", "actor_id", "actor_email", "actor_name", "actor_role", "division_id", "division_name", "rows", "isolation", "request_id", "subject_id", "subject_name", "prev_hash", "hash"] as const;
const typeOf = (column: string) => (column === "uid" ? "uuid" : column === "rows" ? "integer" : "text");
const INSERT = `INSERT INTO audit_events (${COLUMNS.join(", ")})
  SELECT ${COLUMNS.join(", ")} FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${typeOf(c)}[]`).join(", ")})
  WITH ORDINALITY AS t(${COLUMNS.join(", ")}, n) ORDER BY n`;

type PgRow = Omit<Row, "id"> & { id: string };

export interface PgStoreOptions {
  /** Connections per instance (default 4). */
  poolSize?: number;
  /** How long a connection attempt or a query may take before it counts as an outage (default 5 s). */
  timeoutMs?: number;
}

export class PgAuditStore {
  readonly pool: pg.Pool;

  constructor(
    url: string,
    private readonly retentionDays: number,
    options: PgStoreOptions = {},
  ) {
    const timeout = options.timeoutMs ?? 5_000;
    this.pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 4, connectionTimeoutMillis: timeout, query_timeout: timeout, idleTimeoutMillis: 30_000, application_name: "tenantscope-audit" });
    // A connection lost (the server restarted) emits "error" on its client, idle or checked out; unheard, that
    // would be an uncaught exception. The query in flight rejects anyway, and the pool drops the client.
    this.pool.on("error", () => undefined);
    this.pool.on("connect", (client) => client.on("error", () => undefined));
  }

  /** Applies missing migrations and sets the retention period (the last instance started sets it, as with SQLite). */
  async migrate(): Promise<number[]> {
    const applied = await migrate(this.pool);
    await this.pool.query("INSERT INTO audit_settings (id, retention_days) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET retention_days = excluded.retention_days", [this.retentionDays]);
    return applied;
  }

  /** Throws unless the server answers. */
  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  /** One transaction, chained in this order after the newest row; returns how many were new. */
  async appendMany(events: readonly UidEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
      const known = await client.query<{ uid: string }>("SELECT uid::text FROM audit_events WHERE uid = ANY($1::uuid[])", [events.map((e) => e.uid)]);
      const skip = new Set(known.rows.map((r) => r.uid));
      const fresh = events.filter((e) => !skip.has(e.uid));
      const head = await client.query<{ hash: string }>("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1");
      let prev = head.rows[0]?.hash ?? GENESIS;
      const columns: unknown[][] = COLUMNS.map(() => []);
      for (const e of fresh) {
        const row = toRow(e);
        const hash = chainHash(prev, contentOf(row));
        const values: Record<(typeof COLUMNS)[number], unknown> = { ...row, uid: e.uid, prev_hash: prev, hash };
        COLUMNS.forEach((c, i) => columns[i]?.push(values[c]));
        prev = hash;
      }
      if (fresh.length > 0) await client.query(INSERT, columns);
      await client.query("COMMIT");
      client.release();
      return fresh.length;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release(e instanceof Error ? e : true);
      throw e;
    }
  }

  async query(q: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1_000);
    const rows = await this.select(q, limit + 1);
    const events = rows.slice(0, limit);
    return { events, nextBefore: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
  }

  /** Every match, newest first, a page at a time (rows stored meanwhile are newer than the first page: not included). */
  async *all(q: Omit<AuditQuery, "limit">): AsyncGenerator<StoredAuditEvent> {
    let before = q.before;
    for (;;) {
      const page = await this.select({ ...q, ...(before !== undefined ? { before } : {}) }, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      before = page.at(-1)?.id;
    }
  }

  /** Deletes events older than the retention period, by the database's clock (the one its trigger checks). */
  async purgeExpired(): Promise<number> {
    const res = await this.pool.query(
      `DELETE FROM audit_events WHERE at < to_char((now() AT TIME ZONE 'UTC') - make_interval(days => (SELECT retention_days FROM audit_settings WHERE id = 1)), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    );
    return res.rowCount ?? 0;
  }

  /** Recomputes the hash chain from the oldest remaining row, a page at a time. */
  async verify(): Promise<ChainCheck> {
    let prev: string | null = null;
    let checked = 0;
    let after = "0";
    for (;;) {
      const { rows } = await this.pool.query<PgRow>("SELECT * FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2", [after, PAGE]);
      for (const row of rows) {
        if ((prev !== null && row.prev_hash !== prev) || chainHash(row.prev_hash, contentOf(row)) !== row.hash) return { ok: false, checked, brokenAt: Number(row.id) };
        prev = row.hash;
        checked++;
        after = row.id;
      }
      if (rows.length < PAGE) return { ok: true, checked };
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async select(q: Omit<AuditQuery, "limit">, limit: number): Promise<StoredAuditEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.actor) {
      const like = param(likePattern(q.actor));
      where.push(`(actor_email ILIKE ${like} ESCAPE '\\' OR actor_name ILIKE ${like} ESCAPE '\\' OR actor_id = ${param(q.actor)})`);
    }
    if (q.divisionId) where.push(`division_id = ${param(q.divisionId)}`);
    if (q.action) where.push(`action = ${param(q.action)}`);
    if (q.outcome) where.push(`outcome = ${param(q.outcome)}`);
    if (q.from) where.push(`at >= ${param(q.from)}`);
    if (q.to) where.push(`at <= ${param(q.to)}`);
    if (q.before !== undefined) where.push(`id < ${param(q.before)}`);
    const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${param(limit)}`;
    const { rows } = await this.pool.query<PgRow>(sql, params);
    return rows.map((r) => toEvent({ ...r, id: Number(r.id) }));
  }
}
