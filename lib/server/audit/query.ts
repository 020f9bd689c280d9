import "server-only";

import { assertDivisionId } from "@/lib/server/divisions";
import { AppError } from "@/lib/server/platform";
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditFilterValues } from "@/lib/shared/contract";

import type { AuditQuery } from "./store";

// The audit trail's filters as they appear in a URL (the /audit page's form, /api/audit, /api/audit.csv):
// ?person=&division=&action=&outcome=&from=YYYY-MM-DD&to=YYYY-MM-DD&before=&limit=. Dates are whole days
// in UTC, both ends included. Anything malformed is a 400 naming the field.

export const AUDIT_PARAMS = ["person", "division", "action", "outcome", "from", "to", "before", "limit"] as const;

export type AuditFilters = AuditFilterValues;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function bad(field: string, message: string): AppError {
  return new AppError("bad_request", message, { details: { field } });
}

function day(field: "from" | "to", text: string): string {
  const m = DAY.exec(text);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  // Date.UTC rolls 2026-02-31 over into March: a real date reads back the same.
  if (!date || date.toISOString().slice(0, 10) !== text) throw bad(field, `${field} must be a date written YYYY-MM-DD.`);
  return field === "from" ? date.toISOString() : new Date(date.getTime() + 86_400_000 - 1).toISOString();
}

function whole(field: string, text: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw bad(field, `${field} must be a whole number from ${min} to ${max}.`);
  return Number(text);
}

/** The query for the store, and the filters as given (to refill the form and build links). */
export function parseAuditParams(params: URLSearchParams): { query: AuditQuery; filters: AuditFilters } {
  for (const key of new Set(params.keys())) {
    if (params.getAll(key).length > 1) throw bad(key, `${key} may be given once.`);
  }
  const get = (key: (typeof AUDIT_PARAMS)[number]) => params.get(key)?.trim() ?? "";
  const filters: AuditFilters = { person: get("person"), division: get("division"), action: get("action"), outcome: get("outcome"), from: get("from"), to: get("to") };
  const query: AuditQuery = {};
  if (filters.person) {
    if (filters.person.length > 200) throw bad("person", "person is too long (200 characters at most).");
    query.actor = filters.person;
  }
  if (filters.division) {
    try {
      assertDivisionId(filters.division);
    } catch {
      throw bad("division", "division must be a Genesys Cloud division id.");
    }
    query.divisionId = filters.division.toLowerCase();
  }
  if (filters.action) {
    const action = AUDIT_ACTIONS.find((a) => a === filters.action);
    if (!action) throw bad("action", `action must be one of ${AUDIT_ACTIONS.join(", ")}.`);
    query.action = action;
  }
  if (filters.outcome) {
    const outcome = AUDIT_OUTCOMES.find((o) => o === filters.outcome);
    if (!outcome) throw bad("outcome", `outcome must be one of ${AUDIT_OUTCOMES.join(", ")}.`);
    query.outcome = outcome;
  }
  if (filters.from) query.from = day("from", filters.from);
  if (filters.to) query.to = day("to", filters.to);
  if (query.from && query.to && query.from > query.to) throw bad("from", "from must not be after to.");
  const before = get("before");
  if (before) query.before = whole("before", before, 1, Number.MAX_SAFE_INTEGER);
  const limit = get("limit");
  query.limit = limit ? whole("limit", limit, 1, 500) : 100;
  return { query, filters };
}

/** The filters as a query string (empty values left out), for pagination and the CSV link. */
export function filtersToParams(filters: AuditFilters, extra: Record<string, string> = {}): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) params.set(k, v);
  return params;
}
