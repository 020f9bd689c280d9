import "server-only";

import { createHash } from "node:crypto";

import { auditActionSchema, auditActorRoleSchema, auditIsolationSchema, auditOutcomeSchema, type AuditAction, type AuditEventDto, type AuditOutcome } from "@/lib/shared/contract";

// What both audit stores (SQLite: store.ts, PostgreSQL: pg-store.ts) share: the event and query types, the
// row a store keeps, and the hash chain over it. Both hash the same content the same way, so a trail moved
// from one to the other would verify alike.

/** An event as stored and as the browser reads it (the contract's shape). */
export type StoredAuditEvent = AuditEventDto;

/** What a caller records; the store adds `id`, and `at` is stamped when it is recorded. */
export type AuditEvent = Omit<StoredAuditEvent, "id" | "at">;

export interface AuditQuery {
  /** Substring of the actor's email or name (any case), or their exact user id. */
  actor?: string;
  divisionId?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  /** Inclusive ISO 8601 bounds on `at` (UTC). */
  from?: string;
  to?: string;
  /** Events with an id below this (the previous page's last). */
  before?: number;
  limit?: number;
}

export interface AuditPage {
  events: StoredAuditEvent[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The first row whose hash or link does not match. */
  brokenAt?: number;
}

export interface Row {
  id: number;
  at: string;
  action: string;
  outcome: string;
  code: string | null;
  actor_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  actor_role: string | null;
  division_id: string | null;
  division_name: string | null;
  rows: number | null;
  isolation: string | null;
  request_id: string | null;
  /** Whom the event is about (the access explorer: the person asked about); added after the first release. */
  subject_id: string | null;
  subject_name: string | null;
  prev_hash: string;
  hash: string;
}

/** A row before the store chains it. */
export type NewRow = Omit<Row, "id" | "prev_hash" | "hash">;

export const GENESIS = "genesis";

/**
 * The hashed content of a row: every column but id and the hashes, in a fixed order. The subject columns came
 * later and are hashed only when set, so rows written before them keep their hashes.
 */
export function contentOf(r: NewRow): string {
  const base = [r.at, r.action, r.outcome, r.code, r.actor_id, r.actor_email, r.actor_name, r.actor_role, r.division_id, r.division_name, r.rows, r.isolation, r.request_id];
  return JSON.stringify(r.subject_id === null && r.subject_name === null ? base : [...base, r.subject_id, r.subject_name]);
}

export function chainHash(prev: string, content: string): string {
  return createHash("sha256").update(prev).update("\n").update(content).digest("hex");
}

export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function toRow(event: AuditEvent & { at: string }): NewRow {
  return {
    at: event.at,
    action: event.action,
    outcome: event.outcome,
    code: event.code ?? null,
    actor_id: event.actor?.id ?? null,
    actor_email: event.actor?.email ?? null,
    actor_name: event.actor?.name ?? null,
    actor_role: event.actor?.role ?? null,
    division_id: event.divisionId ?? null,
    division_name: event.divisionName ?? null,
    rows: event.rows ?? null,
    isolation: event.isolation ? JSON.stringify(event.isolation) : null,
    request_id: event.requestId ?? null,
    subject_id: event.subjectId ?? null,
    subject_name: event.subjectName ?? null,
  };
}

export function toEvent(r: Row): StoredAuditEvent {
  return {
    id: r.id,
    at: r.at,
    action: auditActionSchema.parse(r.action),
    outcome: auditOutcomeSchema.parse(r.outcome),
    ...(r.code !== null ? { code: r.code } : {}),
    actor:
      r.actor_id !== null
        ? { id: r.actor_id, email: r.actor_email ?? "", ...(r.actor_name !== null ? { name: r.actor_name } : {}), role: auditActorRoleSchema.parse(r.actor_role ?? "manager") }
        : null,
    ...(r.division_id !== null ? { divisionId: r.division_id } : {}),
    ...(r.division_name !== null ? { divisionName: r.division_name } : {}),
    ...(r.rows !== null ? { rows: r.rows } : {}),
    ...(r.isolation !== null ? { isolation: auditIsolationSchema.parse(JSON.parse(r.isolation)) } : {}),
    ...(r.request_id !== null ? { requestId: r.request_id } : {}),
    ...(r.subject_id !== null && r.subject_id !== undefined ? { subjectId: r.subject_id } : {}),
    ...(r.subject_name !== null && r.subject_name !== undefined ? { subjectName: r.subject_name } : {}),
  };
}
